"""Read ROS 2 declarative launch files (YAML or XML frontend) into the processes they start.

No ROS import: this module only parses, substitutes and resolves executables through the ament
index; `launch_runner` runs the result. It follows the launch / launch_ros frontend schema so the
same files run with `ros2 launch` on a robot:

    launch:
    - arg: {name: rate, default: "5.0", description: "publish rate, Hz"}
    - let: {name: topic, value: "chat_$(var rate)"}
    - group:
        children:
        - push_ros_namespace: {namespace: robot1}
        - node:
            pkg: filmnav_common
            exec: talker
            name: talker
            namespace: sensors
            output: screen
            respawn: "true"
            respawn_delay: 2.0
            on_exit: shutdown            # the node is required: its exit ends the launch
            param: [{name: rate, value: $(var rate)}, {from: $(find-pkg-share pkg)/p.yaml}]
            remap: [{from: chatter, to: $(var topic)}]
            env: [{name: RCUTILS_LOGGING_BUFFERED_STREAM, value: "1"}]
    - include: {file: $(dirname)/other.launch.yaml, arg: [{name: x, value: "1"}]}

Actions: arg, let, set_env, unset_env, node, include, group (scoped, forwarding, keep),
push_ros_namespace. Every action takes `if` / `unless`. Substitutions: var, env, optenv,
find-pkg-share, find-pkg-prefix, find-exec, dirname, filename, anon, eval, not, and, or, equals,
not-equals. Python launch files need `ros2 launch`.
"""

from __future__ import annotations

import importlib
import math
import os
import pathlib
import re
import secrets
import shlex
import shutil
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import yaml
from ament_index_python.packages import (
    PackageNotFoundError,
    get_package_prefix,
    get_package_share_directory,
)


class LaunchError(Exception):
    """A launch file that cannot be run: malformed, unknown action, package or executable."""


# --------------------------------------------------------------------------- file -> entities


@dataclass
class Entity:
    """One action of a launch file, the same shape for YAML and XML.

    `attrs` holds scalar attributes, `nested` the list-valued ones (param, remap, env, arg, keep)
    and `children` the actions of a group or of the file itself.
    """

    type_name: str
    attrs: dict[str, Any] = field(default_factory=dict)
    nested: dict[str, list[Entity]] = field(default_factory=dict)
    children: list[Entity] = field(default_factory=list)
    where: str = ""

    def require(self, name: str) -> Any:
        if name not in self.attrs:
            raise LaunchError(f"{self.where}: '{self.type_name}' needs the attribute '{name}'")
        return self.attrs[name]

    def check_attributes(self, allowed: Iterable[str], nested: Iterable[str] = ()) -> None:
        allowed = {*allowed, "if", "unless"}
        unknown = sorted(set(self.attrs) - allowed) + sorted(set(self.nested) - set(nested))
        if unknown:
            raise LaunchError(
                f"{self.where}: unsupported attribute(s) {', '.join(unknown)} of "
                f"'{self.type_name}' (supported: {', '.join(sorted(allowed | set(nested)))})"
            )


def _yaml_entity(type_name: str, body: Any, where: str) -> Entity:
    if body is None:
        body = {}
    if not isinstance(body, dict):
        raise LaunchError(f"{where}: '{type_name}' must be a mapping, got {type(body).__name__}")
    entity = Entity(type_name, where=f"{where}: {type_name}")
    for key, value in body.items():
        if key == "children":
            entity.children = _yaml_actions(value, entity.where)
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            entity.nested[key] = [_yaml_entity(key, item, entity.where) for item in value]
        else:
            entity.attrs[key] = value
    return entity


def _yaml_actions(items: Any, where: str) -> list[Entity]:
    if not isinstance(items, list):
        raise LaunchError(f"{where}: expected a list of actions")
    actions = []
    for item in items:
        if not isinstance(item, dict) or len(item) != 1:
            raise LaunchError(f"{where}: each action must be a one-key mapping, got {item!r}")
        ((type_name, body),) = item.items()
        actions.append(_yaml_entity(type_name, body, where))
    return actions


