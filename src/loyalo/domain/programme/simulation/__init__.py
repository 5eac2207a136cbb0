"""The backtest: stored purchases, returns and events replayed under a programme.

A replay is pure. It keeps in memory, per member, what the live path keeps in
its tables (the tier and its activity window, the money spent before, limit
usage, stamp cards), and per programme the campaign budgets, and it evaluates
every purchase and event with the very engine functions the live path uses
(``evaluate_purchase``, ``evaluate_event``). A return takes back, rule by rule,
what the returned lines earned in the replay. Replaying the live programme over
the live history therefore gives back what the ledger recorded; replaying a
candidate over the same history says what the candidate would have cost.

* ``history``: the stored records a replay reads (purchases, returns, events, members).
* ``activity``: a member's daily activity in the tier window, and their spend.
* ``tiers``: tier qualification over time (upgrade at once, downgrade at review).
* ``figures``: what one side gave, per rule.
* ``replay``: one side, run over the history in time order.
* ``comparison``: two sides side by side, valued, with the differences.
"""
