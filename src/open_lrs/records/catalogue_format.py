"""Reading the catalogue files of qualifications and units (docs/catalogue.md). Pure: bytes in,
entries out.

Every learning event takes its title, level and credits from the catalogue, so a catalogue file
is loaded whole or not at all: one bad row refuses the file, with every problem found (line and
column) so that it can be corrected in one go. The qualifications file takes its column names
from the LARS learning aims extract, so that columns can be copied from one to the other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal, NamedTuple

from open_lrs.core.errors import ValidationFailed
from open_lrs.core.files import decoding, spreadsheet
from open_lrs.core.files.decoding import Unreadable
from open_lrs.core.files.problems import FileProblem, shown
from open_lrs.records import grades, levels

Kind = Literal["qualification", "unit"]
QUALIFICATION: Final = "qualification"
UNIT: Final = "unit"
MAX_PROBLEMS = 200

# fmt: off
QUALIFICATION_COLUMNS = (
    "LearnAimRef", "LearnAimRefTitle", "LearnAimRefType", "QualificationType",
    "NotionalNVQLevelv2", "EntrySubLevel", "AwardOrgCode", "AwardOrgName",
    "RegulatedCreditValue", "GuidedLearningHours", "EffectiveFrom", "EffectiveTo",
)
UNIT_COLUMNS = (
    "UnitReference", "UnitTitle", "Level", "CreditValue", "GuidedLearningHours",
    "AwardOrgCode", "AwardOrgName", "EffectiveFrom", "EffectiveTo",
)
# Names a column is known by elsewhere, so that the header problem says what to rename it to.
_QUALIFICATION_ALIASES = {
    "creditvalue": "RegulatedCreditValue", "credits": "RegulatedCreditValue",
    "glh": "GuidedLearningHours", "notionalnvqlevel": "NotionalNVQLevelv2",
}
_UNIT_ALIASES = {
    "unitref": "UnitReference", "regulatedcreditvalue": "CreditValue",
    "credits": "CreditValue", "glh": "GuidedLearningHours",
}
# fmt: on

# Limits that the catalogue's table sets (models.CatalogueEntry).
TITLE_MAX = 255
ORGANISATION_NAME_MAX = 200
ORGANISATION_CODE_MAX = 20
CREDITS_MAX = 999
HOURS_MAX = 9999

_AIM_REF = re.compile(r"[A-Z0-9]{8}")
_UNIT_REF = re.compile(r"[A-Z]/[0-9]{3}/[0-9]{4}")
_AIM_TYPE = re.compile(r"[0-9]{4}")
_ORGANISATION_CODE = re.compile(rf"[A-Z0-9][A-Z0-9&_.\-]{{0,{ORGANISATION_CODE_MAX - 1}}}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True)
class CatalogueEntry:
    """A qualification (by learning aim reference) or unit (by unit reference) as a catalogue
    file gives it. ``aim_type`` is the LARS LearnAimRefType, kept for matching with LARS;
    units have none."""

    code: str
    kind: Kind
    title: str
    qualification_type: str
    level: str
    credits: int | None
    guided_learning_hours: int | None
    awarding_organisation_code: str | None
    awarding_organisation_name: str | None
    valid_from: date
    valid_to: date | None
    line: int
    aim_type: str | None = None

    @property
    def awarding_organisation(self) -> str | None:
        return self.awarding_organisation_code


class CatalogueRejected(ValidationFailed):
    """The file was not loaded, for ``problems`` (at most ``MAX_PROBLEMS``, and a last one
    counting the rest). Messages may echo cells of the file: they are for its uploader."""

    code = "catalogue_rejected"
    title = "The catalogue file was rejected"

    def __init__(self, problems: Sequence[FileProblem], *, total: int | None = None) -> None:
        total = len(problems) if total is None else total
        counted = "1 problem was" if total == 1 else f"{total:,} problems were"
        super().__init__(
            f"{counted} found, so nothing in the file was loaded. "
            "Correct the file and load it again.",
            errors=problems,
            extra={"problem_count": total},
        )
        self.problems: tuple[FileProblem, ...] = tuple(problems)
        self.total = total


class _Problems:
    """Every problem found, keeping the first ``MAX_PROBLEMS`` and counting the rest."""

    def __init__(self) -> None:
        self.found: list[FileProblem] = []
        self.total = 0

    def add(self, code: str, message: str, line: int | None = None, col: str | None = None) -> None:
        self.total += 1
        if len(self.found) < MAX_PROBLEMS:
            self.found.append(FileProblem(message, line=line, column=col, code=code))

    def rejected(self) -> CatalogueRejected:
        kept = list(self.found)
        if self.total > len(kept):
            more = self.total - len(kept)
            kept.append(FileProblem(f"and {more:,} more problems", code="more_problems"))
        return CatalogueRejected(kept, total=self.total)


@dataclass
class _Row:
    """One record of the file, read cell by cell; any problem marks the row ``failed``."""

    line: int
    cells: dict[str, str]
    problems: _Problems
    failed: bool = field(default=False)

    def fail(self, column: str, message: str, code: str = "invalid") -> None:
        self.failed = True
        self.problems.add(code, message, self.line, column)

    def text(self, column: str, limit: int, *, required: bool = True) -> str | None:
        """The cell with its spacing tidied, or None if it is empty or wrong."""
        value = " ".join(self.cells[column].split())
        if not value:
            if required:
                self.fail(column, f"{column} is required", "required")
            return None
        if len(value) > limit:
            message = f"{column} is {len(value):,} characters long; the limit is {limit}"
            self.fail(column, message, "too_long")
            return None
        if not value.isprintable():
            self.fail(column, f"{column} contains a control character")
            return None
        return value

    def parsed(
        self, column: str, parse: Callable[[str], str], *, required: bool = True
    ) -> str | None:
        """The cell read by ``parse``, whose ValueError is the problem."""
        value = self.text(column, TITLE_MAX, required=required)
        try:
            return None if value is None else parse(value)
        except ValueError as exc:
            self.fail(column, str(exc))
            return None

    def code(
        self, column: str, pattern: re.Pattern[str], form: str, *, required: bool = True
    ) -> str | None:
        """The cell in capitals, if it has the form of a code of its kind."""
        value = self.text(column, TITLE_MAX, required=required)
        if value is None or pattern.fullmatch(value.upper()):
            return value and value.upper()
        hint = ""
        if value.isdigit() and any(pattern.fullmatch(value.zfill(n)) for n in (4, 8)):
            hint = "; a spreadsheet may have dropped leading zeros: format the column as text"
        self.fail(column, f"{column} must be {form}, not {shown(value)}{hint}")
        return None

    def whole(self, column: str, low: int, high: int, *, required: bool = False) -> int | None:
        value = self.text(column, TITLE_MAX, required=required)
        if value is None:
            return None
        if not _WHOLE.fullmatch(value):
            self.fail(column, f"{column} must be a whole number, not {shown(value)}")
            return None
        if not low <= (number := int(value)) <= high:
            self.fail(column, f"{column} must be from {low} to {high:,}, not {number:,}")
            return None
        return number

    def day(self, column: str, *, required: bool) -> date | None:
        value = self.text(column, TITLE_MAX, required=required)
        if value is None:
            return None
        if _ISO_DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                self.fail(column, f"{column} {value} is not a real date")
                return None
        why = (
            spreadsheet.reformatted_date(value)
            or f"{shown(value)} is not a date in the form YYYY-MM-DD"
        )
        self.fail(column, f"{column} {why}")
        return None


def _read(
    data: bytes,
    columns: tuple[str, ...],
    aliases: dict[str, str],
    read: Callable[[_Row], CatalogueEntry | None],
) -> list[CatalogueEntry]:
    """The entries of the file, or CatalogueRejected with its problems in line order. A wrong
    header stops the reading: the rows cannot be read against it."""
    problems = _Problems()
    seen = _Seen(columns[0])
    entries: list[CatalogueEntry] = []
    header = False
    try:
        for record in decoding.records(decoding.decode(data).text):
            if not header:
                header = True
                _check_header(record, columns, aliases, problems)
            elif _fits(record, columns, problems):
                row = _Row(record.line, dict(zip(columns, record.cells, strict=False)), problems)
                entry = read(row)
                seen.check(row)
                if entry is not None and not row.failed:
                    entries.append(entry)
    except Unreadable as exc:
        problems.add(exc.code, exc.message, exc.line)
    if not header and not problems.total:
        problems.add("empty_file", "the file is empty: it holds no values")
    elif not entries and not problems.total:
        problems.add("no_rows", "the file has a header row but no rows of entries")
    if problems.total:
        raise problems.rejected()
    return entries


def _check_header(
    record: decoding.Record, columns: tuple[str, ...], aliases: dict[str, str], problems: _Problems
) -> None:
    names = [c.strip() for c in record.cells]
    while names and not names[-1]:
        names.pop()
    for message, column in decoding.header_problems(names, columns, aliases):
        problems.add("header", message, record.line, column)
    if problems.total:
        raise problems.rejected()


def _fits(record: decoding.Record, columns: tuple[str, ...], problems: _Problems) -> bool:
    cells, width = record.cells, len(columns)
    if len(cells) < width:
        message = f"the row has {len(cells)} cells, but the header has {width} columns"
    elif extra := [i for i, c in enumerate(cells[width:], start=width + 1) if c.strip()]:
        message = f"the row has a value in cell {extra[0]}, after the last column ({columns[-1]})"
    else:
        return True
    problems.add("cell_count", message, record.line)
    return False


# The columns ------------------------------------------------------------------------------


class _Common(NamedTuple):
    """The columns both files share, in CatalogueEntry's order."""

    hours: int | None
    organisation: str | None
    organisation_name: str | None
    valid_from: date
    valid_to: date | None


