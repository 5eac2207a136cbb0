"""The backtest use case: a candidate programme replayed next to the live one.

``ports`` declares the read-only history it needs; ``service`` runs the two
replays over one pass of the history and compares them.
"""
