"""`compact`: frozen pretrained encoders + a small fusion transformer, one logit per frontier.

Tokens: [goal, history_1..K, frontier_1..F]. The goal token is the text embedding (object category,
description or spatial question) or the image embedding of a goal image, plus a task embedding;
history tokens carry their position in time; a frontier token is its view's embedding plus an
embedding of its geometry relative to the robot (route length, distance, bearing, size; see
protocol.frontier_geometry), so frontiers that share a view still differ. Frontier tokens have no
order, so the scores are permutation-equivariant over frontiers. A checkpoint is a folder with
`config.json` (encoders, sizes) and `model.safetensors` (fusion weights);
`CompactPolicy.load(folder)` restores it.
"""

from __future__ import annotations

import json
import pathlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass, fields

import numpy as np
import torch
from torch import nn

from filmnav_common.protocol import GEOMETRY_FIELDS, FrontierCandidate, GoalSpec, frontier_geometry
from filmnav_language.sentence_encoder import DEFAULT_TEXT_ENCODER, TextEncoder, build_text_encoder
from filmnav_policy.models.encoders import (
    DEFAULT_IMAGE_ENCODER,
    ImageEncoder,
    build_image_encoder,
)

CONFIG_FILE = "config.json"
WEIGHTS_FILE = "model.safetensors"
FORMAT = "filmnav-compact-v2"
TASK_INDEX = {"object": 0, "text": 1, "image": 2, "spatial": 3}


@dataclass(frozen=True)
class CompactConfig:
    image_encoder: str = DEFAULT_IMAGE_ENCODER
    text_encoder: str = DEFAULT_TEXT_ENCODER
    image_size: int = 112  # encoder input side: 12 images fit the 60 ms CPU budget
    image_dim: int = 1280
    text_dim: int = 384
    d_model: int = 256
    layers: int = 2
    heads: int = 4
    ff_dim: int = 1024
    dropout: float = 0.1
    history_len: int = 4
    max_frontiers: int = 8
    use_geometry: bool = True  # False: frontier tokens from their views only (the paper's input)
    # > 0: during training an auxiliary head reads the kind of room behind each frontier (one of
    # this many) from the frontier's view alone, so the view's projection has to carry it.
    room_kinds: int = 0

    @classmethod
    def from_dict(cls, values: dict) -> CompactConfig:
        known = {f.name for f in fields(cls)}
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown compact config keys {sorted(unknown)}")
        return cls(**values)


@dataclass
class FusionBatch:
    """Frozen-encoder features of B decisions (padded); masks are True where an entry exists."""

    goal_text: torch.Tensor  # (B, text_dim), zeros for image goals
    goal_image: torch.Tensor  # (B, image_dim), zeros for text goals
    goal_is_image: torch.Tensor  # (B,) bool
    task: torch.Tensor  # (B,) long, TASK_INDEX
    history: torch.Tensor  # (B, K, image_dim)
    history_mask: torch.Tensor  # (B, K) bool
    frontiers: torch.Tensor  # (B, F, image_dim)
    frontier_mask: torch.Tensor  # (B, F) bool
    geometry: torch.Tensor  # (B, F, len(GEOMETRY_FIELDS)), raw values

    def to(self, device: torch.device | str) -> FusionBatch:
        return FusionBatch(**{f.name: getattr(self, f.name).to(device) for f in fields(self)})


def geometry_inputs(geometry: torch.Tensor) -> torch.Tensor:
    """Raw frontier geometry (..., 4) -> network inputs (..., 5): distances in units of 5 m
    (clipped at 30 m), the bearing as cos/sin, the size in units of 2 m."""
    route, distance, bearing, size = geometry.unbind(-1)
    return torch.stack(
        [
            route.clamp(max=30.0) / 5.0,
            distance.clamp(max=30.0) / 5.0,
            bearing.cos(),
            bearing.sin(),
            size.clamp(max=10.0) / 2.0,
        ],
        dim=-1,
    )


