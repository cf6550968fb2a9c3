"""What the CSV feeds (awarding organisations' loads, school results) share. Pure.

A feed is not a batch: one bad record must not hold back a results day, so a file is refused
as a whole only when none of it can be trusted (not text, broken quoting, a wrong header, too
many rows). Anything else is that record's ``RecordProblem``, and the other records load.

Bytes, quoting and spreadsheet damage are read by ``core.files``, exactly as batch files
are. What is here is the feeds' own header rule and the field rules both feeds apply, so that
a feed's CSV and JSON paths, and the two feeds, word every fault alike. Each rule takes a
stripped, non-empty string and returns it cleaned or raises ``ValueError`` with words that
follow the column's name, as ``learners.rules`` does.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from open_lrs.core.files import decoding, spreadsheet
from open_lrs.core.files.decoding import Record, Unreadable
from open_lrs.core.files.problems import shown
from open_lrs.core.text import clean_text
from open_lrs.feeds.types import Award, FeedRejected, RecordProblem
from open_lrs.learners import rules
from open_lrs.learners.uln import TEMPORARY_ULN, uln_error
from open_lrs.records.kinds import FINAL, PROVISIONAL, Status

# A results-day file from an awarding organisation runs to tens of thousands of awards; the
# byte limit on uploads (LRS_MAX_FEED_BYTES) bounds it too.
MAX_ROWS = 200_000
FILE = "file"  # the field of a problem with the file as a whole
ROW = "row"  # the field of a problem with a whole record rather than one of its cells
GRADE_MAX_LENGTH = 20
TITLE_MAX_LENGTH = 255  # (ours) LARS titles are at most 254 characters

Values = Mapping[str, str | None]
AwardOf = Callable[[Values, int], Award | list[RecordProblem]]
T = TypeVar("T")


@dataclass(frozen=True)
class Columns:
    """A feed's columns in their documented order, and those every record must fill."""

    names: tuple[str, ...]
    required: frozenset[str]


class Refused(ValueError):
    """A value refused for a reason a client may want to tell apart from "invalid"."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


# The file ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class Table:
    """A file's records as column values, and the records that did not fit its header."""

    rows: list[Row]
    problems: list[RecordProblem]
    encoding: str


def _loose(name: str) -> str:
    # As core.files.decoding matches a misspelt column, so that both agree which column is meant.
    return re.sub(r"[^a-z0-9]", "", name.lower())


def header_problems(names: Sequence[str], columns: Columns) -> list[tuple[str, str | None]]:
    """(message, column) for each fault of a header. Feeds come from many systems, each with
    its own column order, so any order is accepted: the columns found are expected where they
    are, and ``decoding.header_problems`` then reports only misnamed, doubled and unknown
    columns (an unknown one is usually a misspelt one whose values would be lost) and missing
    required ones. An optional column may be left out."""
    loose = [_loose(name) for name in names]
    found = {c: loose.index(_loose(c)) for c in columns.names if _loose(c) in loose}
    if not found:
        wanted = ", ".join(c for c in columns.names if c in columns.required)
        return [
            (
                f"the first line must be the header naming the columns ({wanted}), "
                "but it names none of them",
                None,
            )
        ]
    present = sorted(found, key=found.__getitem__)
    missing = [c for c in columns.names if c in columns.required and c not in found]
    return decoding.header_problems(names, (*present, *missing), {})


def _rejected(problems: list[RecordProblem]) -> FeedRejected:
    counted = "1 problem was" if len(problems) == 1 else f"{len(problems):,} problems were"
    return FeedRejected(
        f"{counted} found with the file as a whole; correct the file and send it again",
        problems,
    )


def _header_names(header: Record) -> list[str]:
    names = [cell.strip() for cell in header.cells]
    while names and not names[-1]:  # spreadsheets leave empty cells after the last column
        names.pop()
    return names


def _row(record: Record, names: list[str]) -> Row | RecordProblem:
    cells, width = record.cells, len(names)
    if len(cells) < width:
        message = f"the row has {len(cells)} cells, but the header has {width} columns"
        return RecordProblem(record.line, ROW, message, "cell_count")
    if any(cell.strip() for cell in cells[width:]):
        message = f"the row has a value in cell {width + 1}, after the last column ({names[-1]})"
        return RecordProblem(record.line, ROW, message, "cell_count")
    return Row(record.line, dict(zip(names, cells, strict=False)))


