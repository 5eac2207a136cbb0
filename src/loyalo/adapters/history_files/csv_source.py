"""A CSV history file read row by row: constant memory whatever its size.

A file ending in ``.gz`` is decompressed on the fly. Progress is the position in
the file as stored (compressed bytes for ``.gz``), so a bar moves evenly.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, cast

from loyalo.domain.errors import InvalidHistory

_CHUNK = 1 << 20


def open_history(path: Path) -> CsvHistorySource:
    if not path.is_file():
        raise InvalidHistory(f"{path}: no such file")
    return CsvHistorySource(path)


class CsvHistorySource:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._raw: IO[bytes] | None = None
        self._checksum: str | None = None

    @property
    def name(self) -> str:
        return self._path.name

    @property
    def size(self) -> int:
        return self._path.stat().st_size

    @property
    def checksum(self) -> str:
        if self._checksum is None:
            digest = hashlib.sha256()
            with self._path.open("rb") as file:
                while chunk := file.read(_CHUNK):
                    digest.update(chunk)
            self._checksum = digest.hexdigest()
        return self._checksum

    def header(self) -> list[str]:
        with self._text() as text:
            try:
                return next(csv.reader(text))
            except StopIteration:
                raise InvalidHistory(f"{self.name}: the file is empty") from None
            except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
                raise InvalidHistory(f"{self.name}: not a readable CSV file ({exc})") from exc

    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        with self._text() as text:
            reader = csv.DictReader(text)
            try:
                yield from enumerate(reader, start=1)
            except (csv.Error, UnicodeDecodeError, OSError, EOFError) as exc:
                raise InvalidHistory(
                    f"{self.name}: unreadable after line {reader.line_num} ({exc})"
                ) from exc

    def position(self) -> int:
        return self._raw.tell() if self._raw is not None and not self._raw.closed else 0

    @contextmanager
    def _text(self) -> Iterator[IO[str]]:
        with self._path.open("rb") as raw:
            self._raw = raw
            binary: IO[bytes] = (
                cast(IO[bytes], gzip.GzipFile(fileobj=raw)) if _is_gzip(raw) else raw
            )
            with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as text:
                yield text


def _is_gzip(raw: IO[bytes]) -> bool:
    magic = raw.read(2)
    raw.seek(0)
    return magic == b"\x1f\x8b"
