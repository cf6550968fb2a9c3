"""From uploaded bytes to CSV records, and a header checked against the one expected. Pure.

Nothing here knows which columns a file has: its reader (``batches.fileformat``, the feeds'
``csv_rows``, the catalogue's ``catalogue_format``) does, and passes them in. What is here is
the part of reading a file that is about how it was *saved*: its encoding, its quoting and how
its header differs from the one expected. The values a spreadsheet rewrites on the way are
``spreadsheet``'s.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import islice

from open_lrs.core.files.problems import shown

SAVE_AS_CSV = "save it from the spreadsheet as CSV UTF-8"
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
_UTF8_BOM = b"\xef\xbb\xbf"
# A well-formed multi-byte UTF-8 sequence: rare by chance in Windows-1252 text.
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}"
    rb"|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_QUOTED_CELL = re.compile(r'"[^"]*(?:""[^"]*)*"')
_UNQUOTED_CELL = re.compile(r"[^,\r\n]*")


class Unreadable(Exception):
    """The text cannot be read as CSV from ``line`` on (None: the file as a whole)."""

    def __init__(self, message: str, *, line: int | None = None, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.code = code


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str


@dataclass(frozen=True)
class Record:
    """One CSV record; ``line`` is the physical line it starts on (1-based)."""

    line: int
    cells: list[str]


def _line_breaks(text: str) -> int:
    return len(_LINE_BREAK.findall(text))


def _line_of_byte(data: bytes, offset: int) -> int:
    before = data[:offset]
    return before.count(b"\n") + before.count(b"\r") - before.count(b"\r\n") + 1


def _refuse_known_binaries(data: bytes) -> None:
    if data.startswith(_XLSX_MAGIC):
        raise Unreadable(
            f"the file is a spreadsheet workbook (.xlsx), not CSV text; {SAVE_AS_CSV}",
            code="binary",
        )
    if data.startswith(_XLS_MAGIC):
        raise Unreadable(
            f"the file is an Excel 97-2003 workbook (.xls), not CSV text; {SAVE_AS_CSV}",
            code="binary",
        )
    if data.startswith(_UTF16_BOMS):
        raise Unreadable(
            "the file is UTF-16 text (Excel's \u201cUnicode Text\u201d); "
            f"only UTF-8 and Windows-1252 are read: {SAVE_AS_CSV}",
            code="encoding",
        )
    if (nul := data.find(b"\x00")) >= 0:
        raise Unreadable(
            "the file contains NUL bytes (the first on this line): it looks like a binary "
            f"file, not CSV text; {SAVE_AS_CSV}",
            line=_line_of_byte(data, nul),
            code="binary",
        )


def _not_utf8(data: bytes, exc: UnicodeDecodeError, why: str) -> Unreadable:
    return Unreadable(
        f"byte 0x{data[exc.start]:02X} is not UTF-8, but {why}; {SAVE_AS_CSV}",
        line=_line_of_byte(data, exc.start),
        code="encoding",
    )


def _text_of(data: bytes) -> Decoded:
    if data.startswith(_UTF8_BOM):
        try:
            return Decoded(data[len(_UTF8_BOM) :].decode("utf-8"), "utf-8-sig")
        except UnicodeDecodeError as exc:
            exc.start += len(_UTF8_BOM)
            raise _not_utf8(data, exc, "the file starts with a UTF-8 byte-order mark") from None
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc
    # Falling back would turn every accented letter of a mostly-UTF-8 file into mojibake.
    if _UTF8_SEQUENCE.search(data):
        raise _not_utf8(data, first_bad, "the rest of the file is UTF-8") from None
    try:
        return Decoded(data.decode("cp1252"), "cp1252")
    except UnicodeDecodeError as exc:
        raise Unreadable(
            f"byte 0x{data[exc.start]:02X} is neither UTF-8 nor Windows-1252 text; {SAVE_AS_CSV}",
            line=_line_of_byte(data, exc.start),
            code="encoding",
        ) from None


def decode(data: bytes) -> Decoded:
    """The file's text: UTF-8 (with or without a BOM), else Windows-1252, which older Excel
    writes for "CSV (Comma delimited)"; anything that is not text is refused with a reason."""
    if not data.strip():
        raise Unreadable("the file is empty", code="empty_file")
    _refuse_known_binaries(data)
    decoded = _text_of(data)
    first = _CONTROL.search(decoded.text)
    if first and len(_CONTROL.findall(decoded.text)) * 100 > len(decoded.text):
        line = _line_breaks(decoded.text[: first.start()]) + 1
        raise Unreadable(
            "the file is mostly control characters (the first on this line): it looks like "
            f"a binary file, not CSV text; {SAVE_AS_CSV}",
            line=line,
            code="binary",
        )
    if not decoded.text.strip():
        raise Unreadable("the file is empty", code="empty_file")
    return decoded


def _unclosed_quote_line(text: str, from_line: int) -> int | None:
    """The line where a quoted cell opens that never closes, searching from ``from_line``."""
    pos = 0
    for match in islice(_LINE_BREAK.finditer(text), from_line - 1):
        pos = match.end()
    while pos < len(text):
        if text[pos] == '"':
            quoted = _QUOTED_CELL.match(text, pos)
            if quoted is None:
                return _line_breaks(text[:pos]) + 1
            pos = quoted.end()
        unquoted = _UNQUOTED_CELL.match(text, pos)
        pos = (unquoted.end() if unquoted else pos) + 1
    return None


def _csv_error(text: str, exc: csv.Error, record_line: int, error_line: int) -> Unreadable:
    reason = str(exc)
    if "field larger than field limit" in reason or "unexpected end of data" in reason:
        opened = _unclosed_quote_line(text, record_line)
        if opened is not None:
            return Unreadable(
                "a quoted cell starts on this line but its closing quote is missing, so the "
                "rest of the file would be read as one cell; a quote inside a cell is written "
                'twice ("")',
                line=opened,
                code="csv_syntax",
            )
    if "field larger than field limit" in reason:
        return Unreadable(
            f"a cell is longer than {csv.field_size_limit():,} characters, "
            "far beyond the limit of any column",
            line=error_line,
            code="too_long",
        )
    if "expected after" in reason:
        return Unreadable(
            "a closing quote must be followed by a comma or the end of the line; "
            'a quote inside a quoted cell is written twice ("")',
            line=error_line,
            code="csv_syntax",
        )
    return Unreadable(
        f"the line cannot be read as CSV ({reason})", line=error_line, code="csv_syntax"
    )


def records(text: str) -> Iterator[Record]:
    """The records that hold anything, each with the line it starts on. Blank lines and rows
    of only empty cells, which spreadsheets leave at the end, are not records of anything.

    ``csv.field_size_limit`` is process-wide, so it is read, never changed: a cell that
    exceeds it is far beyond every column's limit and is refused like any over-long cell.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    next_line = 1
    while True:
        try:
            cells = next(reader, None)
        except csv.Error as exc:
            raise _csv_error(text, exc, next_line, reader.line_num) from None
        if cells is None:
            return
        line, next_line = next_line, reader.line_num + 1
        if any(cell.strip() for cell in cells):
            yield Record(line, cells)


