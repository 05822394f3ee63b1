"""One thread that owns the simulator: every call into it runs there.

MuJoCo's EGL context can only be current on one thread at a time, and the environment is not
thread-safe, while the ROS node serves callbacks from a multi-threaded executor.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

Env = TypeVar("Env")
Result = TypeVar("Result")


class SimThread(Generic[Env]):
    """Builds the environment on a private thread and runs calls on it one at a time."""

    def __init__(self, factory: Callable[[], Env]):
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim")
        try:
            self._env = self._pool.submit(factory).result()
        except BaseException:
            self._pool.shutdown(wait=False)
            raise

    def call(self, function: Callable[..., Result], *args, **kwargs) -> Result:
        """Run `function(env, *args, **kwargs)` on the simulator thread and return its result."""
        return self._pool.submit(function, self._env, *args, **kwargs).result()

    def close(self) -> None:
        close = getattr(self._env, "close", None)
        if close is not None:
            self._pool.submit(close).result()
        self._pool.shutdown(wait=True)