def _xml_entity(element: ElementTree.Element, where: str) -> Entity:
    """In XML, child elements of launch/group are actions (but <keep>); elsewhere attributes."""
    entity = Entity(element.tag, attrs=dict(element.attrib), where=f"{where}: <{element.tag}>")
    for child in element:
        child_entity = _xml_entity(child, where)
        if element.tag in ("launch", "group") and child.tag != "keep":
            entity.children.append(child_entity)
        else:
            entity.nested.setdefault(child.tag, []).append(child_entity)
    return entity


def read_launch_file(path: pathlib.Path) -> Entity:
    """The root `launch` entity of a YAML or XML launch file."""
    if path.name.endswith(".py"):
        raise LaunchError(
            f"{path}: Python launch files need `ros2 launch`; use the YAML or XML format"
        )
    try:
        text = path.read_text()
    except OSError as error:
        raise LaunchError(f"cannot read launch file {path}: {error.strerror}") from error
    if path.suffix == ".xml":
        try:
            root = ElementTree.fromstring(text)
        except ElementTree.ParseError as error:
            raise LaunchError(f"{path}: malformed XML: {error}") from error
        if root.tag != "launch":
            raise LaunchError(f"{path}: the root element must be <launch>, got <{root.tag}>")
        return _xml_entity(root, str(path))
    if path.suffix in (".yaml", ".yml"):
        try:
            document = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise LaunchError(f"{path}: malformed YAML: {error}") from error
        if not isinstance(document, dict) or set(document) != {"launch"}:
            raise LaunchError(f"{path}: a YAML launch file is a mapping with the one key 'launch'")
        return Entity(
            "launch", children=_yaml_actions(document["launch"] or [], str(path)), where=str(path)
        )
    raise LaunchError(f"{path}: unknown launch file format (use .yaml, .yml or .xml)")


# --------------------------------------------------------------------------- substitutions


def parse_bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise LaunchError(f"{what}: expected true or false, got '{value}'")


def _matching_paren(text: str, start: int) -> int:
    """Index of the ')' closing the substitution whose body starts at `start`."""
    depth, quote = 1, ""
    for index in range(start, len(text)):
        char = text[index]
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif text.startswith("$(", index):
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return index
    raise LaunchError(f"unterminated substitution in '{text}'")


def _split_arguments(body: str) -> list[str]:
    """Split a substitution body on spaces outside quotes and nested substitutions."""
    words, current, depth, quote = [], [], 0, ""
    for index, char in enumerate(body):
        if quote:
            if char == quote and depth == 0:
                quote = ""
                continue
            current.append(char)
            continue
        if char in "'\"" and depth == 0:
            quote = char
            current.append("")  # an empty quoted word still counts as a word
            continue
        if body.startswith("$(", index):
            depth += 1
        elif char == ")" and depth:
            depth -= 1
        if char.isspace() and depth == 0:
            if current:
                words.append("".join(current))
                current = []
            continue
        current.append(char)
    if current:
        words.append("".join(current))
    return words


@dataclass
class Scope:
    """What substitutions see: launch configurations, environment, ROS namespace, file."""

    configurations: dict[str, str]
    environment: dict[str, str | None]  # None: unset for started processes
    ros_namespace: str
    file: pathlib.Path

    def child(self, forwarding: bool = True) -> Scope:
        return Scope(
            dict(self.configurations) if forwarding else {},
            dict(self.environment),
            self.ros_namespace,
            self.file,
        )

    def getenv(self, name: str) -> str | None:
        if name in self.environment:
            return self.environment[name]
        return os.environ.get(name)

    def substitute(self, value: Any) -> Any:
        """Expand $(...) in strings (recursively in lists); other values pass through."""
        if isinstance(value, list):
            return [self.substitute(item) for item in value]
        if not isinstance(value, str):
            return value
        pieces, position = [], 0
        while (start := value.find("$(", position)) >= 0:
            end = _matching_paren(value, start + 2)
            pieces += [value[position:start], self._evaluate(value[start + 2 : end])]
            position = end + 1
        pieces.append(value[position:])
        return "".join(pieces)

    def text(self, value: Any) -> str:
        return str(self.substitute(value))

    def _evaluate(self, body: str) -> str:
        words = _split_arguments(body.strip())
        if not words:
            raise LaunchError("empty substitution $()")
        name, arguments = words[0], [self.text(word) for word in words[1:]]
        handler = _SUBSTITUTIONS.get(name)
        if handler is None:
            raise LaunchError(
                f"unknown substitution $({name} ...) (supported: {', '.join(_SUBSTITUTIONS)})"
            )
        try:
            return handler(self, arguments)
        except (TypeError, IndexError, ValueError):  # unpacking the wrong number of arguments
            raise LaunchError(f"wrong number of arguments in $({body})") from None


