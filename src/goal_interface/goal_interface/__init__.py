"""Goal topics, the mission state machine and the Nav2 handoff."""
