"""Learning from simulation: headless episodes, reference policies, data generation, training."""
