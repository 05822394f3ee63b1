"""Mission core state machine: every behaviour of the object search, driven tick by tick."""

from __future__ import annotations

import math

import pytest

from filmnav_common.protocol import FrontierCandidate, GoalSpec
from goal_interface.mission import (
    CancelNavigation,
    ExecutorState,
    ExecutorStatus,
    Finish,
    GoalDetection,
    Mission,
    MissionConfig,
    MissionState,
    NavigateTo,
    RequestDecision,
    Rotate,
    nearest_frontier_index,
)

CHAIR = GoalSpec(task="object", text="chair")
ORIGIN = (0.0, 0.0, 0.0)
IDLE = ExecutorState()


def frontier(
    identifier: int, x: float, y: float, path_distance: float = math.inf
) -> FrontierCandidate:
    return FrontierCandidate(
        id=identifier, centroid=(x, y), waypoint=(x, y, 0.0), size=1.0, path_distance=path_distance
    )


FAR = frontier(1, 5.0, 0.0)
NEAR = frontier(2, 0.0, 2.0)
OTHER = frontier(3, -4.0, -4.0)


def only(commands: list, kind: type):
    matching = [command for command in commands if isinstance(command, kind)]
    assert len(matching) == 1, commands
    return matching[0]


def started(config: MissionConfig | None = None, **kwargs) -> Mission:
    mission = Mission(config or MissionConfig(**kwargs))
    assert mission.start(CHAIR, now=0.0, goal_id="g1") == []
    return mission


def navigate_to(
    mission: Mission, index: int, frontiers=(FAR, NEAR, OTHER), now: float = 0.0
) -> NavigateTo:
    request = only(mission.update(now, ORIGIN, list(frontiers), None, IDLE), RequestDecision)
    return only(mission.on_decision(request.request_id, index, policy="test_policy"), NavigateTo)


def test_decision_then_navigate_to_the_chosen_waypoint():
    mission = started()
    request = only(mission.update(0.0, ORIGIN, [FAR, NEAR], None, IDLE), RequestDecision)
    assert [candidate.id for candidate in request.frontiers] == [1, 2]
    command = only(mission.on_decision(request.request_id, 1, policy="test_policy"), NavigateTo)
    assert (command.x, command.y, command.frontier_id) == (0.0, 2.0, 2)
    status = mission.status(3.0)
    assert (
        status.state == MissionState.EXPLORING
        and status.goal_id == "g1"
        and status.goal_text == "chair"
    )
    assert (status.decisions, status.current_frontier, status.policy, status.policy_fallback) == (
        1,
        2,
        "test_policy",
        False,
    )
    assert status.elapsed == pytest.approx(3.0)
    # Still driving: nothing new to do.
    assert (
        mission.update(
            1.0,
            (0.0, 0.5, 0.0),
            [FAR, NEAR],
            None,
            ExecutorState(command.seq, ExecutorStatus.ACTIVE),
        )
        == []
    )


def test_abort_blacklists_the_frontier_and_chooses_again():
    mission = started()
    command = navigate_to(mission, 0)
    commands = mission.update(
        1.0, ORIGIN, [FAR, NEAR, OTHER], None, ExecutorState(command.seq, ExecutorStatus.ABORTED)
    )
    request = only(commands, RequestDecision)
    assert [candidate.id for candidate in request.frontiers] == [2, 3]
    assert (
        "aborted" in mission.status(1.0).message and "blacklisted" in mission.status(1.0).message
    )
    # A renumbered copy of the blacklisted frontier (same waypoint) stays excluded too.
    renamed = frontier(9, 5.1, 0.0)
    again = only(mission.on_decision(request.request_id, 0, policy="p"), NavigateTo)
    assert (
        mission.status(1.0).message
        == "exploring frontier 2 chosen by p (1 failed frontier blacklisted)"
    )
    commands = mission.update(
        2.0, ORIGIN, [renamed, NEAR, OTHER], None, ExecutorState(again.seq, ExecutorStatus.ABORTED)
    )
    assert [candidate.id for candidate in only(commands, RequestDecision).frontiers] == [3]


def test_a_reached_frontier_still_open_further_on_is_the_last_resort():
    """A reached frontier is not chosen again while there is anything else; when the search
    would end (no other frontier, looked around) and it is still there with its waypoint moved
    on (the view from there left it open further away), it is chosen again instead of failing.
    A frontier whose navigation failed is never chosen again."""
    mission = started(look_around_turns=1)
    command = navigate_to(mission, 0, frontiers=(NEAR,))
    reached = ExecutorState(command.seq, ExecutorStatus.SUCCEEDED)
    commands = mission.update(1.0, (0.0, 2.0, 0.0), [NEAR], None, reached)
    look = only(commands, Rotate)  # nothing else: look around first
    moved_on = frontier(NEAR.id, 0.0, 3.5)
    looked = ExecutorState(look.seq, ExecutorStatus.SUCCEEDED)
    commands = mission.update(2.0, (0.0, 2.0, 0.0), [moved_on], None, looked)
    assert [candidate.id for candidate in only(commands, RequestDecision).frontiers] == [2]
    assert mission.status(2.0).message == "a reached frontier is still open further on"
    failed = started(look_around_turns=1)
    command = navigate_to(failed, 0, frontiers=(NEAR,))
    aborted = ExecutorState(command.seq, ExecutorStatus.ABORTED)
    look = only(failed.update(1.0, ORIGIN, [NEAR], None, aborted), Rotate)
    looked = ExecutorState(look.seq, ExecutorStatus.SUCCEEDED)
    commands = failed.update(2.0, ORIGIN, [moved_on], None, looked)
    assert only(commands, Finish).state == MissionState.FAILED


