"""A corpus of malformed and hostile requests, sent as raw bytes: each is answered with a SOAP
1.1 fault (HTTP 500, ``MIAPAPIException`` with WSEC0001) naming what is wrong, never a stack
trace; an envelope over the size limit is refused before it is read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from open_lrs.soap.learner_service import LEARNER_SERVICE
from tests.soap.conftest import Org, envelope, post_raw, raw_fault

FIND = "http://api.lrs.miap.gov.uk/findmsg"
REG = "http://api.lrs.miap.gov.uk/regmsg"
BATCH = "http://api.lrs.miap.gov.uk/batchmsg"
AUTH = "<OrganisationRef/><UKPRN>10000001</UKPRN><OrgPassword>k</OrgPassword>"


def find(inner: str, *, tag: str = "FindLearnerByULN", ns: str = FIND) -> bytes:
    return envelope(f'<f:{tag} xmlns:f="{ns}">{inner}</f:{tag}>')


def credentials(org: Org) -> str:
    return f"<OrganisationRef/><UKPRN>{org.ukprn}</UKPRN><OrgPassword>{org.key}</OrgPassword>"


VALID = find(f"{AUTH}<ULN>2000000001</ULN>")
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
    + find(f"{AUTH}<ULN>&lol9;</ULN>").decode()
)
EXTERNAL = (
    '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    + find(f"{AUTH}<ULN>&xxe;</ULN>").decode()
)
NESTED = envelope("<a>" * 300 + "</a>" * 300)

# (id, request body, SOAPAction header, fault code, words in the fault string)
CORPUS: list[tuple[str, bytes, str | None, str, str]] = [
    ("not XML", b"hello, is this the LRS?", '""', "Client", "not XML"),
    ("empty", b"", '""', "Client", "empty"),
    ("binary", b"PK\x03\x04\x14\x00\x00\x00", '""', "Client", "zip archive"),
    ("truncated", VALID[: len(VALID) // 2], '""', "Client", "ends early"),
    ("broken markup", VALID.replace(b"</ULN>", b"</UNL>"), '""', "Client", "does not match"),
    (
        "SOAP 1.2 namespace",
        VALID.replace(b"schemas.xmlsoap.org/soap/envelope/", b"www.w3.org/2003/05/soap-envelope"),
        None,
        "VersionMismatch",
        "SOAP 1.1",
    ),
    ("not an envelope", f'<f:FindLearnerByULN xmlns:f="{FIND}"/>'.encode(), '""', "Client",
     "not a SOAP envelope"),
    ("no body", VALID.replace(b"Body", b"Header"), '""', "Client", "then a Body"),
    ("two body elements", envelope("<a/><b/>"), '""', "Client", "exactly one element"),
    ("wrong operation namespace", find(AUTH, ns=FIND + "/v2"), '""', "Client",
     "{http://api.lrs.miap.gov.uk/findmsg/v2}FindLearnerByULN is not the request"),
    ("unknown operation", find(AUTH, tag="FindLearnerByPostcode"), '""', "Client",
     "FindLearnerByPostcode is not the request"),
    ("missing UKPRN", find("<OrganisationRef/><ULN>2000000001</ULN>"), '""', "Client",
     "FindLearnerByULN/UKPRN is missing"),
    ("missing JobID", find(AUTH, tag="GetSubmitBatchOutput", ns=BATCH), '""', "Client",
     "GetSubmitBatchOutput/JobID is missing"),
    ("missing VersionNumber", find(f"{AUTH}<Learner><ULN>2000000001</ULN></Learner>",
                                   tag="UpdateLearner", ns=REG), '""', "Client",
     "UpdateLearner/Learner/VersionNumber is missing"),
    ("not an int", find(f"{AUTH}<Learner><ULN>2000000001</ULN><VersionNumber>one</VersionNumber>"
                        "</Learner>", tag="UpdateLearner", ns=REG), '""', "Client",
     "UpdateLearner/Learner/VersionNumber must be a whole number (xs:int)"),
    ("not a long", find(f"{AUTH}<JobID>12.5</JobID>", tag="GetSubmitBatchOutput", ns=BATCH),
     '""', "Client", "JobID must be a whole number (xs:long)"),
    ("int out of range", find(f"{AUTH}<LearnerRecordCount>99999999999</LearnerRecordCount>",
                              tag="SubmitBatch", ns=BATCH), '""', "Client",
     "LearnerRecordCount is out of range for xs:int"),
    ("nil where not nillable", find(
        f'{AUTH}<JobID xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>',
        tag="GetSubmitBatchOutput", ns=BATCH), '""', "Client", "JobID may not be nil"),
    ("child in the operation's namespace", find(f"{AUTH}<f:ULN>2000000001</f:ULN>"), '""',
     "Client", f"FindLearnerByULN/ULN is in the namespace {FIND}; it must be in no namespace"),
    ("unknown element", find(f"{AUTH}<Colour>blue</Colour>"), '""', "Client",
     "FindLearnerByULN/Colour is not an element of FindLearnerByULN"),
    ("repeated element", find(f"{AUTH}<ULN>2000000001</ULN><ULN>5000000012</ULN>"), '""',
     "Client", "FindLearnerByULN/ULN appears more than once"),
    ("text for elements", find(f"{AUTH}<Learner>William</Learner>", tag="RegisterLearner",
                               ns=REG), '""', "Client", "must hold elements, not text"),
    ("elements for text", find(f"{AUTH}<ULN><digits>2000000001</digits></ULN>"), '""', "Client",
     "FindLearnerByULN/ULN must hold a value, not elements"),
    ("SOAPAction of another operation", VALID, '"http://tempuri.org/LearnerPortType/verifyLearner"',
     "Client", "names the operation verifyLearner"),
    ("unknown SOAPAction", VALID, "urn:lrs:nothing", "Client", "names no operation"),
    ("header that must be understood", envelope(
        f'<f:FindLearnerByULN xmlns:f="{FIND}">{AUTH}</f:FindLearnerByULN>',
        header='<s:Header><w:Security xmlns:w="urn:x" s:mustUnderstand="1"/></s:Header>',
    ), '""', "MustUnderstand", "Security must be understood"),
    ("billion laughs", LAUGHS.encode(), '""', "Client", "DOCTYPE"),
    ("billion laughs in UTF-16", LAUGHS.replace('"1.0"?', '"1.0" encoding="UTF-16"?').encode(
        "utf-16"), '""', "Client", "DOCTYPE"),
    ("external entity", EXTERNAL.encode(), '""', "Client", "DOCTYPE"),
    ("nested too deep", NESTED, '""', "Client", "more than 256 deep"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("data", "action", "fault_code", "words"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_each_malformed_request_is_a_fault(
    client: TestClient, data: bytes, action: str | None, fault_code: str, words: str
) -> None:
    response = post_raw(client, data, action=action)
    fault = raw_fault(response)
    assert (fault.faultcode, fault.code) == (f"s:{fault_code}", "WSEC0001")
    assert words in fault.faultstring, fault
    assert b"root:" not in response.content  # no file was read
    assert "request id: " in (fault.further or "")


def test_a_value_that_breaks_a_rule_is_named(client: TestClient, org: Any) -> None:
    provider = org()
    auth = credentials(provider)
    learner = (
        "<Learner><GivenName>Ann</GivenName><FamilyName>Lee</FamilyName>"
        "<DateOfBirth>2007-13-45</DateOfBirth><Gender>2</Gender>"
        "<LastKnownPostCode>M1 1AE</LastKnownPostCode></Learner>"
    )
    fault = raw_fault(post_raw(client, find(auth + learner, tag="RegisterLearner", ns=REG)))
    assert (fault.faultcode, fault.code, fault.actor) == (
        "s:Client",
        "WSEC0001",
        "registerSingleLearner",
    )
    assert "Learner/DateOfBirth" in fault.faultstring


def test_the_soapaction_header_is_optional_and_a_body_element_decides(
    client: TestClient, org: Any
) -> None:
    provider = org()
    auth = credentials(provider)
    for action in (None, '""', '"http://tempuri.org/LearnerPortType/learnerByULN"'):
        r = post_raw(client, find(f"{auth}<ULN>2000000001</ULN>"), action=action)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"] == "text/xml; charset=utf-8"
        assert b"<ResponseCode>WSRC0001</ResponseCode>" in r.content


@pytest.fixture
def small_client(db: Database) -> Iterator[TestClient]:
    settings = Settings(
        environment="test", database_url="sqlite://", log_format="json", max_upload_bytes=4096
    )
    with TestClient(create_app(settings, database=db), raise_server_exceptions=False) as c:
        yield c


def test_an_oversized_envelope_is_refused_before_it_is_read(small_client: TestClient) -> None:
    big = find(AUTH + "<ULN>" + "1" * 5000 + "</ULN>")
    declared = raw_fault(post_raw(small_client, big))  # a declared length: a fault too
    assert declared.code == "WSEC0001"
    assert "larger than the 4,096 bytes" in declared.faultstring

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(big), 1000):
            yield big[i : i + 1000]

    streamed = small_client.post(
        "/LearnerService.svc",
        content=chunks(),
        headers={"Content-Type": "text/xml; charset=utf-8", "SOAPAction": '""'},
    )
    fault = raw_fault(streamed)  # no length declared: refused while streaming, as a fault
    assert fault.code == "WSEC0001"
    assert "larger than the 4,096 bytes" in fault.faultstring


def test_our_own_failure_is_a_bare_server_fault(
    client: TestClient,
    org: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    provider = org()

    def broken(_call: Any) -> Any:
        raise RuntimeError("database on fire while reading ULN 2000000001 for Siân")

    monkeypatch.setitem(LEARNER_SERVICE.adapters, "learnerByULN", broken)
    auth = credentials(provider)
    response = post_raw(client, find(f"{auth}<ULN>2000000001</ULN>"))
    fault = raw_fault(response)
    assert (fault.faultcode, fault.code) == ("s:Server", None)
    assert "could not complete the request" in fault.faultstring
    assert b"fire" not in response.content
    assert b"Si\xc3\xa2n" not in response.content
    logged = capsys.readouterr().err
    assert "soap_unhandled_error" in logged
    assert "RuntimeError" in logged
    assert "fire" not in logged
    assert "Siân" not in logged
