"""Every launch file of filmnav_bringup: its executables exist in the ament index, and every
parameter it sets (inline or from a parameter file) is declared by the node and holds the value
the launch gives it, checked by starting each node and reading its parameters back over DDS. The
robot graph runs under `namespace:=robot1`: parameter files use `/**/node_name` keys, which rcl
applies under any namespace (a bare `node_name` key only matches `/node_name`)."""

from __future__ import annotations

import math
import os
import pathlib
import re

import pytest
import rclpy
import yaml
from processes import REPO_ROOT, NodeProcess, wait_until
from rcl_interfaces.srv import GetParameters, ListParameters
from rclpy.parameter import parameter_value_to_python

from filmnav_common.launch_files import (
    LaunchDescription,
    LaunchError,
    NodeSpec,
    declared_arguments,
)
from filmnav_detection.owlv2_tiny import build_tiny_owlv2_checkpoint

LAUNCH_DIR = REPO_ROOT / "src/filmnav_bringup/launch"
LAUNCH_FILES = sorted(LAUNCH_DIR.glob("*.launch.yaml")) + sorted(LAUNCH_DIR.glob("*.launch.xml"))
REQUIRED_ARGUMENTS = {
    "sim.launch.yaml": {"seed", "episode", "split", "task", "policy", "goal", "use_sim_time"},
    "robot.launch.yaml": {
        "namespace",
        "color_topic",
        "depth_topic",
        "odom_topic",
        "map_frame",
        "policy",
        "navigator",
        "detector",
    },
    "harness.launch.yaml": {"seed", "episode", "odom_rate", "odom_jitter"},
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


def _flatten(values: dict, prefix: str = "") -> dict[str, object]:
    flat: dict[str, object] = {}
    for key, value in values.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
        else:
            flat[prefix + key] = value
    return flat


def node_key_matches(key: str, full_name: str) -> bool:
    """rcl's rule for a parameter file's node key: absolute (a missing leading '/' is implied),
    '/**' matches any number of namespace tokens, '*' one token."""
    absolute = key if key.startswith("/") else "/" + key
    pattern = re.escape(absolute).replace(r"/\*\*", r"(/[^/]+)*").replace(r"\*", r"[^/]+")
    return re.fullmatch(pattern, full_name) is not None


def expected_parameters(spec: NodeSpec) -> tuple[dict[str, object], dict[str, object]]:
    """What the launch gives this node: (parameters of its own file sections and -p overrides,
    parameters of the files' `/**` sections, which only apply where the node declares them)."""
    full_name = node_name(spec)
    arguments = ros_arguments(spec)
    own: dict[str, object] = {}
    everyone: dict[str, object] = {}
    for index, word in enumerate(arguments):
        if word == "-p":
            name, value = arguments[index + 1].split(":=", 1)
            own[name] = yaml.safe_load(value)
        elif word == "--params-file":
            content = yaml.safe_load(pathlib.Path(arguments[index + 1]).read_text()) or {}
            for key, section in content.items():
                if node_key_matches(key, full_name):
                    target = everyone if key == "/**" else own
                    target.update(_flatten(section.get("ros__parameters", {})))
    return own, everyone


def same_value(actual: object, expected: object) -> bool:
    if isinstance(expected, float) or isinstance(actual, float):
        return isinstance(actual, (int, float)) and math.isclose(actual, expected, abs_tol=1e-9)
    if isinstance(expected, list):
        return list(actual) == expected
    return actual == expected


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
    return {"robot.launch.yaml": {"detector_model": str(model), "namespace": "robot1"}}


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


def get_parameters(node, full_name: str, names: list[str]) -> dict[str, object]:
    client = node.create_client(GetParameters, f"{full_name}/get_parameters")
    try:
        assert client.wait_for_service(timeout_sec=5.0), full_name
        future = client.call_async(GetParameters.Request(names=names))
        rclpy.spin_until_future_complete(node, future, timeout_sec=5.0)
        assert future.done(), f"{full_name} did not answer get_parameters"
        values = future.result().values
        return {name: parameter_value_to_python(v) for name, v in zip(names, values, strict=True)}
    finally:
        node.destroy_client(client)


def test_node_keys_match_as_rcl_matches_them():
    assert node_key_matches("/**/occupancy_mapper", "/robot1/occupancy_mapper")
    assert node_key_matches("/**/occupancy_mapper", "/occupancy_mapper")
    assert node_key_matches("/**", "/a/b/c")
    assert node_key_matches("/*/mapper", "/robot1/mapper")
    assert not node_key_matches("/*/mapper", "/a/b/mapper")
    assert node_key_matches("occupancy_mapper", "/occupancy_mapper")
    assert not node_key_matches("occupancy_mapper", "/robot1/occupancy_mapper")  # the old belief


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
    from_everyone_declared: set[str] = set()
    from_everyone: dict[str, object] = {}
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
            own, everyone = expected_parameters(spec)
            missing = set(own) - declared_names
            assert not missing, f"{path.name}: {name} does not declare {sorted(missing)}"
            applicable = {**{k: v for k, v in everyone.items() if k in declared_names}, **own}
            values = get_parameters(ros_node, name, sorted(applicable))
            wrong = {
                key: (values[key], expected)
                for key, expected in applicable.items()
                if not same_value(values[key], expected)
            }
            assert not wrong, f"{path.name}: {name} holds (actual, expected) {wrong}"
            from_everyone.update(everyone)
            from_everyone_declared.update(set(everyone) & declared_names)
        # Every `/**` parameter reaches at least one node that uses it.
        unused = set(from_everyone) - from_everyone_declared
        assert not unused, f"{path.name}: no node declares {sorted(unused)}"
    finally:
        codes = {label: process.stop() for label, process in processes.items()}
    assert all(code == 0 for code in codes.values()), codes


def test_robot_launch_detector_argument_and_no_detector_respawn():
    """detector:= picks the backend or leaves the detector out; the detector is never respawned
    (its failure to load weights is final), the other nodes are."""
    path = LAUNCH_DIR / "robot.launch.yaml"
    for backend in ("owlv2", "sim_semantic"):
        nodes = LaunchDescription(path, {"detector": backend}).nodes
        (detector,) = [spec for spec in nodes if node_name(spec) == "/detector_node"]
        assert f"backend:={backend}" in ros_arguments(detector)
        assert not detector.respawn
        assert all(spec.respawn for spec in nodes if spec is not detector)
    names = {node_name(spec) for spec in LaunchDescription(path, {"detector": "none"}).nodes}
    assert "/detector_node" not in names and "/goal_interface" in names
    with pytest.raises(LaunchError, match="expected one of"):
        LaunchDescription(path, {"detector": "yolo"})
    policy = next(
        spec for spec in LaunchDescription(path, {}).nodes if node_name(spec) == "/policy_node"
    )
    assert "policy:=compact" in ros_arguments(policy)
