"""Fixtures of the mapper tests."""

from __future__ import annotations

import pytest
import rclpy
from mapper_ros import make_client


@pytest.fixture(scope="module")
def client():
    """A client node with the stack's topics, one per test module (and its node processes)."""
    rclpy.init()
    node = make_client()
    yield node
    node.destroy_node()
    rclpy.shutdown()
