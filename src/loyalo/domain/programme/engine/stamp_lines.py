"""Which lines of a purchase earned its stamps, asked of the engine itself.

The engine reports a stamp award as one count per card. For a return to take
back the stamps of the units returned, and no others, the purchase records which
lines earned them: each stamp rule of the version, reduced to its line filter
(``lines``, the exclusions, delivery), is evaluated on the same basket as a
per-unit rule of ``per_unit`` points, which the engine attributes to lines. So a
line counts here exactly when it counted for the stamps. The rule's other
conditions (``when``, schedule, tiers, limits) are not needed again: the
purchase's own outcome says the rule applied. The live path and the backtest's
replay both use this.
"""

from __future__ import annotations

import logging
import threading
from decimal import Decimal

from loyalo.domain.programme.document import ProgrammeDocument, Rule
from loyalo.domain.programme.document.effects import PointsPerUnit, Stamps
from loyalo.domain.programme.document.programme import BaseEarning
from loyalo.domain.programme.document.rules import Trigger
from loyalo.domain.programme.engine.compiled import CompiledProgramme, compile_programme
from loyalo.domain.programme.engine.facts import PurchaseFacts
from loyalo.domain.programme.engine.outcome import Outcome
from loyalo.domain.programme.engine.purchase import evaluate_purchase
from loyalo.domain.purchases.purchase import LineStamps

log = logging.getLogger("loyalo.stamps")


def _line_filter(rule: Rule, effect: Stamps) -> Rule:
    return Rule(
        id=rule.id,
        name=rule.name,
        lines=rule.lines,
        exclude_skus=rule.exclude_skus,
        exclude_labels=rule.exclude_labels,
        include_delivery=rule.include_delivery,
        effect=PointsPerUnit(points=effect.per_unit),
    )


def _probe_document(document: ProgrammeDocument) -> ProgrammeDocument:
    """The version's stamp rules as per-unit points, and nothing else that earns."""
    rules = [
        _line_filter(rule, rule.effect)
        for rule in document.rules
        if rule.trigger is Trigger.PURCHASE and isinstance(rule.effect, Stamps)
    ]
    return ProgrammeDocument(
        name=document.name,
        currency=document.currency,
        timezone=document.timezone,
        delivery_skus=document.delivery_skus,
        earning=BaseEarning(points=Decimal(0)),
        rules=rules,
    )


class StampLines:
    """Attributes a purchase's stamps to its lines (one probe compiled per version)."""

    def __init__(self) -> None:
        self._probes: dict[int, CompiledProgramme] = {}
        self._lock = threading.Lock()

    def attribute(
        self, programme: CompiledProgramme, facts: PurchaseFacts, outcome: Outcome
    ) -> tuple[LineStamps, ...]:
        if not outcome.stamps:
            return ()
        probed = evaluate_purchase(
            self._probe(programme), facts, lambda _rule, _bucket: 0, lambda _rule: None
        )
        lines = {award.rule_id: award.lines for award in probed.awards}
        found: list[LineStamps] = []
        for stamp in outcome.stamps:
            per_line = lines.get(stamp.rule_id, {})
            if sum(per_line.values()) != stamp.stamps:  # a bug: never take back a wrong count
                log.error("stamps of %s not attributed to lines: %s", stamp.rule_id, per_line)
                continue
            found.extend(
                LineStamps(index, stamp.rule_id, stamp.card, count)
                for index, count in sorted(per_line.items())
            )
        return tuple(found)

    def _probe(self, programme: CompiledProgramme) -> CompiledProgramme:
        probe = self._probes.get(programme.version)
        if probe is None:
            with self._lock:
                probe = self._probes.get(programme.version)
                if probe is None:
                    document = _probe_document(programme.document)
                    probe = compile_programme(document, programme.version)
                    self._probes[programme.version] = probe
        return probe
