"""The launch runner really runs a two-node launch file: DDS traffic, clean SIGINT shutdown,
respawn, and a crashed required node ending the launch with a non-zero status."""

from __future__ import annotations

import os
import pathlib
import re
import shutil
import signal
import subprocess

import pytest
from processes import NodeProcess, python_module, wait_until

pytestmark = pytest.mark.ros

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def start_runner(tmp_path: pathlib.Path, launch_file: str, *arguments: str) -> NodeProcess:
    return NodeProcess(
        python_module("filmnav_common.launch_runner", str(FIXTURES / launch_file), *arguments),
        tmp_path / "launch.log",
        env={"ROS_LOG_DIR": str(tmp_path / "ros_log")},
    )


def started_pids(output: str, label: str) -> list[int]:
    return [
        int(pid) for pid in re.findall(rf"\[{label}\]: process started with pid \[(\d+)\]", output)
    ]


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def node_environment(pid: int) -> dict[str, str]:
    entries = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    return dict(entry.decode().split("=", 1) for entry in entries if b"=" in entry)


def test_runs_two_nodes_and_shuts_down_cleanly_on_sigint(
    tmp_path: pathlib.Path, monkeypatch
) -> None:
    monkeypatch.delenv("FASTRTPS_DEFAULT_PROFILES_FILE")  # the runner must supply the profile
    runner = start_runner(tmp_path, "talk_listen.launch.yaml", "message:=hi there", "topic:=words")
    try:
        # The listener hears the talker only if namespace, remaps and the message param all apply.
        assert wait_until(lambda: "I heard: [hi there" in runner.output(), timeout=30), (
            runner.output()
        )
        (talker,) = started_pids(runner.output(), "speaker-1")
        profile = node_environment(talker)["FASTRTPS_DEFAULT_PROFILES_FILE"]
        assert profile.endswith("share/filmnav_common/config/fastdds_large_images.xml")
    finally:
        status = runner.stop(timeout=20)
    output = pathlib.Path(runner.log_path).read_text()  # the log is closed after stop()
    assert status == 0, output
    assert "[robot1.ears.ear]: listening on /robot1/words" in output
    assert "[robot1.speaker]: publishing 'hi there' on /robot1/words at 10 Hz" in output
    assert "shutting down (signal SIGINT)" in output
    assert "[speaker-1]: process has finished cleanly" in output
    assert "[ear-1]: process has finished cleanly" in output
    assert "SIGTERM" not in output and "SIGKILL" not in output  # SIGINT was enough
    pids = started_pids(output, "speaker-1") + started_pids(output, "ear-1")
    assert len(pids) == 2 and not any(process_exists(pid) for pid in pids)
    logs = list((tmp_path / "ros_log").glob("filmnav_launch-*/ear-1.log"))
    assert logs and "I heard: [hi there" in logs[0].read_text()


def test_respawns_and_reports_a_crashed_required_node(tmp_path: pathlib.Path) -> None:
    runner = start_runner(tmp_path, "talk_listen.launch.xml", "message:=xml")
    try:
        assert wait_until(lambda: "I heard: [xml" in runner.output(), timeout=30), runner.output()
        (first_listener,) = started_pids(runner.output(), "ear-1")
        os.kill(first_listener, signal.SIGKILL)
        assert wait_until(lambda: len(started_pids(runner.output(), "ear-1")) == 2, timeout=15)
        heard_before = runner.output().count("I heard: [xml")
        assert wait_until(
            lambda: runner.output().count("I heard: [xml") > heard_before, timeout=30
        )

        (talker,) = started_pids(runner.output(), "speaker-1")
        os.kill(talker, signal.SIGKILL)  # the required node crashes
        assert wait_until(lambda: not runner.alive(), timeout=20), runner.output()
    finally:
        status = runner.stop(timeout=20)
    output = pathlib.Path(runner.log_path).read_text()
    assert status == 128 + signal.SIGKILL, output
    assert "[ear-1]: respawning in 0.5 s" in output
    assert "[speaker-1]: process has died" in output and "exit code -9" in output
    assert "shutting down (required node speaker-1 exited)" in output
    second_listener = started_pids(output, "ear-1")[1]
    assert f"[ear-1]: process has finished cleanly [pid {second_listener}]" in output
    assert not process_exists(second_listener)


def test_cli_reports_unknown_executable_without_starting_anything(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "bad.launch.xml"
    bad.write_text("<launch><node pkg='filmnav_common' exec='shouter'/></launch>")
    filmnav = shutil.which("filmnav")
    assert filmnav, "the filmnav command is installed by the workspace build"
    result = subprocess.run(
        [filmnav, "launch", str(bad)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "executable 'shouter' not found in package 'filmnav_common'" in result.stderr
    assert "process started" not in result.stdout


def test_runner_uses_the_installed_dds_profile() -> None:
    from filmnav_common.launch_runner import installed_dds_profile

    profile = installed_dds_profile()
    assert profile is not None and profile.endswith(
        "share/filmnav_common/config/fastdds_large_images.xml"
    )
    source = (
        pathlib.Path(__file__).resolve().parents[2]
        / "src/filmnav_common/config/fastdds_large_images.xml"
    )
    assert pathlib.Path(profile).read_text() == source.read_text()


def test_exits_non_zero_when_a_node_fails_and_nothing_is_left(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "failing.launch.yaml"
    bad.write_text(
        "launch:\n"
        "- node: {pkg: filmnav_common, exec: listener, name: broken, ros_args: --no-such-flag}\n"
    )
    result = subprocess.run(
        python_module("filmnav_common.launch_runner", str(bad)),
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "ROS_LOG_DIR": str(tmp_path / "ros_log")},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "[broken-1]: process has died" in result.stdout
    assert "all processes have finished" in result.stdout


def test_package_and_file_name_form_finds_the_file_in_the_share_directory(capsys) -> None:
    from filmnav_common.launch_runner import main

    # The share directory of filmnav_common holds the DDS profile: found, then rejected as a
    # launch file, which shows the lookup worked.
    assert main(["filmnav_common", "fastdds_large_images.xml"]) == 2
    error = capsys.readouterr().err
    assert "config/fastdds_large_images.xml" in error
    assert "the root element must be <launch>" in error
    assert main(["filmnav_common", "missing.launch.yaml"]) == 2
    assert "no file named 'missing.launch.yaml'" in capsys.readouterr().err
