#!/usr/bin/env bash
# One-shot GPU run of the network tier (for a session with a CUDA machine). Installs the package with the nets
# extra if needed, runs the GPU-size configurations and their tests, and leaves JSON results and figures in
# ${OUT:-docs/nets/gpu}. The full set takes hours on one GPU (200 epochs of ResNet18 on 50 000 images per run);
# pass a subset, e.g. `benchmarks/nets_gpu.sh balanced_ce`, to fit a shorter lease.
set -euo pipefail
OUT="${OUT:-docs/nets/gpu}"
python -c "import torch, sklearn" 2>/dev/null || python -m pip install -q -e ".[nets,docs,test]"
python -c "import torch; assert torch.cuda.is_available(), 'no CUDA device'; print(torch.cuda.get_device_name(0))"
ONLY=("$@")
python benchmarks/nets_run.py --tier gpu --device cuda --out "$OUT" ${ONLY:+--only "${ONLY[@]}"} 2>&1 | tee "$OUT/run.log"
