"""Gift cards: stored money a customer pays with at the till."""
