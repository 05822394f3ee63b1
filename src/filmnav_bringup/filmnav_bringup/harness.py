"""The robot-like harness (harness.launch.yaml) as robot.launch.yaml sees it: the arguments that
wire the robot graph to what the harness publishes, as an integrator passes them for a
RealSense ROS 2 wrapper and Nav2 in the root namespace. One list for the test and the
benchmark of the robot path."""

from __future__ import annotations

ROBOT_WIRING: tuple[str, ...] = (
    "namespace:=robot1",
    "detector:=sim_semantic",  # the harness has the simulator's instance image, no OWLv2 weights
    "odom_topic:=/odom",
    "navigate_action:=/navigate_to_pose",
    "color_topic:=/camera/camera/color/image_raw",
    "color_info_topic:=/camera/camera/color/camera_info",
    "depth_topic:=/camera/camera/aligned_depth_to_color/image_raw",
    "depth_info_topic:=/camera/camera/aligned_depth_to_color/camera_info",
    "instance_topic:=/camera/camera/instance/image_raw",
    "instances_topic:=/sim/instances",
)
