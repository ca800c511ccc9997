"""The officers' statistics: the campaign's four indicators and the activity figures, from fixed,
tested queries over the registry, the learners' records and the anonymous counters."""
