#!/usr/bin/env bash
# The default test tier under several OpenBLAS kernels and thread counts (issue 22): no test may depend on the
# sign, order or size of rounding noise, which changes with the kernel (OPENBLAS_CORETYPE) and the threads.
#
#   benchmarks/blas_matrix.sh                         # the whole default tier, 3 kernels x {1, 2} threads
#   benchmarks/blas_matrix.sh tests/claims/fang2021 tests/metrics     # a subset (any pytest arguments)
#   KERNELS="Haswell SkylakeX" THREADS="1 2" benchmarks/blas_matrix.sh
#
# Each combination checks first, through threadpoolctl, that numpy's OpenBLAS really runs the kernel asked
# for (a kernel the CPU lacks falls back silently: that combination is reported "kernel unavailable", not
# passed), then runs `python -m pytest --hypothesis-profile=ci -q -x ARGS`. Prints one line per combination
# and a summary; exits 1 if any combination failed. Run from the repository root with the venv's python.
set -u
KERNELS=${KERNELS:-"Haswell SkylakeX Sandybridge"}
THREADS=${THREADS:-"1 2"}
PYTHON=${PYTHON:-python}
ARGS=("$@")
export PYTHONPATH=${PYTHONPATH:-$PWD}
status=0
summary=()
for kernel in $KERNELS; do
  for threads in $THREADS; do
    export OPENBLAS_CORETYPE=$kernel OPENBLAS_NUM_THREADS=$threads OMP_NUM_THREADS=$threads
    got=$("$PYTHON" -c "
import numpy, threadpoolctl
blas = [i for i in threadpoolctl.threadpool_info() if i.get('internal_api') == 'openblas']
print(','.join(f\"{i.get('architecture')}/{i.get('num_threads')}\" for i in blas) or 'no-openblas')")
    if [[ "$got" != *"$kernel/$threads"* ]]; then
      line="$kernel x $threads thread(s): kernel unavailable (numpy's OpenBLAS runs $got)"
      summary+=("$line"); echo "$line"; continue
    fi
    start=$(date +%s)
    if "$PYTHON" -m pytest --hypothesis-profile=ci -q -x -p no:cacheprovider "${ARGS[@]}" > "/tmp/blas_matrix_${kernel}_${threads}.log" 2>&1; then
      result="passed"
    else
      result="FAILED (log: /tmp/blas_matrix_${kernel}_${threads}.log)"; status=1
    fi
    tail_line=$(tail -n 1 "/tmp/blas_matrix_${kernel}_${threads}.log")
    line="$kernel x $threads thread(s): $result in $(( $(date +%s) - start )) s: $tail_line"
    summary+=("$line"); echo "$line"
  done
done
echo "--- summary (OpenBLAS kernel x threads) ---"
printf '%s\n' "${summary[@]}"
exit $status