def _common(row: _Row, *, organisation_required: bool) -> _Common | None:
    hours = row.whole("GuidedLearningHours", 0, HOURS_MAX)
    code = row.code(
        "AwardOrgCode", _ORGANISATION_CODE, "letters and digits", required=organisation_required
    )
    name = row.text("AwardOrgName", ORGANISATION_NAME_MAX, required=False)
    valid_from = row.day("EffectiveFrom", required=True)
    valid_to = row.day("EffectiveTo", required=False)
    if valid_from and valid_to and valid_to < valid_from:
        row.fail(
            "EffectiveTo",
            f"EffectiveTo {valid_to} is before EffectiveFrom {valid_from}",
            "date_order",
        )
    return None if valid_from is None else _Common(hours, code, name, valid_from, valid_to)


def _qualification_type(value: str) -> str:
    code = grades.qualification_type(value).code
    if code == grades.QCF_UNIT:
        raise ValueError("QCF_UNIT is for units: load units from the units file")
    return code


def _level(row: _Row, kind: str | None) -> str | None:
    """The level from NotionalNVQLevelv2 and EntrySubLevel, if the type can be at it."""
    try:
        sub_level = levels.parse_entry_sub_level(row.cells["EntrySubLevel"])
    except ValueError as exc:
        row.fail("EntrySubLevel", str(exc))
        return None
    level = row.parsed("NotionalNVQLevelv2", lambda v: levels.parse_level(v, sub_level))
    if level is not None and kind is not None:
        try:
            grades.check_level(kind, level)
        except ValueError as exc:
            row.fail("NotionalNVQLevelv2", str(exc), "level_for_type")
    return level


