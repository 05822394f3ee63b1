"""Episodes for the habitat backend, read from habitat-lab ObjectNav / OVON dataset files (no ROS,
no habitat_sim needed to read them).

habitat-lab stores a split as `{split}.json.gz`, with the episodes either inline or in per-scene
files `content/{scene}.json.gz` beside it. Each episode has `scene_id`, `start_position` and
`start_rotation` (Habitat y-up, quaternion x y z w), `object_category` and
`info.geodesic_distance`; goals live in `goals_by_category["{scene file name}_{category}"]`, each
with `view_points` (agent positions that see the object). The bridge addresses an episode as
(seed, episode): seed indexes the dataset's scenes in order of appearance, episode indexes that
scene's episodes.
"""

from __future__ import annotations

import gzip
import json
import os
import pathlib
from dataclasses import dataclass, field

import numpy as np

from filmnav_sim.episodes import Episode
from filmnav_sim.habitat_adapter import habitat_quaternion_to_yaw, habitat_to_world


def _read_json(path: pathlib.Path) -> dict:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


@dataclass
class HabitatEpisodes:
    """Episodes of one habitat-lab dataset split, grouped by scene."""

    split: str
    scene_ids: list[str] = field(default_factory=list)  # scene paths, indexed by the bridge's seed
    _episodes: dict[str, list[dict]] = field(default_factory=dict)
    _goals: dict[str, list[dict]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | os.PathLike, split: str, scenes_dir: str = "") -> HabitatEpisodes:
        """Read `path` (a .json or .json.gz split file) and its `content/` files if it has any."""
        path = pathlib.Path(path)
        if not path.is_file():
            raise ValueError(f"habitat episode file {path} does not exist")
        documents = [_read_json(path)]
        content = path.parent / "content"
        if content.is_dir():
            documents += [_read_json(part) for part in sorted(content.glob("*.json*"))]
        dataset = cls(split)
        for document in documents:
            dataset._goals.update(document.get("goals_by_category", {}))
            for raw in document.get("episodes", []):
                scene = (
                    os.path.join(scenes_dir, raw["scene_id"]) if scenes_dir else raw["scene_id"]
                )
                if scene not in dataset._episodes:
                    dataset.scene_ids.append(scene)
                    dataset._episodes[scene] = []
                dataset._episodes[scene].append(raw)
        if not dataset.scene_ids:
            raise ValueError(f"habitat episode file {path} holds no episodes")
        return dataset

    def episode(self, split: str, seed: int, index: int, task: str) -> Episode:
        """Episode `index` of scene `seed` as a filmnav_sim Episode in the z-up world frame."""
        if split != self.split:
            raise ValueError(
                f"the habitat episodes loaded are split {self.split!r}, not {split!r}"
            )
        if task != "object":
            raise ValueError(f"habitat datasets give ObjectNav goals only, not task {task!r}")
        if not 0 <= seed < len(self.scene_ids):
            raise ValueError(f"scene index {seed} out of range: {len(self.scene_ids)} scenes")
        episodes = self._episodes[self.scene_ids[seed]]
        if not 0 <= index < len(episodes):
            raise ValueError(f"episode {index} out of range: scene {seed} has {len(episodes)}")
        raw = episodes[index]
        category = raw["object_category"]
        goals = self._goals.get(f"{os.path.basename(raw['scene_id'])}_{category}") or raw.get(
            "goals", []
        )
        if not goals:
            raise ValueError(f"no goal objects for '{category}' in scene {raw['scene_id']}")
        view_points = [
            view["agent_state"]["position"] for goal in goals for view in goal["view_points"]
        ]
        x, y, z, w = raw["start_rotation"]
        start = habitat_to_world(np.asarray(raw["start_position"], dtype=float))
        return Episode(
            split=split,
            seed=seed,
            index=index,
            task=task,
            goal_category=category,
            goal_text=category,
            # The dataset's object ids are not the adapter's instance ids: the goal is the
            # category.
            goal_instance_ids=[],
            goal_image=None,
            start_pose=(float(start[0]), float(start[1]), habitat_quaternion_to_yaw(w, x, y, z)),
            geodesic_distance=float(raw["info"]["geodesic_distance"]),
            viewpoints=habitat_to_world(np.asarray(view_points, dtype=float).reshape(-1, 3))[
                :, :2
            ],
        )
