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

A table's small parts are compacted (``compaction.py``) the same way: merged aside,
renamed into place, and visible only with the manifest that lists the new part
instead of the old ones, which are retired like replaced members files. A query
that started before still finds them; the rows, and the marks, stay the same.
The manifest keeps each part's rows (``part_rows``), so deciding costs no file read.
"""

from __future__ import annotations

import fcntl
import json
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from loyalo.adapters.analytics.compaction import CompactionPolicy, Part
from loyalo.adapters.analytics.schema import KEY_COLUMNS, SCHEMAS, TIME
from loyalo.application.analytics.ports import (
    TABLES,
    Compaction,
    CompactionProgress,
    ExportMark,
    ExportState,
    Marks,
    MembersMark,
    Row,
    Staged,
)

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

    def __init__(
        self,
        root: Path,
        after_rename: Callable[[Path], None] | None = None,
        compaction: CompactionPolicy | None = None,
    ) -> None:
        self.root = root
        # told each file renamed into place, the manifest last: a test stops a publish with it
        self._after_rename = after_rename
        self.compaction = compaction or CompactionPolicy()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """One export at a time (a file lock: across processes too)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a") as lock:  # "a": taking the lock writes nothing
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

    def marks(self) -> Marks:
        listed = self.manifest().get("marks")
        if not listed or not (self.root / listed).is_file():  # lost: the keys will do, once
            return Marks()
        document: dict[str, Any] = json.loads((self.root / listed).read_text())
        members = document.pop("members", None)
        return Marks(
            tables={table: _mark(mark) for table, mark in document.items()},
            members=None if members is None else _members_mark(members),
        )

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

    def discard(self, staged: Sequence[Staged]) -> None:
        for part in staged:
            (self.root / part.table / part.name).unlink(missing_ok=True)

    def publish(
        self, staged: Sequence[Staged], replaced: Sequence[str], at: datetime, marks: Marks
    ) -> list[Compaction]:
        manifest = self.manifest()
        tables: dict[str, Any] = manifest["tables"]
        retired: list[dict[str, str]] = list(manifest.get("retired", []))
        for table in replaced:
            retired += _retirements(table, tables.get(table, {}).get("files", []), at)
            tables[table] = _entry()
        stamp = _stamp(at)
        for part in staged:
            final = self._place(part, stamp)
            entry = tables.setdefault(part.table, _entry())
            entry["files"].append(final)
            entry.setdefault("part_rows", {})[final] = part.rows
            entry["rows"] += part.rows
        compacted = self._compact(manifest, retired, at, forced=False, progress=None)
        manifest["exported_at"] = at.isoformat()
        manifest["retired"] = [r for r in retired if not self._retire(r, at)]
        manifest["marks"] = self._write_marks(marks, stamp)
        self._write_manifest(manifest)
        self._sweep(manifest)
        return compacted

    def compact(self, at: datetime, progress: CompactionProgress | None = None) -> list[Compaction]:
        """Every table's small parts merged, whether due or not; the data, the marks and
        ``exported_at`` as they were. Writes nothing when there is nothing to merge or retire."""
        manifest = self.manifest()
        retired: list[dict[str, str]] = list(manifest.get("retired", []))
        compacted = self._compact(manifest, retired, at, forced=True, progress=progress)
        if not compacted and not any(_due(r, at) for r in retired):
            return []
        manifest["retired"] = [r for r in retired if not self._retire(r, at)]
        self._write_manifest(manifest)
        self._sweep(manifest)
        return compacted

    def _compact(
        self,
        manifest: dict[str, Any],
        retired: list[dict[str, str]],
        at: datetime,
        forced: bool,
        progress: CompactionProgress | None,
    ) -> list[Compaction]:
        """Merge the runs of small parts the policy names, in ``manifest`` (not yet written),
        the replaced parts added to ``retired``."""
        done: list[Compaction] = []
        for table in TABLES:
            entry = manifest["tables"].get(table)
            if not entry:
                continue
            runs = self.compaction.runs(self._parts(table, entry), forced=forced)
            if not runs:
                continue
            before, rows = len(entry["files"]), 0
            merged = 0
            total = sum(len(run) for run in runs)
            for run in runs:
                rows += self._merge(table, entry, run, _stamp(at))
                retired += _retirements(table, [name for name, _ in run], at)
                merged += len(run)
                if progress is not None:
                    progress(table, merged, total)
            done.append(Compaction(table, before, len(entry["files"]), rows))
        return done

    def _merge(self, table: str, entry: dict[str, Any], run: list[Part], stamp: str) -> int:
        """One part in place of ``run``'s, where the first of them was in the list; its rows."""
        folder = self.root / table
        data = pa.concat_tables([pq.read_table(folder / name) for name, _ in run])
        expected = sum(rows for _, rows in run)
        if data.num_rows != expected:  # the manifest and the files disagree: touch nothing
            raise RuntimeError(f"{table}: {data.num_rows} rows in parts listed with {expected}")
        final = self._place(self.stage_arrow(table, data), stamp)
        files: list[str] = entry["files"]
        sizes: dict[str, int] = entry["part_rows"]
        files[files.index(run[0][0])] = final
        for name, _ in run:
            sizes.pop(name)
            if name != run[0][0]:
                files.remove(name)
        sizes[final] = expected
        return expected

    def _parts(self, table: str, entry: dict[str, Any]) -> list[Part]:
        """Each listed part and its rows; read from the file's footer once for a manifest
        written before the rows were kept in it."""
        sizes: dict[str, int] = entry.setdefault("part_rows", {})
        for name in entry["files"]:
            if name not in sizes:
                sizes[name] = pq.read_metadata(self.root / table / name).num_rows
        return [(name, sizes[name]) for name in entry["files"]]

    def _place(self, part: Staged, stamp: str) -> str:
        """Rename a staged part into place under a final name (not visible until the manifest
        lists it); the name."""
        final = f"part-{stamp}-{uuid.uuid4().hex[:12]}.parquet"
        target = self.root / part.table / final
        os.replace(self.root / part.table / part.name, target)
        if self._after_rename is not None:
            self._after_rename(target)
        return final

    def _retire(self, retired: dict[str, str], now: datetime) -> bool:
        """Remove a replaced file once no query can still be reading it; True when removed.

        A query reads the files of the manifest it started with: a replaced file stays
        ``RETIRE_AFTER`` so that one started just before the publish still finds it."""
        if not _due(retired, now):
            return False
        (self.root / retired["path"]).unlink(missing_ok=True)
        return True

    def _write_marks(self, marks: Marks, stamp: str) -> str:
        """A new marks file, in place before the manifest names it; its path under the root.

        Apart from the manifest, which every query reads: a band can grow while a long
        transaction holds the horizon back, and no query needs it."""
        name = f"{MARKS}/{stamp}-{uuid.uuid4().hex[:8]}.json"
        document: dict[str, Any] = {table: _mark_json(m) for table, m in marks.tables.items()}
        if marks.members is not None:
            members = marks.members
            document["members"] = {
                **_mark_json(members.changes),
                "tiers": None if members.tiers is None else list(members.tiers),
                "digest": members.digest,
            }
        (self.root / MARKS).mkdir(parents=True, exist_ok=True)
        _write_durably(self.root / name, document)
        return name

    def _write_manifest(self, manifest: dict[str, Any]) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        aside = self.root / f".{MANIFEST}.{uuid.uuid4().hex}"
        _write_durably(aside, manifest)
        os.replace(aside, self.root / MANIFEST)
        if self._after_rename is not None:
            self._after_rename(self.root / MANIFEST)

    def _sweep(self, manifest: dict[str, Any]) -> None:
        """Remove what an earlier, stopped export left: files the manifest does not list."""
        kept = {r["path"] for r in manifest.get("retired", [])}
        for table, entry in manifest["tables"].items():
            kept.update(f"{table}/{name}" for name in entry["files"])
        for table in TABLES:
            folder = self.root / table
            if folder.is_dir():
                for path in folder.iterdir():
                    if path.suffix == ".parquet" and f"{table}/{path.name}" not in kept:
                        path.unlink(missing_ok=True)
        # only the next export reads the marks, and it waits for this one: the last suffice
        for path in (self.root / MARKS).glob("*.json"):
            if f"{MARKS}/{path.name}" != manifest.get("marks"):
                path.unlink(missing_ok=True)


