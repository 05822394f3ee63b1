"""The policy node in its own process, answering a client over DDS."""

from __future__ import annotations

import numpy as np
import pytest
import rclpy
from filmnav_interfaces.msg import Frontier, Goal
from filmnav_interfaces.srv import SelectFrontier
from last_word import fails_at_start
from processes import NodeProcess, python_module, wait_until
from rcl_interfaces.msg import Parameter, ParameterType, ParameterValue
from rcl_interfaces.srv import SetParameters

from filmnav_common.image_codec import numpy_to_image

NODE = "filmnav_policy.policy_node"
TIMEOUT = 20.0


@pytest.fixture(scope="module")
def ros_client_node():
    rclpy.init()
    node = rclpy.create_node("policy_node_test_client")
    yield node
    node.destroy_node()
    rclpy.shutdown()


@pytest.fixture(scope="module")
def policy_process(tmp_path_factory):
    log = tmp_path_factory.mktemp("policy_node") / "policy_node.log"
    process = NodeProcess(python_module(NODE, "--ros-args", "-p", "policy:=nearest"), log)
    yield process
    assert process.stop() == 0, process.output()


def call(node, client, request) -> SelectFrontier.Response:
    future = client.call_async(request)
    rclpy.spin_until_future_complete(node, future, timeout_sec=TIMEOUT)
    assert future.done(), "no answer from the policy node"
    return future.result()


@pytest.fixture(scope="module")
def select_client(ros_client_node, policy_process):
    client = ros_client_node.create_client(SelectFrontier, "filmnav/select_frontier")
    assert client.wait_for_service(timeout_sec=TIMEOUT), policy_process.output()
    return client


def rgb(value: int, side: int = 32):
    return numpy_to_image(np.full((side, side, 3), value, np.uint8), "rgb8")


def frontier_msg(fid: int, x: float, y: float, path: float) -> Frontier:
    msg = Frontier(id=fid, size=1.0, path_distance=path, keyframe_id=-1)
    msg.centroid.x, msg.centroid.y = x, y
    msg.waypoint.position.x, msg.waypoint.position.y = x, y
    msg.waypoint.orientation.w = 1.0
    return msg


def valid_request() -> SelectFrontier.Request:
    request = SelectFrontier.Request()
    request.goal = Goal(id="g1", task="object", text="chair")
    request.history = [rgb(10), rgb(20)]
    request.frontiers = [
        frontier_msg(4, 5.0, 0.0, 6.0),
        frontier_msg(9, 0.0, 2.0, 2.5),
        frontier_msg(11, -1.0, 0.0, -1.0),
    ]
    request.frontier_images = [rgb(30), rgb(40), rgb(50)]
    request.robot_pose.orientation.w = 1.0
    return request


def test_valid_request_gets_nearest_frontier(ros_client_node, select_client):
    response = call(ros_client_node, select_client, valid_request())
    assert response.success, response.message
    # Frontier 11 has no known path (-1): its straight-line distance 1.0 m makes it the nearest.
    assert response.index == 2
    assert response.policy == "nearest"
    np.testing.assert_allclose(response.scores, [-6.0, -2.5, -1.0], rtol=1e-6)
    assert 0.0 < response.latency < 1.0


@pytest.mark.parametrize(
    "breakage, reason",
    [
        (
            lambda r: setattr(r, "frontier_images", r.frontier_images[:2]),
            "2 frontier images for 3 frontiers",
        ),
        (lambda r: setattr(r, "frontiers", []), "no frontiers"),
        (
            lambda r: r.frontier_images.__setitem__(
                1, numpy_to_image(np.ones((4, 4), np.float32), "32FC1")
            ),
            "frontier image 1: unsupported encoding '32FC1'",
        ),
        (lambda r: setattr(r.goal, "task", "teleport"), "unknown task 'teleport'"),
        (
            lambda r: setattr(r.history[0], "data", r.history[0].data[:10]),
            "history image 0: truncated",
        ),
    ],
    ids=["image-count", "no-frontiers", "bad-encoding", "bad-task", "truncated-image"],
)
def test_malformed_requests_are_rejected_and_node_keeps_serving(
    ros_client_node, select_client, policy_process, breakage, reason
):
    request = valid_request()
    breakage(request)
    response = call(ros_client_node, select_client, request)
    assert not response.success
    assert response.index == -1
    assert reason in response.message
    assert policy_process.alive()
    assert call(ros_client_node, select_client, valid_request()).success


