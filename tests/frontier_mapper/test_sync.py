"""FrameSync: pairing frames with odometry by stamp, and every way it refuses to."""

from __future__ import annotations

import math

import pytest

from filmnav_common.planar import Pose2D
from frontier_mapper.sync import FrameSync, SyncConfig


@pytest.fixture
def sync():
    return FrameSync(
        SyncConfig(tolerance=0.05, max_gap=0.5, history=5.0, max_pending=2, max_jump=5.0)
    )


def test_interpolates_between_odometry_samples(sync):
    sync.add_pose(10.0, Pose2D(0.0, 0.0, math.radians(170)))
    sync.add_pose(10.2, Pose2D(1.0, 2.0, math.radians(-170)))
    result = sync.add_frame(10.05, "frame")
    (match,) = result.matched
    assert match.frame == "frame" and match.stamp == 10.05
    assert match.pose.x == pytest.approx(0.25) and match.pose.y == pytest.approx(0.5)
    assert abs(math.degrees(match.pose.yaw)) == pytest.approx(175.0)  # through +-180, not 0


def test_frame_waits_for_odometry_then_is_released(sync):
    sync.add_pose(1.0, Pose2D(0, 0, 0))
    waiting = sync.add_frame(1.3, "late odom")
    assert not waiting.matched and not waiting.dropped
    released = sync.add_pose(1.4, Pose2D(4, 0, 0))
    assert [m.frame for m in released.matched] == ["late odom"]
    assert released.matched[0].pose.x == pytest.approx(3.0)


def test_frame_newer_than_all_odometry_waits_even_within_tolerance(sync):
    """50 Hz odometry: the sample 10 ms before a frame is the pose of an earlier instant (here
    the robot turned in between), so the frame waits for the sample after it."""
    sync.add_pose(1.00, Pose2D(0, 0, 0.0))
    assert not sync.add_frame(1.01, "frame").matched
    (match,) = sync.add_pose(1.02, Pose2D(0, 0, 0.5)).matched
    assert match.pose.yaw == pytest.approx(0.25)


def test_nearest_within_tolerance_across_a_gap(sync):
    sync.add_pose(1.0, Pose2D(1, 0, 0))
    sync.add_pose(3.0, Pose2D(4, 0, 0))  # 2 s gap: no interpolation
    assert sync.add_frame(1.03, "a").matched[0].pose.x == 1
    (dropped,) = sync.add_frame(2.0, "b").dropped
    assert "gap" in dropped.reason


def test_stale_frames_are_dropped(sync):
    sync.add_pose(10.0, Pose2D(0, 0, 0))
    sync.add_pose(10.1, Pose2D(0, 0, 0))
    (dropped,) = sync.add_frame(9.0, "old").dropped
    assert "stale" in dropped.reason


def test_old_odometry_expires(sync):
    sync.add_pose(0.0, Pose2D(0, 0, 0))
    sync.add_pose(0.1, Pose2D(0, 0, 0))
    sync.add_pose(7.0, Pose2D(0, 0, 0))
    assert sync.add_frame(0.05, "too old").dropped


def test_pending_frames_are_bounded(sync):
    sync.add_pose(1.0, Pose2D(0, 0, 0))
    assert not sync.add_frame(2.0, "a").dropped
    assert not sync.add_frame(2.1, "b").dropped
    result = sync.add_frame(2.2, "c")
    assert [d.stamp for d in result.dropped] == [2.0]
    assert "no odometry" in result.dropped[0].reason


def test_out_of_order_odometry_is_ignored(sync):
    sync.add_pose(5.0, Pose2D(0, 0, 0))
    rejected = sync.add_pose(4.9, Pose2D(0.1, 0, 0))
    assert "out of order" in rejected.notice and not rejected.pose_accepted
    assert sync.latest_stamp == 5.0
    assert sync.add_frame(4.96, "f").matched[0].pose.x == 0


def test_time_jump_back_restarts_the_history(sync):
    sync.add_pose(100.0, Pose2D(5, 5, 0))
    sync.add_frame(100.5, "pending across the reset")
    restarted = sync.add_pose(1.0, Pose2D(0, 0, 0))
    assert "jumped back" in restarted.notice and restarted.pose_accepted and restarted.restarted
    assert [d.stamp for d in restarted.dropped] == [100.5]
    assert sync.latest_stamp == 1.0
    assert sync.add_frame(1.0, "fresh").matched[0].pose.x == 0


def test_repeated_odometry_is_ignored_silently(sync):
    sync.add_pose(2.0, Pose2D(1, 2, 0.5))
    repeat = sync.add_pose(2.0, Pose2D(1, 2, 0.5))
    assert not repeat.pose_accepted and not repeat.notice and not repeat.restarted


def test_a_new_pose_for_the_same_stamp_restarts(sync):
    """A simulator reset at an idle episode start: the clock stays at 0, the robot moves house."""
    sync.add_pose(0.0, Pose2D(3, 3, 0))
    restarted = sync.add_pose(0.0, Pose2D(3.2, 3, 0))
    assert restarted.restarted and "same stamp" not in restarted.notice
    assert "different pose" in restarted.notice
    assert sync.add_frame(0.0, "f").matched[0].pose.x == pytest.approx(3.2)


def test_a_pose_jump_restarts(sync):
    sync.add_pose(1.0, Pose2D(0, 0, 0))
    assert not sync.add_pose(1.1, Pose2D(0.3, 0, 0)).restarted
    teleported = sync.add_pose(1.2, Pose2D(5, 5, 0))
    assert teleported.restarted and "jumped 6" in teleported.notice
    back_and_away = sync.add_pose(1.15, Pose2D(0, 0, 0))  # older stamp, far pose: not a reorder
    assert back_and_away.restarted


def test_a_long_move_at_a_robots_speed_is_no_restart():
    """A busy subscriber misses samples while a simulator steps ahead: 1.5 m in 1.5 s is motion,
    1.5 m in 0.25 s a restart."""
    sync = FrameSync(SyncConfig(max_jump=1.0))
    sync.add_pose(1.0, Pose2D(0, 0, 0))
    assert not sync.add_pose(2.5, Pose2D(1.5, 0, 0)).restarted
    assert sync.add_pose(2.75, Pose2D(3.0, 0, 0)).restarted


def test_stamp_jitter_within_the_tolerance_is_filed_in_order_silently(sync):
    """50 Hz odometry stamped with +-10 ms of jitter: a sample a little older than the one
    before is no error; it joins the history where it belongs."""
    sync.add_pose(1.00, Pose2D(0.0, 0, 0))
    sync.add_pose(1.02, Pose2D(0.2, 0, 0))
    late = sync.add_pose(1.01, Pose2D(0.0, 0, 0))  # the robot started moving only after it
    assert late.notice == "" and not late.pose_accepted and sync.latest_stamp == 1.02
    assert sync.pose_at(1.015).x == pytest.approx(0.1)  # between the late sample and 1.02
    too_late = sync.add_pose(0.9, Pose2D(0.0, 0, 0))
    assert "out of order" in too_late.notice
