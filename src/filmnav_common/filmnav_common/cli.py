"""The `filmnav` command: one entry point that dispatches to each package's own CLI.

Subcommands are resolved lazily (module path + function), so `filmnav --help` stays fast and a
missing optional dependency only affects the subcommand that needs it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Sequence

# name -> (module:function taking argv, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "demo": ("filmnav_bringup.demo:main", "run the simulated demo end to end and write pictures"),
    "launch": ("filmnav_common.launch_runner:main", "run a ROS 2 YAML/XML launch file"),
    "doctor": (
        "filmnav_bringup.doctor:main",
        "check a live robot's topics, TF and Nav2 against robot.launch.yaml's needs",
    ),
    "goal": ("goal_interface.operator_cli:goal_main", "send a goal (text or --image PNG)"),
    "cancel": ("goal_interface.operator_cli:cancel_main", "cancel the current goal"),
    "status": ("goal_interface.operator_cli:status_main", "print the mission status"),
    "sim": ("filmnav_sim.cli:main", "simulator tools (render a house)"),
    "datagen": ("filmnav_learning.datagen:main", "generate training data in simulation"),
    "train": ("filmnav_learning.train:main", "fine-tune a policy"),
    "eval": ("filmnav_bringup.evaluate:main", "headless evaluation: success rate and SPL"),
    "bench": ("filmnav_common.bench:main", "benchmarks {sim,mapper,policy,ros,harness}"),
}


def _usage() -> str:
    width = max(len(name) for name in SUBCOMMANDS)
    lines = ["usage: filmnav <command> [options]", "", "commands:"]
    lines += [f"  {name:<{width}}  {help_}" for name, (_, help_) in SUBCOMMANDS.items()]
    lines += ["", "Run `filmnav <command> --help` for a command's options."]
    return "\n".join(lines)


def resolve(target: str) -> Callable[[Sequence[str]], int]:
    module_name, function_name = target.split(":")
    return getattr(importlib.import_module(module_name), function_name)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(_usage())
        return 0
    name, rest = args[0], args[1:]
    if name not in SUBCOMMANDS:
        print(f"filmnav: unknown command '{name}'\n\n{_usage()}", file=sys.stderr)
        return 2
    try:
        entry = resolve(SUBCOMMANDS[name][0])
    except (ImportError, AttributeError) as error:
        print(f"filmnav {name}: not available in this installation ({error})", file=sys.stderr)
        return 2
    return int(entry(rest) or 0)


if __name__ == "__main__":
    raise SystemExit(main())
