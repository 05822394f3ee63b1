"""`filmnav train --config CFG`: train `compact` or fine-tune `qwen_vl` (LoRA) on decision shards.

Both models read the same `datasets` shards (dataset.py). `compact` trains its fusion transformer
on frozen-encoder features extracted once and cached next to the run; `qwen_vl` trains a LoRA
adapter on prompts built on the fly. Accelerate handles devices (one CPU, one GPU or several with
`accelerate launch`). The run folder holds `checkpoint/` (trainable weights as safetensors,
optimizer, step: resumed automatically), `model/` (the exported policy), `metrics.json` (top-1
agreement with the oracle and mean geodesic regret, per split and task) and `metrics.png`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import pathlib
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from filmnav_common import config as config_loader
from filmnav_learning.dataset import (
    TASKS,
    decode_sample,
    load_samples,
    make_synthetic_dataset,
    shard_paths,
)
from filmnav_policy.models.compact import TASK_INDEX, CompactConfig, CompactPolicy, FusionBatch
from filmnav_sim.furniture import ROOM_KINDS
from filmnav_sim.sizes import HOUSE_SIZES

MODELS = ("compact", "qwen_vl")
NEAREST_SUFFIX = " (nearest)"  # metrics entry of the baseline per evaluated split
FEATURE_CACHE_VERSION = 3  # bump when the cached table's layout changes


@dataclass
class TrainConfig:
    model: str
    output_dir: str
    data: dict[str, Any]  # {path: shards root} or {synthetic: {train: N, val: M, ...}}
    train_split: str = "train"
    eval_splits: list[str] = field(default_factory=lambda: ["val"])
    tasks: list[str] = field(default_factory=lambda: list(TASKS))
    seed: int = 0
    steps: int = 1000
    batch_size: int = 64
    eval_batch_size: int = 128
    lr: float = 3e-4
    weight_decay: float = 0.01
    warmup_steps: int = 50
    eval_every: int = 200
    checkpoint_every: int = 200
    resume: bool = True
    torch_threads: int | None = None
    gradient_checkpointing: bool = False  # qwen_vl on a real checkpoint
    label_temperature: float = (
        0.0  # compact: > 0 trains on softmax(-route excess / T m), 0 on the oracle only
    )
    # compact: > 0 adds an auxiliary loss on the room kind behind each frontier, read from its view
    room_aux_weight: float = 0.0
    # compact: start from this checkpoint's weights (fine-tuning; heads it lacks start fresh)
    init_checkpoint: str = ""
    compact: dict[str, Any] = field(default_factory=dict)
    qwen_vl: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.model not in MODELS:
            raise ValueError(f"model must be one of {MODELS}, got {self.model!r}")
        if ("path" in self.data) == ("synthetic" in self.data):
            raise ValueError(
                "data needs exactly one of `path` (shards root) or `synthetic` (counts)"
            )
        unknown = set(self.tasks) - set(TASKS)
        if unknown:
            raise ValueError(f"unknown tasks {sorted(unknown)}; expected a subset of {TASKS}")


def load_config(path: str | pathlib.Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    return config_loader.load_config(TrainConfig, path, overrides)


def dataset_root(config: TrainConfig) -> pathlib.Path:
    """The shards to train on; synthetic ones are generated into the run folder once."""
    if "path" in config.data:
        return pathlib.Path(config.data["path"])
    root = pathlib.Path(config.output_dir) / "synthetic_data"
    if not shard_paths(root):
        spec = dict(config.data["synthetic"])
        counts = {
            split: int(spec.pop(split)) for split in ("train", "val", "test") if split in spec
        }
        make_synthetic_dataset(root, counts, **spec)
    return root


# ----- metrics ------------------------------------------------------------------------------
def decision_metrics(
    predicted: Sequence[int],
    oracle: Sequence[int],
    geodesic: Sequence[np.ndarray],
    tasks: Sequence[str],
    houses: Sequence[str] = (),
) -> dict[str, dict[str, float]]:
    """Top-1 agreement with the oracle and geodesic regret (metres the chosen frontier lies further
    from the goal than the best one), overall ("all"), per task and per house size ("houses:...",
    when given)."""
    predicted_arr, oracle_arr = np.asarray(predicted), np.asarray(oracle)
    regret = np.array(
        [g[p] - np.min(g) for g, p in zip(geodesic, predicted_arr, strict=True)], dtype=np.float64
    )
    tasks_arr, houses_arr = np.asarray(tasks), np.asarray(houses)
    groups = (
        {"all": np.ones(len(tasks_arr), bool)}
        | {t: tasks_arr == t for t in sorted(set(tasks))}
        | {f"houses:{h}": houses_arr == h for h in sorted(set(houses)) if h}
    )
    return {
        name: {
            "samples": int(mask.sum()),
            "top1": float(np.mean(predicted_arr[mask] == oracle_arr[mask])),
            "regret_m": float(np.mean(regret[mask])),
        }
        for name, mask in groups.items()
        if mask.any()
    }


def plot_history(history: list[dict[str, Any]], path: pathlib.Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (loss_axes, top1_axes, regret_axes) = plt.subplots(1, 3, figsize=(16, 4))
    loss_points = [(h["step"], h["loss"]) for h in history if "loss" in h]
    if loss_points:
        loss_axes.plot(*zip(*loss_points, strict=True), label="train loss")
    loss_axes.set_xlabel("step")
    loss_axes.set_ylabel("cross-entropy")
    loss_axes.legend()
    evals = [h for h in history if "eval" in h]
    last_split = (
        next((split for split in reversed(evals[-1]["eval"]) if NEAREST_SUFFIX not in split), "")
        if evals
        else ""
    )
    for axes, metric, label in (
        (top1_axes, "top1", "top-1 agreement with oracle"),
        (regret_axes, "regret_m", "mean geodesic regret (m)"),
    ):
        series: dict[str, list[tuple[int, float]]] = {}
        for entry in evals:
            for split, groups in entry["eval"].items():
                for group, values in groups.items():
                    if group != "all" and split != last_split:
                        # per task only for the last split (val), else the plot is unreadable
                        continue
                    series.setdefault(f"{split}/{group}", []).append(
                        (entry["step"], values[metric])
                    )
        for name, points in sorted(series.items()):
            style = (
                {"linestyle": "--", "marker": None} if NEAREST_SUFFIX in name else {"marker": "o"}
            )
            axes.plot(*zip(*points, strict=True), label=name, **style)
        axes.set_xlabel("step")
        axes.set_ylabel(label)
        if series:
            axes.legend(fontsize=7)
    top1_axes.set_ylim(0, 1)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)


# ----- compact: cached frozen features ------------------------------------------------------
FEATURE_KEYS = (*(f.name for f in fields(FusionBatch)), "oracle", "geodesic", "rooms", "houses")
HOUSE_GROUPS = ("", *HOUSE_SIZES)  # index of a sample's house size; "" for synthetic samples


def _cache_key(root: pathlib.Path, split: str, tasks: Sequence[str], extra: dict[str, Any]) -> str:
    digest = hashlib.sha1()
    for shard in shard_paths(root):
        digest.update(str(shard.resolve()).encode())
        digest.update((shard / "state.json").read_bytes())
    digest.update(
        json.dumps([FEATURE_CACHE_VERSION, split, sorted(tasks), extra], sort_keys=True).encode()
    )
    return digest.hexdigest()[:16]


def extract_features(
    policy: CompactPolicy, dataset: Any, show: bool = True
) -> dict[str, torch.Tensor]:
    """Frozen-encoder features of every sample, through the same code path as inference,
    with frontiers padded to max_frontiers."""
    length = policy.config.max_frontiers
    out: dict[str, list[torch.Tensor]] = {key: [] for key in FEATURE_KEYS}
    for row in tqdm(dataset, desc="features", total=len(dataset), disable=not show):
        s = decode_sample(row)
        batch = policy.features(
            s.task,
            s.goal_text,
            s.goal_image,
            s.history_images,
            s.frontier_images,
            s.frontier_geometry,
        )
        values = {f.name: getattr(batch, f.name) for f in fields(FusionBatch)}
        missing = length - batch.frontiers.shape[1]
        values["frontiers"] = torch.nn.functional.pad(values["frontiers"], (0, 0, 0, missing))
        values["frontier_mask"] = torch.nn.functional.pad(values["frontier_mask"], (0, missing))
        values["geometry"] = torch.nn.functional.pad(values["geometry"], (0, 0, 0, missing))
        values["oracle"] = torch.tensor([s.oracle_index])
        values["geodesic"] = torch.full((1, length), math.inf)
        values["geodesic"][0, : len(s.frontier_geodesic)] = torch.from_numpy(s.frontier_geodesic)
        values["rooms"] = torch.full((1, length), -1, dtype=torch.long)  # -1: unknown, padding
        for index, kind in enumerate(s.frontier_rooms[:length]):
            values["rooms"][0, index] = ROOM_KINDS.index(kind) if kind in ROOM_KINDS else -1
        values["houses"] = torch.tensor([HOUSE_GROUPS.index(s.houses)])
        for name, value in values.items():
            out[name].append(value)
    return {key: torch.cat(rows) for key, rows in out.items()}


def cached_features(
    policy: CompactPolicy,
    root: pathlib.Path,
    split: str,
    tasks: Sequence[str],
    cache_dir: pathlib.Path,
    show: bool,
) -> dict[str, torch.Tensor]:
    from safetensors.torch import load_file, save_file

    key = _cache_key(
        root,
        split,
        tasks,
        {
            k: v
            for k, v in asdict(policy.config).items()
            if k in ("image_encoder", "text_encoder", "image_size", "history_len")
        },
    )
    path = cache_dir / f"features-{split}-{key}.safetensors"
    if path.exists():
        return load_file(str(path))
    table = extract_features(policy, load_samples(root, split, tasks), show=show)
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    save_file({k: v.contiguous() for k, v in table.items()}, str(partial))
    partial.rename(path)
    return table


def nearest_metrics(table: dict[str, torch.Tensor]) -> dict[str, dict[str, float]]:
    """The decision metrics of the `nearest` baseline (shortest route from the robot) on a feature
    table: the reference a learned policy has to beat (spatial questions: the closest option)."""
    route = table["geometry"][..., 0].masked_fill(~table["frontier_mask"], math.inf)
    return decision_metrics(
        route.argmin(-1).tolist(),
        table["oracle"].tolist(),
        [g.numpy() for g in table["geodesic"]],
        _task_names(table),
        _house_names(table),
    )


def _task_names(table: dict[str, torch.Tensor]) -> list[str]:
    names = {index: name for name, index in TASK_INDEX.items()}
    return [names[int(t)] for t in table["task"]]


def _house_names(table: dict[str, torch.Tensor]) -> list[str]:
    return [HOUSE_GROUPS[int(h)] for h in table["houses"]]


def frontier_targets(
    oracle: torch.Tensor, geodesic: torch.Tensor, temperature: float
) -> torch.Tensor:
    """Training targets over frontiers: the oracle's index (temperature 0), or a distribution that
    gives frontiers whose route to the goal is only a little longer almost as much weight as the
    oracle's: softmax(-(route - best route) / temperature), zero where there is no frontier."""
    if temperature <= 0.0:
        return oracle
    excess = geodesic - geodesic.min(dim=-1, keepdim=True).values
    return torch.softmax(-excess / temperature, dim=-1)