def test_narrow_frontiers_are_explored_only_when_nothing_else_is_left():
    """A frontier shorter than the mapper's minimum may be the only way on (a gap between a bed
    and a wall): chosen once the robot has looked around with no other frontier; while it goes
    there, the narrow frontiers tell whether it is still open; once reached, it is done."""
    gap = frontier(1_000_000, 1.0, 1.0)
    mission = started(look_around_turns=1)
    commands = mission.update(0.0, ORIGIN, [NEAR], None, IDLE, narrow=[gap])
    assert [c.id for c in only(commands, RequestDecision).frontiers] == [NEAR.id]  # not yet
    mission = started(look_around_turns=1)
    look = only(mission.update(0.0, ORIGIN, [], None, IDLE, narrow=[gap]), Rotate)
    looked = ExecutorState(look.seq, ExecutorStatus.SUCCEEDED)
    request = only(mission.update(1.0, ORIGIN, [], None, looked, narrow=[gap]), RequestDecision)
    assert [c.id for c in request.frontiers] == [gap.id]
    assert mission.status(1.0).message == "only narrow frontiers left"
    command = only(mission.on_decision(request.request_id, 0, policy="test_policy"), NavigateTo)
    assert command.frontier_id == gap.id
    going = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
    assert mission.update(2.0, (0.5, 0.5, 0.0), [], None, going, narrow=[gap]) == []
    reached = ExecutorState(command.seq, ExecutorStatus.SUCCEEDED)
    look = only(mission.update(3.0, (1.0, 1.0, 0.0), [], None, reached, narrow=[gap]), Rotate)
    looked = ExecutorState(look.seq, ExecutorStatus.SUCCEEDED)
    finish = only(mission.update(4.0, (1.0, 1.0, 0.0), [], None, looked, narrow=[gap]), Finish)
    assert finish.state == MissionState.FAILED and "no frontiers left" in finish.reason


def test_no_progress_timeout_cancels_and_blacklists():
    mission = started(no_progress_timeout=5.0)
    command = navigate_to(mission, 0)
    active = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
    assert mission.update(1.0, (1.0, 0.0, 0.0), [FAR, NEAR], None, active) == []
    assert (
        mission.update(4.0, (2.0, 0.0, 0.0), [FAR, NEAR], None, active) == []
    )  # progress resets the clock
    assert mission.update(8.9, (2.1, 0.0, 0.0), [FAR, NEAR], None, active) == []
    commands = mission.update(9.5, (2.1, 0.0, 0.0), [FAR, NEAR], None, active)
    assert isinstance(commands[0], CancelNavigation)
    assert [candidate.id for candidate in only(commands, RequestDecision).frontiers] == [2]
    assert "no progress" in mission.status(9.5).message


def test_reached_frontier_is_not_chosen_again():
    mission = started()
    command = navigate_to(mission, 1)
    commands = mission.update(
        5.0,
        (0.0, 2.0, 0.0),
        [FAR, NEAR],
        None,
        ExecutorState(command.seq, ExecutorStatus.SUCCEEDED),
    )
    assert [candidate.id for candidate in only(commands, RequestDecision).frontiers] == [1]


def test_vanished_frontier_triggers_a_new_decision():
    mission = started()
    command = navigate_to(mission, 0)
    commands = mission.update(
        1.0, (1.0, 0.0, 0.0), [NEAR], None, ExecutorState(command.seq, ExecutorStatus.ACTIVE)
    )
    assert [candidate.id for candidate in only(commands, RequestDecision).frontiers] == [2]
    assert "explored" in mission.status(1.0).message


@pytest.mark.parametrize(
    "answer, expected_words",
    [
        ({"index": None, "error": "service unavailable"}, "service unavailable"),
        ({"index": 7}, "invalid frontier index"),
    ],
)
def test_policy_failure_falls_back_to_nearest(answer, expected_words):
    mission = started()
    request = only(mission.update(0.0, ORIGIN, [FAR, NEAR, OTHER], None, IDLE), RequestDecision)
    command = only(mission.on_decision(request.request_id, policy="vlm", **answer), NavigateTo)
    assert command.frontier_id == NEAR.id
    status = mission.status(0.0)
    assert status.policy_fallback and status.policy == "nearest"
    assert expected_words in status.message and "nearest" in status.message


