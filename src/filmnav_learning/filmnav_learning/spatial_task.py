"""The auxiliary spatial-reasoning task: "which of these views was taken closest to the <object>?".

Built from a finished trajectory: a few poses along it, at least `min_spacing` metres apart, are
the options (one view each); the answer is the option with the shortest geodesic distance to the
nearest instance of an object category of the house, and the question is asked only when that
answer beats the runner-up by `min_margin` metres. It trains the link between what the images show
and where things are, the skill frontier choice needs. No ROS and no rendering here: the caller
renders the chosen poses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from filmnav_sim.house import House

QUESTION_TEMPLATES = (
    "Which view was taken closest to the {category}?",
    "From which of these places is the {category} nearest?",
    "Which option shows the spot nearest to the {category}?",
)


@dataclass(frozen=True)
class SpatialQuestion:
    question: str
    category: str
    poses: np.ndarray  # [N, 3] x, y, yaw of the option views
    distances: np.ndarray  # [N] geodesic metres from each option to the nearest instance
    answer: int  # index of the closest option


def spaced_poses(trajectory: np.ndarray, min_spacing: float) -> np.ndarray:
    """Poses along a trajectory [T, 3], each at least `min_spacing` metres from every one kept
    before it (greedy in time order)."""
    kept: list[np.ndarray] = []
    for pose in np.asarray(trajectory, dtype=np.float64).reshape(-1, 3):
        if all(np.hypot(*(pose[:2] - k[:2])) >= min_spacing for k in kept):
            kept.append(pose)
    return np.array(kept).reshape(-1, 3)


def category_distances(house: House, category: str, points: np.ndarray) -> np.ndarray:
    """Geodesic distance from each point [N, 2] (navigable) to the nearest instance of a category
    (instances are snapped to their nearest navigable cell)."""
    nav = house.nav
    goals = np.array([nav.snap(obj.position[:2]) for obj in house.objects_of(category)])
    field = nav.distance_field(goals)
    cells = nav.world_to_cell(np.asarray(points, dtype=np.float64).reshape(-1, 2))
    return field[cells[:, 0], cells[:, 1]]


def make_spatial_question(
    house: House,
    trajectory: np.ndarray,
    categories: Sequence[str],
    rng: np.random.Generator,
    max_options: int = 8,
    min_spacing: float = 1.0,
    min_margin: float = 1.0,
) -> SpatialQuestion | None:
    """A well-posed question about `trajectory` (None when it covers too little ground or no
    category of the house separates the options by `min_margin`)."""
    candidates = spaced_poses(trajectory, min_spacing)
    candidates = candidates[house.nav.navigable_mask(candidates[:, :2])]
    if len(candidates) < 2:
        return None
    count = int(rng.integers(2, min(max_options, len(candidates)) + 1))
    poses = candidates[np.sort(rng.choice(len(candidates), size=count, replace=False))]
    present = [c for c in house.categories_present() if c in set(categories)]
    for category in rng.permutation(present):
        distances = category_distances(house, str(category), poses[:, :2])
        if not np.all(np.isfinite(distances)):
            continue
        best, runner_up = np.sort(distances)[:2]
        if runner_up - best < min_margin:
            continue
        template = QUESTION_TEMPLATES[int(rng.integers(len(QUESTION_TEMPLATES)))]
        return SpatialQuestion(
            template.format(category=category),
            str(category),
            poses,
            distances.astype(np.float64),
            int(np.argmin(distances)),
        )
    return None
