"""The R9 WSDL served at ?wsdl and ?singleWsdl with our address, and malformed or hostile R9
requests, each answered with a SOAP 1.1 fault holding the WSDL's ``DomainFault``."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from fastapi.testclient import TestClient
from lxml import etree

from open_lrs.core.db import Database
from open_lrs.soap.r9_service import R9_SERVICE
from tests.soap.conftest import (
    R9_PATH,
    R9_WSDL_PATH,
    AppAdapter,
    Org,
    envelope,
    post_raw,
    r9_auth,
    raw_domain_fault,
    transport_for,
)
from tests.soap.r9_data import register

ORIGINAL = b"https://ws.lrs.education.gov.uk/LearnerServiceR9.svc?singleWsdl"
OURS = b"http://testserver/LearnerServiceR9.svc"
SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"
TEMPURI = "http://tempuri.org/"
COMMON = "http://schemas.datacontract.org/2004/07/Amor.Qcf.Common"
ACTION = '"http://tempuri.org/ILearnerServiceR9/{}"'


@pytest.mark.parametrize("query", ["wsdl", "singleWsdl", "SINGLEWSDL"])
def test_the_r9_wsdl_is_served_with_our_address(client: TestClient, query: str) -> None:
    r = client.get(f"{R9_PATH}?{query}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/xml; charset=utf-8"
    assert r.content.count(OURS) == 1
    # The commented-out address in the LRS's file stays as it was; nothing else differs.
    assert b'<!-- <soap:address location="' + ORIGINAL + b'"/> -->' in r.content
    assert r.content.replace(OURS, ORIGINAL) == R9_WSDL_PATH.read_bytes()
    [address] = etree.fromstring(r.content).iter(SOAP_ADDRESS)
    assert address.get("location") == OURS.decode()


def test_zeep_loads_the_served_r9_wsdl_and_calls_the_address_in_it(
    adapter: AppAdapter, client: TestClient, org: Any
) -> None:
    provider = org()
    served = zeep.Client(f"http://testserver{R9_PATH}?wsdl", transport=transport_for(adapter))
    answer = served.service.GetOrganisation(**r9_auth(provider), ukPrn=None, orgRef=None)
    assert (answer.ResponseCode, answer.Ukprn) == ("WSRC0004", provider.ukprn)
    page = client.get(R9_PATH)
    assert f"http://testserver{R9_PATH}?wsdl" in page.text


def r9_request(operation: str, inner: str, ns: str = TEMPURI) -> bytes:
    return envelope(f'<r:{operation} xmlns:r="{ns}">{inner}</r:{operation}>')


def invoking(org: Org | None = None) -> str:
    ukprn, key = (org.ukprn, org.key) if org else ("10000001", "k")
    return (
        f'<r:invokingOrganisation xmlns:c="{COMMON}"><c:Password>{key}</c:Password>'
        f"<c:Ukprn>{ukprn}</c:Ukprn></r:invokingOrganisation>"
    )


HEAD = "<r:userType>ORG</r:userType><r:vendorId>1</r:vendorId><r:language>ENG</r:language>"
BY_ULN = "<r:uln>2000000001</r:uln><r:givenName>A</r:givenName><r:familyName>B</r:familyName>"
FIND = "<r:findType>FUL</r:findType>"
VALID = r9_request("LearnerByUln", invoking() + HEAD + BY_ULN + FIND)
VERSION = "<r:versionNumber>1</r:versionNumber>"
NIL_VERSION = '<r:versionNumber xmlns:i="http://www.w3.org/2001/XMLSchema-instance" i:nil="true"/>'
SUBSET = (
    f"<r:uln>2000000001</r:uln>{VERSION}<r:emailAddress/>"
    "<r:telephoneNumber/><r:abilityToShare>NotProvided</r:abilityToShare><r:schoolAtAge16/>"
    "<r:preferredGivenName/>"
)
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
    + r9_request(
        "LearnerByUln", invoking() + HEAD + BY_ULN.replace("A<", "&lol9;<") + FIND
    ).decode()
)

# (id, request body, SOAPAction, fault code, words in the fault string)
CORPUS: list[tuple[str, bytes, str | None, str, str]] = [
    ("wrong operation namespace", r9_request("LearnerByUln", HEAD, ns=TEMPURI + "v2/"),
     ACTION.format("LearnerByUln"), "Client", "names the operation LearnerByUln"),
    ("wrong namespace, no SOAPAction", r9_request("LearnerByUln", HEAD, ns=TEMPURI + "v2/"),
     None, "Client", "{http://tempuri.org/v2/}LearnerByUln is not the request"),
    ("unqualified child", r9_request("LearnerByUln", invoking() + HEAD + FIND
                                     + "<uln>2000000001</uln>"), None, "Client",
     "LearnerByUln/uln is in no namespace; it must be in the namespace http://tempuri.org/"),
    ("credentials in the wrong namespace", r9_request(
        "LearnerByUln", invoking().replace(COMMON, TEMPURI) + HEAD + BY_ULN + FIND), None,
     "Client", f"invokingOrganisation/Password is in the namespace {TEMPURI}"),
    ("missing mandatory element", r9_request("LearnerByUln", invoking() + HEAD + BY_ULN), None,
     "Client", "LearnerByUln/findType is missing: the element is mandatory (it may be nil)"),
    ("missing vendorId", r9_request("LearnerByUln", invoking() + HEAD.replace(
        "<r:vendorId>1</r:vendorId>", "") + BY_ULN + FIND), None, "Client",
     "LearnerByUln/vendorId is missing"),
    ("wrong type", r9_request("LearnerByUln", invoking() + HEAD.replace(">1<", ">one<") + BY_ULN
                              + FIND), None, "Client",
     'LearnerByUln/vendorId must be a whole number (xs:int), not "one"'),
    ("not in the enumeration", r9_request("UpdateLearnerSubsetFields", invoking() + HEAD
                                          + SUBSET.replace("NotProvided", "Maybe")), None,
     "Client", "UpdateLearnerSubsetFields/abilityToShare must be one of FPNNotSeen"),
    ("userType not a UserType", r9_request("GetOrganisation", invoking() + HEAD.replace(
        "ORG<", "Admin<") + "<r:ukPrn/><r:orgRef/>"), None, "Client",
     "GetOrganisation/userType must be one of LNR, ORG, SER, Unknown"),
    ("nil where not nillable", r9_request("UpdateLearnerSubsetFields", invoking() + HEAD
                                          + SUBSET.replace(VERSION, NIL_VERSION)), None,
     "Client", "UpdateLearnerSubsetFields/versionNumber may not be nil"),
    ("unknown element", r9_request("ViewAudit", invoking() + HEAD + "<r:colour>blue</r:colour>"),
     None, "Client", "ViewAudit/colour is not an element of ViewAudit"),
    ("SOAPAction of another operation", VALID, ACTION.format("ViewAudit"), "Client",
     "names the operation ViewAudit"),
    ("SOAP 1.2 envelope", VALID.replace(b"schemas.xmlsoap.org/soap/envelope/",
                                        b"www.w3.org/2003/05/soap-envelope"), None,
     "VersionMismatch", "SOAP 1.1"),
    ("billion laughs", LAUGHS.encode(), None, "Client", "DOCTYPE"),
    ("not XML", b"<r:LearnerByUln", None, "Client", "not well-formed"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "action", "fault_code", "words"),
    [case[1:] for case in CORPUS],
    ids=[case[0] for case in CORPUS],
)
def test_each_malformed_r9_request_is_a_domain_fault(
    client: TestClient, body: bytes, action: str | None, fault_code: str, words: str
) -> None:
    response = post_raw(client, body, action=action, path=R9_PATH)
    fault = raw_domain_fault(response)
    assert (fault.faultcode, fault.code) == (f"s:{fault_code}", "WSEC0001")
    assert words in fault.faultstring, fault
    assert words in fault.detail
    assert "\nrequest id: " in fault.detail


def test_a_well_formed_raw_request_is_answered(client: TestClient, org: Any, db: Database) -> None:
    provider = org()
    learner = register(db, provider).learner
    body = r9_request(
        "LearnerByUln",
        invoking(provider) + HEAD + BY_ULN.replace("2000000001", learner.uln) + FIND,
    )
    for action in (None, ACTION.format("LearnerByUln")):
        r = post_raw(client, body, action=action, path=R9_PATH)
        assert r.status_code == 200, r.text
        assert b">WSRC0004</" in r.content
        assert learner.uln.encode() in r.content


def test_our_own_failure_is_a_domain_fault_without_a_code(
    client: TestClient, org: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    provider = org()

    def broken(_call: Any) -> Any:
        raise RuntimeError("database on fire while reading ULN 2000000001")

    monkeypatch.setitem(R9_SERVICE.adapters, "LearnerByUln", broken)
    response = post_raw(
        client, r9_request("LearnerByUln", invoking(provider) + HEAD + BY_ULN + FIND), path=R9_PATH
    )
    fault = raw_domain_fault(response)
    assert (fault.faultcode, fault.code) == ("s:Server", None)
    assert "could not complete the request" in fault.faultstring
    assert b"fire" not in response.content
    assert fault.detail.startswith("operation: LearnerByUln\n")
