"""`filmnav goal`, `filmnav cancel` and `filmnav status` against a goal_interface node in its own
process, and their clear errors when nothing answers."""

from __future__ import annotations

import signal
import subprocess
import sys

import cv2
import numpy as np
import pytest
from processes import NodeProcess, python_module, wait_until

CLI = [sys.executable, "-c", "import sys; from filmnav_common.cli import main; sys.exit(main())"]


def filmnav(*args: str, timeout: float = 30.0) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout)


def test_commands_fail_clearly_when_no_node_answers():
    commands = (["status"], ["cancel"], ["goal", "find", "a", "chair"])
    running = [
        subprocess.Popen([*CLI, *command, "--timeout", "1.5"], stderr=subprocess.PIPE, text=True)
        for command in commands
    ]
    for process in running:
        _, stderr = process.communicate(timeout=30)
        assert process.returncode == 1, stderr
        assert "no goal_interface node answers" in stderr


def test_commands_address_a_stack_in_its_namespace(tmp_path):
    """A stack launched under a namespace is reached with --namespace (any spelling of it); without
    it the error names the namespace where a stack answers."""
    node = NodeProcess(
        python_module(
            "goal_interface.goal_interface_node",
            "--ros-args",
            "-r",
            "__ns:=/fleet/robot_2",
            "-p",
            "navigator:=action_client",
        ),
        tmp_path / "goal_interface.log",
    )
    try:
        assert wait_until(lambda: filmnav("status", "-n", "fleet/robot_2/").returncode == 0, 30)
        root = filmnav("status", "--timeout", "2")
        assert root.returncode == 1
        assert "no goal_interface node answers on /filmnav/status" in root.stderr
        assert "a stack answers in namespace /fleet/robot_2 (--namespace)" in root.stderr
        sent = filmnav("goal", "a", "chair", "--namespace", "/fleet/robot_2", "--id", "ns_chair")
        assert sent.returncode == 0 and "accepted goal 'ns_chair'" in sent.stdout, sent.stderr
        canceled = filmnav("cancel", "--namespace", "/fleet/robot_2")
        assert canceled.stdout.startswith("[CANCELED] goal 'ns_chair'"), canceled.stderr
    finally:
        assert node.stop() == 0, node.output()


def test_help_and_bad_arguments(tmp_path):
    for command in ("goal", "cancel", "status"):
        result = filmnav(command, "--help")
        assert result.returncode == 0 and f"filmnav {command}" in result.stdout
    missing = filmnav("goal", "--image", str(tmp_path / "missing.png"))
    assert missing.returncode == 2 and "cannot read image" in missing.stderr
    empty = filmnav("goal")
    assert empty.returncode == 2 and "give the goal" in empty.stderr
    for namespace in ("robot 1", "1robot", "a//b"):
        bad = filmnav("status", "--namespace", namespace)
        assert bad.returncode == 2 and f"invalid namespace {namespace!r}" in bad.stderr


@pytest.fixture(scope="module")
def goal_interface(tmp_path_factory):
    log = tmp_path_factory.mktemp("operator_cli") / "goal_interface.log"
    process = NodeProcess(
        python_module(
            "goal_interface.goal_interface_node", "--ros-args", "-p", "navigator:=action_client"
        ),
        log,
    )
    yield process
    assert process.stop() == 0, process.output()


def test_goal_status_cancel_round_trip(goal_interface, tmp_path):
    idle = filmnav("status", "--timeout", "20")
    assert idle.returncode == 0, idle.stderr
    assert idle.stdout.startswith("[IDLE]") or "goal '" in idle.stdout

    sent = filmnav("goal", "find", "a", "chair", "--id", "cli_chair", "--timeout", "20")
    assert sent.returncode == 0, sent.stderr
    assert "accepted goal 'cli_chair': object 'chair'" in sent.stdout
    status = filmnav("status")
    assert status.returncode == 0 and status.stdout.startswith(
        "[EXPLORING] goal 'cli_chair' (chair)"
    )

    rejected = filmnav("goal", "x" * 300, "--id", "cli_long", "--task", "text")
    assert (
        rejected.returncode == 1
        and "rejected goal 'cli_long'" in rejected.stderr
        and "more than the 200 allowed" in rejected.stderr
    )

    picture = tmp_path / "goal.png"
    cv2.imwrite(str(picture), np.full((48, 64, 3), 120, np.uint8))
    image_goal = filmnav("goal", "--image", str(picture), "--id", "cli_image")
    assert image_goal.returncode == 0, image_goal.stderr
    assert "accepted goal 'cli_image': image '<image>'" in image_goal.stdout

    canceled = filmnav("cancel")
    assert canceled.returncode == 0, canceled.stderr
    assert canceled.stdout.startswith("[CANCELED] goal 'cli_image' (<image>)")
    nothing = filmnav("cancel")
    assert nothing.returncode == 0 and nothing.stdout.startswith("nothing to cancel")


@pytest.mark.timeout(60)
def test_status_follow_prints_updates_until_interrupted(goal_interface):
    follower = subprocess.Popen(
        [*CLI, "status", "--follow"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        first = follower.stdout.readline()
        assert first.startswith("[")
        assert filmnav("goal", "find", "a", "sofa", "--id", "cli_sofa").returncode == 0
        lines = []
        assert wait_until(
            lambda: lines.append(follower.stdout.readline()) or "cli_sofa" in lines[-1], 20.0
        )
    finally:
        follower.send_signal(signal.SIGINT)
        follower.wait(timeout=10)
    assert follower.returncode in (0, 130)
