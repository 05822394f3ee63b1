"""Launch file interpretation: YAML and XML to resolved node command lines, and clear errors."""

from __future__ import annotations

import os
import pathlib
import textwrap

import pytest
import yaml

from filmnav_common.launch_files import (
    LaunchDescription,
    LaunchError,
    declared_arguments,
    parse_launch_arguments,
)

FIXTURES = pathlib.Path(__file__).parent / "fixtures"


def ros_arguments(argv: list[str]) -> list[str]:
    return argv[argv.index("--ros-args") + 1 :]


def write(tmp_path: pathlib.Path, name: str, text: str) -> pathlib.Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


@pytest.mark.parametrize("name", ["talk_listen.launch.yaml", "talk_listen.launch.xml"])
def test_two_node_file_resolves_args_params_remaps_namespaces(name: str) -> None:
    nodes = LaunchDescription(FIXTURES / name, {"message": "hi there", "topic": "words"}).nodes
    assert [node.label for node in nodes] == ["speaker-1", "ear-1"]
    talker, listener = nodes
    assert talker.argv[0].endswith("/lib/filmnav_common/talker") and os.access(
        talker.argv[0], os.X_OK
    )
    assert ros_arguments(talker.argv) == [
        "-r", "__node:=speaker", "-r", "__ns:=/robot1",
        "-p", "message:=hi there", "-p", "rate:=10.0",  # let + eval
        "-r", "chatter:=words",
    ]  # fmt: skip
    assert talker.required and not talker.respawn and talker.output == "screen"
    assert ros_arguments(listener.argv) == [
        "-r", "__node:=ear", "-r", "__ns:=/robot1/ears", "-r", "chatter:=/robot1/words",
    ]  # fmt: skip
    assert listener.respawn and listener.respawn_delay == 0.5 and not listener.required


def test_yaml_and_xml_files_are_equivalent() -> None:
    arguments = {"talker_required": "false"}
    yaml_nodes = LaunchDescription(FIXTURES / "talk_listen.launch.yaml", arguments).nodes
    xml_nodes = LaunchDescription(FIXTURES / "talk_listen.launch.xml", arguments).nodes
    assert yaml_nodes == xml_nodes
    assert not yaml_nodes[0].required  # the `unless` branch was taken


def test_include_group_scope_env_and_nested_params() -> None:
    nodes = LaunchDescription(FIXTURES / "include_twice.launch.yaml", {}).nodes
    talker, listener, outside = nodes
    assert "__ns:=/fleet/robot1" in talker.argv and "message:=from include" in talker.argv
    assert not talker.required  # talker_required:=false passed by the include
    assert "__ns:=/fleet/robot1/ears" in listener.argv
    assert outside.label == "outside_fleet_env-1"  # set_env seen by $(optenv)
    assert outside.argv[1:3] == ["--extra", "two words"]
    assert ros_arguments(outside.argv) == [
        "-r", "__node:=outside_fleet_env",
        "--params-file", str(FIXTURES / "listener_params.yaml"),
        "-p", "nested.list:=[1, 2, 3]", "-p", "nested.flag:=true",
        "--log-level", "warn",
    ]  # fmt: skip
    assert outside.environment == {"FILMNAV_TEST_MARK": "fleet_env", "FILMNAV_NODE_MARK": "node"}


def test_scoped_group_does_not_leak_configurations(tmp_path: pathlib.Path) -> None:
    path = write(
        tmp_path,
        "scope.launch.yaml",
        """
        launch:
        - group:
            children:
            - let: {name: inside, value: "1"}
        - node: {pkg: filmnav_common, exec: talker, name: $(var inside)}
        """,
    )
    with pytest.raises(LaunchError, match="launch configuration 'inside' is not set"):
        LaunchDescription(path, {})


def test_unscoped_group_and_substitutions(tmp_path: pathlib.Path, monkeypatch) -> None:
    monkeypatch.setenv("FILMNAV_TEST_VALUE", "from_env")
    path = write(
        tmp_path,
        "subst.launch.yaml",
        """
        launch:
        - group:
            scoped: "false"
            children:
            - let: {name: a, value: "$(env FILMNAV_TEST_VALUE)"}
            - let: {name: b, value: "$(env FILMNAV_TEST_MISSING 'fallback value')"}
        - node:
            pkg: filmnav_common
            exec: talker
            name: n_$(var a)
            if: $(and $(equals $(var a) from_env) $(not false))
            param:
            - {name: b, value: $(var b)}
            - {name: file, value: $(filename)}
            - {name: share, value: $(find-pkg-share filmnav_common)}
            - {name: area, value: "$(eval 'round(pi * 2 ** 2, 3)')"}
            - {name: empty, value: ""}
        """,
    )
    (node,) = LaunchDescription(path, {}).nodes
    arguments = ros_arguments(node.argv)
    assert arguments[:2] == ["-r", "__node:=n_from_env"]
    assert "b:=fallback value" in arguments and "file:=subst.launch.yaml" in arguments
    share = next(a for a in arguments if a.startswith("share:="))[len("share:=") :]
    assert pathlib.Path(share, "package.xml").is_file()
    assert "area:=12.566" in arguments
    assert "empty:=''" in arguments  # rcl rejects `-p empty:=`


