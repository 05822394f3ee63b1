"""`filmnav launch FILE [name:=value ...]`: run a ROS 2 YAML/XML launch file without `ros2 launch`.

The pip environment has no launch/launch_ros, so this runner starts the processes that
`launch_files.LaunchDescription` resolves, the way `ros2 launch` would: each node in its own
process group with its output prefixed by `[label]` and kept in a log directory; respawn with
delay and retry limit; `on_exit: shutdown` marks a required node whose exit ends the launch.

Shutdown (Ctrl-C / SIGTERM, or a required node exiting): SIGINT to every process group, SIGTERM
after the node's sigterm_timeout, SIGKILL after its sigkill_timeout; a second Ctrl-C skips ahead.
Exit status: 0 after a requested shutdown or when every node finished cleanly; the required
node's exit status (128 + signal when killed) when it ends the launch; 1 when a node failed and
was not respawned; 2 for a file that cannot be run (nothing is started then).
"""

from __future__ import annotations

import argparse
import datetime
import os
import pathlib
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from typing import IO

from ament_index_python.packages import PackageNotFoundError, get_package_share_directory

from filmnav_common.launch_files import (
    LaunchDescription,
    LaunchError,
    NodeSpec,
    declared_arguments,
    parse_launch_arguments,
)

PROFILE_VARIABLE = "FASTRTPS_DEFAULT_PROFILES_FILE"
POLL_SECONDS = 0.05


def installed_dds_profile() -> str | None:
    """The large-image Fast DDS profile installed with filmnav_common, if the index has it."""
    try:
        share = pathlib.Path(get_package_share_directory("filmnav_common"))
    except PackageNotFoundError:
        return None
    profile = share / "config" / "fastdds_large_images.xml"
    return str(profile) if profile.is_file() else None


class Console:
    """Line-oriented, thread-safe output in the `[LEVEL] [who]: message` style of ros2 launch."""

    def __init__(self, stream: IO[bytes]):
        self._stream = stream
        self._lock = threading.Lock()

    def write(self, data: bytes) -> None:
        with self._lock:
            self._stream.write(data)
            self._stream.flush()

    def log(self, level: str, who: str, message: str) -> None:
        self.write(f"[{level}] [{who}]: {message}\n".encode())


