"""The pure core: value objects and rules, no I/O and no framework."""
