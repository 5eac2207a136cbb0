"""The export's sink: Parquet part files under ``<root>/<table>/``, and a manifest.

``manifest.json`` is the commit point. It lists every visible part file, when it
was published, and the file of the export's marks (``marks/*.json``: where each
table's export stands, ``ExportMark``); readers (``AnalyticsStore``, the Spark
runner) read the part files it lists and nothing else, and never the marks,
which only the next export reads. A part and the marks are written aside
(``.staging-*``, a new marks file), the parts renamed into place when the export
publishes, and only then is the manifest replaced (write aside, then
``os.replace``, atomic on POSIX). An export that stops at any point before that
leaves the previous manifest, so what was visible, and the marks that describe
it, stay exactly as they were; its stray files are never read, and the next
publish removes them.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from loyalo.adapters.analytics.schema import KEY_COLUMNS, SCHEMAS, TIME
from loyalo.application.analytics.ports import TABLES, ExportMark, ExportState, Row, Staged

MANIFEST = "manifest.json"
MARKS = "marks"
RETIRE_AFTER = timedelta(minutes=10)


def naive_utc(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is None:
        return value
    return value.astimezone(UTC).replace(tzinfo=None)


def arrow_table(table: str, rows: Sequence[Row]) -> pa.Table:
    schema = SCHEMAS[table]
    columns = {}
    for column in schema:
        values = [row.get(column.name) for row in rows]
        if column.type == TIME:
            values = [naive_utc(value) for value in values]
        columns[column.name] = pa.array(values, type=column.type)
    return pa.table(columns, schema=schema)


class ParquetWarehouse:
    """The analytics files of one installation (``<data_dir>/analytics``)."""

    def __init__(self, root: Path, after_rename: Callable[[Path], None] | None = None) -> None:
        self.root = root
        self._after_rename = after_rename  # a test stops a publish half-way with it

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One export at a time (a file lock: across processes too)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def manifest(self) -> dict[str, Any]:
        path = self.root / MANIFEST
        if not path.exists():
            return {"tables": {}, "exported_at": None}
        document: dict[str, Any] = json.loads(path.read_text())
        return document

    def files(self, table: str, manifest: dict[str, Any] | None = None) -> list[Path]:
        """The visible part files of ``table``, as the manifest lists them.

        A reader of several tables passes one ``manifest()`` for all, so that it never
        mixes two exports."""
        manifest = manifest if manifest is not None else self.manifest()
        listed = manifest["tables"].get(table, {}).get("files", [])
        return [self.root / table / name for name in listed]

    def state(self) -> ExportState:
        manifest = self.manifest()
        exported_at = manifest.get("exported_at")
        return ExportState(
            rows={t: int(v["rows"]) for t, v in manifest["tables"].items()},
            exported_at=datetime.fromisoformat(exported_at) if exported_at else None,
        )

    def marks(self) -> dict[str, ExportMark]:
        listed = self.manifest().get("marks")
        if not listed or not (self.root / listed).is_file():  # lost: the keys will do, once
            return {}
        document: dict[str, Any] = json.loads((self.root / listed).read_text())
        return {
            table: ExportMark(int(mark["position"]), frozenset(mark["band"]), mark["witness"])
            for table, mark in document.items()
        }

    def exported_keys(self, table: str) -> set[str]:
        column = KEY_COLUMNS[table]
        keys: set[str] = set()
        for path in self.files(table):
            keys.update(pq.read_table(path, columns=[column]).column(column).to_pylist())
        return keys

    def stage(self, table: str, rows: Sequence[Row]) -> Staged:
        return self.stage_arrow(table, arrow_table(table, rows))

    def stage_arrow(self, table: str, data: pa.Table) -> Staged:
        """A part from an Arrow table of the table's schema (a bulk load, a benchmark)."""
        if not data.schema.equals(SCHEMAS[table]):
            raise ValueError(f"{table}: the columns are not those of its schema")
        folder = self.root / table
        folder.mkdir(parents=True, exist_ok=True)
        name = f".staging-{uuid.uuid4().hex}.parquet"
        pq.write_table(data, folder / name)
        return Staged(table, name, data.num_rows)

    def publish(
        self,
        staged: Sequence[Staged],
        replaced: Sequence[str],
        at: datetime,
        marks: Mapping[str, ExportMark],
    ) -> None:
        manifest = self.manifest()
        tables: dict[str, Any] = manifest["tables"]
        retired = [
            *manifest.get("retired", []),
            *(
                {"path": f"{t}/{f}", "at": at.isoformat()}
                for t in replaced
                for f in tables.get(t, {}).get("files", [])
            ),
        ]
        for table in replaced:
            tables[table] = {"files": [], "rows": 0}
        stamp = at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
        for number, part in enumerate(staged):
            final = f"part-{stamp}-{uuid.uuid4().hex[:8]}-{number:05d}.parquet"
            target = self.root / part.table / final
            os.replace(self.root / part.table / part.name, target)
            if self._after_rename is not None:
                self._after_rename(target)
            entry = tables.setdefault(part.table, {"files": [], "rows": 0})
            entry["files"].append(final)
            entry["rows"] += part.rows
        manifest["exported_at"] = at.isoformat()
        manifest["retired"] = [r for r in retired if not self._retire(r, at)]
        manifest["marks"] = self._write_marks(marks, stamp)
        self._write_manifest(manifest)
        self._sweep(manifest)

    def _retire(self, retired: dict[str, str], now: datetime) -> bool:
        """Remove a replaced file once no query can still be reading it; True when removed.

        A query reads the files of the manifest it started with: a replaced file stays
        ``RETIRE_AFTER`` so that one started just before the publish still finds it."""
        if now - datetime.fromisoformat(retired["at"]) < RETIRE_AFTER:
            return False
        (self.root / retired["path"]).unlink(missing_ok=True)
        return True

    def _write_marks(self, marks: Mapping[str, ExportMark], stamp: str) -> str:
        """A new marks file, in place before the manifest names it; its path under the root.

        Apart from the manifest, which every query reads: a band can grow while a long
        transaction holds the horizon back, and no query needs it."""
        name = f"{MARKS}/{stamp}-{uuid.uuid4().hex[:8]}.json"
        document = {
            table: {"position": m.position, "band": sorted(m.band), "witness": m.witness}
            for table, m in marks.items()
        }
        (self.root / MARKS).mkdir(parents=True, exist_ok=True)
        _write_durably(self.root / name, document)
        return name

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        aside = self.root / f".{MANIFEST}.{uuid.uuid4().hex}"
        _write_durably(aside, manifest)
        os.replace(aside, self.root / MANIFEST)

    def _sweep(self, manifest: dict[str, Any]) -> None:
        """Remove what an earlier, stopped export left: files the manifest does not list."""
        for table in TABLES:
            listed = set(manifest["tables"].get(table, {}).get("files", []))
            listed |= {
                r["path"].partition("/")[2]
                for r in manifest.get("retired", [])
                if r["path"].startswith(f"{table}/")
            }
            folder = self.root / table
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.name not in listed and path.suffix == ".parquet":
                        path.unlink(missing_ok=True)
        # only the next export reads the marks, and it waits for this one: the last suffice
        for path in (self.root / MARKS).glob("*.json"):
            if f"{MARKS}/{path.name}" != manifest.get("marks"):
                path.unlink(missing_ok=True)


def _write_durably(path: Path, document: dict[str, Any]) -> None:
    with path.open("w") as file:
        json.dump(document, file, indent=1, sort_keys=True)
        file.flush()
        os.fsync(file.fileno())
