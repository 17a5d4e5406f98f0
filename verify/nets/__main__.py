"""``python -m verify.nets``: train, then print the last-layer geometry against Theorem 1's prediction.

Full size (run it where a GPU is available with ``--device auto``)::

    python -m verify.nets --classes 10 --per-class 174 --width 512 --steps 20000 --device auto
"""

from __future__ import annotations

import argparse
import json

from verify.nets.data import digits, gaussian_mixture
from verify.nets.train import TrainConfig, train


def _fmt(x) -> str:
    """A measured float, or the reason it is undefined (a zero-norm vector)."""
    return f"{x:.3e}" if isinstance(x, float) else str(x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m verify.nets", description=__doc__.splitlines()[0])
    ap.add_argument("--data", choices=("digits", "gaussian"), default="digits")
    ap.add_argument("--classes", type=int, default=4)
    ap.add_argument("--per-class", type=int, default=60)
    ap.add_argument("--width", type=int, default=TrainConfig.width)
    ap.add_argument("--steps", type=int, default=TrainConfig.steps)
    ap.add_argument("--weight-decay", type=float, default=TrainConfig.weight_decay)
    ap.add_argument("--checkpoints", type=int, default=5)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--device", default="cpu", help="cpu, cuda or auto")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    try:
        loader = digits if args.data == "digits" else gaussian_mixture
        data = loader(args.classes, args.per_class, seed=args.seed)
        config = TrainConfig(
            width=args.width,
            steps=args.steps,
            weight_decay=args.weight_decay,
            checkpoints=args.checkpoints,
            seed=args.seed,
            device=args.device,
        )
        run = train(data, config)
    except (ValueError, ImportError) as exc:
        print(f"python -m verify.nets: error: {exc}")
        return 2
    rows = [
        {
            "step": c.step,
            "loss": _fmt(c.loss),
            "train_acc": f"{c.accuracy:.3f}",
            "NC1": _fmt(c.metrics.nc1),
            "cos_gap": _fmt(c.metrics.worst_cosine_gap()),
            "self_duality": _fmt(c.metrics.self_duality),
            "mean_norm_cv": _fmt(c.metrics.mean_norm_cv),
        }
        for c in run.history
    ]
    head = f"{run.dataset}: K={run.K}, {run.per_class}/class, {run.device}, {run.seconds:.1f} s; ETF cosine {-1 / (run.K - 1):.6f}"
    if args.json:
        print(json.dumps({"run": head, "history": rows}, indent=2))
    else:
        print(head)
        keys = list(rows[0])
        print("  ".join(f"{k:>12}" for k in keys))
        for r in rows:
            print("  ".join(f"{r[k]:>12}" for k in keys))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
