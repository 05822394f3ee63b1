"""ROS 2 node serving `filmnav/select_frontier` with a policy chosen by parameter.

The policy is built and warmed up once at start (an unknown name or a bad checkpoint ends the node
with a clear message); changing its parameters at runtime rebuilds it, and a rebuild that fails
is rejected while the old policy keeps serving. Malformed requests get success=false and a
message; the node keeps running. A simulator reference policy (oracle, room_prior: offered by
filmnav_learning) is built from the simulator's episode on `sim/instances`, and rebuilt when the
simulator loads another one; until then requests are answered with success=false.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from filmnav_interfaces.srv import SelectFrontier
from rcl_interfaces.msg import SetParametersResult
from rclpy.node import Node
from rclpy.parameter import Parameter
from std_msgs.msg import String

from filmnav_common.node_main import run_node
from filmnav_common.parameters import declare_parameters
from filmnav_common.policy_messages import (
    PLACEHOLDER_SIDE,
    PolicyInputs,
    RequestError,
    inputs_of,
)
from filmnav_common.protocol import FrontierCandidate, FrontierPolicy, GoalSpec
from filmnav_common.qos import LATCHED_QOS
from filmnav_common.reporting import StatusReporter
from filmnav_policy.registry import (
    PolicyLoadError,
    make_policy,
    policy_names,
    requires_episode,
)

WARMUP_FRONTIERS = 2
STARTUP_FAILURE = "cannot start the policy node"  # its last report on diagnostics
EPISODE_KEYS = ("split", "seed", "episode", "task", "houses")  # of the bridge's sim/instances
SEARCHED_KEY = "searched_instance_ids"  # the instances the goal that was sent is scored against

# parameter name -> (default, description); all are passed to make_policy as keyword arguments.
POLICY_PARAMETERS: dict[str, tuple[Any, str]] = {
    "policy": ("nearest", "frontier policy: nearest | random | compact | qwen_vl | a plugin's"),
    "checkpoint": ("", "checkpoint directory or file of a learned policy (empty: its default)"),
    "device": ("cpu", "torch device of a learned policy (cpu, cuda, cuda:0, ...)"),
    "seed": (0, "random seed (random policy)"),
}


def score_inputs(policy: FrontierPolicy, inputs: PolicyInputs) -> np.ndarray:
    scores = np.asarray(
        policy.score(
            inputs.goal,
            inputs.history_images,
            inputs.frontier_images,
            inputs.frontiers,
            inputs.robot_pose,
        ),
        dtype=np.float64,
    ).reshape(-1)
    if scores.shape != (len(inputs.frontiers),) or not np.all(np.isfinite(scores)):
        raise RuntimeError(
            f"policy returned {scores.shape[0]} scores "
            f"(non-finite: {np.count_nonzero(~np.isfinite(scores))}) "
            f"for {len(inputs.frontiers)} frontiers"
        )
    return scores


def warmup_inputs() -> PolicyInputs:
    """A small synthetic decision that exercises the policy's whole scoring path once."""
    image = np.zeros((PLACEHOLDER_SIDE, PLACEHOLDER_SIDE, 3), np.uint8)
    frontiers = [
        FrontierCandidate(
            id=i,
            centroid=(1.0 + i, 0.0),
            waypoint=(1.0 + i, 0.0, 0.0),
            size=1.0,
            path_distance=1.0 + i,
        )
        for i in range(WARMUP_FRONTIERS)
    ]
    return PolicyInputs(
        GoalSpec("object", "chair"),
        [image],
        [image] * WARMUP_FRONTIERS,
        frontiers,
        (0.0, 0.0, 0.0),
    )


