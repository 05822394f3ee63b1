"""Shared plumbing: image codec (cv_bridge fallback), QoS profiles, status helpers, the
pip-environment launch runner and the filmnav command line."""
