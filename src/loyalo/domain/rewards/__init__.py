"""The rewards catalogue: who may redeem what, and what a redemption is."""
