"""Bring-up of the stack: launch files and parameters, the simulated demo, the evaluation."""