class PolicyNode(Node):
    def __init__(self) -> None:
        super().__init__("policy_node")
        self._param = declare_parameters(self, POLICY_PARAMETERS)
        self._status = StatusReporter(self)
        self._episode: dict[str, Any] | None = None  # the simulator's, for reference policies
        self._episode_subscription = None
        with self._status.last_word(STARTUP_FAILURE, PolicyLoadError):
            self._policy = self._build(self._parameter_values())
        self.add_on_set_parameters_callback(self._on_set_parameters)
        self._service = self.create_service(
            SelectFrontier, "filmnav/select_frontier", self._select
        )
        self._report_serving()

    def _parameter_values(self) -> dict[str, Any]:
        return {name: self._param(name) for name in POLICY_PARAMETERS}

    def _build(self, params: dict[str, Any]) -> FrontierPolicy | None:
        """Load and warm up a policy (raises PolicyLoadError); None for a simulator reference
        policy while the simulator's episode is not known yet."""
        name = params["policy"]
        if name not in policy_names():
            raise PolicyLoadError(
                f"unknown policy '{name}'; choose one of: {', '.join(policy_names())}"
            )
        if requires_episode(name):
            self._follow_sim_episode()
            if self._episode is None:
                return None
        start = time.perf_counter()
        policy = make_policy(
            name, episode=self._episode, **{k: v for k, v in params.items() if k != "policy"}
        )
        loaded = time.perf_counter()
        try:
            score_inputs(policy, warmup_inputs())
        except Exception as error:
            raise PolicyLoadError(
                f"policy '{name}' failed its warm-up decision: {error}"
            ) from error
        self.get_logger().info(
            f"policy '{policy.name}' loaded in {loaded - start:.2f} s, "
            f"warm-up decision {time.perf_counter() - loaded:.3f} s"
        )
        return policy

    def _report_serving(self) -> None:
        if self._policy is None:
            self._status.warn(
                f"policy '{self._param('policy')}' waits for the simulator's episode "
                "on sim/instances"
            )
        else:
            self._status.ok(f"serving policy '{self._policy.name}'")

    def _on_set_parameters(self, parameters: Sequence[Parameter]) -> SetParametersResult:
        changed = {p.name: p.value for p in parameters if p.name in POLICY_PARAMETERS}
        if not changed:
            return SetParametersResult(successful=True)
        try:
            self._policy = self._build({**self._parameter_values(), **changed})
        except PolicyLoadError as error:
            kept = self._policy.name if self._policy is not None else self._param("policy")
            self._status.warn(f"kept policy '{kept}': {error}")
            return SetParametersResult(successful=False, reason=str(error))
        self._report_serving()
        return SetParametersResult(successful=True)

    def _follow_sim_episode(self) -> None:
        if self._episode_subscription is None:
            self._episode_subscription = self.create_subscription(
                String, "sim/instances", self._on_sim_episode, LATCHED_QOS
            )

    def _on_sim_episode(self, msg: String) -> None:
        """A reference policy follows the simulator: a new episode there rebuilds it."""
        try:
            table = json.loads(msg.data)
            episode = {key: table[key] for key in EPISODE_KEYS}
            episode[SEARCHED_KEY] = list(table.get(SEARCHED_KEY) or ())
        except (json.JSONDecodeError, KeyError, TypeError) as error:
            self._status.warn(f"sim/instances without a usable episode: {error}")
            return
        if episode == self._episode or not requires_episode(self._param("policy")):
            self._episode = episode
            return
        self._episode = episode
        self.get_logger().info(f"simulator episode {episode}: building '{self._param('policy')}'")
        try:
            self._policy = self._build(self._parameter_values())
        except PolicyLoadError as error:
            self._policy = None
            self._status.error(str(error))
            return
        self._report_serving()

    def _select(
        self, request: SelectFrontier.Request, response: SelectFrontier.Response
    ) -> SelectFrontier.Response:
        policy = self._policy
        response.index = -1
        if policy is None:
            response.policy = self._param("policy")
            response.success = False
            response.message = "waiting for the simulator's episode on sim/instances"
            return response
        response.policy = policy.name
        start = time.perf_counter()
        try:
            inputs = inputs_of(request)
        except RequestError as error:
            response.success, response.message = False, f"rejected request: {error}"
            self._status.warn(response.message)
            return response
        try:
            scores = score_inputs(policy, inputs)
        except Exception as error:  # a policy bug must not take the service down
            response.success, response.message = (
                False,
                f"policy '{policy.name}' failed: {type(error).__name__}: {error}",
            )
            self._status.error(response.message)
            return response
        response.latency = time.perf_counter() - start
        response.index = int(np.argmax(scores))
        response.scores = scores.astype(np.float32).tolist()
        response.success = True
        chosen = inputs.frontiers[response.index]
        response.message = (
            f"frontier {chosen.id} (index {response.index} of {len(inputs.frontiers)})"
        )
        self.get_logger().info(
            f"{policy.name}: {response.message} in {response.latency * 1000:.1f} ms"
        )
        self._status.ok(
            f"serving policy '{policy.name}'", last_latency_s=f"{response.latency:.4f}"
        )
        return response


def main(args: Sequence[str] | None = None) -> int:
    return run_node(
        PolicyNode, args, startup_errors=(PolicyLoadError,), description="the policy node"
    )


if __name__ == "__main__":
    sys.exit(main())
