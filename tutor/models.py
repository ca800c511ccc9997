"""Tables owned by the tutor (learners, progress, events). Filled in by the tutor core."""