class ManagedProcess:
    """One node of the launch: its current process, its output pumps, respawn bookkeeping."""

    def __init__(
        self, spec: NodeSpec, environment: dict[str, str], log_dir: pathlib.Path, console: Console
    ):
        self.spec = spec
        self._environment = environment
        self._console = console
        self._log = open(log_dir / f"{spec.label}.log", "ab")
        self.popen: subprocess.Popen | None = None
        self.respawns = 0
        self.respawn_at: float | None = None
        self.exit_code: int | None = None
        self._pumps: list[threading.Thread] = []

    def start(self) -> bool:
        """Start (or restart) the process; False, with an error line, if it cannot start."""
        try:
            self.popen = subprocess.Popen(
                self.spec.argv,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=self._environment,
                start_new_session=True,  # own process group: signals reach its children too
            )
        except OSError as error:
            self._console.log(
                "ERROR", self.spec.label, f"cannot start {self.spec.argv[0]}: {error}"
            )
            return False
        self.exit_code, self.respawn_at = None, None
        self._pumps = [
            threading.Thread(target=self._pump, args=(stream, to_screen), daemon=True)
            for stream, to_screen in (
                (self.popen.stdout, self.spec.output in ("screen", "both")),
                (self.popen.stderr, True),  # launch shows stderr even with output=log
            )
        ]
        for pump in self._pumps:
            pump.start()
        self._console.log("INFO", self.spec.label, f"process started with pid [{self.popen.pid}]")
        return True

    def _pump(self, stream: IO[bytes], to_screen: bool) -> None:
        prefix = f"[{self.spec.label}] ".encode()
        for line in iter(stream.readline, b""):
            self._log.write(line)
            if to_screen:
                self._console.write(
                    prefix + line if line.endswith(b"\n") else prefix + line + b"\n"
                )
        stream.close()

    def running(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def reap(self) -> int | None:
        """The exit status if the process ended since the last call, else None."""
        if self.popen is None or self.exit_code is not None or self.popen.poll() is None:
            return None
        for pump in self._pumps:
            pump.join(timeout=1.0)
        self._log.flush()
        self.exit_code = self.popen.returncode
        pid = self.popen.pid
        if self.exit_code == 0:
            self._console.log("INFO", self.spec.label, f"process has finished cleanly [pid {pid}]")
        else:
            self._console.log(
                "ERROR",
                self.spec.label,
                f"process has died [pid {pid}, exit code {self.exit_code}, "
                f"cmd '{shlex.join(self.spec.argv)}']",
            )
        return self.exit_code

    def may_respawn(self) -> bool:
        limit = self.spec.respawn_max_retries
        return self.spec.respawn and (limit < 0 or self.respawns < limit)

    def signal_group(self, sig: signal.Signals) -> None:
        if self.running():
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                pass

    def close(self) -> None:
        self._log.close()


def exit_status(code: int) -> int:
    """A process return code as a shell exit status (128 + signal for a killed process)."""
    return 128 - code if code < 0 else code


class Supervisor:
    """Runs the processes of a launch description until shutdown."""

    def __init__(
        self,
        specs: list[NodeSpec],
        environment: dict[str, str],
        log_dir: pathlib.Path,
        console: Console,
    ):
        self._console = console
        self._processes = [
            ManagedProcess(spec, self._process_environment(environment, spec), log_dir, console)
            for spec in specs
        ]
        self._shutdown_reason: str | None = None
        self._interrupts = 0
        self._exit_status = 0

    @staticmethod
    def _process_environment(environment: dict[str, str], spec: NodeSpec) -> dict[str, str]:
        merged = dict(environment)
        for name, value in spec.environment.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        return merged

    def request_shutdown(self, signum: int, frame: object = None) -> None:
        self._interrupts += 1
        if self._shutdown_reason is None:
            self._shutdown_reason = f"signal {signal.Signals(signum).name}"

    def run(self) -> int:
        for process in self._processes:
            if not process.start():
                self._shutdown_reason, self._exit_status = "a node could not start", 1
                break
        while self._shutdown_reason is None:
            self._handle_exits()
            if all(p.exit_code is not None and p.respawn_at is None for p in self._processes):
                self._console.log("INFO", "launch", "all processes have finished")
                break
            time.sleep(POLL_SECONDS)
        if self._shutdown_reason is not None:
            self._console.log("INFO", "launch", f"shutting down ({self._shutdown_reason})")
            self._stop_all()
        for process in self._processes:
            process.reap()
            process.close()
        return self._exit_status

    def _handle_exits(self) -> None:
        now = time.monotonic()
        for process in self._processes:
            if process.respawn_at is not None and now >= process.respawn_at:
                process.respawns += 1
                if not process.start():
                    self._shutdown_reason, self._exit_status = (
                        f"{process.spec.label} could not restart",
                        1,
                    )
                    return
                continue
            code = process.reap()
            if code is None:
                continue
            if process.spec.required:
                self._shutdown_reason = f"required node {process.spec.label} exited"
                self._exit_status = exit_status(code)
                return
            if process.may_respawn():
                process.respawn_at = now + process.spec.respawn_delay
                self._console.log(
                    "INFO", process.spec.label, f"respawning in {process.spec.respawn_delay:g} s"
                )
            elif code != 0:
                self._exit_status = 1

    def _stop_all(self) -> None:
        """SIGINT, then SIGTERM, then SIGKILL to each process group, with its timeouts."""
        for process in self._processes:
            process.respawn_at = None
        stages = (
            (signal.SIGINT, lambda spec: spec.sigterm_timeout),
            (signal.SIGTERM, lambda spec: spec.sigkill_timeout),
            (signal.SIGKILL, lambda spec: 5.0),
        )
        for stage, (sig, timeout_of) in enumerate(stages):
            running = [p for p in self._processes if p.running()]
            if not running:
                return
            if stage:
                self._console.log(
                    "WARNING",
                    "launch",
                    f"sending {sig.name} to {', '.join(p.spec.label for p in running)}",
                )
            interrupts = self._interrupts
            for process in running:
                process.signal_group(sig)
            deadline = time.monotonic() + max(timeout_of(p.spec) for p in running)
            while time.monotonic() < deadline and any(p.running() for p in running):
                if self._interrupts > interrupts:
                    break  # another Ctrl-C: escalate now
                time.sleep(POLL_SECONDS)


def _resolve_launch_file(words: list[str]) -> tuple[pathlib.Path, list[str]]:
    """FILE args... or PACKAGE FILE_NAME args... (the file found in the package's share)."""
    first = pathlib.Path(words[0])
    if first.is_file() or len(words) < 2 or ":=" in words[1]:
        return first, words[1:]
    try:
        share = pathlib.Path(get_package_share_directory(words[0]))
    except PackageNotFoundError:
        raise LaunchError(
            f"launch file '{words[0]}' not found (nor a package of that name)"
        ) from None
    matches = sorted(share.rglob(words[1]))
    if not matches:
        raise LaunchError(f"no file named '{words[1]}' in the share directory of '{words[0]}'")
    return matches[0], words[2:]


def _log_directory() -> pathlib.Path:
    root = os.environ.get("ROS_LOG_DIR") or os.path.join(
        os.environ.get("ROS_HOME", os.path.expanduser("~/.ros")), "log"
    )
    stamp = datetime.datetime.now().strftime("%Y-%m-%d-%H-%M-%S-%f")
    directory = pathlib.Path(root) / f"filmnav_launch-{stamp}-{os.getpid()}"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _argument_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="filmnav launch",
        usage="filmnav launch [-h] [-s] [-p] {FILE | PACKAGE FILE_NAME} [name:=value ...]",
        description="Run a ROS 2 launch file in the YAML or XML format (the subset of launch and "
        "launch_ros documented in filmnav_common.launch_files) without ros2 launch.",
    )
    parser.add_argument(
        "launch",
        nargs="+",
        metavar="ARGUMENT",
        help="a launch file (or a package and a file name in its share directory), then "
        "launch arguments as name:=value",
    )
    parser.add_argument(
        "-s", "--show-args", action="store_true", help="list the file's launch arguments and exit"
    )
    parser.add_argument(
        "-p",
        "--print",
        action="store_true",
        dest="print_only",
        help="print the resolved commands and exit without starting them",
    )
    return parser


