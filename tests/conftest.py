"""Test-wide ROS settings: a private DDS domain per test run, localhost-only discovery, and the
large-image Fast DDS profile, so parallel runs on one machine never see each other."""

from __future__ import annotations

import os
import random
import signal

from processes import REPO_ROOT

# Random, not pid-based: concurrent runs on one machine rarely meet (0-101 is the range whose
# ports never overlap the kernel's ephemeral ports). Under `pytest -n N` every worker inherits the
# controller's domain and moves to its own one above it, so workers never see each other's nodes.
_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")  # "gw0", "gw1", ... under pytest-xdist
os.environ.setdefault("ROS_DOMAIN_ID", str(random.SystemRandom().randint(1, 101 - 16)))
if _WORKER:
    os.environ["ROS_DOMAIN_ID"] = str(int(os.environ["ROS_DOMAIN_ID"]) + 1 + int(_WORKER[2:]))
os.environ["ROS_AUTOMATIC_DISCOVERY_RANGE"] = "LOCALHOST"
os.environ.setdefault(
    "FASTRTPS_DEFAULT_PROFILES_FILE",
    str(REPO_ROOT / "src/filmnav_common/config/fastdds_large_images.xml"),
)
os.environ.setdefault("MUJOCO_GL", "egl")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
# Node processes started by tests share two cores: keep each to one thread.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("LP_NUM_THREADS", "1")
# A run started in the background by a non-interactive shell (nohup, some CI runners) inherits
# SIGINT ignored, and so would every node process it starts: the tests that stop nodes with SIGINT,
# as a launcher does, would then see them killed. A handled SIGINT is reset to the default in
# children at exec, so they react to it again.
signal.signal(signal.SIGINT, signal.default_int_handler)
# A SIGTERM (a CI timeout, `timeout pytest ...`) interrupts like Ctrl-C, so fixtures tear down and
# the node processes they started are stopped (processes.py kills any that are left at exit).
signal.signal(signal.SIGTERM, signal.default_int_handler)