# The header --------------------------------------------------------------------------------


def _loose(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _moved(placed: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The columns outside the longest run already in order: those the uploader moved."""
    best = [1] * len(placed)
    before = [-1] * len(placed)
    for i, (_, want) in enumerate(placed):
        for j in range(i):
            if placed[j][1] < want and best[j] + 1 > best[i]:
                best[i], before[i] = best[j] + 1, j
    keep: set[int] = set()
    i = max(range(len(placed)), key=best.__getitem__, default=-1)
    while i >= 0:
        keep.add(i)
        i = before[i]
    return [p for k, p in enumerate(placed) if k not in keep]


def header_problems(
    names: Sequence[str], expected: tuple[str, ...], aliases: Mapping[str, str]
) -> list[tuple[str, str | None]]:
    """(message, column) for each way ``names`` differ from ``expected``: each fault named
    once, so that one missing column does not make every later column "out of place"."""
    known = {_loose(e): e for e in expected} | dict(aliases)
    problems: list[tuple[str, str | None]] = []
    seen: dict[str, int] = {}
    placed: list[tuple[int, int]] = []
    for position, name in enumerate(names, start=1):
        target = name if name in expected else known.get(_loose(name))
        if not name:
            problems.append((f"column {position} of the header has no name", None))
        elif target is None:
            problems.append((f'unexpected column "{shown(name)}" (position {position})', name))
        elif target in seen:
            problems.append(
                (f"column {target} appears twice (positions {seen[target]} and {position})", target)
            )
        else:
            seen[target] = position
            placed.append((position, expected.index(target) + 1))
            if name.lower() == target.lower() and name != target:
                problems.append(
                    (f'"{name}" should be "{target}": column names are case-sensitive', target)
                )
            elif name != target:
                problems.append((f'"{name}" should be named "{target}"', target))
    problems += [(f"missing column {e}", e) for e in expected if e not in seen]
    for position, want in _moved(placed):
        column = expected[want - 1]
        problems.append(
            (f"column {column} is in position {position} but should be in position {want}", column)
        )
    return problems