def _read(text: str, max_rows: int) -> tuple[Record | None, list[Record], int, Unreadable | None]:
    """The header, up to ``max_rows`` records after it, how many there are, and where the text
    stopped being CSV. Every record is counted, so that a refusal says how many there were."""
    header: Record | None = None
    kept: list[Record] = []
    count = 0
    try:
        for record in decoding.records(text):
            if header is None:
                header = record
            elif (count := count + 1) <= max_rows:
                kept.append(record)
    except Unreadable as exc:
        return header, kept, count, exc
    return header, kept, count, None


def table(data: bytes, columns: Columns, *, max_rows: int = MAX_ROWS) -> Table:
    """The file's records, or ``FeedRejected`` with every fault of the file as a whole."""
    try:
        decoded = decoding.decode(data)
    except Unreadable as exc:
        raise _rejected([RecordProblem(exc.line, FILE, exc.message, exc.code)]) from None
    header, records, count, broken = _read(decoded.text, max_rows)
    if header is None:
        raise _rejected(
            [RecordProblem(None, FILE, "the file is empty: it holds no values", "empty_file")]
        )
    names = _header_names(header)
    problems = [
        RecordProblem(header.line, column or "header", message, "header")
        for message, column in header_problems(names, columns)
    ]
    if count > max_rows:
        message = f"the file has {count:,} rows after the header; the limit is {max_rows:,}"
        problems.append(RecordProblem(None, FILE, message, "too_many_rows"))
    elif not records and broken is None and not problems:  # a bad header may be a record
        problems.append(
            RecordProblem(header.line, FILE, "the file has a header but no rows", "no_rows")
        )
    if broken is not None:
        problems.append(RecordProblem(broken.line, FILE, broken.message, broken.code))
    if problems:
        raise _rejected(problems)
    rows: list[Row] = []
    bad: list[RecordProblem] = []
    for record in records:
        read = _row(record, names)
        if isinstance(read, Row):
            rows.append(read)
        else:
            bad.append(read)
    return Table(rows, bad, decoded.encoding)


def read_awards(
    data: bytes, columns: Columns, award_of: AwardOf
) -> tuple[list[Award], list[RecordProblem], str]:
    """Every record of the file through ``award_of``, the one rule set the feed's JSON path
    uses too: the awards in file order, the problems in line order, and the file's encoding."""
    read = table(data, columns)
    awards: list[Award] = []
    problems = list(read.problems)
    for row in read.rows:
        result = award_of(row.values, row.line)
        if isinstance(result, Award):
            awards.append(result)
        else:
            problems.extend(result)
    problems.sort(key=lambda p: p.line or 0)
    return awards, problems, read.encoding


# One record ----------------------------------------------------------------------------------


class Fields:
    """One record's values, read column by column. A fault is noted, not raised, so that a
    record reports all its problems at once; a reader returns ``problems`` if there are any.

    ``values`` may come from a CSV row or a JSON item: blank and missing are alike, and a key
    that is not a column is a problem (in a CSV file the header has already refused it)."""

    def __init__(self, values: Values, *, line: int | None, columns: Columns) -> None:
        self.line = line
        self.columns = columns
        self.problems: list[RecordProblem] = []
        self._values: dict[str, str] = {}
        for key, value in values.items():
            if key not in columns.names:
                self.problem(key, "is not a recognised field", "unknown_field")
            elif isinstance(value, str) and value.strip():
                self._values[key] = value.strip()
            elif value is not None and not isinstance(value, str):
                self.problem(key, "must be a string", "type")

    def problem(self, column: str, message: str, code: str = "invalid") -> None:
        self.problems.append(RecordProblem(self.line, column, message, code))

    def blank(self, column: str) -> bool:
        return column not in self._values

    def get(self, column: str) -> str | None:
        """The column's value, or None when it is blank; a blank required column is noted."""
        value = self._values.get(column)
        if value is None and column in self.columns.required:
            self.problem(column, "is required", "required")
        return value

    def checked(self, column: str, rule: Callable[[str], T]) -> T | None:
        """The column's value as ``rule`` reads it; None when it is blank or refused."""
        value = self.get(column)
        if value is None:
            return None
        try:
            return rule(value)
        except ValueError as exc:
            self.problem(column, str(exc), exc.code if isinstance(exc, Refused) else "invalid")
            return None

    def date(self, column: str, *, today: date) -> date | None:
        return self.checked(column, lambda v: rules.date_not_in_future(iso_date(v), today=today))


