"""The report as one HTML file that needs nothing else: plotly.js is inlined from the package."""

from __future__ import annotations

from html import escape

import plotly.io as pio
from plotly.offline import get_plotlyjs

from loyalo.adapters.report.charts import figures
from loyalo.domain.money import Money
from loyalo.domain.report.data import ReportData, Tile

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; color: #1f2933; }
h1 { margin-bottom: 0.2rem; } .period { color: #52606d; margin-top: 0; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 0.8rem; }
.tile { border: 1px solid #d9e2ec; border-radius: 8px; padding: 0.8rem 1rem; background: #f5f7fa; }
.tile .value { font-size: 1.5rem; font-weight: 600; } .tile .label { color: #52606d; }
.chart { margin-top: 2rem; height: 460px; }
.notes { color: #52606d; margin-top: 1rem; }
"""


def formatted(tile: Tile) -> str:
    """A tile's value for people: thousands separated, amounts with their currency."""
    value = tile.value
    if value is None:
        return "n/a"
    if isinstance(value, Money):
        return f"{value.as_decimal():,} {value.currency}"
    return f"{value:,}"


def _tiles(data: ReportData) -> str:
    tiles = (
        f'<div class="tile"><div class="value">{escape(formatted(t))}</div>'
        f'<div class="label">{escape(t.label)}</div></div>'
        for t in data.tiles
    )
    notes = "".join(f"<p>{escape(note)}</p>" for note in data.notes)
    return (
        '<section class="tiles">'
        + "".join(tiles)
        + "</section>"
        + (f'<section class="notes">{notes}</section>' if notes else "")
    )


def _charts(data: ReportData) -> str:
    parts = []
    for name, figure in figures(data):
        div = pio.to_html(
            figure,
            include_plotlyjs=False,
            full_html=False,
            div_id=f"chart-{name}",
            config={"displaylogo": False, "responsive": True},
        )
        parts.append(f'<section class="chart" data-chart="{name}">{div}</section>')
    return "\n".join(parts)


def render_html(data: ReportData) -> str:
    title = escape(data.title)
    period = f"{data.first.isoformat()} to {data.last.isoformat()} · {escape(data.currency)}"
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f'<body><h1>{title}</h1><p class="period">{period}</p>'
        f"{_tiles(data)}\n{_charts(data)}</body></html>\n"
    )
