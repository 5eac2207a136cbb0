"""Gift cards: issue, load, void, check a balance, and pay with them at the till."""