def _qualification(row: _Row) -> CatalogueEntry | None:
    code = row.code("LearnAimRef", _AIM_REF, "8 letters or digits, such as 60012345")
    title = row.text("LearnAimRefTitle", TITLE_MAX)
    aim_type = row.code("LearnAimRefType", _AIM_TYPE, "4 digits, such as 0003", required=False)
    kind = row.parsed("QualificationType", _qualification_type)
    level = _level(row, kind)
    credits = row.whole("RegulatedCreditValue", 0, CREDITS_MAX)
    if kind is not None and (credits is not None or not row.cells["RegulatedCreditValue"].strip()):
        try:
            grades.check_size(kind, credits)
        except ValueError as exc:
            row.fail("RegulatedCreditValue", str(exc), "qcf_size")
    common = _common(row, organisation_required=True)
    if row.failed or not (code and title and kind and level and common):
        return None
    return CatalogueEntry(
        code, QUALIFICATION, title, kind, level, credits, *common, row.line, aim_type
    )


def _unit(row: _Row) -> CatalogueEntry | None:
    code = row.code(
        "UnitReference", _UNIT_REF, "a letter, 3 digits and 4 digits, such as K/501/5773"
    )
    title = row.text("UnitTitle", TITLE_MAX)
    level = row.parsed("Level", levels.parse_level)
    credits = row.whole("CreditValue", 1, CREDITS_MAX, required=True)
    common = _common(row, organisation_required=False)
    if row.failed or not (code and title and level and credits and common):
        return None
    return CatalogueEntry(code, UNIT, title, grades.QCF_UNIT, level, credits, *common, row.line)


# The file ---------------------------------------------------------------------------------


@dataclass
class _Seen:
    """What only the file as a whole shows: a code given twice, or an awarding organisation
    given two names (which would the catalogue keep?). Read from the cells, so that a code is
    caught twice even on a row with other problems."""

    key: str
    lines: dict[str, int] = field(default_factory=dict)
    names: dict[str, tuple[str, int]] = field(default_factory=dict)

    def check(self, row: _Row) -> None:
        code = row.cells[self.key].strip().upper()
        if code and (line := self.lines.setdefault(code, row.line)) != row.line:
            message = f"{shown(code)} is also on line {line}: give each code once"
            row.fail(self.key, message, "duplicate")
        org = row.cells["AwardOrgCode"].strip().upper()
        name = " ".join(row.cells["AwardOrgName"].split())
        if org and name and (known := self.names.setdefault(org, (name, row.line)))[0] != name:
            row.fail(
                "AwardOrgName",
                f"AwardOrgCode {shown(org)} is named {shown(known[0])} on line {known[1]}",
                "organisation_name",
            )


def read_qualifications(data: bytes) -> list[CatalogueEntry]:
    """The qualifications of a catalogue file, in file order.

    Raises CatalogueRejected with every problem found, and nothing read, if any row is wrong.
    """
    return _read(data, QUALIFICATION_COLUMNS, _QUALIFICATION_ALIASES, _qualification)


def read_units(data: bytes) -> list[CatalogueEntry]:
    """The units of a catalogue file, in file order; refused as a whole like qualifications."""
    return _read(data, UNIT_COLUMNS, _UNIT_ALIASES, _unit)