def test_switching_policy_by_parameter_and_rejecting_unknown_one(ros_client_node, select_client):
    client = ros_client_node.create_client(SetParameters, "policy_node/set_parameters")
    assert client.wait_for_service(timeout_sec=TIMEOUT)

    def set_policy(name: str):
        value = ParameterValue(type=ParameterType.PARAMETER_STRING, string_value=name)
        future = client.call_async(
            SetParameters.Request(parameters=[Parameter(name="policy", value=value)])
        )
        rclpy.spin_until_future_complete(ros_client_node, future, timeout_sec=TIMEOUT)
        return future.result().results[0]

    rejected = set_policy("teleport")
    assert not rejected.successful and "unknown policy 'teleport'" in rejected.reason
    assert call(ros_client_node, select_client, valid_request()).policy == "nearest"
    assert set_policy("random").successful
    try:
        response = call(ros_client_node, select_client, valid_request())
        assert response.success and response.policy == "random"
        assert len(response.scores) == 3
    finally:
        assert set_policy("nearest").successful


def exits_with(argv: list[str], log, reason: str, timeout: float = 60.0) -> str:
    """Output of a node process that must exit with status 1 on its own, giving `reason` in its
    output and in its last word on diagnostics."""
    failure = fails_at_start(python_module(NODE, "--ros-args", *argv), log, timeout=timeout)
    assert failure.code == 1 and reason in failure.output, failure.output
    assert any(reason in word for word in failure.last_words), failure.last_words
    return failure.output


def test_unknown_policy_exits_with_clear_error(tmp_path):
    reason = "unknown policy 'teleport'; choose one of: nearest, random, qwen_vl, compact"
    output = exits_with(["-p", "policy:=teleport"], tmp_path / "bad.log", reason, TIMEOUT)
    assert "oracle" in output  # a plugin's, from filmnav_learning


def test_missing_or_corrupt_checkpoint_exits_with_clear_error(tmp_path):
    missing = tmp_path / "missing"
    exits_with(
        ["-p", "policy:=compact", "-p", f"checkpoint:={missing}"],
        tmp_path / "missing.log",
        "cannot load policy 'compact': FileNotFoundError: compact checkpoint not found: "
        f"{missing}",
    )
    corrupt = tmp_path / "corrupt"
    corrupt.mkdir()
    (corrupt / "config.json").write_text("{not json")
    (corrupt / "model.safetensors").write_bytes(b"garbage")
    exits_with(
        ["-p", "policy:=compact", "-p", f"checkpoint:={corrupt}"],
        tmp_path / "corrupt.log",
        "cannot load policy 'compact': ValueError: corrupt compact checkpoint",
    )


def test_learned_policy_checkpoint_is_served(ros_client_node, tmp_path):
    from filmnav_policy.models.compact import CompactConfig, CompactPolicy

    checkpoint = CompactPolicy.create(
        CompactConfig(image_size=64, history_len=2, d_model=64, ff_dim=128)
    ).save(tmp_path / "compact")
    process = NodeProcess(
        python_module(
            NODE,
            "--ros-args",
            "-r",
            "__ns:=/compact_test",
            "-p",
            "policy:=compact",
            "-p",
            f"checkpoint:={checkpoint}",
        ),
        tmp_path / "compact.log",
    )
    try:
        client = ros_client_node.create_client(
            SelectFrontier, "/compact_test/filmnav/select_frontier"
        )
        assert client.wait_for_service(timeout_sec=120.0), process.output()
        response = call(ros_client_node, client, valid_request())
        assert response.success and response.policy == "compact", response.message
        assert len(response.scores) == 3 and response.index == int(np.argmax(response.scores))
        assert "warm-up decision" in process.output()
    finally:
        process.stop()


