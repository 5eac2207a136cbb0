"""The rules engine: a programme version compiled once, evaluated on every purchase and event.

Evaluation is pure: the caller passes what the engine must know about the member
(tier, spend so far, how often a limited rule was used, what a budget has left)
and gets back an :class:`Outcome` that names the rule and version of every
discount, point, stamp and reward. Nothing is written here; a quote and a
committed purchase run the very same code, so they agree by construction.
"""
