"""The backtest comparison as Rich tables (for people) and as JSON (for machines)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from loyalo.domain.programme.simulation.comparison import Comparison, FigureRow, SideSummary

DIFFERENCE = "candidate - live"
LIABILITY_METHOD = (
    "the ledger's member points at the start of the period, plus the side's net points, "
    "less the points the ledger recorded as redeemed and expired in the period, plus "
    "adjustments: redemptions are taken as they happened, the same for both sides"
)


def _signed(value: int | Decimal, kind: str, currency: str) -> str:
    text = _plain(value, kind, currency)
    return text if value < 0 else f"+{text}" if value > 0 else text


def _plain(value: int | Decimal, kind: str, currency: str) -> str:
    if kind == "money":
        return f"{value:,} {currency}"
    return f"{value:,}"


def _side_title(side: SideSummary) -> str:
    return f"live v{side.version}" if side.label == "live" else "candidate"


def render(comparison: Comparison, console: Console, top: int) -> None:
    live, candidate = comparison.live, comparison.candidate
    currency = comparison.currency
    console.print(
        f"[bold]Backtest {comparison.start} to {comparison.end}[/]: candidate "
        f"{escape(candidate.programme)!r} against live version {live.version} "
        f"{escape(live.programme)!r}",
        soft_wrap=True,
    )
    table = Table("figure", _side_title(live), "candidate", DIFFERENCE)
    for column in table.columns[1:]:
        column.justify = "right"
    for row in comparison.rows():
        table.add_row(
            row.label,
            _plain(row.live, row.kind, currency),
            _plain(row.candidate, row.kind, currency),
            _signed(row.difference, row.kind, currency),
        )
        if row.key == "rewards_issued":
            for reward in sorted(live.rewards.keys() | candidate.rewards.keys()):
                mine, theirs = live.rewards.get(reward, 0), candidate.rewards.get(reward, 0)
                table.add_row(
                    f"  {escape(reward)}",
                    f"{mine:,}",
                    f"{theirs:,}",
                    _signed(theirs - mine, "", ""),
                )
    console.print(table)
    _ledger_check(comparison, console)
    _tiers(comparison, console, top)
    _rules(comparison, console)
    console.print(
        f"[dim]A point is worth 1/{_rate(live)} {currency} (candidate 1/{_rate(candidate)}). "
        f"Expected cost assumes {_decimal(comparison.redemption_rate * 100)}% of the net "
        f"points are redeemed. Liability at the end: {LIABILITY_METHOD}.[/]",
        soft_wrap=True,
    )


def _rate(side: SideSummary) -> str:
    return _decimal(side.redeem_points_per_unit)


def _decimal(value: Decimal) -> str:
    """``10`` rather than ``1E+1``, ``70`` rather than ``70.0``."""
    return format(value.normalize(), "f")


def _ledger_check(comparison: Comparison, console: Console) -> None:
    ledger, live = comparison.ledger, comparison.live
    recorded = ledger.net_issued
    if comparison.live_matches_ledger:
        console.print(
            f"[green]The live replay matches the ledger[/]: {recorded:,} net points recorded "
            f"for these purchases, returns and events, {live.net_points:,} replayed.",
            soft_wrap=True,
        )
    else:
        console.print(
            f"[yellow]The live replay differs from the ledger[/] by "
            f"{live.net_points - recorded:+,} points ({recorded:,} recorded, "
            f"{live.net_points:,} replayed). {_versions(comparison)}",
            soft_wrap=True,
        )
    if live.returns_unmatched:
        console.print(
            f"{live.returns_unmatched:,} returns name a purchase the replay did not see: "
            "they take nothing back.",
            soft_wrap=True,
        )


def _versions(comparison: Comparison) -> str:
    """Why a replay of the live programme can differ from what the ledger recorded."""
    ledger, version = comparison.ledger, comparison.live.version
    reasons = []
    others = {v: n for v, n in ledger.versions.items() if v != version}
    if others:
        listed = ", ".join(f"{n:,} under version {v}" for v, n in sorted(others.items()))
        reasons.append(
            f"purchases were recorded under other versions ({listed}); the replay runs them "
            f"all under version {version}"
        )
    if ledger.late_entries:
        reasons.append(
            f"{ledger.late_entries:,} awards were recorded over a day after the purchase or "
            "event (an import or a back-dated history): the live path read the tier at the "
            "time of recording, the replay at the time of the purchase"
        )
    reasons.append(
        "the replay reviews each tier on its review date, the live path when the tier job "
        "runs (loyalo jobs run)"
    )
    return "Possible reasons: " + "; ".join(reasons) + "."


def _tiers(comparison: Comparison, console: Console, top: int) -> None:
    live, candidate = comparison.live, comparison.candidate
    if not live.tiers and not candidate.tiers:
        return
    table = Table("tier at the end", _side_title(live), "candidate", DIFFERENCE)
    for column in table.columns[1:]:
        column.justify = "right"
    for tier in [*live.tiers, *(t for t in candidate.tiers if t not in live.tiers)]:
        mine, theirs = live.tiers.get(tier, 0), candidate.tiers.get(tier, 0)
        table.add_row(escape(tier), f"{mine:,}", f"{theirs:,}", _signed(theirs - mine, "", ""))
    console.print(table)
    moved = sum(len(move.members) for move in comparison.tier_moves)
    console.print(
        f"{moved:,} of {comparison.members_compared:,} members end in another tier under the "
        "candidate.",
        soft_wrap=True,
    )
    if not comparison.tier_moves:
        return
    moves = Table("live tier", "candidate tier", "members", "for example")
    moves.columns[2].justify = "right"
    for move in comparison.tier_moves[: max(top, 1)]:
        moves.add_row(
            escape(move.live or "-"),
            escape(move.candidate or "-"),
            f"{len(move.members):,}",
            escape(", ".join(move.members[:2]) + (" …" if len(move.members) > 2 else "")),
        )
    console.print(moves)


def _rules(comparison: Comparison, console: Console) -> None:
    if not comparison.top_rules:
        return
    currency = comparison.currency
    table = Table(
        "rule",
        "live points",
        "live cost",
        "candidate points",
        "candidate cost",
        DIFFERENCE,
        title="Top rules by cost (points at full value, plus discounts)",
    )
    for column in table.columns[1:]:
        column.justify = "right"
    for rule in comparison.top_rules:
        table.add_row(
            escape(f"{rule.rule_id}: {rule.name}"),
            f"{rule.live_points:,}",
            _plain(rule.live_cost, "money", currency),
            f"{rule.candidate_points:,}",
            _plain(rule.candidate_cost, "money", currency),
            _signed(rule.difference, "money", currency),
        )
    console.print(table)


def as_json(comparison: Comparison) -> dict[str, Any]:
    rows = comparison.rows()
    ledger = comparison.ledger
    return {
        "period": {"from": str(comparison.start), "to": str(comparison.end)},
        "currency": comparison.currency,
        "assumptions": {
            "redemption_rate": str(comparison.redemption_rate),
            "liability": LIABILITY_METHOD,
        },
        "live": _side_json(comparison.live, rows, "live"),
        "candidate": _side_json(comparison.candidate, rows, "candidate"),
        "difference": {row.key: _number(row.difference) for row in rows},
        "tier_changes": {
            "members_compared": comparison.members_compared,
            "members_moved": sum(len(move.members) for move in comparison.tier_moves),
            "moves": [
                {
                    "live": move.live,
                    "candidate": move.candidate,
                    "count": len(move.members),
                    "members": list(move.members),
                }
                for move in comparison.tier_moves
            ],
        },
        "top_rules": [
            {
                "rule_id": rule.rule_id,
                "name": rule.name,
                "live": {
                    "points": rule.live_points,
                    "discounts": str(rule.live_discount),
                    "cost": str(rule.live_cost),
                },
                "candidate": {
                    "points": rule.candidate_points,
                    "discounts": str(rule.candidate_discount),
                    "cost": str(rule.candidate_cost),
                },
                "difference": str(rule.difference),
            }
            for rule in comparison.top_rules
        ],
        "ledger": {
            "opening_points": ledger.opening_points,
            "points_issued": ledger.issued,
            "points_taken_back": ledger.taken_back,
            "net_points": ledger.net_issued,
            "redeemed": ledger.redeemed,
            "expired": ledger.expired,
            "adjusted": ledger.adjusted,
            "closing_points": ledger.closing_points,
            "purchases_by_version": {str(v): n for v, n in sorted(ledger.versions.items())},
            "live_replay_matches": comparison.live_matches_ledger,
        },
    }


def _side_json(side: SideSummary, rows: list[FigureRow], which: str) -> dict[str, Any]:
    figures = {row.key: _number(getattr(row, which)) for row in rows}
    return {
        "version": side.version,
        "programme": side.programme,
        **figures,
        "redeem_points_per_unit": str(side.redeem_points_per_unit),
        "returns_unmatched": side.returns_unmatched,
        "rewards": side.rewards,
        "tiers": side.tiers,
    }


def _number(value: int | Decimal) -> int | str:
    return str(value) if isinstance(value, Decimal) else value
