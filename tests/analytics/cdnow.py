"""The CDNOW 1/10 sample (../shared/data/cdnow), read for the CLV tests and benchmark."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

CDNOW = Path(__file__).resolve().parents[3] / "shared/data/cdnow"
SAMPLE = CDNOW / "CDNOW_sample.txt"
SUMMARY = CDNOW / "cdnow_customers_summary_with_transactions.csv"
CALIBRATION_END = date(1997, 9, 30)  # 39 weeks after 1997-01-01
HOLDOUT_END = date(1998, 6, 30)  # 39 weeks more


def require_cdnow() -> None:
    """Skip without the data; fail under CI, where it must be there."""
    if not SAMPLE.exists():
        message = f"{SAMPLE} is not there (../shared/data beside the project)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def read_sample(path: Path = SAMPLE) -> list[tuple[str, date, float]]:
    """(sample id, day, dollars) per row; the sample id is the summary file's ID."""
    rows = []
    with path.open() as lines:
        for line in lines:
            _, sample_id, day, _, dollars = line.split()
            when = date(int(day[:4]), int(day[4:6]), int(day[6:]))
            rows.append((str(int(sample_id)), when, float(dollars)))
    return rows