def test_policy_timeout_falls_back_to_nearest_and_late_answer_is_ignored():
    mission = started(decision_timeout=2.0)
    request = only(mission.update(0.0, ORIGIN, [FAR, NEAR], None, IDLE), RequestDecision)
    assert mission.update(1.0, ORIGIN, [FAR, NEAR], None, IDLE) == []
    command = only(mission.update(2.5, ORIGIN, [FAR, NEAR], None, IDLE), NavigateTo)
    assert command.frontier_id == NEAR.id
    assert "timed out" in mission.status(2.5).message and mission.status(2.5).policy_fallback
    assert mission.on_decision(request.request_id, 0, policy="slow") == []
    # The next successful decision clears the fallback flag.
    after = mission.update(
        3.0,
        (0.0, 2.0, 0.0),
        [FAR, NEAR],
        None,
        ExecutorState(command.seq, ExecutorStatus.SUCCEEDED),
    )
    only(mission.on_decision(only(after, RequestDecision).request_id, 0, policy="vlm"), NavigateTo)
    assert not mission.status(3.0).policy_fallback and mission.status(3.0).policy == "vlm"


def test_nearest_prefers_path_distance_over_straight_line():
    detour = frontier(4, 1.0, 0.0, path_distance=9.0)
    open_path = frontier(5, 3.0, 0.0, path_distance=3.0)
    assert nearest_frontier_index([detour, open_path], ORIGIN) == 1
    assert nearest_frontier_index([FAR, NEAR], ORIGIN) == 1


def test_no_frontiers_looks_around_then_fails_with_reason():
    mission = started(look_around_turns=4)
    turn = only(mission.update(0.0, ORIGIN, [], None, IDLE), Rotate)
    assert turn.angle == pytest.approx(math.radians(30))
    for tick in range(1, 4):
        assert (
            mission.update(tick, ORIGIN, [], None, ExecutorState(turn.seq, ExecutorStatus.ACTIVE))
            == []
        )
        turn = only(
            mission.update(
                tick + 0.5, ORIGIN, [], None, ExecutorState(turn.seq, ExecutorStatus.SUCCEEDED)
            ),
            Rotate,
        )
    finish = only(
        mission.update(9.0, ORIGIN, [], None, ExecutorState(turn.seq, ExecutorStatus.SUCCEEDED)),
        Finish,
    )
    assert finish.state == MissionState.FAILED and "no frontiers" in finish.reason
    assert (
        mission.state == MissionState.FAILED
        and mission.update(10.0, ORIGIN, [FAR], None, IDLE) == []
    )


def test_a_look_around_waits_for_a_lagging_map_before_it_fails():
    """The mapper may lag behind the robot (most at start-up): a look-around that found no
    frontiers fails only once the map holds what it saw, or after map_wait; frontiers that come
    in meanwhile are explored."""

    def looked_around(mission: Mission, map_current: bool) -> float:
        turn = only(mission.update(0.0, ORIGIN, [], None, IDLE), Rotate)
        done = ExecutorState(turn.seq, ExecutorStatus.SUCCEEDED)
        turn = only(mission.update(1.0, ORIGIN, [], None, done, map_current=map_current), Rotate)
        done = ExecutorState(turn.seq, ExecutorStatus.SUCCEEDED)
        assert mission.update(2.0, ORIGIN, [], None, done, map_current=map_current) == []
        return 2.0

    mission = started(look_around_turns=2, map_wait=3.0)
    looked = looked_around(mission, map_current=False)
    assert "waiting for the map" in mission.status(looked).message
    assert mission.update(looked + 2.9, ORIGIN, [], None, IDLE, map_current=False) == []
    finish = only(mission.update(looked + 3.0, ORIGIN, [], None, IDLE, map_current=False), Finish)
    assert finish.state == MissionState.FAILED and "no frontiers" in finish.reason

    mission = started(look_around_turns=2, map_wait=3.0)
    looked = looked_around(mission, map_current=False)
    later = mission.update(looked + 1.0, ORIGIN, [FAR], None, IDLE, map_current=True)
    assert only(later, RequestDecision).frontiers == (FAR,)

    mission = started(look_around_turns=2, map_wait=3.0)
    looked = looked_around(mission, map_current=False)
    finish = only(mission.update(looked + 0.1, ORIGIN, [], None, IDLE, map_current=True), Finish)
    assert finish.state == MissionState.FAILED  # the map caught up: no frontiers is the answer


def test_frontier_appearing_while_looking_around_interrupts_the_turn():
    mission = started()
    turn = only(mission.update(0.0, ORIGIN, [], None, IDLE), Rotate)
    commands = mission.update(
        0.5, ORIGIN, [FAR], None, ExecutorState(turn.seq, ExecutorStatus.ACTIVE)
    )
    assert isinstance(commands[0], CancelNavigation) and only(
        commands, RequestDecision
    ).frontiers == (FAR,)


