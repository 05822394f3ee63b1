"""`filmnav datagen --config CFG`: decision samples from simulated episodes, as `datasets` shards.

    filmnav datagen --config configs/datagen.yaml --workers 2 --out data/filmnav

Each planned episode (split, house seed, index, task) runs in the headless loop (EpisodeRunner)
under a `DecisionRecorder`: at every frontier decision it receives exactly what a policy receives,
asks the episode's geodesic oracle for each frontier's route length to the goal, stores one sample
(goal, K history images, one image per frontier, capped at `max_frontiers` with the oracle's kept,
the oracle index and the route lengths) and then lets a policy drawn from `mixture` (oracle,
nearest, random or a learned policy) act, so the states include detours and recoveries. After the
episode, spatial questions are built from its trajectory (spatial_task.py) and their option views
rendered. Train episodes ask for seen categories only (the simulator's split rule).

Workers are forked processes (one render context each, LP_NUM_THREADS=OMP_NUM_THREADS=1). Each
writes `OUT/wNN/shard-*` and, after every shard, a line in `OUT/wNN/manifest.jsonl` naming the
episodes in it; a rerun skips the episodes of every manifest and deletes shards no manifest names
(written when a run was stopped), so resuming never duplicates. When done, `OUT/summary.json` and
`OUT/summary.png` give sample counts per task, the frontier-count histogram and samples/min.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import logging
import math
import multiprocessing
import os
import pathlib
import queue as queue_module
import shutil
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import cv2
import numpy as np

from filmnav_common import config as config_loader
from filmnav_common.protocol import FrontierCandidate, FrontierPolicy, GoalSpec, frontier_geometry
from filmnav_learning.dataset import MAX_FRONTIERS, SHARD_PREFIX, ShardWriter, encode_image
from filmnav_learning.reference_policies import UNREACHABLE_COST, OraclePolicy
from filmnav_policy.baselines import NearestPolicy, RandomPolicy
from filmnav_sim.episodes import SPLITS, EpisodeId
from filmnav_sim.sizes import HOUSE_SIZES

log = logging.getLogger("filmnav.datagen")
MANIFEST = "manifest.jsonl"
EPISODE_TASKS = ("object", "text", "image")
EXECUTORS = ("oracle", "nearest", "random", "learned")


@dataclass(frozen=True)
class DatagenPart:
    """Episodes of one split and house size, from house `house_offset` of the split's seeds on."""

    split: str
    episodes: int
    houses: str = "small"
    house_offset: int = 0

    def __post_init__(self) -> None:
        if self.split not in SPLITS or self.houses not in HOUSE_SIZES or self.episodes < 0:
            raise ValueError(
                f"a part needs a split in {tuple(SPLITS)}, houses in {tuple(HOUSE_SIZES)} and "
                f"episodes >= 0, got {self}"
            )


@dataclass
class DatagenConfig:
    output_dir: str = "data/filmnav"
    seed: int = 0
    parts: list[DatagenPart] = field(default_factory=lambda: [DatagenPart("train", 300)])
    tasks: list[str] = field(default_factory=lambda: list(EPISODE_TASKS))
    mixture: dict[str, float] = field(
        default_factory=lambda: {"oracle": 0.5, "nearest": 0.3, "random": 0.2}
    )
    learned: dict[str, str] = field(default_factory=dict)  # {name: compact, checkpoint: folder}
    spatial_per_episode: int = 1
    max_frontiers: int = MAX_FRONTIERS
    min_frontiers: int = 2
    image_size: int = 224  # side of stored option images (the policy's keyframe size)
    image_format: str = "jpeg"
    width: int = 320  # render size (the evaluation default)
    height: int = 240
    workers: int = 2
    shard_samples: int = 200

    def __post_init__(self) -> None:
        unknown_tasks = set(self.tasks) - set(EPISODE_TASKS)
        if unknown_tasks or not self.tasks:
            raise ValueError(
                f"tasks must be a non-empty subset of {EPISODE_TASKS}, got {self.tasks}"
            )
        unknown = set(self.mixture) - set(EXECUTORS)
        if (
            unknown
            or not self.mixture
            or min(self.mixture.values()) < 0
            or sum(self.mixture.values()) <= 0
        ):
            raise ValueError(
                f"mixture needs non-negative weights for some of {EXECUTORS}, got {self.mixture}"
            )
        if self.mixture.get("learned", 0) > 0 and not self.learned.get("name"):
            raise ValueError("a learned share in the mixture needs `learned: {name, checkpoint}`")
        if not 1 <= self.min_frontiers <= self.max_frontiers <= MAX_FRONTIERS:
            raise ValueError(f"need 1 <= min_frontiers <= max_frontiers <= {MAX_FRONTIERS}")


