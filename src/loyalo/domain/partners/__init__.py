"""Partners of a coalition programme: their agreements, earning and settlement."""
