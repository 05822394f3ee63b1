"""What a goal is searched for, for every detector backend (no ROS).

goal (task, text) -> the object names it means (`filmnav_language`'s grounding against a
vocabulary) -> in simulation, the instances of those objects in the house. The detector node, the
headless episode loop and the simulated robot's scoring all call `ground_goal`, so what is searched
for and what is scored agree.

- Simulation (`sim_semantic`): the vocabulary is every category the simulator knows (the bridge's
  `sim/instances` table lists them). A goal that grounds to nothing, or to categories with no
  instance in this house, is not findable, with the reason. A colour among the goal's attribute
  words ("the green armchair") narrows the instances to those of that colour, when some have it.
  An image goal stands for the episode's goal instances: the simulated detector reads instance
  ids, it cannot recognise a picture.
- Robots (`owlv2`): the household vocabulary; OWLv2 is queried with the grounded names and the
  original text. A goal the vocabulary does not know is searched for as given (a pet, a thing
  the vocabulary lacks); a room or place is not an object to detect and is refused, as are
  commands and negations. Image goals use OWLv2's image-guided detection.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from filmnav_common.text import excerpt
from filmnav_language.grounding import PLACE, GoalGrounder, build_grounder

SIM_VOCABULARY = "sim"  # the simulator's categories, passed by the caller
ROBOT_VOCABULARY = "household"  # what a home may contain (filmnav_language)
COLOUR_SPELLINGS = {"grey": "gray"}  # an operator's spelling -> the simulator's colour name
IMAGE_LABEL = "goal image"


@dataclass(frozen=True)
class SimInstanceTable:
    """The simulator's objects (the bridge's latched `sim/instances`): instance id -> category and
    colour, every category the simulator knows (the grounding vocabulary), and the episode's goal
    instances, which an image goal stands for."""

    instances: dict[int, str]
    categories: tuple[str, ...]
    colors: dict[int, str] = field(default_factory=dict)
    goal_category: str = ""
    goal_instance_ids: tuple[int, ...] = ()

    @classmethod
    def from_dict(cls, table: Mapping[str, Any]) -> SimInstanceTable:
        """The table from its dict form (backend.instance_table); ValueError when malformed."""
        try:
            return cls(
                instances={int(key): str(value) for key, value in table["instances"].items()},
                categories=tuple(str(name) for name in table["categories"]),
                colors={int(key): str(value) for key, value in table.get("colors", {}).items()},
                goal_category=str(table.get("goal_category", "")),
                goal_instance_ids=tuple(int(i) for i in table.get("goal_instance_ids", ())),
            )
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ValueError(f"malformed instance table: {error!r}") from error

    @classmethod
    def from_json(cls, text: str) -> SimInstanceTable:
        """Parse the bridge's `sim/instances` JSON (ValueError when malformed)."""
        try:
            table = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"malformed instance table: {error}") from error
        if not isinstance(table, dict):
            raise ValueError("malformed instance table: not a JSON object")
        return cls.from_dict(table)


@dataclass(frozen=True)
class GoalTargets:
    """What a goal is searched for as (the fields of filmnav_interfaces/GoalGrounding), and what
    the backends search with."""

    targets: tuple[tuple[str, float], ...]  # object names and their scores, best first
    findable: bool  # False: nothing the detector can find (the mission fails at once)
    message: str  # "searching for bed (from 'somewhere to sleep')", or why it is not findable
    label: str = ""  # what detections are labelled with
    instance_ids: frozenset[int] = frozenset()  # simulation: the instances that satisfy it
    queries: tuple[str, ...] = ()  # OWLv2: the text queries (grounded names, then the text)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.targets)


def sim_grounder(categories: Sequence[str]) -> GoalGrounder:
    """The grounder of the simulator's categories, built once per process (build_grounder)."""
    return build_grounder(SIM_VOCABULARY, tuple(categories))


def robot_grounder() -> GoalGrounder:
    """The grounder of the household vocabulary, built once per process."""
    return build_grounder(ROBOT_VOCABULARY)


def ground_goal(task: str, text: str, table: SimInstanceTable | None) -> GoalTargets:
    """What a goal (task object | text | image, its text) is searched for as: in simulation
    against the simulator's `table`, on a robot (`table` None) for OWLv2."""
    if table is None:
        return _robot_targets(task, text)
    return _sim_targets(task, text, table)


def _searching(description: str, text: str) -> str:
    """ "searching for bed", with where it came from when the goal said it in other words."""
    if " ".join(text.split()).casefold() == description.casefold():
        return f"searching for {description}"
    return f"searching for {description} (from '{excerpt(text)}')"


def _sim_targets(task: str, text: str, table: SimInstanceTable) -> GoalTargets:
    if task == "image":
        ids = frozenset(table.goal_instance_ids)
        if not ids:
            return GoalTargets((), False, "the simulated episode has no goal instance to picture")
        label = table.goal_category or IMAGE_LABEL
        return GoalTargets(
            ((label, 1.0),),
            True,
            f"searching for {label}, the episode's goal (a simulated robot cannot recognise a "
            "picture)",
            label,
            ids,
        )
    quoted = f"'{excerpt(text)}'"
    if not table.categories:
        return GoalTargets((), False, f"goal {quoted}: the simulator lists no object categories")
    grounding = sim_grounder(table.categories).ground(text)
    if not grounding.accepted:
        return GoalTargets((), False, f"goal {quoted} not understood: {grounding.reason}")
    present = set(table.instances.values())
    targets = tuple((name, score) for name, score in grounding.targets if name in present)
    if not targets:
        return GoalTargets(
            grounding.targets,
            False,
            f"no {' or '.join(grounding.names)} in this house (goal {quoted})",
        )
    names = {name for name, _ in targets}
    ids = {i for i, category in table.instances.items() if category in names}
    description = " or ".join(name for name, _ in targets)
    colours = {COLOUR_SPELLINGS.get(word, word) for word in grounding.attributes}
    if coloured := {i for i in ids if table.colors.get(i) in colours}:
        ids = coloured
        description = f"{' or '.join(sorted({table.colors[i] for i in ids}))} {description}"
    return GoalTargets(targets, True, _searching(description, text), description, frozenset(ids))


def _robot_targets(task: str, text: str) -> GoalTargets:
    if task == "image":
        return GoalTargets(
            (), True, "searching for the goal image (OWLv2 image-guided detection)", IMAGE_LABEL
        )
    grounding = robot_grounder().ground(text)
    # No object at all (a command, a negation, several goals), or a room or place: a detector
    # finds objects, and a place is where the robot already searches.
    if not grounding.query or grounding.refused_as == PLACE:
        return GoalTargets((), False, f"goal '{excerpt(text)}' not understood: {grounding.reason}")
    if not grounding.accepted:
        return GoalTargets(
            (),
            True,
            f"searching for '{excerpt(text)}' as given (OWLv2): not a household object the "
            f"vocabulary knows ({grounding.reason})",
            text,
            queries=(text,),
        )
    description = " or ".join(grounding.names)
    return GoalTargets(
        grounding.targets,
        True,
        f"{_searching(description, text)} with OWLv2",
        description,
        queries=tuple(dict.fromkeys((*grounding.names, text))),
    )
