"""A node that must fail at start, heard as a robot's mission hears it: a diagnostics reader
listens while it starts, so its last word (filmnav_common.reporting) is received and the node
leaves as soon as every reader has it, instead of waiting out its bounded search for readers."""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

import rclpy
from diagnostic_msgs.msg import DiagnosticArray, DiagnosticStatus
from processes import NodeProcess
from rclpy.executors import SingleThreadedExecutor

from filmnav_common.reporting import EXITED_KEY


@dataclass
class Failure:
    code: int
    output: str
    last_words: list[str]  # the messages of the ERROR reports marked exited


def fails_at_start(
    argv: Sequence[str], log: os.PathLike, env: dict | None = None, timeout: float = 60.0
) -> Failure:
    """Runs the node until it exits (or `timeout`), with a diagnostics reader in its own context
    (tests may hold rclpy's default one); then stops it."""
    context = rclpy.Context()
    rclpy.init(context=context)
    node = rclpy.create_node("last_word_reader", context=context)
    last_words: list[str] = []

    def on_diagnostics(msg: DiagnosticArray) -> None:
        last_words.extend(
            status.message
            for status in msg.status
            if status.level == DiagnosticStatus.ERROR
            and any(value.key == EXITED_KEY for value in status.values)
        )

    node.create_subscription(DiagnosticArray, "/diagnostics", on_diagnostics, 50)
    executor = SingleThreadedExecutor(context=context)
    executor.add_node(node)
    process = NodeProcess(argv, log, env)
    try:
        deadline = time.monotonic() + timeout
        while process.alive() and time.monotonic() < deadline:
            executor.spin_once(timeout_sec=0.05)
        for _ in range(10):  # what is still in flight
            executor.spin_once(timeout_sec=0.01)
    finally:
        executor.shutdown()
        node.destroy_node()
        rclpy.shutdown(context=context)
    output = process.output()
    return Failure(process.stop(), output, last_words)
