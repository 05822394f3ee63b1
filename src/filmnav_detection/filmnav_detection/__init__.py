"""Goal detection: image evidence to goal positions in the mapping frame (sim_semantic, OWLv2)."""