def _var(scope: Scope, args: list[str]) -> str:
    (name,) = args
    if name not in scope.configurations:
        raise LaunchError(f"launch configuration '{name}' is not set (declare it with arg or let)")
    return scope.configurations[name]


def _env(scope: Scope, args: list[str]) -> str:
    value = scope.getenv(args[0])
    if value is None:
        if len(args) < 2:
            raise LaunchError(f"environment variable '{args[0]}' is not set and has no default")
        return args[1]
    return value


def _optenv(scope: Scope, args: list[str]) -> str:
    value = scope.getenv(args[0])
    return value if value is not None else (args[1] if len(args) > 1 else "")


def _package_prefix(package: str) -> str:
    try:
        return get_package_prefix(package)
    except PackageNotFoundError:
        raise LaunchError(
            f"package '{package}' not found in the ament index (AMENT_PREFIX_PATH); "
            "is the workspace built and sourced?"
        ) from None


def _find_pkg_share(scope: Scope, args: list[str]) -> str:
    (package,) = args
    _package_prefix(package)
    return get_package_share_directory(package)


def _find_exec(scope: Scope, args: list[str]) -> str:
    (name,) = args
    found = shutil.which(name, path=scope.getenv("PATH"))
    if found is None:
        raise LaunchError(f"executable '{name}' not found on PATH")
    return found


def _eval(scope: Scope, args: list[str]) -> str:
    """launch's PythonExpression: $(eval 'EXPRESSION' [MODULES]), math names in scope."""
    if len(args) not in (1, 2):
        raise LaunchError("$(eval) takes the expression (quoted if it has spaces) and modules")
    names: dict[str, Any] = {}
    try:
        for module_name in args[1].split(",") if len(args) == 2 else ["math"]:
            module = importlib.import_module(module_name.strip())
            if module.__name__ == "math":
                names.update(vars(module))
            names[module.__name__] = module
        return str(eval(args[0], {}, names))
    except Exception as error:
        raise LaunchError(f"$(eval {args[0]}) failed: {error}") from error


def _boolean(function: Callable[[list[bool]], bool]) -> Callable[[Scope, list[str]], str]:
    def evaluate(scope: Scope, args: list[str]) -> str:
        return str(function([parse_bool(arg, "boolean substitution") for arg in args])).lower()

    return evaluate


_SUBSTITUTIONS: dict[str, Callable[[Scope, list[str]], str]] = {
    "var": _var,
    "env": _env,
    "optenv": _optenv,
    "find-pkg-share": _find_pkg_share,
    "find-pkg-prefix": lambda scope, args: _package_prefix(*args),
    "find-exec": _find_exec,
    "dirname": lambda scope, args: str(scope.file.parent),
    "filename": lambda scope, args: scope.file.name,
    "anon": lambda scope, args: f"{args[0]}_{secrets.token_hex(4)}",
    "eval": _eval,
    "not": _boolean(lambda values: not values[0]),
    "and": _boolean(all),
    "or": _boolean(any),
    "equals": lambda scope, args: str(args[0] == args[1]).lower(),
    "not-equals": lambda scope, args: str(args[0] != args[1]).lower(),
}


