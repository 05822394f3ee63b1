"""Start ROS node processes for multi-process tests and stop them the way a launcher would."""

from __future__ import annotations

import atexit
import os
import pathlib
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

REPO_ROOT = pathlib.Path(__file__).resolve().parents[1]
_RUNNING: set[NodeProcess] = set()  # started and not yet stopped: killed when the run exits


class NodeProcess:
    """A child process in its own process group, with its output captured to a log file."""

    def __init__(self, argv: Sequence[str], log_path: os.PathLike, env: dict | None = None):
        self.log_path = log_path
        self._log = open(log_path, "wb")
        self.popen = subprocess.Popen(
            list(argv),
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "PYTHONFAULTHANDLER": "1", **(env or {})},  # a crash's stacks
            start_new_session=True,
        )
        _RUNNING.add(self)

    def output(self) -> str:
        if not self._log.closed:  # still running; stop() closes it
            self._log.flush()
        with open(self.log_path, "rb") as handle:
            return handle.read().decode(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def exit_code(self, timeout: float) -> int:
        """The exit code once it ends by itself within `timeout` s. A process still running then
        is aborted (SIGABRT: faulthandler prints every thread's stack) and the AssertionError
        carries the end of its output, stacks included."""
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.send_signal(signal.SIGABRT)
            self.popen.wait(timeout=10.0)
            raise AssertionError(
                f"still running {timeout} s later:\n{self.output()[-6000:]}"
            ) from None

    def stop(self, timeout: float = 10.0) -> int:
        """SIGINT, then SIGTERM, then SIGKILL to the process group; returns the exit code. An
        unclean end is noted at the end of the output: the code and the signals it took."""
        sent: list[str] = []
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            if self.popen.poll() is not None:
                break
            try:
                os.killpg(self.popen.pid, sig)
            except ProcessLookupError:
                break
            sent.append(sig.name)
            try:
                self.popen.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                continue
        code = self.popen.wait()
        if not self._log.closed:
            if code != 0:
                self._log.write(
                    f"\n[exit status {code} after {', '.join(sent) or 'no signal'}]\n".encode()
                )
            self._log.close()
        _RUNNING.discard(self)
        return code


def python_module(module: str, *args: str) -> list[str]:
    """argv that runs a module with this interpreter (the venv's, so the ROS wheels load)."""
    return [sys.executable, "-m", module, *args]


def wait_until(predicate, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@atexit.register
def _kill_leftovers() -> None:
    """A run that ends abnormally (a failed fixture, a SIGTERM) leaves no node processes behind:
    they run in their own process groups, so nothing else would stop them."""
    for process in list(_RUNNING):
        try:
            os.killpg(process.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
