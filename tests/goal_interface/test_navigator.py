"""Navigator selection: BasicNavigator where nav2_simple_commander imports, else the action
client."""

from __future__ import annotations

import pytest
import rclpy
from geometry_msgs.msg import PoseStamped
from goal_interface.mission import ExecutorStatus
from goal_interface.navigator import (
    ActionClientNavigator,
    basic_navigator_available,
    make_navigator,
)


@pytest.fixture(scope="module")
def node():
    rclpy.init()
    node = rclpy.create_node("navigator_selection_test")
    yield node
    node.destroy_node()
    rclpy.shutdown()


def test_auto_picks_the_available_navigator(node):
    navigator = make_navigator(node, "auto", "navigate_to_pose")
    expected = "basic_navigator" if basic_navigator_available() else "action_client"
    assert navigator.name == expected


def test_action_client_without_server_is_not_ready_and_reports_abort(node):
    navigator = make_navigator(node, "action_client", "no_such_navigate_to_pose")
    assert isinstance(navigator, ActionClientNavigator)
    assert not navigator.ready() and navigator.result() == ExecutorStatus.IDLE
    assert not navigator.go_to_pose(PoseStamped())
    assert (
        navigator.result() == ExecutorStatus.ABORTED
        and "no_such_navigate_to_pose" in navigator.last_error
    )


def test_unknown_navigator_kind_is_a_clear_error(node):
    with pytest.raises(ValueError, match="unknown navigator 'teleport'"):
        make_navigator(node, "teleport", "navigate_to_pose")


@pytest.mark.skipif(basic_navigator_available(), reason="nav2_simple_commander is installed here")
def test_basic_navigator_needs_nav2_simple_commander(node):
    with pytest.raises(ImportError):
        make_navigator(node, "basic_navigator", "navigate_to_pose")
