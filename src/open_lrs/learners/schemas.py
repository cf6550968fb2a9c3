"""Request and response schemas for learners, separate from the ORM models.

Every field's rule lives in ``learners.rules``; these types only attach those rules (and the
XSD length limits, so that they show in the OpenAPI document) to field names.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    model_validator,
)

from open_lrs.core.clock import today
from open_lrs.learners import rules
from open_lrs.learners.uln import uln_error

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def _iso_date_only(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("must be a date in the form YYYY-MM-DD")
    return value


def _blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


def _uln(value: str) -> str:
    if problem := uln_error(value):
        raise ValueError(problem)
    return value


def _text(max_length: int, *, multiline: bool = False) -> AfterValidator:
    return AfterValidator(lambda v: rules.free_text(v, max_length=max_length, multiline=multiline))


IsoDate = Annotated[date, BeforeValidator(_iso_date_only)]
Name = Annotated[str, Field(min_length=1, max_length=35), AfterValidator(rules.name)]
OptName = Annotated[Name | None, BeforeValidator(_blank_to_none), Field(default=None)]
DateOfBirth = Annotated[IsoDate, AfterValidator(lambda v: rules.date_of_birth(v, today=today()))]
Gender = Annotated[
    Literal["0", "1", "2", "9"],
    Field(description="LRS gender code: 0 not known, 1 male, 2 female, 9 not specified"),
]
Postcode = Annotated[
    str,
    Field(min_length=1, max_length=12, examples=["SW1A 1AA"]),
    AfterValidator(rules.postcode),
]
Uln = Annotated[
    str,
    Field(min_length=10, max_length=10, pattern=r"^[0-9]{10}$", examples=["1234567899"]),
    AfterValidator(_uln),
]


Blank = BeforeValidator(_blank_to_none)
Text35 = Annotated[str, Field(max_length=35), _text(35)]
Text50 = Annotated[str, Field(max_length=50), _text(50)]
Text254 = Annotated[str, Field(max_length=254), _text(254)]
Text255 = Annotated[str, Field(max_length=255), _text(255)]
Notes = Annotated[str, Field(max_length=4000), _text(4000, multiline=True)]
Email = Annotated[str, Field(max_length=254), AfterValidator(rules.email)]
Nationality = Annotated[str, Field(min_length=2, max_length=3), AfterValidator(rules.nationality)]
Scn = Annotated[str, Field(max_length=9), AfterValidator(rules.scottish_candidate_number)]
AddressDate = Annotated[
    IsoDate, AfterValidator(lambda v: rules.date_not_in_future(v, today=today()))
]
VerificationType = Literal["0", "1", "2", "3", "4", "5", "6", "7", "999"]
AbilityToShare = Literal["0", "1", "2"]

OptText35 = Annotated[Text35 | None, Blank, Field(default=None)]
OptText50 = Annotated[Text50 | None, Blank, Field(default=None)]
OptText254 = Annotated[Text254 | None, Blank, Field(default=None)]
OptText255 = Annotated[Text255 | None, Blank, Field(default=None)]
OptNotes = Annotated[Notes | None, Blank, Field(default=None)]
OptEmail = Annotated[Email | None, Blank, Field(default=None)]
OptNationality = Annotated[Nationality | None, Blank, Field(default=None)]
OptScn = Annotated[Scn | None, Blank, Field(default=None)]
OptAddressDate = Annotated[AddressDate | None, Blank, Field(default=None)]
OptVerificationType = Annotated[VerificationType | None, Blank, Field(default=None)]
OptAbilityToShare = Annotated[AbilityToShare | None, Blank, Field(default=None)]


class _LearnerFields(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    title: OptText35
    middle_other_name: OptName
    preferred_given_name: OptName
    previous_family_name: OptName
    family_name_at_age_16: OptName
    place_of_birth: OptText35
    address_line_1: OptText50
    address_line_2: OptText50
    address_town: OptText50
    address_county_or_city: OptText50
    date_of_address_capture: OptAddressDate
    school_at_age_16: OptText254
    email: OptEmail
    nationality: OptNationality
    scottish_candidate_number: OptScn
    verification_type: OptVerificationType
    other_verification_description: OptText255
    ability_to_share: OptAbilityToShare
    notes: OptNotes


class LearnerCreate(_LearnerFields):
    """A learner to register. Given name, family name, date of birth, gender and postcode are
    required (LRS registration rules); every other field is optional."""

    given_name: Name
    family_name: Name
    date_of_birth: DateOfBirth
    gender: Gender
    postcode: Postcode

    @model_validator(mode="after")
    def _other_verification(self) -> LearnerCreate:
        if self.verification_type == "999" and not self.other_verification_description:
            raise ValueError(
                "other_verification_description is required when verification_type is 999"
            )
        return self


class LearnerUpdate(_LearnerFields):
    """A partial update: only the fields present change; ``null`` clears an optional field."""

    version: int = Field(ge=1, description="The version you last read; stale versions are refused")
    given_name: Name | None = None
    family_name: Name | None = None
    date_of_birth: DateOfBirth | None = None
    gender: Gender | None = None
    postcode: Postcode | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> LearnerUpdate:
        for field in ("given_name", "family_name", "date_of_birth", "gender", "postcode"):
            if field in self.model_fields_set and getattr(self, field) is None:
                raise ValueError(f"{field} cannot be removed; it is required")
        return self

    def changes(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.model_fields_set if k != "version"}


class LearnerPublic(BaseModel):
    uln: str
    status: Literal["active", "linked"]
    title: str | None
    given_name: str
    middle_other_name: str | None
    family_name: str
    preferred_given_name: str | None
    previous_family_name: str | None
    family_name_at_age_16: str | None
    date_of_birth: date
    place_of_birth: str | None
    gender: str
    address_line_1: str | None
    address_line_2: str | None
    address_town: str | None
    address_county_or_city: str | None
    postcode: str
    date_of_address_capture: date | None
    school_at_age_16: str | None
    email: str | None
    nationality: str | None
    scottish_candidate_number: str | None
    verification_type: str | None
    other_verification_description: str | None
    ability_to_share: str | None
    notes: str | None
    linked_ulns: list[str] = Field(description="ULNs merged into this learner")
    version: int
    created_at: datetime
    updated_at: datetime


class LearnerResult(BaseModel):
    code: str = Field(description="Our readable outcome code", examples=["registered"])
    lrs_code: str = Field(description="The LRS response code (WSRC....)", examples=["WSRC0005"])
    master_substituted: bool = Field(
        default=False, description="True when the ULN asked for is linked to this master"
    )
    requested_uln: str | None = None
    learner: LearnerPublic


class VerifyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    uln: Uln
    given_name: Name
    family_name: Name
    date_of_birth: IsoDate | None = None
    gender: Gender | None = None


class VerifyResponse(BaseModel):
    result: Literal[
        "match", "linked_match", "similar_match", "similar_linked_match", "no_match", "not_found"
    ]
    code: str = Field(description="The LRS verification code (WSVRC001 to WSVRC006)")
    uln: str = Field(
        description="The ULN verified: the master's when the ULN asked for is linked and the "
        "details match; the ULN asked for otherwise"
    )
    searched_uln: str
    failure_flags: list[str] = Field(description="LRS failure flags VRF1 to VRF8")


class RetrieveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ulns: list[Annotated[str, Field(max_length=20)]] = Field(min_length=1, max_length=200)


class RetrievedUln(BaseModel):
    uln: str
    status: Literal["found", "linked", "not_found", "invalid"]
    master_uln: str | None = None
    lrs_code: str | None = None
    message: str | None = None


class RetrieveResponse(BaseModel):
    results: list[RetrievedUln]


Reason = Annotated[str, Field(min_length=1, max_length=2000), _text(2000, multiline=True)]


class LearnerRegistration(LearnerCreate):
    """A learner to register. The register is searched first: a learner found for sure is
    answered instead of a new ULN; possible matches stop the registration unless the caller
    confirms, with a reason, that this is someone new."""

    confirm_new: bool = Field(
        default=False,
        description="Issue a new ULN even though possible matches were found (needs `reason`)",
    )
    reason: Reason | None = Field(
        default=None, description="Why the possible matches are not this learner (audited)"
    )

    @model_validator(mode="after")
    def _reason_to_confirm(self) -> LearnerRegistration:
        if self.confirm_new and not self.reason:
            raise ValueError("reason is required when confirm_new is true")
        return self

    def learner(self) -> LearnerCreate:
        # Already validated field by field: no second pass over the same rules.
        return LearnerCreate.model_construct(**self.model_dump(exclude={"confirm_new", "reason"}))


class MergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    master_uln: Uln
    linked_uln: Uln
    reason: Reason


class UnmergeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    linked_uln: Uln
    reason: Reason


class MergeResponse(BaseModel):
    code: Literal["merged", "unmerged"]
    master: LearnerPublic
    linked: LearnerPublic


class HistoryEntry(BaseModel):
    version: int
    action: str
    changed_at: datetime
    ukprn: str | None
    user_label: str | None
    changes: dict[str, Any] = Field(description="Field name to {old, new}")
    reason: str | None


class MergeEvent(BaseModel):
    event: Literal["merged", "unmerged"]
    master_uln: str
    linked_uln: str
    occurred_at: datetime


class MergeReport(BaseModel):
    events: list[MergeEvent]
