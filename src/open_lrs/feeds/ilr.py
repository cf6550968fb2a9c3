"""Reading an ILR return (domain.md §6) into learning events. Pure: bytes in, awards out.

A return is trusted as a whole or not at all: it must be safe, well-formed XML, in the
namespace of a year we hold the schema for, and valid against that schema. Otherwise it is
rejected with every schema problem at once, so that the provider fixes the file in one go,
and nothing of it is loaded.

From a valid return, each learning aim a learner has achieved becomes an achievement, and each
aim still under way (or finished without a known result) a participation. Programme aims are
containers for the qualifications inside them, not qualifications, and aims withdrawn from or
not achieved are not part of anyone's record of learning, so neither is recorded.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from open_lrs.core import safe_xml
from open_lrs.feeds.ilr_schema import YEARS, IlrYear, element_path, local_name, validate
from open_lrs.feeds.types import Award, FeedFile, FeedRejected, LearnerIdentity, RecordProblem
from open_lrs.records.kinds import ACHIEVEMENT, FINAL, PARTICIPATION

DEFAULT_MAX_BYTES = 200 * 1024 * 1024
COLLECTION_TYPE = "ILR"
PROGRAMME_AIM_TYPE = 1
PROGRAMME_AIM_REF = "ZPROG001"
WITHDRAWN = 3  # CompStatus
ACHIEVED, NO_ACHIEVEMENT = 1, 3  # Outcome
_GENDERS = {"M": "1", "F": "2"}
_NOT_KNOWN_GENDER = "9"
_XS_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:Z|[+-]\d{2}:\d{2})?$")
_HEADER_DETAILS = {
    "collection_year": "Header/CollectionDetails/Year",
    "file_preparation_date": "Header/CollectionDetails/FilePreparationDate",
    "serial_no": "Header/Source/SerialNo",
    "date_time": "Header/Source/DateTime",
    "software_supplier": "Header/Source/SoftwareSupplier",
    "software_package": "Header/Source/SoftwarePackage",
    "release": "Header/Source/Release",
    "reference_data": "Header/Source/ReferenceData",
    "component_set_version": "Header/Source/ComponentSetVersion",
}
_COUNTS = ("learners", "deliveries", "achievements", "participations")
_PROGRAMME_AIM, _NOT_ACHIEVED, _CONTRADICTORY = "programme_aim", "not_achieved", "contradictory"


def read_ilr(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FeedFile:
    """Read an ILR return: a ``FeedFile`` of its achievements and participations, or
    ``FeedRejected`` when the file as a whole cannot be trusted."""
    tree = _parse(data, max_bytes)
    year = _year(tree.getroot())
    problems, total = validate(tree, year)
    if total:
        counted = "1 problem was" if total == 1 else f"{total:,} problems were"
        shown = f" The first {len(problems)} are listed." if total > len(problems) else ""
        raise FeedRejected(
            f"The file does not match the {year.year} ILR schema: {counted} found. "
            f"Correct the file and send it again.{shown}",
            problems,
        )
    return _Reader(year).read(tree.getroot())


def _parse(data: bytes, max_bytes: int) -> Any:
    try:
        return safe_xml.parse(data, max_bytes=max_bytes)
    except safe_xml.XmlRefused as exc:
        raise FeedRejected(
            f"The file cannot be read as an ILR return. {exc}",
            [RecordProblem(line=exc.line, field="file", message=exc.message, code=exc.code)],
        ) from None


def _year(root: Any) -> IlrYear:
    """The year whose schema applies, from the root's namespace, which every ILR return
    declares (``xmlns="ESFA/ILR/2025-26"``) and which differs from year to year."""
    qname = etree.QName(root)
    accepted = "; ".join(f'"{y.namespace}" ({y.year})' for y in YEARS.values())
    if qname.localname != "Message":
        where = f' in namespace "{qname.namespace}"' if qname.namespace else ""
        message = (
            f"The root element is <{qname.localname}>{where}, not <Message>: this is not an "
            f"ILR return. ILR returns accepted: {accepted}."
        )
        raise _rejected(root, message, "not_ilr")
    if qname.namespace is None:
        message = (
            "The root <Message> has no namespace, so the ILR year it is for is unknown. An ILR "
            f'return declares its year as xmlns="ESFA/ILR/2025-26". Accepted: {accepted}.'
        )
        raise _rejected(root, message, "unknown_year")
    year = YEARS.get(qname.namespace)
    if year is None:
        message = (
            f'The root <Message> is in namespace "{qname.namespace}", which is not an ILR year '
            f"this service accepts. Accepted: {accepted}."
        )
        raise _rejected(root, message, "unknown_year")
    return year


def _rejected(root: Any, message: str, code: str) -> FeedRejected:
    problem = RecordProblem(
        line=root.sourceline, field=local_name(root), message=message, code=code
    )
    return FeedRejected(message, [problem])


class _Unusable(Exception):
    """One learner's or delivery's data cannot become an award; the rest of the file can."""

    def __init__(self, problem: RecordProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


@dataclass(frozen=True)
class _Learner:
    ref: str
    identity: LearnerIdentity


class _Reader:
    """Reads one schema-valid return, so elements the schema requires are known to be there."""

    def __init__(self, year: IlrYear) -> None:
        self.year = year
        self.ns = year.namespace

    def read(self, root: Any) -> FeedFile:
        ukprn = self._ukprn(root)
        tally: Counter[str] = Counter()
        awards: list[Award] = []
        problems: list[RecordProblem] = []
        first_line: dict[str, int] = {}
        for element in root.iterfind(self._tag("Learner")):
            tally["learners"] += 1
            deliveries = element.findall(self._tag("LearningDelivery"))
            tally["deliveries"] += len(deliveries)
            try:
                learner = self._learner(element)
            except _Unusable as exc:
                problems.append(exc.problem)
                continue
            for delivery in deliveries:
                try:
                    award = self._delivery(delivery, learner, ukprn, tally)
                    if award is not None:
                        self._check_unique(award, first_line, delivery)
                        awards.append(award)
                        tally[award.kind + "s"] += 1
                except _Unusable as exc:
                    problems.append(exc.problem)
        return FeedFile(
            source="ILR",
            awards=awards,
            problems=problems,
            ukprn=ukprn,
            details=self._details(root, tally, len(problems)),
        )

    def _ukprn(self, root: Any) -> str:
        """The provider's UKPRN. The header repeats it; a file whose two disagree cannot say
        whose learners these are."""
        provider = self._text(root, "LearningProvider/UKPRN")
        sender = self._text(root, "Header/Source/UKPRN")
        if provider is None or provider != sender:
            element = root.find(self._path("LearningProvider/UKPRN"))
            message = (
                f"The UKPRN in <LearningProvider> ({provider}) differs from the one in the "
                f"header <Source> ({sender}), so it is not clear whose return this is."
            )
            problem = RecordProblem(
                element.sourceline, "LearningProvider/UKPRN", message, "ukprn_mismatch"
            )
            raise FeedRejected(message, [problem])
        return provider

    def _learner(self, element: Any) -> _Learner:
        sex = self._text(element, "Sex") or ""
        identity = LearnerIdentity(
            uln=self._text(element, "ULN"),
            given_name=self._text(element, "GivenNames"),
            family_name=self._text(element, "FamilyName"),
            date_of_birth=self._date(element, "DateOfBirth"),
            gender=_GENDERS.get(sex, _NOT_KNOWN_GENDER),
            postcode=self._text(element, "Postcode"),
        )
        return _Learner(ref=self._text(element, "LearnRefNumber") or "", identity=identity)

    def _delivery(
        self, delivery: Any, learner: _Learner, ukprn: str, tally: Counter[str]
    ) -> Award | None:
        kind = self._kind(delivery)
        if kind in (_PROGRAMME_AIM, _NOT_ACHIEVED):
            tally[kind] += 1
            return None
        if kind == _CONTRADICTORY:
            raise _Unusable(
                RecordProblem(
                    delivery.sourceline,
                    element_path(delivery) + "/Outcome",
                    "The aim is recorded as both withdrawn (CompStatus 3) and achieved "
                    "(Outcome 1); it was not loaded.",
                    "contradictory_outcome",
                )
            )
        aim = self._text(delivery, "LearnAimRef") or ""
        start = self._date(delivery, "LearnStartDate")
        assert start is not None  # required by every year's schema
        end = self._date(delivery, "LearnActEndDate")
        award_date, grade = None, None
        if kind == ACHIEVEMENT:
            award_date = self._date(delivery, "AchDate") or end
            grade = self._text(delivery, "OutGrade")
            if award_date is None:
                raise _Unusable(self._undated(delivery, aim))
        return Award(
            record_key=f"{learner.ref}/{aim}/{start.isoformat()}",
            line=delivery.sourceline,
            learner=learner.identity,
            subject_code=aim,
            kind=ACHIEVEMENT if kind == ACHIEVEMENT else PARTICIPATION,
            status=FINAL,
            grade=grade,
            award_date=award_date,
            participation_start=start,
            participation_end=end,
            provider_ukprn=ukprn,
            collection_type=COLLECTION_TYPE,
        )

    def _kind(self, delivery: Any) -> str:
        """What a delivery is to the learner's record (the table in docs/ilr.md)."""
        aim_type = self._int(delivery, "AimType")
        if aim_type == PROGRAMME_AIM_TYPE or self._text(delivery, "LearnAimRef") == (
            PROGRAMME_AIM_REF
        ):
            return _PROGRAMME_AIM
        status, outcome = self._int(delivery, "CompStatus"), self._int(delivery, "Outcome")
        if status == WITHDRAWN and outcome == ACHIEVED:
            return _CONTRADICTORY
        if status == WITHDRAWN or outcome == NO_ACHIEVEMENT:
            return _NOT_ACHIEVED
        return ACHIEVEMENT if outcome == ACHIEVED else PARTICIPATION

    def _undated(self, delivery: Any, aim: str) -> RecordProblem:
        return RecordProblem(
            delivery.sourceline,
            element_path(delivery) + "/AchDate",
            f"Aim {aim} is recorded as achieved (Outcome 1) but has neither an AchDate nor a "
            "LearnActEndDate, so when it was achieved is unknown; it was not loaded.",
            "missing_award_date",
        )

    def _check_unique(self, award: Award, first_line: dict[str, int], delivery: Any) -> None:
        """Two deliveries with one key would supersede each other on loading; keep the first."""
        seen = first_line.setdefault(award.record_key, delivery.sourceline)
        if seen != delivery.sourceline:
            raise _Unusable(
                RecordProblem(
                    delivery.sourceline,
                    element_path(delivery),
                    f"Aim {award.subject_code} starting {award.participation_start} is reported "
                    f"twice for this learner (first on line {seen}); only the first was loaded.",
                    "duplicate",
                )
            )

    def _details(self, root: Any, tally: Counter[str], problems: int) -> dict[str, str]:
        details = {"year": self.year.year, "namespace": self.ns}
        for key, path in _HEADER_DETAILS.items():
            if (value := self._text(root, path)) is not None:
                details[key] = value
        for key in _COUNTS:
            details[key] = str(tally[key])
        details["programme_aims_skipped"] = str(tally[_PROGRAMME_AIM])
        details["not_achieved_skipped"] = str(tally[_NOT_ACHIEVED])
        details["problems"] = str(problems)
        return details

    def _tag(self, name: str) -> str:
        return f"{{{self.ns}}}{name}"

    def _path(self, path: str) -> str:
        return "/".join(self._tag(name) for name in path.split("/"))

    def _text(self, element: Any, path: str) -> str | None:
        value = element.findtext(self._path(path))
        return value.strip() or None if value is not None else None

    def _int(self, element: Any, name: str) -> int | None:
        value = self._text(element, name)
        return int(value) if value is not None else None

    def _date(self, element: Any, name: str) -> date | None:
        """An ``xs:date`` as a date: any time zone the schema allows is dropped, and a year
        Python cannot hold (the schema allows 10000 and beyond) makes the record unusable."""
        value = self._text(element, name)
        if value is None:
            return None
        found = _XS_DATE.match(value)
        try:
            if found is None:
                raise ValueError(value)
            return date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            child = element.find(self._tag(name))
            raise _Unusable(
                RecordProblem(
                    child.sourceline,
                    element_path(child),
                    f'"{value}" is not a date this service can hold (years 0001 to 9999).',
                    "invalid_date",
                )
            ) from None