class FusionScorer(nn.Module):
    """The trainable part (~2M parameters)."""

    GOAL, HISTORY, FRONTIER = 0, 1, 2

    def __init__(self, config: CompactConfig):
        super().__init__()
        d = config.d_model
        self.image_norm = nn.LayerNorm(config.image_dim)
        self.text_norm = nn.LayerNorm(config.text_dim)
        self.image_proj = nn.Linear(config.image_dim, d)
        self.text_proj = nn.Linear(config.text_dim, d)
        self.role = nn.Embedding(3, d)
        self.task = nn.Embedding(len(TASK_INDEX), d)
        self.history_position = nn.Embedding(config.history_len, d)
        self.use_geometry = config.use_geometry
        if config.use_geometry:
            self.geometry_proj = nn.Sequential(nn.Linear(5, d), nn.GELU(), nn.Linear(d, d))
        layer = nn.TransformerEncoderLayer(
            d, config.heads, config.ff_dim, config.dropout, batch_first=True, norm_first=True
        )
        self.encoder = nn.TransformerEncoder(layer, config.layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, 1))
        self.room_head = nn.Linear(d, config.room_kinds) if config.room_kinds else None

    def forward(
        self, batch: FusionBatch, with_rooms: bool = False
    ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor | None]:
        """(B, F) logits, -inf where there is no frontier; `with_rooms` adds the (B, F, room_kinds)
        room-kind logits of each frontier's view (None without the auxiliary head)."""
        image_goal = self.image_proj(self.image_norm(batch.goal_image))
        text_goal = self.text_proj(self.text_norm(batch.goal_text))
        goal = torch.where(batch.goal_is_image[:, None], image_goal, text_goal)
        goal = goal + self.task(batch.task) + self.role.weight[self.GOAL]
        steps = batch.history.shape[1]
        history = self.image_proj(self.image_norm(batch.history))
        history = history + self.role.weight[self.HISTORY] + self.history_position.weight[:steps]
        views = self.image_proj(self.image_norm(batch.frontiers))
        rooms = self.room_head(views) if self.room_head is not None else None
        frontiers = views + self.role.weight[self.FRONTIER]
        if self.use_geometry:
            frontiers = frontiers + self.geometry_proj(geometry_inputs(batch.geometry))
        tokens = torch.cat([goal[:, None], history, frontiers], dim=1)
        present = torch.cat(
            [
                torch.ones_like(batch.goal_is_image[:, None]),
                batch.history_mask,
                batch.frontier_mask,
            ],
            dim=1,
        )
        encoded = self.encoder(tokens, src_key_padding_mask=~present)
        logits = self.head(encoded[:, 1 + steps :]).squeeze(-1)
        logits = logits.masked_fill(~batch.frontier_mask, float("-inf"))
        return (logits, rooms) if with_rooms else logits