def test_silent_executor_does_not_stall_the_look_around():
    mission = started(no_progress_timeout=3.0)
    first = only(mission.update(0.0, ORIGIN, [], None, IDLE), Rotate)
    assert mission.update(2.0, ORIGIN, [], None, IDLE) == []
    assert only(mission.update(3.5, ORIGIN, [], None, IDLE), Rotate).seq > first.seq


def test_stale_executor_reports_are_ignored():
    mission = started()
    command = navigate_to(mission, 0)
    assert (
        mission.update(
            1.0,
            (0.5, 0.0, 0.0),
            [FAR, NEAR],
            None,
            ExecutorState(command.seq - 5, ExecutorStatus.ABORTED),
        )
        == []
    )


def test_cancel_stops_navigation_and_ends_the_goal():
    mission = started()
    navigate_to(mission, 0)
    commands = mission.cancel(4.0)
    assert isinstance(commands[0], CancelNavigation)
    finish = only(commands, Finish)
    assert (finish.goal_id, finish.state) == ("g1", MissionState.CANCELED)
    status = mission.status(10.0)
    assert status.state == MissionState.CANCELED and status.elapsed == pytest.approx(4.0)
    assert mission.cancel(5.0) == [] and mission.update(5.0, ORIGIN, [FAR], None, IDLE) == []


def test_new_goal_preempts_the_running_one():
    mission = started()
    navigate_to(mission, 0)
    commands = mission.start(
        GoalSpec(task="text", text="something to sleep on"), now=2.0, goal_id="g2"
    )
    finish = only(commands, Finish)
    assert (finish.goal_id, finish.state) == (
        "g1",
        MissionState.CANCELED,
    ) and "preempted" in finish.reason
    status = mission.status(2.0)
    assert (status.goal_id, status.state, status.decisions, status.goal_text) == (
        "g2",
        MissionState.EXPLORING,
        0,
        "something to sleep on",
    )
    only(mission.update(2.1, ORIGIN, [FAR], None, IDLE), RequestDecision)


def test_goal_ids_are_assigned_when_missing():
    mission = Mission()
    mission.start(CHAIR, 0.0)
    first = mission.status(0.0).goal_id
    mission.start(CHAIR, 1.0)
    assert first and mission.status(1.0).goal_id != first


@pytest.mark.parametrize(
    "config, steps, now, words",
    [
        (MissionConfig(time_budget=30.0), None, 31.0, "time budget"),
        (MissionConfig(max_steps=500), 500, 1.0, "step budget"),
    ],
)
def test_budgets_end_the_goal(config, steps, now, words):
    mission = started(config)
    navigate_to(mission, 0)
    commands = mission.update(now, ORIGIN, [FAR, NEAR], None, IDLE, steps=steps)
    assert isinstance(commands[0], CancelNavigation)
    finish = only(commands, Finish)
    assert finish.state == MissionState.FAILED and words in finish.reason


def test_decision_budget_ends_the_goal():
    mission = started(max_decisions=1)
    command = navigate_to(mission, 0)
    finish = only(
        mission.update(
            1.0, ORIGIN, [FAR, NEAR], None, ExecutorState(command.seq, ExecutorStatus.ABORTED)
        ),
        Finish,
    )
    assert finish.state == MissionState.FAILED and "decision budget" in finish.reason


def test_distance_travelled_follows_odometry():
    mission = started()
    command = navigate_to(mission, 0)
    active = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
    for x in (0.0, 1.0, 2.0, 2.0, 3.0):
        mission.update(x, (x, 0.0, 0.0), [FAR], None, active)
    assert mission.status(3.0).distance_travelled == pytest.approx(3.0)


def chair_at(x: float, y: float) -> GoalDetection:
    return GoalDetection(position=(x, y, 0.5), score=0.9, label="chair")


def test_detection_approaches_and_stops_within_reach_facing_the_object():
    mission = started()
    command = navigate_to(mission, 0)
    active = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
    commands = mission.update(1.0, ORIGIN, [FAR], chair_at(4.0, 0.0), active)
    assert isinstance(commands[0], CancelNavigation)
    approach = only(commands, NavigateTo)
    assert approach.frontier_id == -1
    assert math.dist((approach.x, approach.y), (4.0, 0.0)) == pytest.approx(0.8)
    assert (approach.x, approach.y) == pytest.approx((3.2, 0.0)) and approach.yaw == pytest.approx(
        0.0
    )
    status = mission.status(1.0)
    assert status.state == MissionState.APPROACHING and status.current_frontier == -1
    # On the way, further than 1 m: keep going, the small jitter of the detection changes nothing.
    approaching = ExecutorState(approach.seq, ExecutorStatus.ACTIVE)
    assert mission.update(2.0, (2.0, 0.0, 0.0), [FAR], chair_at(4.1, 0.05), approaching) == []
    # Within 1.0 m and in view, but no detection this tick: not proof enough (a wall may be
    # between).
    assert mission.update(3.0, (3.2, 0.0, 0.0), [FAR], None, approaching) == []
    # Seen from there: stop and finish.
    commands = mission.update(3.1, (3.2, 0.0, 0.0), [FAR], chair_at(4.05, 0.0), approaching)
    assert isinstance(commands[0], CancelNavigation)
    finish = only(commands, Finish)
    assert finish.state == MissionState.SUCCEEDED and mission.state == MissionState.SUCCEEDED