# --------------------------------------------------------------------------- entities -> processes


@dataclass
class NodeSpec:
    """One process to run, fully resolved."""

    label: str
    argv: list[str]
    environment: dict[str, str | None]
    output: str = "log"  # screen | log | both (launch's meaning: log still shows stderr)
    respawn: bool = False
    respawn_delay: float = 0.0
    respawn_max_retries: int = -1  # negative: no limit
    required: bool = False  # on_exit: shutdown
    sigterm_timeout: float = 5.0
    sigkill_timeout: float = 5.0


@dataclass
class LaunchArgument:
    name: str
    default: str | None
    description: str


def find_executable(package: str, executable: str) -> str:
    """<prefix>/lib/<package>/<executable> from the ament index, or a clear LaunchError."""
    directory = pathlib.Path(_package_prefix(package)) / "lib" / package
    path = directory / executable
    if path.is_file() and os.access(path, os.X_OK):
        return str(path)
    available = (
        sorted(p.name for p in directory.glob("*") if p.is_file()) if directory.is_dir() else []
    )
    raise LaunchError(
        f"executable '{executable}' not found in package '{package}' "
        f"(available: {', '.join(available) or 'none'})"
    )


_NAME_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def check_node_name(name: str) -> str:
    if not _NAME_TOKEN.fullmatch(name):
        raise LaunchError(f"invalid node name '{name}': use letters, digits and underscores")
    return name


def join_namespace(base: str, namespace: str | None) -> str:
    """launch_ros' prefix_namespace + make_namespace_absolute, with ROS name validation."""
    if namespace and namespace.startswith("/"):
        combined = namespace
    else:
        combined = "/".join(part.strip("/") for part in (base, namespace or "") if part.strip("/"))
    tokens = [token for token in combined.split("/") if token]
    if not all(_NAME_TOKEN.fullmatch(token) for token in tokens):
        raise LaunchError(
            f"invalid namespace '{combined}': tokens are letters, digits, underscores"
        )
    return "/" + "/".join(tokens)


