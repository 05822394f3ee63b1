"""Frontier-selection policies (fine-tuned VLM, compact, baselines), the policy service node,
the goal detector node, data generation, training and evaluation."""
