"""Frontier-selection policies (fine-tuned VLM, compact, nearest and random baselines) and the
policy service node."""