def test_oracle_follows_the_simulators_episode(ros_client_node, tmp_path):
    import json

    from std_msgs.msg import String

    from filmnav_common.policy_messages import candidate_of
    from filmnav_common.protocol import GoalSpec
    from filmnav_common.qos import LATCHED_QOS
    from filmnav_learning.reference_policies import OraclePolicy, episode_of
    from filmnav_sim.episodes import make_episode
    from filmnav_sim.house import cached_house

    # Its own namespace keeps it apart from the module's nearest-policy node.
    process = NodeProcess(
        python_module(
            NODE,
            "--ros-args",
            "-r",
            "__ns:=/oracle_test",
            "-p",
            "policy:=oracle",
        ),
        tmp_path / "oracle.log",
    )
    try:
        client = ros_client_node.create_client(
            SelectFrontier, "/oracle_test/filmnav/select_frontier"
        )
        assert client.wait_for_service(timeout_sec=60.0), process.output()
        episode = make_episode("val", 10000, 0, "object")
        request = valid_request()
        request.robot_pose.position.x, request.robot_pose.position.y = episode.start_pose[:2]
        targets = [
            episode.viewpoints[0],
            episode.viewpoints[-1],
            episode.start_pose[:2] + np.array([1.0, 0.0]),
        ]
        request.frontiers = [
            frontier_msg(i, float(x), float(y), -1.0) for i, (x, y) in enumerate(targets)
        ]

        def expected(seed: int, searched: tuple[int, ...] = ()) -> np.ndarray:
            table = {"split": "val", "seed": seed, "episode": 0, "task": "object"}
            oracle = OraclePolicy.for_episode(
                episode_of({**table, "searched_instance_ids": list(searched)})
            )
            return oracle.score(
                GoalSpec("object", "chair"),
                [],
                [],
                [candidate_of(f) for f in request.frontiers],
                (*episode.start_pose[:2], 0.0),
            )

        # Until the simulator announces its episode the oracle cannot exist: a clear refusal.
        response = call(ros_client_node, client, request)
        assert not response.success and "simulator's episode" in response.message

        publisher = ros_client_node.create_publisher(
            String, "/oracle_test/sim/instances", LATCHED_QOS
        )

        def announce(seed: int, searched: tuple[int, ...] = ()) -> None:
            table = {"split": "val", "seed": seed, "episode": 0, "task": "object"}
            if searched:  # the bridge's table once an operator's goal is scored
                table["searched_instance_ids"] = list(searched)
            publisher.publish(String(data=json.dumps({**table, "houses": "small"})))

        announce(10000)
        mine = expected(10000)
        assert wait_until(lambda: call(ros_client_node, client, request).success, timeout=30.0)
        response = call(ros_client_node, client, request)
        assert response.policy == "oracle", response.message
        np.testing.assert_allclose(response.scores, mine, rtol=1e-5)
        assert response.index == int(np.argmax(mine))

        announce(10001)
        other = expected(10001)
        assert wait_until(
            lambda: np.allclose(call(ros_client_node, client, request).scores, other, rtol=1e-5),
            timeout=30.0,
        ), process.output()
        assert "building 'oracle'" in process.output()

        # An operator's goal other than the episode's: the oracle heads for what was sent.
        house = cached_house(10001, "small")
        goal = make_episode("val", 10001, 0, "object").goal_category
        sent = next(o.id for o in house.objects if o.category != goal)
        announce(10001, (sent,))
        searched = expected(10001, (sent,))
        assert not np.allclose(searched, other, rtol=1e-5)
        assert wait_until(
            lambda: np.allclose(
                call(ros_client_node, client, request).scores, searched, rtol=1e-5
            ),
            timeout=30.0,
        ), process.output()
    finally:
        process.stop()
