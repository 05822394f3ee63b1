"""Depth + odometry occupancy map, exploration frontiers, and the RGB trajectory keyframe
buffer."""