def main(argv: Sequence[str]) -> int:
    options = _argument_parser().parse_args(list(argv))
    console = Console(sys.stdout.buffer)
    try:
        path, words = _resolve_launch_file(options.launch)
        if options.show_args:
            for argument in declared_arguments(path):
                default = (
                    "required" if argument.default is None else f"default: '{argument.default}'"
                )
                print(
                    f"    '{argument.name}':\n        {argument.description or 'no description'}"
                    f"\n        ({default})"
                )
            return 0
        description = LaunchDescription(path, parse_launch_arguments(words))
    except LaunchError as error:
        print(f"filmnav launch: error: {error}", file=sys.stderr)
        return 2
    if options.print_only:
        for spec in description.nodes:
            print(f"{spec.label}: {shlex.join(spec.argv)}")
        return 0
    if not description.nodes:
        print("filmnav launch: the launch file starts no nodes", file=sys.stderr)
        return 0
    environment = dict(os.environ)
    profile = installed_dds_profile()
    if PROFILE_VARIABLE not in environment and profile is not None:
        environment[PROFILE_VARIABLE] = profile
    environment.setdefault("PYTHONUNBUFFERED", "1")  # node output reaches the console promptly
    log_dir = _log_directory()
    console.log("INFO", "launch", f"All log files can be found below {log_dir}")
    supervisor = Supervisor(description.nodes, environment, log_dir, console)
    previous = {
        sig: signal.signal(sig, supervisor.request_shutdown)
        for sig in (signal.SIGINT, signal.SIGTERM)
    }
    try:
        return supervisor.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