def test_within_reach_but_not_in_view_turns_to_face_the_object():
    mission = started()
    approach = only(mission.update(0.0, ORIGIN, [FAR], chair_at(2.0, 0.0), IDLE), NavigateTo)
    # The executor arrived, but the robot faces away (yaw = pi).
    at_pose = (1.2, 0.0, math.pi)
    turn = only(
        mission.update(
            1.0, at_pose, [], None, ExecutorState(approach.seq, ExecutorStatus.SUCCEEDED)
        ),
        Rotate,
    )
    assert abs(turn.angle) == pytest.approx(math.pi)
    facing = (1.2, 0.0, 0.0)
    assert (
        mission.update(2.0, facing, [], None, ExecutorState(turn.seq, ExecutorStatus.SUCCEEDED))
        == []
    )
    assert "confirm" in mission.status(2.0).message
    finish = only(
        mission.update(
            2.1, facing, [], chair_at(2.0, 0.0), ExecutorState(turn.seq, ExecutorStatus.SUCCEEDED)
        ),
        Finish,
    )
    assert finish.state == MissionState.SUCCEEDED


def test_unconfirmed_object_at_the_approach_pose_tries_another_side():
    mission = started(confirm_ticks=3)
    approach = only(mission.update(0.0, ORIGIN, [], chair_at(2.0, 0.0), IDLE), NavigateTo)
    arrived = ExecutorState(approach.seq, ExecutorStatus.SUCCEEDED)
    facing = (1.2, 0.0, 0.0)  # within reach and facing it, but the detector does not see it
    assert mission.update(1.0, facing, [], None, arrived) == []
    assert mission.update(1.1, facing, [], None, arrived) == []
    assert mission.update(1.2, facing, [], None, arrived) == []
    other_side = only(mission.update(1.3, facing, [], None, arrived), NavigateTo)
    assert math.dist((other_side.x, other_side.y), (2.0, 0.0)) == pytest.approx(0.8)
    assert (other_side.x, other_side.y) != pytest.approx((approach.x, approach.y))
    assert "not seen" in mission.status(1.3).message


def test_stopping_short_of_reach_moves_closer_on_the_same_line():
    mission = started()
    approach = only(mission.update(0.0, ORIGIN, [], chair_at(4.0, 0.0), IDLE), NavigateTo)
    short = (2.8, 0.0, 0.0)  # the executor's goal tolerance left it 1.2 m away
    closer = only(
        mission.update(
            1.0, short, [], None, ExecutorState(approach.seq, ExecutorStatus.SUCCEEDED)
        ),
        NavigateTo,
    )
    assert (closer.x, closer.y) == pytest.approx((3.6, 0.0)) and closer.yaw == pytest.approx(0.0)
    assert "closer" in mission.status(1.0).message
    # Short again: that line is done, try another side.
    other = only(
        mission.update(
            2.0, (2.9, 0.0, 0.0), [], None, ExecutorState(closer.seq, ExecutorStatus.SUCCEEDED)
        ),
        NavigateTo,
    )
    assert math.dist((other.x, other.y), (4.0, 0.0)) == pytest.approx(0.8) and other.x > 3.3


def test_moved_detection_replans_the_approach():
    mission = started()
    first = only(mission.update(0.0, ORIGIN, [], chair_at(3.0, 0.0), IDLE), NavigateTo)
    commands = mission.update(
        1.0,
        (0.5, 0.0, 0.0),
        [],
        chair_at(3.0, 2.0),
        ExecutorState(first.seq, ExecutorStatus.ACTIVE),
    )
    replanned = only(commands, NavigateTo)
    assert math.dist((replanned.x, replanned.y), (3.0, 2.0)) == pytest.approx(0.8)


def test_approach_tries_other_navigable_sides_then_gives_up_and_explores():
    blocked_west = lambda x, y: x > 3.5  # noqa: E731 - a wall west of the object
    mission = Mission(MissionConfig(), is_navigable=blocked_west)
    mission.start(CHAIR, 0.0, goal_id="g1")
    approach = only(mission.update(0.0, ORIGIN, [FAR], chair_at(4.0, 0.0), IDLE), NavigateTo)
    assert approach.x > 3.5 and math.dist((approach.x, approach.y), (4.0, 0.0)) == pytest.approx(
        0.8
    )
    seen = {(round(approach.x, 3), round(approach.y, 3))}
    while True:
        commands = mission.update(
            1.0, ORIGIN, [FAR], None, ExecutorState(approach.seq, ExecutorStatus.ABORTED)
        )
        if not commands:
            break
        approach = only(commands, NavigateTo)
        assert approach.x > 3.5
        seen.add((round(approach.x, 3), round(approach.y, 3)))
    assert len(seen) == 5  # the five ring poses east of the wall
    status = mission.status(1.0)
    assert status.state == MissionState.EXPLORING and "unreachable" in status.message
    # The unreachable object is ignored from now on; exploration resumes.
    commands = mission.update(2.0, ORIGIN, [FAR, NEAR], chair_at(4.1, 0.0), IDLE)
    assert only(commands, RequestDecision).frontiers == (FAR, NEAR)


