"""What goals are searched for as (filmnav_detection.goal_targets), with the real grounders: in
simulation against an instance table as the bridge publishes it, on a robot for OWLv2."""

from __future__ import annotations

import json

import pytest

from filmnav_detection.goal_targets import SimInstanceTable, ground_goal
from filmnav_sim.house import CATEGORIES

TABLE = SimInstanceTable.from_json(
    json.dumps(
        {
            "goal_category": "bed",
            "goal_instance_ids": [5],
            "instances": {
                "1": "chair",
                "2": "chair",
                "3": "potted plant",
                "5": "bed",
                "6": "bed",
                "7": "armchair",
                "8": "armchair",
            },
            "colors": {"1": "red", "2": "blue", "7": "green", "8": "gray"},
            "categories": CATEGORIES,
        }
    )
)


@pytest.mark.parametrize(
    ("task", "text", "ids", "message"),
    [
        ("object", "chair", {1, 2}, "searching for chair"),
        # every bed of the house, not the episode's goal instance: no shortcut from the text
        (
            "text",
            "something to sleep on",
            {5, 6},
            "searching for bed (from 'something to sleep on')",
        ),
        ("object", "Potted Plants", {3}, "searching for potted plant (from 'Potted Plants')"),
        (
            "text",
            "the green armchair",
            {7},
            "searching for green armchair (from 'the green armchair')",
        ),
        (
            "text",
            "the grey armchair",
            {8},
            "searching for gray armchair (from 'the grey armchair')",
        ),
        ("text", "the pink chair", {1, 2}, "searching for chair (from 'the pink chair')"),
    ],
)
def test_sim_goals_are_the_instances_of_the_grounded_categories(task, text, ids, message):
    targets = ground_goal(task, text, TABLE)
    assert targets.findable and targets.instance_ids == ids and targets.message == message
    assert targets.label == message.removeprefix("searching for ").split(" (from")[0]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("the fridge", "no refrigerator in this house (goal 'the fridge')"),
        ("a motorbike", "goal 'a motorbike' not understood: names motorcycle"),
    ],
)
def test_sim_goals_naming_nothing_here_are_not_findable(text, reason):
    targets = ground_goal("text", text, TABLE)
    assert not targets.findable and not targets.instance_ids
    assert targets.message.startswith(reason), targets.message


def test_operator_text_reaches_the_message_only_escaped():
    targets = ground_goal("text", "the \x1b[2Jbed", TABLE)
    assert "\x1b" not in targets.message and "\\x1b[2J" in targets.message, targets.message


def test_a_sim_picture_is_the_episodes_goal_instance():
    targets = ground_goal("image", "", TABLE)
    assert targets.findable and targets.instance_ids == {5} and targets.label == "bed"
    assert "cannot recognise a picture" in targets.message
    no_goal = SimInstanceTable.from_dict({"instances": {}, "categories": CATEGORIES})
    assert not ground_goal("image", "", no_goal).findable


def test_malformed_tables_are_refused():
    for text in ('{"goal_category": "x"}', "[1, 2]", "{", '{"instances": {"a": 1}}'):
        with pytest.raises(ValueError, match="malformed instance table"):
            SimInstanceTable.from_json(text)


def test_robot_goals_query_owlv2_with_the_grounded_names_and_the_text():
    bed = ground_goal("text", "somewhere to sleep", None)
    assert bed.findable and bed.names == ("bed",)
    assert bed.queries == ("bed", "somewhere to sleep")
    assert bed.message == "searching for bed (from 'somewhere to sleep') with OWLv2"
    hoover = ground_goal("object", "the hoover", None)
    assert hoover.queries == ("vacuum cleaner", "the hoover")
    # what the household vocabulary refuses is searched for as given
    unknown = ground_goal("text", "a motorbike", None)
    assert unknown.findable and unknown.queries == ("a motorbike",) and not unknown.targets
    assert unknown.message.startswith("searching for 'a motorbike' as given (OWLv2)")
    picture = ground_goal("image", "", None)
    assert picture.findable and not picture.queries and "image-guided" in picture.message
    pet = ground_goal("text", "my dog", None)
    assert pet.findable and pet.queries == ("my dog",) and "a living being" in pet.message
    # what names no object at all, or a room or place, is not searched for on a robot either
    for text, reason in (
        ("stop", "is a command"),
        ("go to the hallway", "'hallway' is a room or place"),
        ("the garden shed", "is a room or place"),
        ("find a chair, then a bed", "one goal at a time"),
        ("anything but the sofa", "only what not to find"),
    ):
        refused = ground_goal("text", text, None)
        assert not refused.findable and not refused.queries, refused
        assert refused.message.startswith(f"goal '{text}' not understood") and reason in (
            refused.message
        )
