"""Typed YAML configs: one loader for the data-generation, training and evaluation recipes.

    config = load_config(DatagenConfig, "configs/datagen.yaml", {"workers": 1})

The YAML mapping (plus overrides, where a None override means "keep the file's value") becomes
the dataclass: unknown keys are refused, each value is checked against the field's annotation
(int, float, str, bool, lists, dicts, unions, nested dataclasses), and the dataclass's own
`__post_init__` checks the rest. Errors name the file and the key.
"""

from __future__ import annotations

import dataclasses
import os
import pathlib
import types
import typing
from collections.abc import Mapping
from typing import Any, TypeVar

import yaml

T = TypeVar("T")


class ConfigError(ValueError):
    """A config file that cannot be used: the message names the file and the key."""


def _check(value: Any, annotation: Any, where: str) -> Any:
    """The value, converted where YAML is loose (an int for a float), or ConfigError."""
    origin = typing.get_origin(annotation)
    if annotation is Any:
        return value
    if origin in (typing.Union, types.UnionType):
        options = [o for o in typing.get_args(annotation) if value is None or o is not type(None)]
        if len(options) == 1:  # e.g. `int | None` given a value: say what is wrong with it
            return _check(value, options[0], where)
        for option in options:
            try:
                return _check(value, option, where)
            except ConfigError:
                continue
        raise ConfigError(f"{where}: {value!r} matches none of {annotation}")
    if annotation is type(None):
        if value is None:
            return None
        raise ConfigError(f"{where}: expected nothing (null), got {value!r}")
    if dataclasses.is_dataclass(annotation):
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping for {annotation.__name__}")
        return build(annotation, value, where)
    if origin in (list, tuple):
        if not isinstance(value, list | tuple):
            raise ConfigError(f"{where}: expected a list, got {value!r}")
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        checked = [_check(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
        return checked if origin is list else tuple(checked)
    if origin is dict:
        if not isinstance(value, Mapping):
            raise ConfigError(f"{where}: expected a mapping, got {value!r}")
        key_type, value_type = typing.get_args(annotation) or (Any, Any)
        return {
            _check(k, key_type, where): _check(v, value_type, f"{where}.{k}")
            for k, v in value.items()
        }
    if annotation is float and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    if annotation in (int, float) and isinstance(value, bool):
        raise ConfigError(f"{where}: expected {annotation.__name__}, got {value!r}")
    if isinstance(annotation, type) and not isinstance(value, annotation):
        raise ConfigError(f"{where}: expected {annotation.__name__}, got {value!r}")
    return value


def build(cls: type[T], values: Mapping[str, Any], where: str = "config") -> T:
    """A dataclass from a mapping, checked as described in the module docstring."""
    hints = typing.get_type_hints(cls)
    known = {f.name: f for f in dataclasses.fields(cls) if f.init}
    unknown = sorted(set(values) - set(known))
    if unknown:
        raise ConfigError(f"{where}: unknown keys {unknown} (known: {sorted(known)})")
    checked = {
        name: _check(value, hints[name], f"{where}: {name}") for name, value in values.items()
    }
    try:
        return cls(**checked)
    except TypeError as error:  # a required key is missing
        raise ConfigError(f"{where}: {error}") from error
    except ValueError as error:
        raise ConfigError(f"{where}: {error}") from error


def load_config(
    cls: type[T], path: str | os.PathLike, overrides: Mapping[str, Any] | None = None
) -> T:
    """The dataclass `cls` from a YAML file, with non-None `overrides` applied on top."""
    try:
        values = yaml.safe_load(pathlib.Path(path).read_text()) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(values, Mapping):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    merged = {**values, **{k: v for k, v in (overrides or {}).items() if v is not None}}
    return build(cls, merged, str(path))