@pytest.mark.parametrize("blocked_reach", [1.5, 0.0])
def test_object_no_side_of_which_is_navigable_is_reached_from_where_the_robot_stands(
    blocked_reach,
):
    # A floor lamp behind a gap that looks wide enough in the map: no approach pose is navigable.
    mission = Mission(MissionConfig(blocked_reach=blocked_reach), is_navigable=lambda x, y: False)
    mission.start(CHAIR, 0.0, goal_id="g1")
    assert mission.update(0.0, ORIGIN, [FAR], chair_at(1.3, 0.0), IDLE) == []
    if not blocked_reach:  # never settles: the object is given up
        assert "unreachable" in mission.status(0.0).message
        only(mission.update(0.1, ORIGIN, [FAR], chair_at(1.3, 0.0), IDLE), RequestDecision)
        return
    assert mission.state == MissionState.APPROACHING
    assert "confirm" in mission.status(0.0).message  # it faces the object already
    finish = only(mission.update(0.1, ORIGIN, [FAR], chair_at(1.3, 0.0), IDLE), Finish)
    assert finish.state == MissionState.SUCCEEDED
    assert finish.reason == (
        "goal reached: object in view 1.3 m away, as near as the navigator could get"
    )


def test_with_no_side_left_the_robot_goes_back_to_where_it_saw_the_object_and_settles():
    west_of_a_wall = lambda x, y: x < 3.5  # noqa: E731 - three sides of the object are west
    mission = Mission(MissionConfig(), is_navigable=west_of_a_wall)
    mission.start(CHAIR, 0.0, goal_id="g1")
    approach = only(mission.update(0.0, ORIGIN, [], chair_at(4.0, 0.0), IDLE), NavigateTo)
    # Seen 1.4 m away on the way, then the first side is given up there (a gap narrower than the
    # map shows); the others are given up nearer but out of sight (no detection): each time the
    # next side is tried.
    seen_here = (2.6, 0.0, 0.0)
    active = ExecutorState(approach.seq, ExecutorStatus.ACTIVE)
    assert mission.update(0.5, seen_here, [], chair_at(4.0, 0.0), active) == []
    for now, stands in ((1.0, seen_here), (2.0, (3.0, 1.0, 0.0)), (3.0, (3.0, -1.0, 0.0))):
        aborted = ExecutorState(approach.seq, ExecutorStatus.ABORTED, "no path")
        approach = only(mission.update(now, stands, [], None, aborted), NavigateTo)
    # No side left: back to where it was seen nearest, facing it.
    assert (approach.x, approach.y, approach.yaw) == pytest.approx((2.6, 0.0, 0.0))
    assert "back to where it was seen" in mission.status(3.0).message
    arrived = ExecutorState(approach.seq, ExecutorStatus.SUCCEEDED)
    assert mission.update(4.0, seen_here, [], None, arrived) == []  # facing it: waits to see it
    finish = only(mission.update(4.1, seen_here, [], chair_at(4.0, 0.0), arrived), Finish)
    assert finish.state == MissionState.SUCCEEDED and "1.4 m away" in finish.reason
    # Not seen from there either: the object is given up as before.
    mission = Mission(MissionConfig(confirm_ticks=1), is_navigable=lambda x, y: False)
    mission.start(CHAIR, 0.0, goal_id="g2")
    assert mission.update(0.0, (2.8, 0.0, 0.0), [FAR], chair_at(4.0, 0.0), IDLE) == []
    assert mission.update(0.1, (2.8, 0.0, 0.0), [FAR], None, IDLE) == []
    assert "unreachable" in mission.status(0.1).message


def test_detection_below_the_score_threshold_is_ignored():
    mission = started(min_detection_score=0.5)
    weak = GoalDetection(position=(1.0, 0.0, 0.0), score=0.2, label="chair")
    only(mission.update(0.0, ORIGIN, [FAR], weak, IDLE), RequestDecision)
    assert mission.state == MissionState.EXPLORING


def test_idle_mission_does_nothing():
    mission = Mission()
    assert mission.update(0.0, ORIGIN, [FAR], chair_at(0.5, 0.0), IDLE) == []
    status = mission.status(5.0)
    assert status.state == MissionState.IDLE and status.elapsed == 0.0 and status.goal_id == ""