def _stamp(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")


def _entry() -> dict[str, Any]:
    return {"files": [], "rows": 0, "part_rows": {}}


def _retirements(table: str, names: Sequence[str], at: datetime) -> list[dict[str, str]]:
    return [{"path": f"{table}/{name}", "at": at.isoformat()} for name in names]


def _due(retired: dict[str, str], now: datetime) -> bool:
    return now - datetime.fromisoformat(retired["at"]) >= RETIRE_AFTER


def _mark(document: dict[str, Any]) -> ExportMark:
    return ExportMark(int(document["position"]), frozenset(document["band"]), document["witness"])


def _mark_json(mark: ExportMark) -> dict[str, Any]:
    return {"position": mark.position, "band": sorted(mark.band), "witness": mark.witness}


def _members_mark(document: dict[str, Any]) -> MembersMark:
    tiers = document["tiers"]
    return MembersMark(_mark(document), None if tiers is None else tuple(tiers), document["digest"])


def _write_durably(path: Path, document: dict[str, Any]) -> None:
    with path.open("w") as file:
        # dumps without indent: only then does json encode in C (a manifest of a few thousand
        # names is written on every publish; the Python encoder took most of the publish)
        file.write(json.dumps(document, sort_keys=True, separators=(",", ":")))
        file.flush()
        os.fsync(file.fileno())