def pad_features(
    rows: Sequence[torch.Tensor], length: int, dim: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack variable-length (n_i, dim) tensors into (B, length, dim) + a presence mask."""
    out = torch.zeros(len(rows), length, dim)
    mask = torch.zeros(len(rows), length, dtype=torch.bool)
    for index, row in enumerate(rows):
        count = min(len(row), length)
        out[index, :count] = row[len(row) - count :]
        mask[index, :count] = True
    return out, mask


class CompactPolicy:
    """FrontierPolicy: encoders (frozen) + FusionScorer."""

    name = "compact"

    def __init__(
        self,
        config: CompactConfig,
        scorer: FusionScorer | None = None,
        image_encoder: ImageEncoder | None = None,
        text_encoder: TextEncoder | None = None,
    ):
        self.image_encoder = image_encoder or build_image_encoder(
            config.image_encoder, config.image_size
        )
        self.text_encoder = text_encoder or build_text_encoder(config.text_encoder)
        if (self.image_encoder.dim, self.text_encoder.dim) != (config.image_dim, config.text_dim):
            raise ValueError(
                f"encoder widths ({self.image_encoder.dim}, {self.text_encoder.dim}) do not match "
                f"the config ({config.image_dim}, {config.text_dim})"
            )
        self.config = config
        self.scorer = (scorer or FusionScorer(config)).eval()

    @classmethod
    def create(cls, config: CompactConfig) -> CompactPolicy:
        """A fresh (untrained) policy; the feature widths come from the encoders."""
        image_encoder = build_image_encoder(config.image_encoder, config.image_size)
        text_encoder = build_text_encoder(config.text_encoder)
        sized = CompactConfig(
            **{**asdict(config), "image_dim": image_encoder.dim, "text_dim": text_encoder.dim}
        )
        return cls(sized, image_encoder=image_encoder, text_encoder=text_encoder)

    # ----- persistence --------------------------------------------------------------------
    def save(self, folder: str | pathlib.Path) -> pathlib.Path:
        from safetensors.torch import save_file

        out = pathlib.Path(folder)
        out.mkdir(parents=True, exist_ok=True)
        state = {k: v.detach().cpu().contiguous() for k, v in self.scorer.state_dict().items()}
        save_file(state, str(out / WEIGHTS_FILE), metadata={"format": FORMAT})
        (out / CONFIG_FILE).write_text(
            json.dumps(
                {"format": FORMAT, "policy": self.name, "config": asdict(self.config)}, indent=2
            )
        )
        return out

    @staticmethod
    def read_checkpoint(
        folder: str | pathlib.Path,
    ) -> tuple[CompactConfig, dict[str, torch.Tensor]]:
        """Config and weights of a checkpoint folder; ValueError says what is wrong with it."""
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        path = pathlib.Path(folder)
        if path.is_file():
            path = path.parent
        if not (path / CONFIG_FILE).is_file() or not (path / WEIGHTS_FILE).is_file():
            raise FileNotFoundError(
                f"compact checkpoint {path} needs {CONFIG_FILE} and {WEIGHTS_FILE}"
            )
        try:
            meta = json.loads((path / CONFIG_FILE).read_text())
            if meta.get("format") != FORMAT:
                raise ValueError(f"format {meta.get('format')!r}, expected {FORMAT!r}")
            config = CompactConfig.from_dict(meta["config"])
        except (ValueError, KeyError, TypeError, AttributeError) as error:
            raise ValueError(
                f"corrupt compact checkpoint {path / CONFIG_FILE}: {error}"
            ) from error
        try:
            state = load_file(str(path / WEIGHTS_FILE))
        except (SafetensorError, OSError, ValueError) as error:
            raise ValueError(
                f"corrupt compact checkpoint {path / WEIGHTS_FILE}: {error}"
            ) from error
        return config, state

    @classmethod
    def load(cls, folder: str | pathlib.Path) -> CompactPolicy:
        config, state = cls.read_checkpoint(folder)
        scorer = FusionScorer(config)
        try:
            scorer.load_state_dict(state, strict=True)
        except RuntimeError as error:
            raise ValueError(
                f"compact checkpoint {folder} does not match its config: {error}"
            ) from error
        return cls(config, scorer)

    # ----- inference ----------------------------------------------------------------------
    def features(
        self,
        task: str,
        goal_text: str,
        goal_image: np.ndarray | None,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        geometry: np.ndarray,
    ) -> FusionBatch:
        """Encode one decision (all its images in one encoder batch) as a batch of one; `geometry`
        is protocol.frontier_geometry's [F, 4]. Any number of frontiers works (frontier tokens are
        unordered); training caps them at max_frontiers."""
        if not frontier_images:
            raise ValueError("need at least one frontier image")
        geometry = np.asarray(geometry, dtype=np.float32)
        if geometry.shape != (len(frontier_images), len(GEOMETRY_FIELDS)):
            raise ValueError(
                f"geometry {geometry.shape} does not match {len(frontier_images)} frontier images"
            )
        history = (
            list(history_images)[-self.config.history_len :] if self.config.history_len else []
        )
        is_image = task == "image"
        if is_image and goal_image is None:
            raise ValueError("an image goal needs a goal image")
        images = ([goal_image] if is_image else []) + history + list(frontier_images)
        encoded = self.image_encoder.encode(images)
        goal_image_feature = encoded[0] if is_image else torch.zeros(self.config.image_dim)
        encoded = encoded[1:] if is_image else encoded
        goal_text_feature = (
            torch.zeros(self.config.text_dim)
            if is_image
            else self.text_encoder.encode([goal_text])[0]
        )
        history_features, history_mask = pad_features(
            [encoded[: len(history)]], self.config.history_len, self.config.image_dim
        )
        frontier_features, frontier_mask = pad_features(
            [encoded[len(history) :]], len(frontier_images), self.config.image_dim
        )
        return FusionBatch(
            goal_text=goal_text_feature[None],
            goal_image=goal_image_feature[None],
            goal_is_image=torch.tensor([is_image]),
            task=torch.tensor([TASK_INDEX[task]]),
            history=history_features,
            history_mask=history_mask,
            frontiers=frontier_features,
            frontier_mask=frontier_mask,
            geometry=torch.from_numpy(geometry)[None],
        )

    @torch.inference_mode()
    def score(
        self,
        goal: GoalSpec,
        history_images: Sequence[np.ndarray],
        frontier_images: Sequence[np.ndarray],
        frontiers: Sequence[FrontierCandidate],
        robot_pose: tuple[float, float, float],
    ) -> np.ndarray:
        batch = self.features(
            goal.task,
            goal.text,
            goal.image,
            history_images,
            frontier_images,
            frontier_geometry(frontiers, robot_pose),
        )
        return self.scorer(batch)[0].double().numpy()
