"""Every launch file of filmnav_bringup: its executables exist in the ament index, and every
parameter it sets (inline or from a parameter file) is declared by the node, checked by starting
each node and listing its parameters over DDS."""

from __future__ import annotations

import os
import pathlib

import pytest
import rclpy
import yaml
from filmnav_common.launch_files import LaunchDescription, NodeSpec, declared_arguments
from filmnav_detection.owlv2_tiny import build_tiny_owlv2_checkpoint
from processes import REPO_ROOT, NodeProcess, wait_until
from rcl_interfaces.srv import ListParameters

LAUNCH_DIR = REPO_ROOT / "src/filmnav_bringup/launch"
LAUNCH_FILES = sorted(LAUNCH_DIR.glob("*.launch.yaml")) + sorted(LAUNCH_DIR.glob("*.launch.xml"))
REQUIRED_ARGUMENTS = {
    "sim.launch.yaml": {"seed", "episode", "split", "task", "policy", "goal", "use_sim_time"},
    "robot.launch.yaml": {"color_topic", "depth_topic", "odom_topic", "policy", "navigator"},
}
STARTUP_TIMEOUT = 60.0


def ros_arguments(spec: NodeSpec) -> list[str]:
    return spec.argv[spec.argv.index("--ros-args") + 1 :] if "--ros-args" in spec.argv else []


def node_name(spec: NodeSpec) -> str:
    """Fully qualified node name from the launch's __node / __ns remappings."""
    arguments = ros_arguments(spec)
    remaps = dict(
        arguments[i + 1].split(":=", 1) for i, word in enumerate(arguments) if word == "-r"
    )
    namespace = remaps.get("__ns", "/").rstrip("/")
    return f"{namespace}/{remaps['__node']}"


def _flatten(values: dict, prefix: str = "") -> set[str]:
    names: set[str] = set()
    for key, value in values.items():
        if isinstance(value, dict):
            names |= _flatten(value, f"{prefix}{key}.")
        else:
            names.add(prefix + key)
    return names


def expected_parameters(spec: NodeSpec) -> set[str]:
    """Names the launch sets for this node: -p overrides and matching parameter-file sections."""
    full_name = node_name(spec)
    short_name = full_name.rsplit("/", 1)[1]
    arguments = ros_arguments(spec)
    names: set[str] = set()
    for index, word in enumerate(arguments):
        if word == "-p":
            names.add(arguments[index + 1].split(":=", 1)[0])
        elif word == "--params-file":
            content = yaml.safe_load(pathlib.Path(arguments[index + 1]).read_text()) or {}
            for key, section in content.items():
                if key in ("/**", full_name, full_name.lstrip("/"), short_name):
                    names |= _flatten(section.get("ros__parameters", {}))
    return names


@pytest.fixture(scope="module")
def ros_node():
    rclpy.init()
    node = rclpy.create_node("launch_file_checker")
    yield node
    node.destroy_node()
    rclpy.shutdown()


@pytest.fixture(scope="module")
def launch_arguments(tmp_path_factory) -> dict[str, dict[str, str]]:
    """Arguments per launch file: the robot graph's OWLv2 detector gets a tiny random checkpoint
    (real weights cannot be downloaded here; without weights the node stops at start by design)."""
    model = build_tiny_owlv2_checkpoint(tmp_path_factory.mktemp("owlv2"))
    return {"robot.launch.yaml": {"detector_model": str(model)}}


def list_parameters(node, full_name: str) -> set[str] | None:
    client = node.create_client(ListParameters, f"{full_name}/list_parameters")
    try:
        if not client.wait_for_service(timeout_sec=1.0):
            return None
        future = client.call_async(ListParameters.Request())
        rclpy.spin_until_future_complete(node, future, timeout_sec=5.0)
        return set(future.result().result.names) if future.done() else None
    finally:
        node.destroy_client(client)


def test_launch_files_and_configs_are_installed_in_the_package_share():
    from ament_index_python.packages import get_package_share_directory

    share = pathlib.Path(get_package_share_directory("filmnav_bringup"))
    assert {path.name for path in LAUNCH_FILES} >= {"sim.launch.yaml", "robot.launch.yaml"}
    installed = {path.relative_to(share).as_posix() for path in share.rglob("*") if path.is_file()}
    assert {f"launch/{path.name}" for path in LAUNCH_FILES} <= installed
    assert {"config/sim.yaml", "config/robot.yaml", "config/filmnav.rviz"} <= installed
    rviz = yaml.safe_load((share / "config/filmnav.rviz").read_text())
    topics = {
        display["Topic"]["Value"]
        for display in rviz["Visualization Manager"]["Displays"]
        if "Topic" in display
    }
    assert {"filmnav/map", "filmnav/frontier_markers", "odom", "camera/color/image_raw"} <= topics


@pytest.mark.parametrize("path", LAUNCH_FILES, ids=lambda path: path.name)
def test_launch_file_arguments_executables_and_parameters(
    path: pathlib.Path, ros_node, launch_arguments, tmp_path
):
    declared = {argument.name for argument in declared_arguments(path)}
    assert REQUIRED_ARGUMENTS.get(path.name, set()) <= declared
    # Building the description resolves every executable through the ament index (LaunchError if
    # missing).
    description = LaunchDescription(path, launch_arguments.get(path.name, {}))
    assert description.nodes
    for spec in description.nodes:
        assert os.access(spec.argv[0], os.X_OK), spec.argv[0]
    processes = {}
    try:
        for spec in description.nodes:
            environment = {
                **os.environ,
                **{k: v for k, v in spec.environment.items() if v is not None},
            }
            processes[spec.label] = NodeProcess(
                spec.argv, tmp_path / f"{spec.label}.log", env=environment
            )
        for spec in description.nodes:
            name, process = node_name(spec), processes[spec.label]
            declared_names: set[str] = set()

            def answered(
                declared_names: set[str] = declared_names,
                name: str = name,
                process: NodeProcess = process,
            ) -> bool:
                declared_names.update(list_parameters(ros_node, name) or ())
                return bool(declared_names) or not process.alive()

            wait_until(answered, STARTUP_TIMEOUT, interval=0.5)
            assert declared_names and process.alive(), (
                f"{name} did not come up:\n{process.output()[-3000:]}"
            )
            missing = expected_parameters(spec) - declared_names
            assert not missing, f"{path.name}: {name} does not declare {sorted(missing)}"
    finally:
        codes = {label: process.stop() for label, process in processes.items()}
    assert all(code == 0 for code in codes.values()), codes
