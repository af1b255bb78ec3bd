"""The opt-in policy: states, keywords, templates and the decision function. Pure, no I/O."""
