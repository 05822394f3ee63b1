"""Declare a node's parameters from one table of defaults and descriptions."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
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


@dataclass(frozen=True)
class ConfigParameters:
    """Node parameters that set fields of a core config dataclass. The defaults are the
    dataclass's own, so they are written once; the node adds descriptions with units and, where
    the parameter is named differently, the parameter's name."""

    config: type
    descriptions: Mapping[str, str]  # field -> description (unit included)
    names: Mapping[str, str] = field(default_factory=dict)  # field -> parameter name

    def __post_init__(self) -> None:
        unknown = set(self.descriptions) - {f.name for f in fields(self.config)}
        if unknown or not set(self.names) <= set(self.descriptions):
            raise ValueError(f"{self.config.__name__} has no fields {sorted(unknown)}")

    def table(self) -> ParameterTable:
        defaults = {f.name: f.default for f in fields(self.config)}
        return {
            self.names.get(name, name): (defaults[name], description)
            for name, description in self.descriptions.items()
        }

    def build(self, get: Callable[[str], Any], **overrides: Any) -> Any:
        """The config with the parameters' current values (and `overrides`, set by the node)."""
        values = {name: get(self.names.get(name, name)) for name in self.descriptions}
        return self.config(**values, **overrides)
