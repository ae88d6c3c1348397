"""Reading CSV files for the imports: UTF-8 checks, required columns, and typed fields whose
errors name the file, the line and the column (``albums.csv line 17, column release_date: ...``).

The whole file is read into memory: library exports are a few megabytes, and decoding it in one
go lets a non-UTF-8 byte be reported with its line and column.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.dateparse import parse_datetime

_RELEASE_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_SPOTIFY_ID = re.compile(r"^[A-Za-z0-9]{1,64}$")
_TRUE = {"true", "1", "yes", "t"}
_FALSE = {"false", "0", "no", "f", ""}


class ImportFileError(ValueError):
    """Bad input in an import file; the message names the file, and the line and column when known."""

    def __init__(self, message: str, *, file: str, line: int | None = None, column: str | None = None) -> None:
        self.file, self.line, self.column, self.reason = file, line, column, message
        where = file
        if line is not None:
            where += f" line {line}"
        if column:
            where += f", column {column}"
        super().__init__(f"{where}: {message}")


@dataclass
class BadRows:
    """What to do with a bad row: raise (the default: the import stops, nothing is written) or,
    with ``skip=True``, report it and go on."""

    skip: bool = False
    report: Callable[[str], None] | None = None
    skipped: list[str] = field(default_factory=list)

    def handle(self, error: ImportFileError) -> None:
        if not self.skip:
            raise error
        self.skipped.append(str(error))
        if self.report:
            self.report(f"skipped: {error}")


@dataclass
class CsvRow:
    """One data row: values by column name, and typed readers that raise ``ImportFileError``."""

    file: str
    line: int
    values: dict[str, str]

    def error(self, column: str | None, message: str) -> ImportFileError:
        return ImportFileError(message, file=self.file, line=self.line, column=column)

    def has(self, column: str) -> bool:
        return column in self.values

    def text(self, column: str, *, required: bool = False) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
            raise self.error(column, "empty value")
        return value

    def integer(self, column: str) -> int | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value)
            if number != int(number):
                raise ValueError
            return int(number)
        except (ValueError, OverflowError):
            raise self.error(column, f"not a whole number: {value!r}") from None

    def number(self, column: str) -> float | None:
        value = self.text(column)
        if not value:
            return None
        try:
            number = float(value)
        except ValueError:
            raise self.error(column, f"not a number: {value!r}") from None
        if number != number or number in (float("inf"), float("-inf")):
            raise self.error(column, f"not a finite number: {value!r}")
        return number

    def boolean(self, column: str) -> bool:
        value = self.text(column).lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(column, f"not true/false: {value!r}")

    def release_date(self, column: str) -> str:
        value = self.text(column)
        if value and not _RELEASE_DATE.match(value):
            raise self.error(column, f"not a date (YYYY, YYYY-MM or YYYY-MM-DD): {value!r}")
        return value

    def date_time(self, column: str) -> str | None:
        value = self.text(column)
        if not value:
            return None
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise self.error(column, f"not a date-time: {value!r}")
        return value

    def spotify_id(self, column: str, kind: str, *, required: bool = True) -> str:
        """The bare id of a ``spotify:<kind>:<id>`` URI (a bare id or an open.spotify.com URL is accepted too)."""
        value = self.text(column, required=required)
        return parse_spotify_id(value, kind, error=lambda msg: self.error(column, msg)) if value else ""


def parse_spotify_id(value: str, kind: str, *, error: Callable[[str], Exception]) -> str:
    if value.startswith("spotify:"):
        parts = value.split(":")
        if len(parts) != 3 or parts[1] != kind:
            raise error(f"not a Spotify {kind} URI (spotify:{kind}:<id>): {value!r}")
        value = parts[2]
    elif "open.spotify.com/" in value:
        head, _, tail = value.split("?", 1)[0].rstrip("/").rpartition("/")
        if not head.endswith("/" + kind):
            raise error(f"not a Spotify {kind} link: {value!r}")
        value = tail
    if not _SPOTIFY_ID.match(value):
        raise error(f"not a Spotify {kind} id: {value!r}")
    return value


@dataclass
class CsvFile:
    """A decoded CSV file: its header and its data rows (read lazily)."""

    path: Path
    name: str
    header: list[str]
    _text: str

    def rows(self, bad_rows: BadRows) -> Iterator[CsvRow]:
        """Data rows; a row with the wrong number of fields is a bad row (raised or skipped)."""
        reader = csv.reader(io.StringIO(self._text, newline=""), strict=True)
        width = len(self.header)
        line = 1
        try:
            next(reader)
            line = reader.line_num + 1
            while True:
                try:
                    fields = next(reader)
                except StopIteration:
                    return
                start, line = line, reader.line_num + 1
                if not fields or fields == [""]:
                    continue  # a blank line
                if len(fields) != width:
                    bad_rows.handle(
                        ImportFileError(f"expected {width} fields, found {len(fields)}", file=self.name, line=start)
                    )
                    continue
                yield CsvRow(self.name, start, dict(zip(self.header, fields, strict=True)))
        except csv.Error as exc:
            # The csv module cannot resynchronise after a broken quote: this stops the file even with skipping.
            raise ImportFileError(f"malformed CSV: {exc}", file=self.name, line=line) from None


def csv_open(path: Path, *, required: Sequence[str] = (), name: str | None = None) -> CsvFile:
    """Read and decode a CSV file, checking that it is UTF-8 and has the required columns."""
    name = name or path.name
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError("file not found", file=name) from None
    except OSError as exc:
        raise ImportFileError(f"cannot read: {exc.strerror or exc}", file=name) from None
    text = _decode_utf8(data, name)
    try:
        header = next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
    except csv.Error as exc:
        raise ImportFileError(f"malformed CSV header: {exc}", file=name, line=1) from None
    header = [h.strip() for h in header]
    if not any(header):
        raise ImportFileError("empty file: no header row", file=name, line=1)
    missing = [c for c in required if c not in header]
    if missing:
        raise ImportFileError(
            f"missing required column {', '.join(repr(c) for c in missing)} (found: {', '.join(header)})",
            file=name,
            line=1,
        )
    return CsvFile(path, name, header, text)


def _decode_utf8(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")  # Exportify writes a byte-order mark
    except UnicodeDecodeError as exc:
        line_start = data.rfind(b"\n", 0, exc.start) + 1
        line = data.count(b"\n", 0, exc.start) + 1
        prefix = data[line_start : exc.start].decode("utf-8", errors="replace")
        column = None
        if line > 1:
            first_line = data.split(b"\n", 1)[0].decode("utf-8", errors="replace")
            header = next(csv.reader([first_line]), [])
            index = len(next(csv.reader([prefix]), None) or [""]) - 1
            column = header[index].strip() if 0 <= index < len(header) else None
        raise ImportFileError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8",
            file=name,
            line=line,
            column=column,
        ) from None
