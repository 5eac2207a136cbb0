"""Partners of a coalition programme: their tills, their transactions, their settlement."""
