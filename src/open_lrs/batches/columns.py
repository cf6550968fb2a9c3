"""The columns of a batch-registration file (domain.md §2), in the file's order, and the
learner field each fills. ``fileformat`` reads files by them, ``output`` writes them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# The LRS portal's format starts every row with these four columns; the first row's values
# describe the file.
LRS_PREFIX = ("FileVersion", "FileName", "UKPRN", "LearnerRecordCount")


@dataclass(frozen=True)
class Column:
    name: str
    field: str
    max_length: int
    ours: bool = False  # the limit is ours: the LRS sets none


_CODE = 50  # (ours) far beyond any valid code or date, so only misplaced text trips it
COLUMNS: tuple[Column, ...] = (
    Column("ULN", "uln", _CODE, ours=True),
    Column("MISIdentifier", "mis_identifier", 50, ours=True),
    Column("Title", "title", 35),
    Column("GivenName", "given_name", 35),
    Column("PreferredGivenName", "preferred_given_name", 35),
    Column("MiddleOtherName", "middle_other_name", 35),
    Column("FamilyName", "family_name", 35),
    Column("PreviousFamilyName", "previous_family_name", 35),
    Column("FamilyNameAt16", "family_name_at_age_16", 35),
    Column("SchoolAtAge16", "school_at_age_16", 254),
    Column("LastKnownAddressLine1", "address_line_1", 50),
    Column("LastKnownAddressLine2", "address_line_2", 50),
    Column("LastKnownAddressTown", "address_town", 50),
    Column("LastKnownAddressCountyorCity", "address_county_or_city", 50),
    Column("LastKnownPostCode", "postcode", 9),
    Column("DateOfAddressCapture", "date_of_address_capture", _CODE, ours=True),
    Column("DateOfBirth", "date_of_birth", _CODE, ours=True),
    Column("PlaceOfBirth", "place_of_birth", 35),
    Column("EmailAddress", "email", 254),
    Column("Gender", "gender", _CODE, ours=True),
    Column("Nationality", "nationality", 3),
    Column("ScottishCandidateNumber", "scottish_candidate_number", 9),
    Column("AbilityToShare", "ability_to_share", _CODE, ours=True),
    Column("VerificationType", "verification_type", _CODE, ours=True),
    Column("OtherVerificationDescription", "other_verification_description", 255),
    Column("Notes", "notes", 4000),
)
LEARNER_COLUMNS = tuple(c.name for c in COLUMNS)
COLUMN_TO_FIELD: Mapping[str, str] = MappingProxyType({c.name: c.field for c in COLUMNS})
