"""Two-phase spending at the till: hold, then commit or release, exactly once."""
