# ruff: noqa: N999  (the issue names this file benchmarks/import.py)
"""The history import: the UCI Online Retail file through the programme's rules.

What it does (see docs/BENCHMARKS.md, "History import"):

1. makes a fresh database (SQLite in a temporary folder, or a fresh PostgreSQL
   database with ``--engine postgresql``), migrates it and applies
   ``programmes/online_retail.yaml``;
2. baseline, in the same run: reads the same file the way the import does —
   decompress, CSV, every line parsed and grouped into receipts — writing
   nothing (the floor any import of this file pays);
3. runs ``loyalo import purchases FILE --json`` in a child process, timed, with
   its peak resident memory (``ru_maxrss`` of the child);
4. runs ``loyalo ledger verify`` on the result;
5. prints the times, receipts and lines per second, the peak memory and the
   ratio of the import to the baseline.

    .venv/bin/python benchmarks/import.py                 # the whole file (541,909 lines)
    .venv/bin/python benchmarks/import.py --lines 50000   # the first 50,000 lines
    .venv/bin/python benchmarks/import.py --engine postgresql
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from loyalo.adapters.history_files import CsvHistorySource, open_history  # noqa: E402
from loyalo.domain.history.receipts import group_receipts  # noqa: E402
from loyalo.domain.history.rows import (  # noqa: E402
    LAYOUTS,
    BadRow,
    HistoryLine,
    RowReader,
    detect_layout,
)

DEFAULT_FILE = ROOT.parent / "shared" / "data" / "online_retail" / "online_retail.csv.gz"
PROGRAMME = ROOT / "programmes" / "online_retail.yaml"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE)
    parser.add_argument("--lines", type=int, default=None, help="only the first N lines")
    parser.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="loyalo-import-") as folder:
        work = Path(folder)
        source = _sample(args.file, args.lines, work) if args.lines else args.file
        env = _environment(args.engine, work)
        _loyalo(env, "db", "upgrade")
        _loyalo(env, "programme", "apply", str(PROGRAMME))
        baseline = _baseline(source)
        seconds, peak, report = _import(env, source, args.batch_size)
        verified = _loyalo(env, "ledger", "verify", "--json")
        _print(args, source, baseline, seconds, peak, report, json.loads(verified))


def _sample(path: Path, lines: int, work: Path) -> Path:
    target = work / f"first-{lines}.csv"
    with gzip.open(path, "rt", newline="") as source, target.open("w", newline="") as out:
        for number, text in enumerate(source):
            if number > lines:
                break
            out.write(text)
    return target


def _environment(engine: str, work: Path) -> dict[str, str]:
    env = {**os.environ, "LOYALO_DATA_DIR": str(work)}
    if engine == "postgresql":
        from sqlalchemy import create_engine, text

        name = f"loyalo_bench_import_{os.getpid()}"
        admin = create_engine(f"{PG_SERVER}/postgres", isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        env["LOYALO_DATABASE_URL"] = f"{PG_SERVER}/{name}"
    return env


def _loyalo(env: dict[str, str], *arguments: str) -> str:
    command = [str(ROOT / ".venv" / "bin" / "loyalo"), *arguments]
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode not in (0,):
        sys.exit(f"{' '.join(arguments)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def _baseline(path: Path) -> dict[str, float]:
    """Decompress, parse and group every line, as the import does, writing nothing."""
    started = time.perf_counter()
    source = open_history(path)
    reader = RowReader(LAYOUTS[detect_layout(source.header())], 2, ZoneInfo("Europe/London"))
    lines = receipts = 0
    for receipt in group_receipts(_read(source, reader)):
        receipts += 1
        lines += len(receipt.lines)
    return {"seconds": time.perf_counter() - started, "receipts": receipts, "lines": lines}


def _read(source: CsvHistorySource, reader: RowReader) -> Iterator[HistoryLine]:
    for number, row in source.rows():
        try:
            yield reader.read(number, row)
        except BadRow:
            continue


def _import(env: dict[str, str], path: Path, batch: int) -> tuple[float, float, dict[str, object]]:
    command = [
        str(ROOT / ".venv" / "bin" / "loyalo"),
        "import",
        "purchases",
        str(path),
        "--currency",
        "GBP",
        "--batch-size",
        str(batch),
        "--json",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"import failed:\n{done.stderr}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak_mib, json.loads(done.stdout)


def _print(
    args: argparse.Namespace,
    path: Path,
    baseline: dict[str, float],
    seconds: float,
    peak: float,
    report: dict[str, object],
    verified: dict[str, object],
) -> None:
    counts: dict[str, int] = report["counts"]  # type: ignore[assignment]
    lines = counts.get("lines", 0)
    receipts = counts.get("purchases", 0) + counts.get("return_receipts", 0)
    receipts += counts.get("non_member_receipts", 0) + counts.get("rejected_receipts", 0)
    print(f"file            {path.name} ({lines:,} lines, {receipts:,} receipts), {args.engine}")
    print(f"baseline        {baseline['seconds']:.2f} s  read + parse + group, nothing written")
    print(
        f"import          {seconds:.2f} s  ({receipts / seconds:,.0f} receipts/s, "
        f"{lines / seconds:,.0f} lines/s, whole command incl. start-up)"
    )
    print(f"  engine time   {report['seconds']:.2f} s  (inside the import, as it reports)")
    print(f"peak memory     {peak:.0f} MiB (resident, the import process)")
    print(f"ratio           {seconds / baseline['seconds']:.1f}x the baseline")
    print(
        f"purchases {counts.get('purchases', 0):,}, returns {counts.get('returns', 0):,}, "
        f"points earned {counts.get('points_earned', 0):,}, taken back "
        f"{counts.get('points_taken_back', 0):,}, non-member lines "
        f"{counts.get('non_member_lines', 0):,}, refused receipts "
        f"{counts.get('rejected_receipts', 0):,}"
    )
    findings = list(verified.get("findings") or [])  # type: ignore[call-overload]
    print(f"ledger verify   {verified['members_checked']} members, {len(findings)} problems")


if __name__ == "__main__":
    main()
