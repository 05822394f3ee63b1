"""Simulator-backed robot: camera, depth, odometry, clock and a navigate_to_pose action server
over the built-in MuJoCo sim or habitat-sim."""
