"""Reading habitat-lab ObjectNav/OVON split files into episodes of the z-up world frame (the
habitat backend's episode source; habitat_sim itself is not needed to read them)."""

from __future__ import annotations

import gzip
import json
import math

import numpy as np
import pytest

from filmnav_sim.habitat_adapter import world_to_habitat, yaw_to_habitat_quaternion
from habitat_bridge.habitat_episodes import HabitatEpisodes

SCENES = (
    "hm3d/val/00800-TEEsavR23oF/TEEsavR23oF.basis.glb",
    "hm3d/val/00802-wcojb4TFT35/wcojb4TFT35.basis.glb",
)


def raw_episode(
    scene: str, category: str, start_xy: tuple[float, float], yaw: float, geodesic: float
) -> dict:
    w, x, y, z = yaw_to_habitat_quaternion(yaw)
    return {
        "episode_id": "0",
        "scene_id": scene,
        "start_position": world_to_habitat(np.array([*start_xy, 0.1])).tolist(),
        "start_rotation": [x, y, z, w],  # habitat-lab order
        "info": {"geodesic_distance": geodesic, "euclidean_distance": geodesic * 0.8},
        "goals": [],
        "object_category": category,
    }


def goal(object_id: int, viewpoints_xy: list[tuple[float, float]]) -> dict:
    return {
        "object_id": object_id,
        "object_category": "chair",
        "position": [0.0, 0.0, 0.0],
        "view_points": [
            {
                "agent_state": {
                    "position": world_to_habitat(np.array([*xy, 0.1])).tolist(),
                    "rotation": [0.0, 0.0, 0.0, 1.0],
                },
                "iou": 0.5,
            }
            for xy in viewpoints_xy
        ],
    }


def write_json_gz(path, document: dict) -> None:
    with gzip.open(path, "wt", encoding="utf-8") as handle:
        json.dump(document, handle)


@pytest.fixture()
def split_file(tmp_path):
    """The HM3D v2 layout: an index file without episodes, one content file per scene."""
    (tmp_path / "content").mkdir()
    write_json_gz(
        tmp_path / "val.json.gz", {"episodes": [], "category_to_task_category_id": {"chair": 0}}
    )
    first, second = SCENES
    write_json_gz(
        tmp_path / "content" / "TEEsavR23oF.json.gz",
        {
            "episodes": [
                raw_episode(first, "chair", (1.0, -2.0), 0.5, 4.2),
                raw_episode(first, "bed", (3.0, 1.0), -2.0, 6.0),
            ],
            "goals_by_category": {
                "TEEsavR23oF.basis.glb_chair": [
                    goal(7, [(2.0, 2.0), (2.5, 2.0)]),
                    goal(9, [(0.0, 4.0)]),
                ],
                "TEEsavR23oF.basis.glb_bed": [goal(3, [(5.0, 5.0)])],
            },
        },
    )
    write_json_gz(
        tmp_path / "content" / "wcojb4TFT35.json.gz",
        {
            "episodes": [raw_episode(second, "tv", (0.0, 0.0), 3.0, 2.0)],
            "goals_by_category": {"wcojb4TFT35.basis.glb_tv": [goal(1, [(1.0, 1.0)])]},
        },
    )
    return tmp_path / "val.json.gz"


def test_episodes_are_converted_to_the_z_up_frame(split_file) -> None:
    dataset = HabitatEpisodes.load(split_file, "val", scenes_dir="/data/scene_datasets")
    assert dataset.scene_ids == [f"/data/scene_datasets/{scene}" for scene in SCENES]
    episode = dataset.episode("val", 0, 0, "object")
    assert (episode.seed, episode.index, episode.goal_category, episode.goal_text) == (
        0,
        0,
        "chair",
        "chair",
    )
    assert episode.start_pose[:2] == pytest.approx((1.0, -2.0))
    assert math.isclose(episode.start_pose[2], 0.5, abs_tol=1e-9)
    np.testing.assert_allclose(episode.viewpoints, [(2.0, 2.0), (2.5, 2.0), (0.0, 4.0)])
    assert episode.geodesic_distance == 4.2 and episode.goal_image is None
    other = dataset.episode("val", 1, 0, "object")
    assert other.goal_category == "tv" and math.isclose(other.start_pose[2], 3.0, abs_tol=1e-9)


def test_inline_episodes_without_content_files(tmp_path) -> None:
    path = tmp_path / "episodes.json"
    path.write_text(
        json.dumps(
            {
                "episodes": [raw_episode(SCENES[0], "bed", (0.5, 0.5), 0.0, 3.0)],
                "goals_by_category": {"TEEsavR23oF.basis.glb_bed": [goal(3, [(5.0, 5.0)])]},
            }
        )
    )
    episode = HabitatEpisodes.load(path, "val").episode("val", 0, 0, "object")
    assert episode.goal_category == "bed"
    np.testing.assert_allclose(episode.viewpoints, [(5.0, 5.0)])


@pytest.mark.parametrize(
    ("split", "seed", "index", "task", "message"),
    [
        ("val", 2, 0, "object", "scene index"),
        ("val", 0, 5, "object", "episode 5"),
        ("train", 0, 0, "object", "split"),
        ("val", 0, 0, "image", "ObjectNav"),
    ],
)
def test_bad_requests_are_value_errors(split_file, split, seed, index, task, message) -> None:
    dataset = HabitatEpisodes.load(split_file, "val")
    with pytest.raises(ValueError, match=message):
        dataset.episode(split, seed, index, task)


def test_missing_or_empty_files_are_value_errors(tmp_path) -> None:
    with pytest.raises(ValueError, match="does not exist"):
        HabitatEpisodes.load(tmp_path / "nope.json.gz", "val")
    (tmp_path / "empty.json").write_text(json.dumps({"episodes": []}))
    with pytest.raises(ValueError, match="no episodes"):
        HabitatEpisodes.load(tmp_path / "empty.json", "val")