def test_refused_waypoints_are_sent_again_then_fail_with_the_navigators_reason():
    mission = started(max_refusals=3, refusal_retry=1.0)
    command = navigate_to(mission, 0)
    refused = ExecutorState(command.seq, ExecutorStatus.REJECTED, "server rejected the goal")
    assert mission.update(1.0, ORIGIN, [FAR, NEAR], None, refused) == []
    assert "refused" in mission.status(1.0).message and mission.status(1.0).current_frontier == 1
    assert mission.update(1.5, ORIGIN, [FAR, NEAR], None, refused) == []  # retry not due yet
    again = only(mission.update(2.1, ORIGIN, [FAR, NEAR], None, refused), NavigateTo)
    assert (again.x, again.y, again.frontier_id) == (command.x, command.y, 1)
    assert again.seq != command.seq
    refused = ExecutorState(again.seq, ExecutorStatus.REJECTED, "server rejected the goal")
    assert mission.update(2.2, ORIGIN, [FAR, NEAR], None, refused) == []
    third = only(mission.update(3.3, ORIGIN, [FAR, NEAR], None, refused), NavigateTo)
    finish = only(
        mission.update(
            3.4,
            ORIGIN,
            [FAR, NEAR],
            None,
            ExecutorState(third.seq, ExecutorStatus.REJECTED, "server rejected the goal"),
        ),
        Finish,
    )
    assert finish.state == MissionState.FAILED
    assert finish.reason == "the navigator refused 3 goals in a row: server rejected the goal"
    assert "no frontiers" not in finish.reason


def test_an_accepted_goal_resets_the_refusal_count():
    mission = started(max_refusals=2, refusal_retry=0.0)
    command = navigate_to(mission, 0)
    mission.update(1.0, ORIGIN, [FAR], None, ExecutorState(command.seq, ExecutorStatus.REJECTED))
    again = only(mission.update(1.1, ORIGIN, [FAR, NEAR], None, IDLE), NavigateTo)
    # Accepted, then aborted: the frontier is blamed and the count of refusals starts over.
    request = only(
        mission.update(
            2.0, ORIGIN, [FAR, NEAR], None, ExecutorState(again.seq, ExecutorStatus.ABORTED)
        ),
        RequestDecision,
    )
    next_goal = only(mission.on_decision(request.request_id, 0, policy="p"), NavigateTo)
    refused = ExecutorState(next_goal.seq, ExecutorStatus.REJECTED)
    assert mission.update(3.0, ORIGIN, [FAR, NEAR], None, refused) == []
    assert mission.active


def test_a_navigator_that_aborts_every_waypoint_ends_the_goal_with_its_reason():
    """Twelve frontiers, a navigator that aborts every goal at once (a simulator whose step budget
    is spent): the goal fails after max_aborts of them with the navigator's message, not after
    all twelve were blacklisted as if each were out of reach."""
    frontiers = [frontier(i, 2.0 + i, float(i % 3)) for i in range(1, 13)]
    mission = started(max_aborts=4)
    why = "the goal is over (its step budget spent)"
    commands = mission.update(0.0, ORIGIN, frontiers, None, IDLE)
    for now in range(1, 10):
        request = only(commands, RequestDecision)
        command = only(mission.on_decision(request.request_id, 0, policy="p"), NavigateTo)
        aborted = ExecutorState(command.seq, ExecutorStatus.ABORTED, why)
        commands = mission.update(float(now), ORIGIN, frontiers, None, aborted)
        if not mission.active:
            break
    finish = only(commands, Finish)
    assert now == 4 and finish.state == MissionState.FAILED
    assert (
        finish.reason
        == f"the navigator aborted 4 waypoints in a row, the robot getting closer to none: {why}"
    )


def test_aborted_approach_poses_do_not_count_towards_max_aborts():
    """An object first seen far away with every side unreachable (eight approach poses aborted
    at once) is given up and the search goes on; the aborts were the object's, not the
    navigator's."""
    mission = started(max_aborts=2)
    approach = only(mission.update(0.0, ORIGIN, [FAR], chair_at(4.0, 0.0), IDLE), NavigateTo)
    for now in range(1, 9):
        aborted = ExecutorState(approach.seq, ExecutorStatus.ABORTED, "no path")
        commands = mission.update(float(now), ORIGIN, [FAR], None, aborted)
        if mission.state != MissionState.APPROACHING:
            break
        approach = only(commands, NavigateTo)
    assert now == 8 and mission.active and "unreachable" in mission.status(8.0).message
    only(mission.update(9.0, ORIGIN, [FAR], None, IDLE), RequestDecision)


