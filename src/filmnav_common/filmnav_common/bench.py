"""`filmnav bench NAME`: run benchmarks/bench_NAME.py from the source checkout.

Each benchmark module has `main(argv) -> int`, prints one JSON object on stdout and writes it to
benchmarks/results/NAME.json.
"""

from __future__ import annotations

import importlib.util
import json
import os
import pathlib
import sys
from collections.abc import Sequence

BENCHMARKS = ("sim", "mapper", "policy", "ros", "harness", "goals")


def repo_root() -> pathlib.Path:
    """The source checkout: $FILMNAV_ROOT, else found through the symlink-installed package."""
    if "FILMNAV_ROOT" in os.environ:
        return pathlib.Path(os.environ["FILMNAV_ROOT"])
    return pathlib.Path(__file__).resolve().parents[3]


def write_report(name: str, report: dict, detail: str) -> None:
    """Write a benchmark's report to benchmarks/results/NAME.json and print it on stdout, less its
    per-item `detail` list."""
    path = repo_root() / "benchmarks" / "results" / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2) + "\n")
    print(json.dumps({key: value for key, value in report.items() if key != detail}))


def main(argv: Sequence[str]) -> int:
    if not argv or argv[0] in ("-h", "--help") or argv[0] not in BENCHMARKS:
        print(f"usage: filmnav bench {{{','.join(BENCHMARKS)}}} [options]", file=sys.stderr)
        return 0 if argv and argv[0] in ("-h", "--help") else 2
    path = repo_root() / "benchmarks" / f"bench_{argv[0]}.py"
    if not path.exists():
        print(f"filmnav bench: {path.name} not found under {path.parent}", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location(f"bench_{argv[0]}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main(list(argv[1:])) or 0)
