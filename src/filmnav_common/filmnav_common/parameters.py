"""Declare a node's parameters from one table of defaults and descriptions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from rcl_interfaces.msg import ParameterDescriptor
from rclpy.node import Node

# parameter name -> (default, description)
ParameterTable = Mapping[str, tuple[Any, str]]


def declare_parameters(node: Node, table: ParameterTable) -> Callable[[str], Any]:
    """Declare every parameter of `table` on `node` (its description shows in `ros2 param
    describe`) and return a getter of a parameter's current value by name."""
    for name, (default, description) in table.items():
        node.declare_parameter(name, default, ParameterDescriptor(description=description))
    return lambda name: node.get_parameter(name).value
