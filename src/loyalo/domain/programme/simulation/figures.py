"""What one side of a backtest gave in the period, rule by rule.

Everything is counted in points and minor units; valuing it is the
comparison's job. Only records inside the period are counted: the replay
before it only builds the state (tiers, limits, stamps) the period starts from.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from loyalo.domain.programme.engine.outcome import Outcome


@dataclass(slots=True)
class RuleFigures:
    points_issued: int = 0
    points_back: int = 0  # taken back by returns of the lines that earned them
    discount_minor: int = 0
    discount_back_minor: int = 0  # the share of a discount on goods later returned
    applied: int = 0  # purchases and events the rule gave something on

    @property
    def net_points(self) -> int:
        return self.points_issued - self.points_back

    @property
    def net_discount_minor(self) -> int:
        return self.discount_minor - self.discount_back_minor


@dataclass(slots=True)
class SideFigures:
    purchases: int = 0
    returns: int = 0
    events: int = 0
    returns_unmatched: int = 0  # returns of a purchase the replay never saw
    sales_minor: int = 0  # the purchases as rung up, before the programme's discounts
    cashback_points: int = 0  # points given by cashback rules (also in the points issued)
    cashback_minor: int = 0  # cashback to a money wallet
    tier_upgrades: int = 0
    tier_downgrades: int = 0
    rules: dict[str, RuleFigures] = field(default_factory=dict)
    rewards: Counter[str] = field(default_factory=Counter)
    end_tiers: dict[str, str] = field(default_factory=dict)  # member id -> tier at the end

    @property
    def points_issued(self) -> int:
        return sum(rule.points_issued for rule in self.rules.values())

    @property
    def points_back(self) -> int:
        return sum(rule.points_back for rule in self.rules.values())

    @property
    def net_points(self) -> int:
        return self.points_issued - self.points_back

    @property
    def discount_minor(self) -> int:
        return sum(rule.net_discount_minor for rule in self.rules.values())

    def rule(self, rule_id: str) -> RuleFigures:
        found = self.rules.get(rule_id)
        if found is None:
            found = self.rules[rule_id] = RuleFigures()
        return found

    def add_outcome(self, outcome: Outcome, cashback_rules: frozenset[str]) -> None:
        for award in outcome.awards:
            figures = self.rule(award.rule_id)
            figures.points_issued += award.points
            figures.applied += 1
            if award.rule_id in cashback_rules:
                self.cashback_points += award.points
        for discount in outcome.discounts:
            figures = self.rule(discount.rule_id)
            figures.discount_minor += discount.amount_minor
            figures.applied += 1
        for credit in outcome.cashback:
            self.rule(credit.rule_id).applied += 1
            self.cashback_minor += credit.amount_minor
        for reward in outcome.rewards:
            self.rewards[reward.reward] += 1

    def add_return(self, points: dict[str, int], discounts: dict[str, int]) -> None:
        self.returns += 1
        for rule_id, back in points.items():
            self.rule(rule_id).points_back += back
        for rule_id, back in discounts.items():
            self.rule(rule_id).discount_back_minor += back
