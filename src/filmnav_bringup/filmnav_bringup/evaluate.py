"""`filmnav eval`: headless evaluation of a frontier policy on simulated episodes.

    filmnav eval --policy nearest --split val --houses large --task object --episodes 150 \
        --out runs/nearest
    filmnav eval --config configs/eval_large.yaml --policy compact --out runs/compact

Writes into --out: `episodes.jsonl` (one JSON record per finished episode, appended as they
finish, so --resume continues where a run stopped), `metrics.json` (policy, split, episodes,
success_rate, spl, soft_spl, wall time per episode, per_task with the same keys per task, and for
text goals also `text_seen` / `text_unseen`: categories seen in training or held out),
`metrics.png` (the metrics per task) and `episodes/<task>_<seed>_<index>.png` (top-down map of
each episode).

Renders at 320x240 by default (the bridge renders 640x480): the map, detector and policy images
(224x224 keyframes) work the same at that size and it is ~3x faster on CPU. Use --width/--height
for the full size. Episode i of a task is episode index i // H of house seed split[i % H], where H
is the number of houses in the split, so N episodes visit N different houses when N <= H.
"""

from __future__ import annotations

import argparse
import json
import logging
import pathlib
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from filmnav_common.config import ConfigError, build, load_config
from filmnav_common.protocol import TASKS, FrontierPolicy
from filmnav_policy.registry import PolicyLoadError, make_policy, policy_names, requires_episode
from filmnav_sim.episodes import EpisodeId

log = logging.getLogger("filmnav.eval")
METRIC_KEYS = ("success_rate", "spl", "soft_spl")


@dataclass
class EvalConfig:
    """What `filmnav eval` runs: from --config YAML (same keys as the options) and options."""

    policy: str
    out: str
    split: str = "val"
    houses: str = "small"
    task: str = "object"  # object | text | image | all, or a comma list
    episodes: int = 10  # per task
    categories: str = "all"  # all | seen | unseen
    width: int = 320
    height: int = 240
    checkpoint: str = ""
    device: str = "cpu"
    seed: int = 0
    ablate: str = ""  # goal | images | geometry: blank that input of the policy
    resume: bool = False
    no_pictures: bool = False

    def __post_init__(self) -> None:
        from filmnav_sim.episodes import SPLITS
        from filmnav_sim.sizes import HOUSE_SIZES

        if self.policy not in policy_names():
            raise ValueError(f"unknown policy {self.policy!r}; choose from {policy_names()}")
        unknown = [t for t in self.tasks if t not in TASKS]
        if unknown or not self.tasks:
            raise ValueError(f"unknown task(s) {unknown}; choose from {', '.join(TASKS)} or all")
        if self.split not in SPLITS or self.houses not in HOUSE_SIZES:
            raise ValueError(
                f"split must be one of {tuple(SPLITS)} and houses one of {tuple(HOUSE_SIZES)}"
            )
        from filmnav_learning.ablations import ABLATIONS

        if self.ablate and self.ablate not in ABLATIONS:
            raise ValueError(f"unknown ablation {self.ablate!r}; choose from {ABLATIONS}")
        if self.categories not in ("all", "seen", "unseen") or self.episodes < 1:
            raise ValueError("categories must be all | seen | unseen and episodes at least 1")

    @property
    def tasks(self) -> list[str]:
        if self.task == "all":
            return list(TASKS)
        return [t.strip() for t in self.task.split(",") if t.strip()]


