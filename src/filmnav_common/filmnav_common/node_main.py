"""The one `main()` every FiLM-Nav node shares: start rclpy, build the node, spin until Ctrl-C
or SIGTERM, shut down cleanly (exit status 0), or fail at start-up with one FATAL line (exit 1)."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Sequence

import rclpy
from rclpy.executors import (
    Executor,
    ExternalShutdownException,
    MultiThreadedExecutor,
    SingleThreadedExecutor,
)
from rclpy.logging import get_logger
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions

CALLBACK_GRACE = 1.0  # seconds a stopping node gives its running callbacks to end


def run_node(
    node_type: Callable[[], Node],
    args: Sequence[str] | None = None,
    *,
    threads: int = 1,
    startup_errors: tuple[type[Exception], ...] = (),
    description: str = "",
    on_stop: Callable[[Node], None] | None = None,
) -> int:
    """Run a node. `startup_errors` raised by the constructor (bad parameters, a missing model)
    end the process with a FATAL log line ("cannot start <description>: ...") and status 1.

    SIGINT and SIGTERM only set a flag that the spin loop checks (rclpy's own handlers are not
    installed): the context stays alive until the node is destroyed, so `on_stop(node)` can
    still publish (a final status) and end long-running callbacks, and the node's publishers are
    destroyed before the context they belong to (destroying them after rclpy's handler had shut
    the context down crashed a node with SIGSEGV now and then). No exception is raised at an
    arbitrary point either, which could leave a lock of the executor or its thread pool held
    and hang the process on exit. While the node is being built, a signal interrupts the
    constructor (a model may take long to load) and the process exits with status 0."""
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # as SIGINT, until built
    name = getattr(node_type, "__name__", "node")
    try:
        node = node_type()
    except startup_errors as error:
        get_logger(name).fatal(f"cannot start {description or name}: {error}")
        rclpy.try_shutdown()
        return 1
    except KeyboardInterrupt:
        get_logger(name).info("stopped while starting")
        rclpy.try_shutdown()
        return 0
    stop_requested = threading.Event()
    for stop_signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(stop_signal, lambda *_: stop_requested.set())
    executor = (
        MultiThreadedExecutor(num_threads=threads) if threads > 1 else SingleThreadedExecutor()
    )
    executor.add_node(node)
    try:
        while rclpy.ok() and not stop_requested.is_set():
            executor.spin_once(timeout_sec=0.1)  # returns often enough to notice a signal
    except (KeyboardInterrupt, ExternalShutdownException):  # a signal before the flag was set up
        pass
    finally:
        if on_stop is not None:
            on_stop(node)
        executor.shutdown()
        _settle(executor, CALLBACK_GRACE)
        node.destroy_node()
        _settle(executor, CALLBACK_GRACE)  # those that destroy_node ended (a navigation goal)
        rclpy.try_shutdown()
    return 0


def _settle(executor: Executor, timeout: float) -> None:
    """Let the callbacks a multi-threaded executor still runs end (for at most `timeout`
    seconds) and take their outcome. rclpy's Executor.shutdown() does not wait for them in this
    release, and a callback that then meets the destroyed node raises in its task, which prints
    "The following exception was never retrieved" when it is collected: noise on every Ctrl-C."""
    tasks = list(getattr(executor, "_futures", ()))  # the MultiThreadedExecutor's running tasks
    deadline = time.monotonic() + timeout
    while any(not task.done() for task in tasks) and time.monotonic() < deadline:
        time.sleep(0.01)
    for task in tasks:
        if task.done():
            task.exception()  # taken: the node is going, what it raised no longer matters