def test_declared_arguments_for_show_args() -> None:
    arguments = declared_arguments(FIXTURES / "talk_listen.launch.xml")
    assert [(a.name, a.default) for a in arguments] == [
        ("message", "hello"), ("topic", "chat"), ("talker_required", "true"),
    ]  # fmt: skip
    assert arguments[0].description == "text the talker sends"


def test_parse_launch_arguments() -> None:
    assert parse_launch_arguments(["a:=1", "b.c:=x:=y", "d:="]) == {
        "a": "1",
        "b.c": "x:=y",
        "d": "",
    }
    with pytest.raises(LaunchError, match="name:=value"):
        parse_launch_arguments(["a=1"])


BAD_FILES = {
    "unknown package": (
        "bad.launch.yaml",
        "launch:\n- node: {pkg: no_such_package_xyz, exec: talker}\n",
        "package 'no_such_package_xyz' not found in the ament index",
    ),
    "unknown executable": (
        "bad.launch.yaml",
        "launch:\n- node: {pkg: filmnav_common, exec: shouter}\n",
        "executable 'shouter' not found in package 'filmnav_common' \\(available: .*talker",
    ),
    "malformed yaml": ("bad.launch.yaml", "launch:\n- node: {pkg: [\n", "malformed YAML"),
    "malformed xml": ("bad.launch.xml", "<launch><node pkg='a'></launch>", "malformed XML"),
    "wrong root": ("bad.launch.yaml", "nodes: []\n", "one key 'launch'"),
    "unknown action": (
        "bad.launch.yaml",
        "launch:\n- nod: {pkg: a}\n",
        "unsupported action 'nod'",
    ),
    "unknown attribute": (
        "bad.launch.xml",
        "<launch><node pkg='filmnav_common' exec='talker' respwan='true'/></launch>",
        "unsupported attribute\\(s\\) respwan of 'node'",
    ),
    "missing required argument": (
        "bad.launch.yaml",
        "launch:\n- arg: {name: robot}\n",
        "launch argument 'robot' is required: pass robot:=VALUE",
    ),
    "unknown substitution": (
        "bad.launch.yaml",
        "launch:\n- let: {name: a, value: $(nope x)}\n",
        "unknown substitution",
    ),
    "unterminated substitution": (
        "bad.launch.yaml",
        "launch:\n- let: {name: a, value: $(var x}\n",
        "unterminated",
    ),
    "bad boolean": (
        "bad.launch.yaml",
        "launch:\n- node: {pkg: filmnav_common, exec: talker, respawn: maybe}\n",
        "respawn: expected true or false",
    ),
    "bad on_exit": (
        "bad.launch.yaml",
        "launch:\n- node: {pkg: filmnav_common, exec: talker, on_exit: restart}\n",
        "on_exit must be 'shutdown'",
    ),
    "missing param file": (
        "bad.launch.yaml",
        "launch:\n- node: {pkg: filmnav_common, exec: talker, param: [{from: /none.yaml}]}\n",
        "parameter file not found",
    ),
    "python launch file": ("bad.launch.py", "", "Python launch files need `ros2 launch`"),
}


@pytest.mark.parametrize("case", BAD_FILES, ids=list(BAD_FILES))
def test_clear_errors(case: str, tmp_path: pathlib.Path) -> None:
    name, text, message = BAD_FILES[case]
    with pytest.raises(LaunchError, match=message) as error:
        LaunchDescription(write(tmp_path, name, text), {})
    assert str(tmp_path) in str(error.value) or case == "python launch file"


def test_fixture_files_are_valid_yaml_for_ros2_launch() -> None:
    """The YAML fixtures use only the frontend's shape: a `launch` list of one-key mappings."""
    for path in FIXTURES.glob("*.launch.yaml"):
        document = yaml.safe_load(path.read_text())
        assert list(document) == ["launch"]
        assert all(isinstance(action, dict) and len(action) == 1 for action in document["launch"])