# ----- the generic loop -----------------------------------------------------------------------
@dataclass
class Trainable:
    """What the loop needs from a model family."""

    module: torch.nn.Module
    train_loader: Any
    loss: Callable[[torch.nn.Module, Any], torch.Tensor]
    evaluate: Callable[[torch.nn.Module], dict[str, dict[str, dict[str, float]]]]
    export: Callable[[torch.nn.Module, pathlib.Path], None]


def _trainable_state(module: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {
        n: p.detach().cpu().contiguous() for n, p in module.named_parameters() if p.requires_grad
    }


def save_checkpoint(
    folder: pathlib.Path,
    module: torch.nn.Module,
    optimizer: Any,
    scheduler: Any,
    step: int,
    history: list[dict[str, Any]],
) -> None:
    from safetensors.torch import save_file

    partial = folder.with_name(folder.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    save_file(_trainable_state(module), str(partial / "trainable.safetensors"))
    torch.save(
        {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()},
        partial / "optimizer.pt",
    )
    (partial / "state.json").write_text(json.dumps({"step": step, "history": history}))
    if folder.exists():
        for old in folder.iterdir():
            old.unlink()
        folder.rmdir()
    partial.rename(folder)


def load_checkpoint(
    folder: pathlib.Path, module: torch.nn.Module, optimizer: Any, scheduler: Any
) -> tuple[int, list[dict[str, Any]]]:
    from safetensors.torch import load_file

    state = load_file(str(folder / "trainable.safetensors"))
    expected = set(_trainable_state(module))
    if set(state) != expected:
        raise ValueError(f"checkpoint {folder} does not match this model's trainable parameters")
    module.load_state_dict(state, strict=False)
    saved = torch.load(folder / "optimizer.pt", map_location="cpu", weights_only=True)
    optimizer.load_state_dict(saved["optimizer"])
    scheduler.load_state_dict(saved["scheduler"])
    meta = json.loads((folder / "state.json").read_text())
    return int(meta["step"]), list(meta["history"])


def _cycle(loader: Any, start_epoch: int) -> Iterator[Any]:
    epoch = start_epoch
    while True:
        if hasattr(loader, "set_epoch"):
            loader.set_epoch(epoch)
        yield from loader
        epoch += 1


def run_training(config: TrainConfig, trainable: Trainable, accelerator: Any) -> dict[str, Any]:
    out = pathlib.Path(config.output_dir)
    parameters = [p for p in trainable.module.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=config.lr, weight_decay=config.weight_decay)
    warmup = max(1, config.warmup_steps)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda step: (
            min(1.0, (step + 1) / warmup)
            * 0.5
            * (1 + math.cos(math.pi * min(1.0, step / max(1, config.steps))))
        ),
    )
    module, optimizer, loader, scheduler = accelerator.prepare(
        trainable.module, optimizer, trainable.train_loader, scheduler
    )
    checkpoint = out / "checkpoint"
    step, history = 0, []
    if config.resume and (checkpoint / "state.json").exists():
        step, history = load_checkpoint(
            checkpoint, accelerator.unwrap_model(module), optimizer, scheduler
        )
        accelerator.print(f"resumed from {checkpoint} at step {step}")
    batches = _cycle(loader, start_epoch=step)
    samples_seen, started = 0, time.perf_counter()
    progress = tqdm(
        total=config.steps,
        initial=step,
        desc=f"train {config.model}",
        disable=not accelerator.is_main_process,
    )
    module.train()
    while step < config.steps:
        batch = next(batches)
        loss = trainable.loss(module, batch)
        optimizer.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(parameters, 1.0)
        optimizer.step()
        scheduler.step()
        step += 1
        samples_seen += config.batch_size * accelerator.num_processes
        progress.update(1)
        progress.set_postfix(loss=f"{loss.item():.3f}")
        entry: dict[str, Any] = {"step": step, "loss": float(loss.item())}
        if step % config.eval_every == 0 or step == config.steps:
            module.eval()
            entry["eval"] = trainable.evaluate(accelerator.unwrap_model(module))
            module.train()
        history.append(entry)
        if accelerator.is_main_process and (
            step % config.checkpoint_every == 0 or step == config.steps
        ):
            save_checkpoint(
                checkpoint, accelerator.unwrap_model(module), optimizer, scheduler, step, history
            )
    progress.close()
    elapsed = time.perf_counter() - started
    module.eval()
    final_eval = next((h["eval"] for h in reversed(history) if "eval" in h), None)
    if final_eval is None:  # resumed a finished run
        final_eval = trainable.evaluate(accelerator.unwrap_model(module))
    metrics = {
        "model": config.model,
        "steps": config.steps,
        "train_samples_per_s": samples_seen / elapsed if samples_seen else None,
        "final": final_eval,
        "history": history,
    }
    if accelerator.is_main_process:
        trainable.export(accelerator.unwrap_model(module), out / "model")
        (out / "metrics.json").write_text(json.dumps(metrics, indent=2))
        plot_history(history, out / "metrics.png", f"{config.model}: {out.name}")
    return metrics


# ----- model families -------------------------------------------------------------------------
def _initial_weights(config: CompactConfig, checkpoint: str) -> dict[str, torch.Tensor]:
    """The weights of `checkpoint`, which must be the same architecture as `config` (the
    auxiliary room head aside)."""
    start_config, weights = CompactPolicy.read_checkpoint(checkpoint)

    def architecture(c: CompactConfig) -> CompactConfig:
        return replace(c, room_kinds=0, dropout=0.0)

    if architecture(start_config) != architecture(config):
        raise ValueError(f"init_checkpoint {checkpoint} has another architecture: {start_config}")
    return weights


def compact_trainable(config: TrainConfig, root: pathlib.Path, accelerator: Any) -> Trainable:
    compact = dict(config.compact)
    if config.room_aux_weight > 0:  # the auxiliary head reads the simulator's room kinds
        compact.setdefault("room_kinds", len(ROOM_KINDS))
    policy = CompactPolicy.create(CompactConfig.from_dict(compact))
    if config.init_checkpoint:
        start = _initial_weights(policy.config, config.init_checkpoint)
        missing, _ = policy.scorer.load_state_dict(start, strict=False)
        if any(not name.startswith("room_head.") for name in missing):
            raise ValueError(f"init_checkpoint {config.init_checkpoint} lacks weights {missing}")
    cache = pathlib.Path(config.output_dir) / "feature_cache"
    show = accelerator.is_main_process
    with accelerator.main_process_first():
        tables = {
            split: cached_features(policy, root, split, config.tasks, cache, show)
            for split in dict.fromkeys([config.train_split, *config.eval_splits])
        }
    train = tables[config.train_split]
    model_keys = [f.name for f in fields(FusionBatch)]
    generator = torch.Generator().manual_seed(config.seed)
    loader = torch.utils.data.DataLoader(
        torch.utils.data.TensorDataset(
            *(train[k] for k in model_keys), train["oracle"], train["geodesic"], train["rooms"]
        ),
        batch_size=config.batch_size,
        shuffle=True,
        drop_last=len(train["oracle"]) > config.batch_size,
        generator=generator,
    )

    def loss(module: torch.nn.Module, batch: Sequence[torch.Tensor]) -> torch.Tensor:
        *features, oracle, geodesic, rooms = batch
        logits, room_logits = module(FusionBatch(*features), with_rooms=True)
        targets = frontier_targets(oracle, geodesic, config.label_temperature)
        # Padding has -inf logits and no target weight: a finite floor keeps 0 * -inf out of the
        # sum.
        total = torch.nn.functional.cross_entropy(logits.clamp(min=-1e4), targets)
        known = rooms >= 0
        if room_logits is not None and config.room_aux_weight > 0 and known.any():
            room_loss = torch.nn.functional.cross_entropy(room_logits[known], rooms[known])
            total = total + config.room_aux_weight * room_loss
        return total

    reference = {split: nearest_metrics(tables[split]) for split in config.eval_splits}

    @torch.no_grad()
    def evaluate(module: torch.nn.Module) -> dict[str, dict[str, dict[str, float]]]:
        device = next(module.parameters()).device
        results = {}
        for split in config.eval_splits:
            table = tables[split]
            predicted = torch.cat(
                [
                    module(
                        FusionBatch(
                            *(table[k][s : s + config.eval_batch_size] for k in model_keys)
                        ).to(device)
                    )
                    .argmax(-1)
                    .cpu()
                    for s in range(0, len(table["oracle"]), config.eval_batch_size)
                ]
            )
            geodesic = [g.numpy() for g in table["geodesic"]]
            results[split] = decision_metrics(
                predicted.tolist(),
                table["oracle"].tolist(),
                geodesic,
                _task_names(table),
                _house_names(table),
            )
            results[split + NEAREST_SUFFIX] = reference[split]
        return results

    def export(module: torch.nn.Module, folder: pathlib.Path) -> None:
        policy.scorer = module.eval()
        policy.save(folder)

    return Trainable(policy.scorer, loader, loss, evaluate, export)


class _PromptDataset(torch.utils.data.Dataset):
    """Decodes rows and encodes them into model inputs on the fly (workers can do it in
    parallel)."""

    def __init__(self, rows: Any, policy: Any, with_answer: bool):
        self.rows, self.policy, self.with_answer = rows, policy, with_answer

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        from filmnav_policy.models.qwen_vl import PromptSample

        s = decode_sample(self.rows[int(index)])
        sample = PromptSample(
            s.task,
            s.goal_text,
            s.goal_image,
            s.history_images,
            s.frontier_images,
            s.oracle_index if self.with_answer else None,
        )
        return self.policy.encode(sample)


def qwen_trainable(config: TrainConfig, root: pathlib.Path, accelerator: Any) -> Trainable:
    from filmnav_policy.models.qwen_vl import QwenVLPolicy, QwenVLSettings

    policy = QwenVLPolicy.from_base(
        QwenVLSettings(**config.qwen_vl), device=str(accelerator.device), lora=True
    )
    if config.gradient_checkpointing:
        policy.model.gradient_checkpointing_enable(
            gradient_checkpointing_kwargs={"use_reentrant": False}
        )
    train_rows = load_samples(root, config.train_split, config.tasks)
    eval_rows = {split: load_samples(root, split, config.tasks) for split in config.eval_splits}
    loader = torch.utils.data.DataLoader(
        _PromptDataset(train_rows, policy, with_answer=True),
        batch_size=config.batch_size,
        shuffle=True,
        collate_fn=policy.collate,
        generator=torch.Generator().manual_seed(config.seed),
    )

    def loss(module: torch.nn.Module, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        policy.model = module
        return policy.forward(batch)[0]

    @torch.no_grad()
    def evaluate(module: torch.nn.Module) -> dict[str, dict[str, dict[str, float]]]:
        policy.model = module
        results = {}
        for split, rows in eval_rows.items():
            eval_loader = torch.utils.data.DataLoader(
                _PromptDataset(rows, policy, with_answer=False),
                batch_size=config.eval_batch_size,
                collate_fn=policy.collate,
            )
            predicted = torch.cat(
                [policy.forward(batch)[1].argmax(-1).cpu() for batch in eval_loader]
            )
            results[split] = decision_metrics(
                predicted.tolist(),
                list(rows["oracle_index"]),
                [np.asarray(g) for g in rows["frontier_geodesic"]],
                list(rows["task"]),
            )
        return results

    def export(module: torch.nn.Module, folder: pathlib.Path) -> None:
        policy.model = module
        policy.save(folder)

    return Trainable(policy.model, loader, loss, evaluate, export)


def train(config: TrainConfig) -> dict[str, Any]:
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    if config.torch_threads:
        torch.set_num_threads(config.torch_threads)
    accelerator = Accelerator()
    set_seed(config.seed)
    pathlib.Path(config.output_dir).mkdir(parents=True, exist_ok=True)
    build = compact_trainable if config.model == "compact" else qwen_trainable
    with accelerator.main_process_first():  # one process writes synthetic shards, the others wait
        root = dataset_root(config)
    return run_training(config, build(config, root, accelerator), accelerator)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="filmnav train", description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="training YAML (see configs/train_*.yaml)")
    parser.add_argument("--output-dir", help="override output_dir")
    parser.add_argument("--steps", type=int, help="override steps")
    parser.add_argument("--torch-threads", type=int, help="override torch_threads (CPU threads)")
    parser.add_argument(
        "--no-resume", action="store_true", help="start over even if a checkpoint exists"
    )
    args = parser.parse_args(argv)
    overrides = {
        "output_dir": args.output_dir,
        "steps": args.steps,
        "torch_threads": args.torch_threads,
        "resume": False if args.no_resume else None,
    }
    try:
        config = load_config(args.config, overrides)
    except (OSError, ValueError) as error:
        print(f"filmnav train: bad config: {error}")
        return 2
    try:
        metrics = train(config)
    except (FileNotFoundError, ValueError) as error:  # e.g. an init_checkpoint that does not fit
        print(f"filmnav train: {error}")
        return 2
    summary = {split: groups["all"] for split, groups in metrics["final"].items()}
    print(json.dumps({"output_dir": config.output_dir, "final": summary}))
    return 0


if __name__ == "__main__":  # `accelerate launch -m filmnav_learning.train --config ...`
    raise SystemExit(main())
