"""``nc-verify nets``: run a network-tier experiment from a configuration, write its JSON result and figures.

    nc-verify nets run CONFIG.toml|CONFIG.json|cpu/balanced_ce [--device auto] [--out result.json] [--plots DIR]
    nc-verify nets list                      # the shipped configurations (verify/nets/configs/)

Prints a progress bar on stderr and, per run, each measurement beside the catalogue's prediction.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from verify.base.errors import InputError
from verify.record import Undefined

INSTALL = 'nc-verify nets: the network tier needs the nets extra: pip install -e ".[nets]"'


class Bar:
    """A one-line progress bar on stderr: ``label [#####.....] epoch/total  loss  NC1``."""

    def __init__(self, label: str, stream=sys.stderr, width: int = 30):
        self.label, self.stream, self.width = label, stream, width

    def __call__(self, epoch: int, total: int, record: dict) -> None:
        done = int(self.width * epoch / max(total, 1))
        nc1 = record.get("NC1")
        nc1 = f"{nc1:.2e}" if isinstance(nc1, float) else "-"
        end = "\n" if epoch == total else ""
        self.stream.write(
            f"\r{self.label[:24]:<24} [{'#' * done}{'.' * (self.width - done)}] {epoch}/{total}"
            f"  loss {record['loss']:.3e}  NC1 {nc1}{end}"
        )
        self.stream.flush()


def _fmt(x) -> str:
    if isinstance(x, dict) and "undefined" in x:
        return f"undefined ({x['undefined']})"
    if isinstance(x, Undefined):
        return str(x)
    if isinstance(x, float):
        return f"{x:.4g}"
    if isinstance(x, list):
        return "[" + ", ".join(_fmt(v) for v in x) + "]"
    if isinstance(x, dict):
        return "{" + ", ".join(f"{k}: {_fmt(v)}" for k, v in x.items()) + "}"
    return str(x)


def summary_text(result: dict) -> str:
    hw = result["hardware"]
    lines = [
        f"{result['name']} ({result['experiment']}): {hw['device']}"
        + (f" {hw['gpu']}" if "gpu" in hw else f" ({hw['cpu']}, {hw['torch_threads']} threads)")
        + f", {result['timings']['total_s']:.1f} s; metrics from {result['metrics_source']}"
    ]
    for run in result["runs"]:
        f = run["final"]
        lines.append(
            f"-- {run['label']}: sizes {run['data']['sizes']}, epoch {f['epoch']}, train acc {f['train_accuracy']:.3f},"
            f" NC1 {_fmt(f['NC1'])}, E_H {f['E_H']:.4g}, E_W {f['E_W']:.4g}"
        )
        for p in run["predictions"]:
            if "unavailable" in p:
                lines.append(f"   {p['claim']}: prediction unavailable: {p['unavailable']}")
        for row in run["comparison"]:
            lines.append(
                f"   {row['quantity']:<44} measured {_fmt(row['measured']):<22} {row['relation']:>2} predicted"
                f" {_fmt(row['predicted'])}  [{row['claim']} {row['claim_quantity']}]"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="nc-verify nets", description="Run a network-tier experiment; print measurements beside predictions."
    )
    sub = ap.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="train and measure one configuration")
    p.add_argument("config", metavar="CONFIG", help="a .toml/.json file or a shipped name such as cpu/balanced_ce")
    p.add_argument("--device", default=None, help="cpu, cuda or auto (default: the configuration's)")
    p.add_argument("--out", help="write the JSON result here")
    p.add_argument("--plots", help="write PNG and SVG figures into this folder")
    p.add_argument("--json", action="store_true", help="print the JSON result instead of the text summary")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    sub.add_parser("list", help="the shipped configurations")
    args = ap.parse_args(argv)
    try:
        import sklearn  # noqa: F401
        import torch  # noqa: F401
    except ImportError:
        print(INSTALL, file=sys.stderr)
        return 2
    from verify.nets.config import load_config, shipped_configs

    if args.command == "list":
        try:
            print("\n".join(shipped_configs()))
        except BrokenPipeError:  # piped into `head`: not an error of ours
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return 0
    try:
        from verify.nets.experiments import run_experiment

        exp = load_config(args.config)
        if args.plots:  # refused before the training, not after it
            from verify.nets.plots import require_matplotlib

            require_matplotlib()
        result = run_experiment(exp, device=args.device, progress=(lambda label: None) if args.quiet else Bar)
        if args.plots:
            from verify.nets.plots import plot_result

            result["figures"] = plot_result(result, Path(args.plots))
    except InputError as exc:
        print(f"nc-verify nets: error: {exc}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1) if args.json else summary_text(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
