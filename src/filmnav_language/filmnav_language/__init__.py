"""Free-form goal language: the offline sentence encoder and goal grounding. No ROS."""