# Rules -------------------------------------------------------------------------------------

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UKPRN = re.compile(r"[0-9]{8}")
_AIM_REFERENCE = re.compile(r"[0-9A-Z]{8}")
_UNIT_REFERENCE = re.compile(r"[A-Z]/[0-9]{3}/[0-9]{4}")
_GENDER_LETTERS = {"M": "1", "F": "2"}
_CREDITS = re.compile(r"[0-9]{1,3}")


def iso_date(value: str) -> date:
    """A date as YYYY-MM-DD; a date a spreadsheet has rewritten is named as such, with the
    ISO form it probably stood for, because then every date in the file needs saving again."""
    if why := spreadsheet.reformatted_date(value):
        raise Refused(why, "reformatted_date")
    if not _ISO_DATE.fullmatch(value):
        raise ValueError("must be a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{shown(value)} is not a real date") from None


def _uln(value: str, *, temporary: bool) -> str:
    if why := spreadsheet.reformatted_uln(value):
        raise Refused(why, "reformatted_uln")
    if temporary and value == TEMPORARY_ULN:
        return value
    if why := uln_error(value):
        raise ValueError(why)
    return value


def uln(value: str) -> str:
    """A learner's ULN: the feed files the award under it, so the temporary one is refused."""
    return _uln(value, temporary=False)


def uln_or_temporary(value: str) -> str:
    """A ULN, or the temporary 9999999999, kept as given: the learner is then found by
    their details (domain.md §1)."""
    return _uln(value, temporary=True)


def gender(value: str) -> str:
    """An LRS gender code; M and F, which most systems export, are read as 1 and 2."""
    try:
        return rules.gender(_GENDER_LETTERS.get(value.upper(), value))
    except ValueError as exc:
        raise ValueError(f"{exc} (or M, F)") from None


def ukprn(value: str) -> str:
    if not _UKPRN.fullmatch(value):
        raise ValueError("must be a UKPRN: 8 digits")
    return value


def aim_reference(value: str) -> str:
    """A learning aim reference, upper case, so that a record's key does not depend on case."""
    value = value.upper()
    if not _AIM_REFERENCE.fullmatch(value):
        raise ValueError("must be a learning aim reference: 8 letters or digits, such as 50079116")
    return value


def is_unit_reference(code: str) -> bool:
    return bool(_UNIT_REFERENCE.fullmatch(code))


def subject_code(value: str) -> str:
    """A learning aim reference or an Ofqual unit reference (K/501/5773), upper case."""
    code = "".join(value.split()).upper()
    if _AIM_REFERENCE.fullmatch(code) or is_unit_reference(code):
        return code
    raise ValueError(
        "must be a learning aim reference (8 letters or digits, such as 50079116) "
        "or a unit reference (a letter, 3 digits and 4 digits, such as K/501/5773)"
    )


def status(value: str) -> Status:
    value = value.upper()
    if value == PROVISIONAL:
        return PROVISIONAL
    if value == FINAL:
        return FINAL
    raise ValueError("must be P (provisional) or F (final)")


def text(value: str, *, max_length: int) -> str:
    """Descriptive text on one line: a line break typed into a spreadsheet cell (Alt+Enter)
    becomes a space rather than costing the record."""
    return rules.free_text(clean_text(value), max_length=max_length)


def title(value: str) -> str:
    return text(value, max_length=TITLE_MAX_LENGTH)


def grade(value: str) -> str:
    """Any grade of at most 20 characters: which grades a qualification has is checked when
    the award is loaded, against its type."""
    return text(value, max_length=GRADE_MAX_LENGTH)


def credits(value: str) -> int:
    if not _CREDITS.fullmatch(value):
        raise ValueError("must be a whole number of credits from 0 to 999")
    return int(value)