def load_config(path: str | os.PathLike, overrides: dict[str, Any] | None = None) -> DatagenConfig:
    return config_loader.load_config(DatagenConfig, path, overrides)


def plan_episodes(config: DatagenConfig) -> list[EpisodeId]:
    """Episode i of a part visits house offset + i of its split (wrapping to the next index after
    the split's last house) with task i mod len(tasks): one house per episode while houses last."""
    plan: list[EpisodeId] = []
    for part in config.parts:
        seeds = SPLITS[part.split][part.house_offset :]
        if not len(seeds):
            raise ValueError(f"house_offset leaves no houses in split {part.split!r}")
        for i in range(part.episodes):
            task = config.tasks[i % len(config.tasks)]
            plan.append(
                EpisodeId(part.split, seeds[i % len(seeds)], i // len(seeds), task, part.houses)
            )
    return plan


def episode_rng(config_seed: int, episode_id: EpisodeId) -> np.random.Generator:
    return np.random.default_rng(
        [
            config_seed,
            tuple(SPLITS).index(episode_id.split),
            list(HOUSE_SIZES).index(episode_id.houses),
            episode_id.seed,
            episode_id.index,
            EPISODE_TASKS.index(episode_id.task),
        ]
    )


def square_image(rgb: np.ndarray, size: int) -> np.ndarray:
    """As the trajectory buffer serves images to the policy: resized to size x size."""
    return cv2.resize(rgb, (size, size), interpolation=cv2.INTER_AREA)


# ----- recording --------------------------------------------------------------------------------
class DecisionRecorder:
    """The policy the runner calls: records a sample per decision, then lets a policy drawn from
    the mixture act."""

    name = "datagen"

    def __init__(
        self,
        config: DatagenConfig,
        episode: Any,
        oracle: OraclePolicy,
        executors: dict[str, FrontierPolicy],
        rng: np.random.Generator,
    ):
        self.config, self.episode, self.oracle, self.rng = config, episode, oracle, rng
        self.executor_names = [n for n in executors if config.mixture.get(n, 0) > 0]
        weights = np.array([config.mixture[n] for n in self.executor_names], dtype=np.float64)
        self.weights = weights / weights.sum()
        self.executors = executors
        self.samples: list[dict[str, Any]] = []
        self.last_history: list[np.ndarray] = []
        self.frontier_counts: list[int] = []
        self.goal_image = (
            b"" if episode.task != "image" else encode_image(episode.goal_image, "png")
        )

    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        oracle_scores = self.oracle.score(
            goal, history_images, frontier_images, frontiers, robot_pose
        )
        self.last_history = list(history_images)
        self._record(
            history_images,
            frontier_images,
            frontier_geometry(frontiers, robot_pose),
            -oracle_scores,
            self._rooms(frontiers),
        )
        acting = self.executor_names[
            int(self.rng.choice(len(self.executor_names), p=self.weights))
        ]
        if acting == "oracle":
            return oracle_scores
        return self.executors[acting].score(
            goal, history_images, frontier_images, frontiers, robot_pose
        )

    def _rooms(self, frontiers: Sequence[FrontierCandidate]) -> list[str]:
        """The true room kind each frontier opens into ("" outside every room)."""
        from filmnav_sim.house import cached_house
        from filmnav_sim.semantics import frontier_rooms

        house = cached_house(self.episode.seed, self.episode.houses)
        centroids = np.array([f.centroid for f in frontiers], dtype=np.float64).reshape(-1, 2)
        headings = np.array([f.waypoint[2] for f in frontiers], dtype=np.float64)
        kinds = [room.kind for room in house.rooms] + [""]  # index -1: outside
        return [kinds[i] for i in frontier_rooms(house, centroids, headings)]

    def _record(
        self,
        history: Sequence[np.ndarray],
        views: Sequence[np.ndarray],
        geometry: np.ndarray,
        route: np.ndarray,
        rooms: Sequence[str],
    ) -> None:
        """One sample; frontiers beyond the cap are dropped at random, never the oracle's."""
        reachable = route < UNREACHABLE_COST
        if len(views) < self.config.min_frontiers or not reachable.any():
            return
        best = int(np.argmin(route))
        others = np.flatnonzero(np.arange(len(views)) != best)
        keep = np.concatenate(
            [[best], self.rng.permutation(others)[: self.config.max_frontiers - 1]]
        )
        keep = keep[self.rng.permutation(len(keep))]
        self.frontier_counts.append(len(keep))
        episode = self.episode
        self.samples.append(
            {
                "task": episode.task,
                "goal_text": "" if episode.task == "image" else episode.goal_text,
                "goal_image": self.goal_image,
                "history_images": [encode_image(h, self.config.image_format) for h in history],
                "frontier_images": [
                    encode_image(views[i], self.config.image_format) for i in keep
                ],
                "frontier_geometry": geometry[keep].tolist(),
                "oracle_index": int(np.flatnonzero(keep == best)[0]),
                "frontier_geodesic": route[keep].astype(np.float32).tolist(),
                "goal_category": episode.goal_category,
                "frontier_rooms": [rooms[i] for i in keep],
                "split": episode.split,
                "houses": episode.houses,
                "seed": int(episode.seed),
                "episode": int(episode.index),
                "step": len(self.samples),
            }
        )


def spatial_samples(
    config: DatagenConfig,
    env: Any,
    episode: Any,
    trajectory: np.ndarray,
    history: Sequence[np.ndarray],
    rng: np.random.Generator,
) -> list[dict[str, Any]]:
    """Spatial questions about a finished episode's trajectory, options rendered from its poses."""
    from filmnav_learning.spatial_task import make_spatial_question
    from filmnav_sim.house import CATEGORIES, SEEN_CATEGORIES

    if not history:
        return []
    categories = SEEN_CATEGORIES if episode.split == "train" else CATEGORIES
    samples = []
    for number in range(config.spatial_per_episode):
        question = make_spatial_question(
            env.house, trajectory, categories, rng, config.max_frontiers
        )
        if question is None:
            break
        views = [
            square_image(env.set_pose(*pose).rgb, config.image_size) for pose in question.poses
        ]
        places = [
            FrontierCandidate(
                i, (float(x), float(y)), (float(x), float(y), float(yaw)), 0.0, math.inf
            )
            for i, (x, y, yaw) in enumerate(question.poses)
        ]
        samples.append(
            {
                "task": "spatial",
                "goal_text": question.question,
                "goal_image": b"",
                "history_images": [encode_image(h, config.image_format) for h in history],
                "frontier_images": [encode_image(v, config.image_format) for v in views],
                "frontier_geometry": frontier_geometry(places, tuple(trajectory[-1][:3])).tolist(),
                "oracle_index": question.answer,
                "frontier_geodesic": question.distances.astype(np.float32).tolist(),
                "goal_category": "",
                "frontier_rooms": [""] * len(views),
                "split": episode.split,
                "houses": episode.houses,
                "seed": int(episode.seed),
                "episode": int(episode.index),
                "step": 1000 + number,
            }
        )
    return samples


@dataclass
class EpisodeOutcome:
    key: str
    samples: int
    tasks: dict[str, int]
    frontier_counts: list[int]
    success: bool = False
    error: str = ""


def run_episode(
    config: DatagenConfig, runner: Any, episode_id: EpisodeId, learned: FrontierPolicy | None
) -> tuple[list[dict[str, Any]], EpisodeOutcome]:
    """All samples of one episode (decisions, then spatial questions)."""
    from filmnav_sim.episodes import make_episode

    key = episode_id.key
    try:
        episode = make_episode(
            episode_id.split,
            episode_id.seed,
            episode_id.index,
            episode_id.task,
            config=runner.sim_config,
            houses=episode_id.houses,
        )
    except ValueError as error:  # a house without a reachable goal: nothing to record
        return [], EpisodeOutcome(key, 0, {}, [], error=str(error))
    rng = episode_rng(config.seed, episode_id)
    oracle = OraclePolicy.for_episode(episode)
    executors: dict[str, FrontierPolicy] = {
        "oracle": oracle,
        "nearest": NearestPolicy(),
        "random": RandomPolicy(int(rng.integers(2**31))),
    }
    if learned is not None:
        executors["learned"] = learned
    recorder = DecisionRecorder(config, episode, oracle, executors, rng)
    try:
        result = runner.run(episode, recorder)
        samples = recorder.samples + spatial_samples(
            config, runner.env, episode, result.trajectory, recorder.last_history, rng
        )
    except Exception as error:  # noqa: BLE001 -- a failure in the loop's cores loses this episode, not the run
        log.warning("episode %s failed: %s: %s", key, type(error).__name__, error)
        return [], EpisodeOutcome(key, 0, {}, [], error=f"{type(error).__name__}: {error}")
    counts = Counter(s["task"] for s in samples)
    return samples, EpisodeOutcome(
        key,
        len(samples),
        dict(counts),
        [len(s["frontier_images"]) for s in samples],
        bool(result.success),
    )


# ----- workers, manifests, resume ---------------------------------------------------------------
def finished_keys(root: pathlib.Path) -> set[str]:
    keys: set[str] = set()
    for manifest in root.glob(f"w*/{MANIFEST}"):
        for line in manifest.read_text().splitlines():
            try:
                keys.update(e["key"] for e in json.loads(line)["episodes"])
            except (json.JSONDecodeError, KeyError):
                log.warning("ignoring a damaged line in %s", manifest)
    return keys


def manifest_entries(root: pathlib.Path) -> list[dict[str, Any]]:
    entries = []
    for manifest in sorted(root.glob(f"w*/{MANIFEST}")):
        for line in manifest.read_text().splitlines():
            try:
                entries.extend(json.loads(line)["episodes"])
            except (json.JSONDecodeError, KeyError):
                continue
    return entries


def drop_unlisted_shards(worker_dir: pathlib.Path) -> None:
    """Remove shards (and partial folders) that no manifest line names: work of a stopped run
    whose episodes will be generated again."""
    listed: set[str] = set()
    manifest = worker_dir / MANIFEST
    if manifest.exists():
        for line in manifest.read_text().splitlines():
            try:
                listed.add(json.loads(line)["shard"])
            except (json.JSONDecodeError, KeyError):
                continue
    for path in worker_dir.glob(f"*{SHARD_PREFIX}-*"):
        if path.name not in listed:
            shutil.rmtree(path, ignore_errors=True)


def worker_main(
    config: DatagenConfig,
    worker_index: int,
    episode_ids: list[EpisodeId],
    report: Callable[[EpisodeOutcome], None],
) -> None:
    """Generate `episode_ids` into OUT/wNN, one manifest line per written shard."""
    from filmnav_learning.episode_runner import EpisodeRunner, RunnerConfig

    worker_dir = pathlib.Path(config.output_dir) / f"w{worker_index:02d}"
    worker_dir.mkdir(parents=True, exist_ok=True)
    learned = None
    if config.mixture.get("learned", 0) > 0:
        from filmnav_policy.registry import make_policy

        learned = make_policy(
            config.learned["name"], checkpoint=config.learned.get("checkpoint", "")
        )
        import torch

        torch.set_num_threads(1)  # one core per worker, as the renderer
    runner = EpisodeRunner(
        RunnerConfig(
            width=config.width, height=config.height, keyframe_image_size=config.image_size
        )
    )
    writer = ShardWriter(worker_dir, shard_size=sys.maxsize)
    pending: list[EpisodeOutcome] = []

    def flush() -> None:
        shard = writer.flush()
        with open(worker_dir / MANIFEST, "a") as manifest:
            manifest.write(
                json.dumps(
                    {
                        "shard": shard.name if shard else None,
                        "episodes": [asdict(o) for o in pending],
                    }
                )
                + "\n"
            )
        pending.clear()

    try:
        for episode_id in episode_ids:
            samples, outcome = run_episode(config, runner, episode_id, learned)
            for sample in samples:
                writer.add(sample)
            pending.append(outcome)
            if len(writer.buffer) >= config.shard_samples:
                flush()
            report(outcome)
    finally:  # also when stopped: the buffer holds finished episodes only
        if pending:
            flush()
        runner.close()


def _process_entry(
    config: DatagenConfig, worker_index: int, episode_ids: list[EpisodeId], queue: Any
) -> None:
    logging.basicConfig(level=logging.WARNING)
    signal.signal(
        signal.SIGTERM, signal.default_int_handler
    )  # stop like Ctrl-C: keep finished episodes
    try:
        worker_main(config, worker_index, episode_ids, queue.put)
    except KeyboardInterrupt:
        pass
    finally:
        queue.put(None)


def run_workers(
    config: DatagenConfig,
    assignments: list[list[EpisodeId]],
    report: Callable[[EpisodeOutcome], None],
) -> None:
    """One forked process per assignment; their outcomes go to `report` as episodes finish."""
    for name in ("LP_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[name] = "1"  # inherited by the workers: one core each
    # spawn, not fork: the caller may already hold render contexts, torch or DDS threads (a test
    # session, a notebook), which a forked child inherits half-initialised and crashes on.
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    processes = [
        context.Process(target=_process_entry, args=(config, w, episodes, queue))
        for w, episodes in enumerate(assignments)
    ]
    for process in processes:
        process.start()

    def drain(until_ended: int) -> None:
        """Report outcomes until `until_ended` workers said they ended or all have exited."""
        ended = 0
        while ended < until_ended:
            try:
                outcome = queue.get(timeout=0.5)
            except queue_module.Empty:  # a worker killed before its end message
                if not any(p.is_alive() for p in processes):
                    return
                continue
            if outcome is None:
                ended += 1
            else:
                report(outcome)

    try:
        drain(len(processes))
    except KeyboardInterrupt:  # workers write their finished episodes, then stop
        for process in processes:
            if process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
        drain(len(processes))
        raise
    finally:
        for process in processes:
            process.join()
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} datagen worker(s) failed (exit codes {failed})")


def generate(config: DatagenConfig, show_progress: bool = True) -> dict[str, Any]:
    """Run the planned episodes that no manifest lists yet; returns the summary."""
    from tqdm.auto import tqdm

    root = pathlib.Path(config.output_dir)
    root.mkdir(parents=True, exist_ok=True)
    lock = (root / ".lock").open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        raise RuntimeError(
            f"another datagen run is writing to {root}; wait for it or stop it"
        ) from None
    for worker_dir in root.glob("w*"):
        drop_unlisted_shards(worker_dir)
    done = finished_keys(root)
    todo = [e for e in plan_episodes(config) if e.key not in done]
    workers = max(1, min(config.workers, len(todo)))
    started = time.perf_counter()
    new_samples = 0
    with tqdm(total=len(todo), desc="episodes", unit="ep", disable=not show_progress) as progress:

        def report(outcome: EpisodeOutcome) -> None:
            nonlocal new_samples
            new_samples += outcome.samples
            progress.update(1)
            progress.set_postfix(samples=new_samples)

        try:
            if workers == 1 and todo:
                worker_main(config, 0, todo, report)
            elif todo:
                run_workers(config, [todo[w::workers] for w in range(workers)], report)
        except KeyboardInterrupt:  # stopped: the finished episodes are in shards; summarise them
            write_summary(root, new_samples, time.perf_counter() - started)
            raise
    elapsed = time.perf_counter() - started
    missing = [e.key for e in todo if e.key not in finished_keys(root)]
    if missing:
        raise RuntimeError(f"{len(missing)} episodes were not written, e.g. {missing[:3]}")
    return write_summary(root, new_samples, elapsed)


def write_summary(root: pathlib.Path, new_samples: int, elapsed: float) -> dict[str, Any]:
    summary = summarize(root, new_samples, elapsed)
    (root / "summary.json").write_text(json.dumps(summary, indent=2))
    plot_summary(root / "summary.png", summary)
    return summary


def summarize(root: pathlib.Path, new_samples: int, elapsed: float) -> dict[str, Any]:
    entries = manifest_entries(root)
    by_split: dict[str, Counter] = {}
    frontier_histogram: Counter = Counter()
    for entry in entries:
        split = entry["key"].split("/")[0]
        by_split.setdefault(split, Counter()).update(entry["tasks"])
        frontier_histogram.update(entry["frontier_counts"])
    return {
        "episodes": len(entries),
        "episodes_failed": sum(1 for e in entries if e["error"]),
        "episode_success_rate": float(np.mean([e["success"] for e in entries]))
        if entries
        else 0.0,
        "samples": sum(e["samples"] for e in entries),
        "samples_per_split_task": {
            split: dict(sorted(c.items())) for split, c in sorted(by_split.items())
        },
        "frontier_count_histogram": {str(k): v for k, v in sorted(frontier_histogram.items())},
        "this_run": {
            "samples": new_samples,
            "seconds": round(elapsed, 1),
            "samples_per_min": round(60.0 * new_samples / elapsed, 1) if elapsed > 0 else 0.0,
        },
    }


def plot_summary(path: pathlib.Path, summary: dict[str, Any]) -> None:
    """Sample counts per split and task, and how many options the samples hold."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (tasks_axes, frontier_axes) = plt.subplots(1, 2, figsize=(11, 4))
    splits = summary["samples_per_split_task"]
    tasks = ["object", "text", "image", "spatial"]
    width = 0.8 / max(1, len(splits))
    for offset, (split, counts) in enumerate(splits.items()):
        positions = np.arange(len(tasks)) + offset * width
        bars = tasks_axes.bar(positions, [counts.get(t, 0) for t in tasks], width, label=split)
        tasks_axes.bar_label(bars, fontsize=8)
    tasks_axes.set_xticks(np.arange(len(tasks)) + width * (len(splits) - 1) / 2, tasks)
    tasks_axes.set_ylabel("samples")
    tasks_axes.set_title(f"{summary['samples']} samples from {summary['episodes']} episodes")
    if splits:
        tasks_axes.legend()
    histogram = summary["frontier_count_histogram"]
    frontier_axes.bar([int(k) for k in histogram], list(histogram.values()))
    frontier_axes.set_xlabel("options (frontiers) per sample")
    frontier_axes.set_ylabel("samples")
    frontier_axes.set_title("frontier count histogram")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="filmnav datagen", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="datagen YAML (see configs/datagen.yaml)")
    parser.add_argument("--out", dest="output_dir", help="output folder (overrides output_dir)")
    parser.add_argument("--workers", type=int, help="worker processes (overrides workers)")
    parser.add_argument(
        "--episodes", type=int, help="episodes per part (overrides each part's count)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        config = load_config(args.config, {"output_dir": args.output_dir, "workers": args.workers})
        if args.episodes is not None:
            config.parts = [replace(part, episodes=args.episodes) for part in config.parts]
        summary = generate(config, show_progress=not args.quiet)
    except (OSError, ValueError, RuntimeError) as error:
        print(f"filmnav datagen: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "filmnav datagen: stopped (finished episodes kept); rerun the same command to resume",
            file=sys.stderr,
        )
        return 130
    run = summary["this_run"]
    print(
        f"{summary['samples']} samples from {summary['episodes']} episodes in {config.output_dir} "
        f"(this run: {run['samples']} samples in {run['seconds']} s, "
        f"{run['samples_per_min']} samples/min)"
    )
    return 0
