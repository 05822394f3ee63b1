"""Health of the mission's parts from reports, graph presence and message arrival (no ROS)."""

from __future__ import annotations

from goal_interface.health import HealthConfig, HealthMonitor, Level
from goal_interface.mission import ExecutorStatus

CONFIG = HealthConfig(heartbeat_timeout=1.5, sensor_timeout=2.0, sensor_loss_timeout=30.0)


def monitor() -> HealthMonitor:
    return HealthMonitor(
        CONFIG,
        nodes={"policy": "/policy_node", "detector": "/detector_node"},
        sensors=[("camera", "/camera/color/image_raw", "colour image")],
        navigator="navigate_to_pose",
    )


def part(health: HealthMonitor, name: str, now: float, services=None):
    return next(p for p in health.report(now, services or {}) if p.name == name)


def test_a_node_is_down_until_seen_then_as_it_last_reported():
    health = monitor()
    never = part(health, "policy", 0.0)
    assert (never.level, never.age) == (Level.DOWN, -1.0) and "not running" in never.message
    health.on_report(1.0, "/policy_node", Level.WARN, "slow decision", pid="11")
    warned = part(health, "policy", 1.5)
    assert (warned.level, warned.message, warned.age) == (Level.WARN, "slow decision", 0.5)


def test_silence_is_stale_in_the_graph_and_down_out_of_it():
    health = monitor()
    health.on_report(0.0, "/policy_node", Level.OK, "serving", pid="11")
    health.on_graph({"/policy_node"})
    assert part(health, "policy", 1.0).level == Level.OK
    stale = part(health, "policy", 2.0)
    assert stale.level == Level.STALE and stale.message == "no report for 2.0 s"
    assert health.node_silent("policy", 2.0) == "no report for 2.0 s"
    health.on_graph(set())
    gone = part(health, "policy", 3.0)
    assert gone.level == Level.DOWN and gone.message.startswith("gone")


def test_last_words_keep_a_node_down_and_a_new_process_counts_a_restart():
    health = monitor()
    health.on_report(0.0, "/detector_node", Level.OK, "running", pid="11")
    health.on_report(0.5, "/detector_node", Level.ERROR, "cannot start: no weights", "11", True)
    down = part(health, "detector", 60.0)
    assert (down.level, down.message, down.restarts) == (Level.DOWN, "cannot start: no weights", 0)
    assert "cannot start: no weights" in health.relayed(60.0)  # a last word stays relayed
    health.on_report(61.0, "/detector_node", Level.OK, "searching for bed", pid="12")
    back = part(health, "detector", 61.0)
    assert (back.level, back.restarts) == (Level.OK, 1)


def test_a_service_not_offered_is_a_warning():
    health = monitor()
    health.on_report(0.0, "/policy_node", Level.OK, "loading", pid="11")
    policy = part(health, "policy", 0.1, {"policy": ("filmnav/select_frontier", False)})
    assert policy.level == Level.WARN and "'filmnav/select_frontier' not offered" in policy.message


def test_sensors_are_down_stale_or_lost():
    health = monitor()
    assert part(health, "camera", 0.0).level == Level.DOWN
    assert health.sensor_problem(0.0) == "no colour image received on '/camera/color/image_raw'"
    health.sensors["camera"].arrived(10.0)
    assert health.sensor_problem(11.0) == "" and part(health, "camera", 11.0).level == Level.OK
    assert part(health, "camera", 13.0).level == Level.STALE
    assert health.sensor_problem(13.0) == (
        "no colour image on '/camera/color/image_raw' for over 2 s"
    )
    # Lost counts from the goal's start at the earliest.
    assert health.lost_sensor(45.0, since=30.0) == ""
    assert health.lost_sensor(61.0, since=30.0).startswith("colour image lost: nothing on")


def test_navigator_missing_refusing_and_back():
    health = monitor()
    navigator = health.navigator
    navigator.observe(0.0, False, ExecutorStatus.IDLE, "", "no server yet")
    assert part(health, "navigator", 0.0).message == "no server yet"
    navigator.observe(1.0, True, ExecutorStatus.REJECTED, "goal rejected")
    refused = part(health, "navigator", 1.0)
    assert refused.level == Level.ERROR and "goal rejected" in refused.message
    navigator.observe(2.0, False, ExecutorStatus.IDLE, "")
    assert navigator.unavailable_for(5.0) == 3.0
    navigator.observe(6.0, True, ExecutorStatus.SUCCEEDED, "")
    back = part(health, "navigator", 6.0)
    assert (back.level, back.restarts, navigator.unavailable_for(6.0)) == (Level.OK, 1, 0.0)


def test_relayed_warnings_are_fresh_bounded_and_escaped():
    health = monitor()
    for index in range(6):
        health.on_report(0.0, f"/node_{index}", Level.WARN, "\x1b[31m" + "x" * 1000)
    relayed = health.relayed(1.0)
    assert relayed.count("/node_") == 4 and relayed.endswith("(+2 more)")
    assert "\x1b" not in relayed and "\\x1b[31m" in relayed and len(relayed) < 800
    assert health.relayed(5.0) == ""  # not repeated by a heartbeat: no longer relayed