def parse_args(argv: Sequence[str]) -> EvalConfig:
    parser = argparse.ArgumentParser(prog="filmnav eval", description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", help="YAML with any of the options below as keys")
    parser.add_argument("--policy", help=f"frontier policy: {', '.join(policy_names())}")
    parser.add_argument("--split", help="episode split: train | val (default) | test")
    parser.add_argument("--houses", help="house size: small (default) | large")
    parser.add_argument("--task", help="object (default) | text | image | all, or a comma list")
    parser.add_argument("--episodes", type=int, help="episodes per task (default 10)")
    parser.add_argument(
        "--categories",
        help="goal categories: all (default), or only those seen in training (seen) / held out "
        "(unseen); houses without one are skipped",
    )
    parser.add_argument("--out", help="output directory")
    parser.add_argument(
        "--resume",
        action="store_true",
        default=None,
        help="skip episodes already in OUT/episodes.jsonl",
    )
    parser.add_argument("--width", type=int, help="render width in pixels (default 320)")
    parser.add_argument("--height", type=int, help="render height in pixels (default 240)")
    parser.add_argument("--checkpoint", help="checkpoint of a learned policy")
    parser.add_argument("--device", help="torch device of a learned policy (default cpu)")
    parser.add_argument("--seed", type=int, help="seed of the random policy (default 0)")
    parser.add_argument("--ablate", help="blank one input of the policy: goal | images | geometry")
    parser.add_argument(
        "--no-pictures",
        action="store_true",
        default=None,
        help="skip the per-episode top-down PNGs",
    )
    options = vars(parser.parse_args(list(argv)))
    config_file = options.pop("config")
    try:
        if config_file:
            return load_config(EvalConfig, config_file, options)
        return build(EvalConfig, {k: v for k, v in options.items() if v is not None}, "options")
    except ConfigError as error:
        parser.error(str(error))
        raise  # parser.error exits


def goal_categories(name: str) -> list[str] | None:
    """The categories behind --categories (None: no restriction)."""
    from filmnav_sim.house import SEEN_CATEGORIES, UNSEEN_CATEGORIES

    return {"all": None, "seen": SEEN_CATEGORIES, "unseen": UNSEEN_CATEGORIES}[name]


def episode_ids(
    split: str,
    task: str,
    count: int,
    categories: Sequence[str] | None = None,
    houses: str = "small",
) -> list[EpisodeId]:
    """The first `count` episodes of a task in a split and house size; with `categories`, the
    first such episodes whose house has a reachable goal of one of them."""
    from filmnav_sim.episodes import SPLITS, make_episode

    seeds = SPLITS[split]
    chosen: list[EpisodeId] = []
    for i in range(count if categories is None else 4 * len(seeds)):
        ids = EpisodeId(split, seeds[i % len(seeds)], i // len(seeds), task, houses)
        if categories is not None:
            try:
                make_episode(
                    split, ids.seed, ids.index, task, categories=categories, houses=houses
                )
            except ValueError:  # no goal of those categories in this house
                continue
        chosen.append(ids)
        if len(chosen) == count:
            break
    return chosen


def read_records(path: pathlib.Path) -> list[dict[str, Any]]:
    """Finished episode records; a line cut short by an interrupted run is dropped."""
    if not path.exists():
        return []
    records = []
    for line in path.read_text().splitlines():
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError:
            log.warning("ignoring an incomplete line in %s", path)
    return records


def aggregate(records: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Means of the Habitat metrics and wall time over episode records."""
    if not records:
        return {
            "episodes": 0,
            "success_rate": 0.0,
            "spl": 0.0,
            "soft_spl": 0.0,
            "wall_time_per_episode": 0.0,
        }

    def mean(name: str) -> float:
        return float(np.mean([float(r[name]) for r in records]))

    return {
        "episodes": len(records),
        "success_rate": mean("success"),
        "spl": mean("spl"),
        "soft_spl": mean("soft_spl"),
        "wall_time_per_episode": mean("wall_time"),
        "steps_per_episode": mean("steps"),
        "decisions_per_episode": float(np.mean([len(r["decisions"]) for r in records])),
        "policy_latency_mean": mean("policy_latency_mean"),
        "policy_fallbacks": int(sum(int(r["policy_fallbacks"]) for r in records)),
        "errors": sum(1 for r in records if r.get("error")),
    }


def report_groups(records: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Records per task, with text goals also split into categories seen in training and held-out
    ones (OVON seen / unseen), in TASKS order."""
    from filmnav_sim.house import UNSEEN_CATEGORIES

    groups: dict[str, list[dict[str, Any]]] = {}
    for task in TASKS:
        chosen = [r for r in records if r["task"] == task]
        if not chosen:
            continue
        groups[task] = chosen
        if task == "text":
            known = [r for r in chosen if r.get("goal_category")]
            groups["text_seen"] = [r for r in known if r["goal_category"] not in UNSEEN_CATEGORIES]
            groups["text_unseen"] = [r for r in known if r["goal_category"] in UNSEEN_CATEGORIES]
    return {name: chosen for name, chosen in groups.items() if chosen}


def metrics_document(
    policy: str, split: str, records: Sequence[dict[str, Any]], render: tuple[int, int]
) -> dict[str, Any]:
    return {
        "policy": policy,
        "split": split,
        **aggregate(records),
        "per_task": {name: aggregate(chosen) for name, chosen in report_groups(records).items()},
        "render_size": list(render),
    }


def plot_metrics(path: pathlib.Path, document: dict[str, Any]) -> None:
    """Bar chart of SR / SPL / soft-SPL per task and overall."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = {**{task: values for task, values in document["per_task"].items()}, "all": document}
    figure, axes = plt.subplots(figsize=(7, 4))
    width = 0.8 / len(METRIC_KEYS)
    positions = np.arange(len(groups))
    for offset, key in enumerate(METRIC_KEYS):
        values = [groups[name][key] for name in groups]
        bars = axes.bar(positions + offset * width, values, width, label=key)
        axes.bar_label(bars, fmt="%.2f", fontsize=7)
    axes.set_xticks(positions + width * (len(METRIC_KEYS) - 1) / 2)
    axes.set_xticklabels([f"{name}\n(n={groups[name]['episodes']})" for name in groups])
    axes.set_ylim(0, 1.05)
    axes.set_title(f"{document['policy']} on {document['split']}")
    axes.legend(fontsize=8)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def failed_record(key: str, task: str, error: Exception) -> dict[str, Any]:
    """Record of an episode that raised: a failure (zero metrics) with the error, counted in
    `errors`."""
    return {
        "key": key,
        "task": task,
        "success": False,
        "spl": 0.0,
        "soft_spl": 0.0,
        "steps": 0,
        "path_length": 0.0,
        "wall_time": 0.0,
        "decisions": [],
        "policy_latency_mean": 0.0,
        "policy_fallbacks": 0,
        "error": f"{type(error).__name__}: {error}",
    }


def policy_for_episode(args: EvalConfig, shared: FrontierPolicy | None, episode) -> FrontierPolicy:
    """Reference policies are built per episode (they read its ground truth), the random policy is
    seeded per episode (a resumed run replays the same choices); learned policies load once. With
    `ablate`, the policy sees that input blanked."""
    from filmnav_learning.ablations import AblatedPolicy
    from filmnav_policy.baselines import RandomPolicy

    if requires_episode(args.policy):
        policy = make_policy(args.policy, episode=episode)
    elif args.policy == "random":
        state = np.random.SeedSequence([args.seed, episode.seed, episode.index]).generate_state(1)
        policy = RandomPolicy(seed=int(state[0]))
    else:
        assert shared is not None
        policy = shared
    return AblatedPolicy(policy, args.ablate) if args.ablate else policy


def run(args: EvalConfig) -> dict[str, Any]:
    from tqdm import tqdm

    from filmnav_learning.episode_runner import EpisodeRunner, RunnerConfig
    from filmnav_learning.topdown import save_episode_map
    from filmnav_sim.episodes import make_episode

    out = pathlib.Path(args.out)
    (out / "episodes").mkdir(parents=True, exist_ok=True)
    records_path = out / "episodes.jsonl"
    if not args.resume and records_path.exists():
        records_path.unlink()
    done = {r["key"]: r for r in read_records(records_path) if r.get("policy") == args.policy}
    # Round-robin over tasks, so an interrupted (resumable) run covers every task evenly.
    categories = goal_categories(args.categories)
    per_task = [
        episode_ids(args.split, task, args.episodes, categories, args.houses)
        for task in args.tasks
    ]
    wanted = [ids for same_rank in zip(*per_task, strict=False) for ids in same_rank]
    suffix = (
        "" if categories is None else f"/{args.categories}"
    )  # another episode than the unrestricted one
    wanted_keys = [ids.key + suffix for ids in wanted]
    todo = [(ids, key) for ids, key in zip(wanted, wanted_keys, strict=True) if key not in done]
    params = {"checkpoint": args.checkpoint, "device": args.device, "seed": args.seed}
    per_episode = args.policy == "random" or requires_episode(args.policy)
    shared = None if per_episode else make_policy(args.policy, **params)

    runner = EpisodeRunner(RunnerConfig(width=args.width, height=args.height))
    try:
        with (
            records_path.open("a") as sink,
            tqdm(
                total=len(wanted),
                initial=len(wanted) - len(todo),
                desc=f"eval {args.policy}",
                unit="ep",
            ) as progress,
        ):
            for (split, seed, index, task, houses), key in todo:
                try:
                    episode = make_episode(
                        split,
                        seed,
                        index,
                        task,
                        config=runner.sim_config,
                        categories=categories,
                        houses=houses,
                    )
                    result = runner.run(episode, policy_for_episode(args, shared, episode))
                except (
                    Exception
                ) as error:  # one broken episode must not lose a long run: record it
                    log.exception("episode %s failed", key)
                    record, result = failed_record(key, task, error), None
                else:
                    record = result.summary()
                record["key"], record["policy"] = key, args.policy
                sink.write(json.dumps(record) + "\n")
                sink.flush()
                done[key] = record
                if result is not None and not args.no_pictures:
                    save_episode_map(
                        out / "episodes" / f"{task}_{seed}_{index}{suffix.replace('/', '_')}.png",
                        runner.env.house,
                        f"{args.policy} | {task}: '{episode.goal_text}' "
                        f"| success={result.success} "
                        f"SPL={result.spl:.2f} steps={result.steps} | {result.mission_message}",
                        result.trajectory,
                        result.chosen_waypoints,
                        result.goal_instance_ids,
                        result.mapped,
                        result.frontier_centroids,
                    )
                progress.set_postfix(
                    sr=f"{np.mean([done[k]['success'] for k in wanted_keys if k in done]):.2f}"
                )
                progress.update(1)
    finally:
        runner.close()
    records = [done[key] for key in wanted_keys]
    document = metrics_document(args.policy, args.split, records, (args.width, args.height))
    (out / "metrics.json").write_text(json.dumps(document, indent=2) + "\n")
    plot_metrics(out / "metrics.png", document)
    return document


def run_label(run_dir: pathlib.Path, taken: set[str]) -> str:
    """A run's name in comparisons: its folder name (its path where two folders share one)."""
    return run_dir.name if run_dir.name not in taken else str(run_dir)


def compare(
    runs: Sequence[pathlib.Path],
    out: pathlib.Path,
    floor: str | None = None,
    ceiling: str | None = None,
) -> str:
    """Paired comparison of evaluation folders on the episodes they share (from their episode
    records, so unfinished runs count too): SR and SPL per run with 95% bootstrap intervals, and
    for every pair the SR and SPL differences and the SPL ratio with paired-bootstrap intervals;
    with `floor` and `ceiling` (run names), the share of the floor-to-ceiling SPL gap each run
    closes. Writes OUT/compare.json, OUT/comparison.md and OUT/comparison.png; returns the
    markdown."""
    from filmnav_bringup import statistics

    loaded: dict[str, dict[str, dict[str, Any]]] = {}
    for run_dir in runs:
        records = read_records(run_dir / "episodes.jsonl")
        if not records:
            raise ValueError(f"{run_dir}: no episode records")
        loaded[run_label(run_dir, set(loaded))] = {record["key"]: record for record in records}
    names = list(loaded)
    for name in (floor, ceiling):
        if name is not None and name not in loaded:
            raise ValueError(f"no run named {name!r} (runs: {', '.join(names)})")
    keys = statistics.common_episodes(loaded)
    if not keys:
        raise ValueError("the runs share no episodes: compare runs of the same episodes")
    first = [loaded[names[0]][key] for key in keys]
    groups = {**report_groups(first), "all": first}
    document: dict[str, Any] = {
        "runs": {name: {"policy": next(iter(loaded[name].values()))["policy"]} for name in names},
        "confidence": statistics.CONFIDENCE,
        "resamples": statistics.RESAMPLES,
        "groups": {},
    }
    lines: list[str] = []
    for group, members in groups.items():
        group_keys = [record["key"] for record in members]

        def matrix(field: str, group_keys: list[str] = group_keys) -> np.ndarray:
            return np.array(
                [[float(loaded[name][key][field]) for key in group_keys] for name in names]
            )

        success, spl = matrix("success"), matrix("spl")
        summary: dict[str, Any] = {
            "episodes": len(group_keys),
            "runs": {
                name: {
                    "success_rate": statistics.as_json(statistics.mean_interval(success[i])),
                    "spl": statistics.as_json(statistics.mean_interval(spl[i])),
                }
                for i, name in enumerate(names)
            },
            "pairs": [
                statistics.as_json(pair)
                for pair in statistics.pair_statistics(names, success, spl)
            ],
        }
        if floor is not None and ceiling is not None:
            low, high = spl[names.index(floor)], spl[names.index(ceiling)]
            summary["gap_closed"] = {
                name: statistics.as_json(statistics.gap_closed(spl[i], low, high))
                for i, name in enumerate(names)
                if name not in (floor, ceiling)
            }
        document["groups"][group] = summary
        lines += comparison_markdown(group, summary)
    out.mkdir(parents=True, exist_ok=True)
    (out / "compare.json").write_text(json.dumps(document, indent=2) + "\n")
    table = "\n".join(lines) + "\n"
    (out / "comparison.md").write_text(table)
    plot_comparison(out / "comparison.png", document)
    return table


def comparison_markdown(group: str, summary: dict[str, Any]) -> list[str]:
    """A group's runs and pairs as markdown tables (95% intervals in brackets)."""

    def interval(estimate: dict[str, float], signed: bool = False) -> str:
        sign = "+" if signed else ""
        return (
            f"{estimate['value']:{sign}.3f} "
            f"[{estimate['low']:{sign}.3f}, {estimate['high']:{sign}.3f}]"
        )

    lines = [
        f"### {group} ({summary['episodes']} common episodes)",
        "",
        "| run | SR | SPL |" + (" SPL gap closed |" if "gap_closed" in summary else ""),
        "|---|---|---|" + ("---|" if "gap_closed" in summary else ""),
    ]
    for name, values in summary["runs"].items():
        row = f"| {name} | {interval(values['success_rate'])} | {interval(values['spl'])} |"
        if "gap_closed" in summary:
            closed = summary["gap_closed"].get(name)
            row += f" {interval(closed) if closed else '-'} |"
        lines.append(row)
    lines += ["", "| pair | SR difference | SPL difference | SPL ratio |", "|---|---|---|---|"]
    for pair in summary["pairs"]:
        lines.append(
            f"| {pair['first']} vs {pair['second']} | "
            f"{interval(pair['success_difference'], True)} | "
            f"{interval(pair['spl_difference'], True)} | {interval(pair['spl_ratio'])} |"
        )
    return [*lines, ""]


def plot_comparison(path: pathlib.Path, document: dict[str, Any]) -> None:
    """SR and SPL per group and run, with the 95% intervals as error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    groups = list(document["groups"])
    names = list(document["runs"])
    figure, axes = plt.subplots(1, 2, figsize=(11, 4), sharey=True)
    width = 0.8 / len(names)
    positions = np.arange(len(groups))
    for axis, key, title in zip(
        axes, ("success_rate", "spl"), ("success rate", "SPL"), strict=True
    ):
        for offset, name in enumerate(names):
            estimates = [document["groups"][g]["runs"][name][key] for g in groups]
            values = np.array([e["value"] for e in estimates])
            errors = np.array([[e["value"] - e["low"], e["high"] - e["value"]] for e in estimates])
            axis.bar(
                positions + offset * width,
                values,
                width,
                yerr=errors.T,
                capsize=2,
                label=name,
                error_kw={"elinewidth": 0.8},
            )
        axis.set_xticks(positions + width * (len(names) - 1) / 2)
        axis.set_xticklabels(
            [f"{g}\n(n={document['groups'][g]['episodes']})" for g in groups], fontsize=8
        )
        axis.set_title(f"{title}, 95% paired-bootstrap intervals")
        axis.set_ylim(0, 1.08)
    axes[0].legend(fontsize=8, loc="lower left")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def compare_main(argv: Sequence[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="filmnav eval --compare",
        description="Compare evaluation folders on their common episodes: paired differences "
        "and ratios with 95%% bootstrap intervals (printed, OUT/compare.json, OUT/comparison.*).",
    )
    parser.add_argument(
        "--compare",
        nargs="+",
        type=pathlib.Path,
        required=True,
        metavar="DIR",
        help="folders written by `filmnav eval`; a run is named by its folder",
    )
    parser.add_argument(
        "--out", type=pathlib.Path, required=True, help="where compare.json/.md/.png go"
    )
    parser.add_argument("--floor", help="run name of the gap's low end (e.g. nearest)")
    parser.add_argument("--ceiling", help="run name of the gap's high end (e.g. oracle)")
    args = parser.parse_args(argv)
    if (args.floor is None) != (args.ceiling is None):
        parser.error("--floor and --ceiling go together")
    try:
        print(compare(args.compare, args.out, args.floor, args.ceiling), end="")
    except (OSError, ValueError, KeyError) as error:
        print(f"filmnav eval --compare: {error}", file=sys.stderr)
        return 2
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--compare" in argv:
        return compare_main(argv)
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    started = time.perf_counter()
    try:
        document = run(args)
    except PolicyLoadError as error:
        print(f"filmnav eval: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            "filmnav eval: interrupted; rerun with --resume to continue "
            f"({pathlib.Path(args.out) / 'episodes.jsonl'})",
            file=sys.stderr,
        )
        return 130
    print(
        f"{document['policy']} on {document['split']} ({document['episodes']} episodes): "
        f"SR {document['success_rate']:.3f}  SPL {document['spl']:.3f}  "
        f"soft-SPL {document['soft_spl']:.3f}  "
        f"{document['wall_time_per_episode']:.1f} s/episode  "
        f"({time.perf_counter() - started:.0f} s total) -> {args.out}"
    )
    return 0
