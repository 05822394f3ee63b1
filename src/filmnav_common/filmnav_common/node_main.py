"""The one `main()` every FiLM-Nav node shares: start rclpy, build the node, spin until Ctrl-C
or SIGTERM, shut down cleanly (exit status 0), or fail at start-up with one FATAL line (exit 1)."""

from __future__ import annotations

import signal
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
    `rclpy_signal_handlers=False` leaves SIGINT to Python and makes SIGTERM raise the same
    KeyboardInterrupt, so a node can finish long-running callbacks, and `on_stop(node)` can still
    publish (a final status) and end them, before the executor and the context go."""
    options = SignalHandlerOptions.ALL if rclpy_signal_handlers else SignalHandlerOptions.NO
    rclpy.init(args=args, signal_handler_options=options)
    if not rclpy_signal_handlers:
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
    try:
        while rclpy.ok():
            executor.spin_once(timeout_sec=0.1)  # returns often enough to notice SIGINT
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        if on_stop is not None:
            on_stop(node)
        executor.shutdown()
        node.destroy_node()
        rclpy.try_shutdown()
    return 0
