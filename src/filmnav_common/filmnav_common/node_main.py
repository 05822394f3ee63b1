"""The one `main()` every FiLM-Nav node shares: start rclpy, build the node, spin until Ctrl-C
or SIGTERM, shut down cleanly (exit status 0), or fail at start-up with one FATAL line (exit 1)."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Sequence

import rclpy
from rclpy.executors import (
    ExternalShutdownException,
    MultiThreadedExecutor,
    SingleThreadedExecutor,
)
from rclpy.logging import get_logger
from rclpy.node import Node
from rclpy.signals import SignalHandlerOptions


def run_node(
    node_type: Callable[[], Node],
    args: Sequence[str] | None = None,
    *,
    threads: int = 1,
    startup_errors: tuple[type[Exception], ...] = (),
    rclpy_signal_handlers: bool = True,
    description: str = "",
    on_stop: Callable[[Node], None] | None = None,
) -> int:
    """Run a node. `startup_errors` raised by the constructor (bad parameters, a missing model)
    end the process with a FATAL log line ("cannot start <description>: ...") and status 1.
    `rclpy_signal_handlers=False` keeps the context alive after SIGINT or SIGTERM, so that
    `on_stop(node)` can still publish (a final status) and end long-running callbacks before the
    executor and the context go. Once the node is built, such a signal only sets a flag that the
    spin loop checks: an exception raised at an arbitrary point could leave a lock of the
    executor or its thread pool held, and the process would then hang on exit."""
    options = SignalHandlerOptions.ALL if rclpy_signal_handlers else SignalHandlerOptions.NO
    rclpy.init(args=args, signal_handler_options=options)
    if not rclpy_signal_handlers:  # until the node is built, SIGTERM interrupts as SIGINT does
        signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        node = node_type()
    except startup_errors as error:
        name = getattr(node_type, "__name__", "node")
        get_logger(name).fatal(f"cannot start {description or name}: {error}")
        rclpy.try_shutdown()
        return 1
    executor = (
        MultiThreadedExecutor(num_threads=threads) if threads > 1 else SingleThreadedExecutor()
    )
    executor.add_node(node)
    stop_requested = threading.Event()
    if not rclpy_signal_handlers:
        for stop_signal in (signal.SIGINT, signal.SIGTERM):
            signal.signal(stop_signal, lambda *_: stop_requested.set())
    try:
        while rclpy.ok() and not stop_requested.is_set():
            executor.spin_once(timeout_sec=0.1)  # returns often enough to notice a signal
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if on_stop is not None:
            on_stop(node)
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0