def _parameter_value(value: Any) -> str:
    """A parameter value as `-p name:=value` text, parsed back by rcl as YAML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value == "":
        return "''"  # rcl cannot parse an empty `-p name:=`; YAML's empty string it can
    if isinstance(value, (list, tuple)):
        return yaml.safe_dump(list(value), default_flow_style=True, width=math.inf).strip()
    return str(value)


def _parameters(entities: list[Entity], scope: Scope, prefix: str = "") -> list[str]:
    arguments: list[str] = []
    for param in entities:
        param.check_attributes(("name", "value", "from"), nested=("param",))
        if "from" in param.attrs:
            if prefix or "name" in param.attrs:
                raise LaunchError(f"{param.where}: 'from' cannot be nested or used with 'name'")
            path = scope.text(param.attrs["from"])
            if not os.path.isfile(path):
                raise LaunchError(f"{param.where}: parameter file not found: {path}")
            arguments += ["--params-file", path]
            continue
        name = prefix + scope.text(param.require("name"))
        if "value" in param.attrs:
            value = scope.substitute(param.attrs["value"])
            arguments += ["-p", f"{name}:={_parameter_value(value)}"]
        elif "param" in param.nested:
            arguments += _parameters(param.nested["param"], scope, prefix=name + ".")
        else:
            raise LaunchError(f"{param.where}: '{name}' needs a value or nested params")
    return arguments


def _float_attribute(entity: Entity, scope: Scope, name: str, default: float) -> float:
    if name not in entity.attrs:
        return default
    try:
        value = float(scope.text(entity.attrs[name]))
    except ValueError:
        raise LaunchError(f"{entity.where}: {name} must be a number") from None
    if value < 0:
        raise LaunchError(f"{entity.where}: {name} must not be negative")
    return value


NODE_ATTRIBUTES = (
    "pkg",
    "exec",
    "name",
    "namespace",
    "output",
    "respawn",
    "respawn_delay",
    "respawn_max_retries",
    "on_exit",
    "args",
    "ros_args",
    "launch-prefix",
    "sigterm_timeout",
    "sigkill_timeout",
)


class LaunchDescription:
    """Interprets a launch file into the processes it starts (`nodes`)."""

    def __init__(self, path: pathlib.Path, arguments: dict[str, str]):
        self.nodes: list[NodeSpec] = []
        self._labels: dict[str, int] = {}
        path = path.resolve()
        scope = Scope(dict(arguments), {}, "", path)
        self._run_actions(read_launch_file(path).children, scope)

    def _run_actions(self, actions: list[Entity], scope: Scope) -> None:
        for action in actions:
            if not self._condition(action, scope):
                continue
            handler = self._HANDLERS.get(action.type_name.replace("-", "_"))
            if handler is None:
                raise LaunchError(
                    f"{action.where}: unsupported action '{action.type_name}' "
                    f"(supported: {', '.join(sorted(self._HANDLERS))})"
                )
            try:
                handler(self, action, scope)
            except LaunchError as error:
                message = str(error)
                raise LaunchError(
                    message if message.startswith(action.where) else f"{action.where}: {message}"
                ) from None

    @staticmethod
    def _condition(action: Entity, scope: Scope) -> bool:
        if "if" in action.attrs and not parse_bool(scope.text(action.attrs["if"]), "if"):
            return False
        if "unless" in action.attrs and parse_bool(scope.text(action.attrs["unless"]), "unless"):
            return False
        return True

    def _arg(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("name", "default", "description"), nested=("choice",))
        name = scope.text(action.require("name"))
        default = action.attrs.get("default")
        if name not in scope.configurations:
            if default is None:
                raise LaunchError(f"launch argument '{name}' is required: pass {name}:=VALUE")
            scope.configurations[name] = scope.text(default)
        choices = [scope.text(c.require("value")) for c in action.nested.get("choice", [])]
        if choices and scope.configurations[name] not in choices:
            raise LaunchError(
                f"argument '{name}' is '{scope.configurations[name]}', expected one of {choices}"
            )

    def _let(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("name", "value"))
        scope.configurations[scope.text(action.require("name"))] = scope.text(
            action.require("value")
        )

    def _set_env(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("name", "value"))
        scope.environment[scope.text(action.require("name"))] = scope.text(action.require("value"))

    def _unset_env(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("name",))
        scope.environment[scope.text(action.require("name"))] = None

    def _push_ros_namespace(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("namespace",))
        scope.ros_namespace = join_namespace(
            scope.ros_namespace, scope.text(action.require("namespace"))
        )

    def _group(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("scoped", "forwarding"), nested=("keep",))
        keeps = {
            scope.text(k.require("name")): scope.text(k.require("value"))
            for k in action.nested.get("keep", [])
        }
        scoped = parse_bool(scope.substitute(action.attrs.get("scoped", True)), "scoped")
        forwarding = parse_bool(
            scope.substitute(action.attrs.get("forwarding", True)), "forwarding"
        )
        inner = scope.child(forwarding) if scoped else scope
        inner.configurations.update(keeps)
        self._run_actions(action.children, inner)

    def _include(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(("file",), nested=("arg",))
        path = pathlib.Path(scope.text(action.require("file")))
        if not path.is_absolute():
            path = pathlib.Path.cwd() / path  # as launch does: relative to the working directory
        for argument in action.nested.get("arg", []):
            argument.check_attributes(("name", "value"))
            scope.configurations[scope.text(argument.require("name"))] = scope.text(
                argument.require("value")
            )
        included = Scope(
            scope.configurations, scope.environment, scope.ros_namespace, path.resolve()
        )
        self._run_actions(read_launch_file(path).children, included)
        scope.ros_namespace = included.ros_namespace

    def _node(self, action: Entity, scope: Scope) -> None:
        action.check_attributes(NODE_ATTRIBUTES, nested=("param", "remap", "env"))
        package, executable = scope.text(action.require("pkg")), scope.text(action.require("exec"))
        command = shlex.split(scope.text(action.attrs.get("launch-prefix", "")))
        command += [find_executable(package, executable)]
        command += shlex.split(scope.text(action.attrs.get("args", "")))
        ros_arguments: list[str] = []
        name = (
            check_node_name(scope.text(action.attrs["name"])) if "name" in action.attrs else None
        )
        if name:
            ros_arguments += ["-r", f"__node:={name}"]
        node_namespace = (
            scope.text(action.attrs["namespace"]) if "namespace" in action.attrs else None
        )
        if scope.ros_namespace or node_namespace:
            ros_arguments += ["-r", f"__ns:={join_namespace(scope.ros_namespace, node_namespace)}"]
        ros_arguments += _parameters(action.nested.get("param", []), scope)
        for remap in action.nested.get("remap", []):
            remap.check_attributes(("from", "to"))
            ros_arguments += [
                "-r",
                f"{scope.text(remap.require('from'))}:={scope.text(remap.require('to'))}",
            ]
        ros_arguments += shlex.split(scope.text(action.attrs.get("ros_args", "")))
        if ros_arguments:
            command += ["--ros-args", *ros_arguments]
        environment = dict(scope.environment)
        for variable in action.nested.get("env", []):
            variable.check_attributes(("name", "value"))
            environment[scope.text(variable.require("name"))] = scope.text(
                variable.require("value")
            )
        on_exit = scope.text(action.attrs["on_exit"]) if "on_exit" in action.attrs else None
        if on_exit not in (None, "shutdown"):
            raise LaunchError(f"on_exit must be 'shutdown', got '{on_exit}'")
        output = scope.text(action.attrs.get("output", "log"))
        if output not in ("screen", "log", "both"):
            raise LaunchError(f"output must be screen, log or both, got '{output}'")
        base_label = name or executable
        self._labels[base_label] = self._labels.get(base_label, 0) + 1
        try:
            retries = int(scope.text(action.attrs.get("respawn_max_retries", -1)))
        except ValueError:
            raise LaunchError("respawn_max_retries must be an integer") from None
        self.nodes.append(
            NodeSpec(
                label=f"{base_label}-{self._labels[base_label]}",
                argv=command,
                environment=environment,
                output=output,
                respawn=parse_bool(
                    scope.substitute(action.attrs.get("respawn", False)), "respawn"
                ),
                respawn_delay=_float_attribute(action, scope, "respawn_delay", 0.0),
                respawn_max_retries=retries,
                required=on_exit == "shutdown",
                sigterm_timeout=_float_attribute(action, scope, "sigterm_timeout", 5.0),
                sigkill_timeout=_float_attribute(action, scope, "sigkill_timeout", 5.0),
            )
        )

    _HANDLERS: dict[str, Callable[[LaunchDescription, Entity, Scope], None]] = {
        "arg": _arg,
        "let": _let,
        "set_env": _set_env,
        "unset_env": _unset_env,
        "push_ros_namespace": _push_ros_namespace,
        "group": _group,
        "include": _include,
        "node": _node,
    }


def declared_arguments(path: pathlib.Path) -> list[LaunchArgument]:
    """The launch arguments a file declares at its top level, as `ros2 launch --show-args`."""
    return [
        LaunchArgument(
            str(action.require("name")),
            None if action.attrs.get("default") is None else str(action.attrs["default"]),
            str(action.attrs.get("description", "")),
        )
        for action in read_launch_file(path).children
        if action.type_name == "arg"
    ]


def parse_launch_arguments(words: Iterable[str]) -> dict[str, str]:
    """`name:=value` words as a dict; anything else is a LaunchError."""
    arguments = {}
    for word in words:
        match = re.fullmatch(r"([A-Za-z_][\w\-.]*):=(.*)", word, flags=re.DOTALL)
        if match is None:
            raise LaunchError(f"launch arguments are name:=value, got '{word}'")
        arguments[match.group(1)] = match.group(2)
    return arguments
