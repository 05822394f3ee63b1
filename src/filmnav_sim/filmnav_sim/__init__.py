"""Procedural houses rendered with MuJoCo, geodesics, Habitat-style episodes and metrics, and a habitat-sim adapter with the same interface. No ROS."""