def test_progress_or_an_arrival_starts_the_count_of_aborted_waypoints_over():
    frontiers = [frontier(i, 2.0 + i, 0.0) for i in range(1, 13)]
    mission = started(max_aborts=2)
    commands = mission.update(0.0, ORIGIN, frontiers, None, IDLE)

    def drive_next(now: float, outcome: ExecutorStatus, moved_closer: bool = False) -> list:
        request = only(commands, RequestDecision)
        command = only(mission.on_decision(request.request_id, 0, policy="p"), NavigateTo)
        active = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
        mission.update(now, ORIGIN, frontiers, None, active)
        if moved_closer:  # half a metre closer before the navigator gives up
            mission.update(now + 0.1, (0.5, 0.0, 0.0), frontiers, None, active)
        ended = ExecutorState(command.seq, outcome, "blocked")
        return mission.update(now + 0.2, ORIGIN, frontiers, None, ended)

    commands = drive_next(1.0, ExecutorStatus.ABORTED)
    # the robot moved: not a navigator that fails everything
    commands = drive_next(2.0, ExecutorStatus.ABORTED, moved_closer=True)
    commands = drive_next(3.0, ExecutorStatus.ABORTED)
    commands = drive_next(4.0, ExecutorStatus.SUCCEEDED)
    commands = drive_next(5.0, ExecutorStatus.ABORTED)
    assert mission.active
    finish = only(drive_next(6.0, ExecutorStatus.ABORTED), Finish)
    assert "aborted 2 waypoints in a row" in finish.reason


def test_navigation_timeout_gives_up_a_waypoint_that_never_arrives():
    mission = started(navigation_timeout=10.0, no_progress_timeout=100.0)
    command = navigate_to(mission, 0)
    active = ExecutorState(command.seq, ExecutorStatus.ACTIVE)
    # Progress all the way (a robot circling closer and farther), but no arrival.
    for now in range(1, 11):
        assert mission.update(float(now), (now * 0.3, 0.0, 0.0), [FAR, NEAR], None, active) == []
    commands = mission.update(11.5, (3.2, 0.0, 0.0), [FAR, NEAR], None, active)
    assert isinstance(commands[0], CancelNavigation)
    assert [candidate.id for candidate in only(commands, RequestDecision).frontiers] == [2]
    assert "navigation timed out after 10 s towards frontier 1" in mission.status(11.5).message


def test_approach_timeout_gives_the_object_up_and_explores_again():
    mission = started(approach_timeout=5.0)
    approach = only(mission.update(0.0, ORIGIN, [FAR], chair_at(4.0, 0.0), IDLE), NavigateTo)
    active = ExecutorState(approach.seq, ExecutorStatus.ACTIVE)
    assert mission.update(4.0, (1.0, 0.0, 0.0), [FAR], None, active) == []
    commands = mission.update(5.5, (1.5, 0.0, 0.0), [FAR], None, active)
    assert commands == [CancelNavigation()]
    status = mission.status(5.5)
    assert status.state == MissionState.EXPLORING
    assert status.message == "approach gave up after 5 s: exploring again"
    # The object is ignored now; exploration goes on.
    commands = mission.update(6.0, (1.5, 0.0, 0.0), [FAR], chair_at(4.0, 0.0), IDLE)
    only(commands, RequestDecision)


def test_pause_cancels_the_waypoint_and_resume_sends_it_again():
    mission = started(no_progress_timeout=5.0)
    command = navigate_to(mission, 0)
    assert mission.pause(1.0, "paused: no colour image") == [CancelNavigation()]
    assert mission.paused and mission.status(1.0).message == "paused: no colour image"
    assert mission.pause(1.5, "paused: no depth image") == []  # already paused: new words only
    assert mission.status(1.5).message == "paused: no depth image"
    canceled = ExecutorState(command.seq, ExecutorStatus.CANCELED)
    # Paused: nothing happens, however long (the no-progress clock does not run either).
    assert mission.update(30.0, ORIGIN, [FAR, NEAR], None, canceled) == []
    assert mission.state == MissionState.EXPLORING
    again = only(mission.resume(31.0, ORIGIN, "resumed"), NavigateTo)
    assert (again.x, again.y, again.frontier_id) == (command.x, command.y, command.frontier_id)
    assert not mission.paused and mission.status(31.0).message == "resumed"
    # The late CANCELED of the interrupted command blames nothing.
    assert mission.update(31.1, ORIGIN, [FAR, NEAR], None, canceled) == []
    assert mission.status(31.1).message == "resumed"
    assert mission.update(32.0, ORIGIN, [FAR, NEAR], None, ExecutorState(again.seq)) == []


def test_a_decision_answered_while_paused_waits_for_resume():
    mission = started()
    request = only(mission.update(0.0, ORIGIN, [FAR, NEAR], None, IDLE), RequestDecision)
    assert mission.pause(0.5, "paused: no odometry") == []  # nothing moving yet
    assert mission.on_decision(request.request_id, 1, policy="p") == []
    assert mission.status(0.6).current_frontier == 2
    command = only(mission.resume(2.0, ORIGIN), NavigateTo)
    assert (command.x, command.y, command.frontier_id) == (0.0, 2.0, 2)


def test_fail_ends_the_goal_with_the_reason():
    mission = started()
    navigate_to(mission, 0)
    commands = mission.fail(2.0, "odometry lost")
    assert isinstance(commands[0], CancelNavigation)
    assert only(commands, Finish).reason == "odometry lost"
    assert mission.state == MissionState.FAILED and mission.fail(3.0, "again") == []
