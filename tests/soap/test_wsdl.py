"""The WSDLs: vendored byte for byte, served at ?wsdl / ?singleWsdl with our own address, and
loadable by zeep from there. The SOAP endpoints stay out of the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
import zeep
from fastapi.testclient import TestClient
from lxml import etree

from open_lrs.soap.schema import Schema
from open_lrs.soap.wsdl import operations, served, wsdl_bytes, wsdl_tree
from tests.soap.conftest import WSDL_DIR, WSDL_PATH, AppAdapter, person, transport_for

ORIGINAL_ADDRESS = b"https://ws.lrs.education.gov.uk/LearnerService.svc?singlewsdl"
SOAP_ADDRESS = "{http://schemas.xmlsoap.org/wsdl/soap/}address"


@pytest.mark.parametrize("name", ["LearnerService.wsdl", "LearnerServiceR9.wsdl"])
def test_the_vendored_wsdls_are_the_reference_copies(name: str) -> None:
    assert wsdl_bytes(name) == (WSDL_DIR / name).read_bytes()


@pytest.mark.parametrize("query", ["wsdl", "singleWsdl", "WSDL", "singlewsdl", "SingleWSDL"])
def test_the_wsdl_is_served_with_our_address(client: TestClient, query: str) -> None:
    r = client.get(f"/LearnerService.svc?{query}")
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/xml; charset=utf-8"
    ours = b"http://testserver/LearnerService.svc"
    assert r.content.count(ours) == 1
    # Nothing else differs from the LRS's file.
    assert r.content.replace(ours, ORIGINAL_ADDRESS) == WSDL_PATH.read_bytes()


def test_the_address_follows_the_host_asked_for(client: TestClient) -> None:
    r = client.get("/LearnerService.svc?wsdl", headers={"Host": "lrs.example.ac.uk:8443"})
    root = etree.fromstring(r.content)
    [address] = root.iter(SOAP_ADDRESS)
    assert address.get("location") == "http://lrs.example.ac.uk:8443/LearnerService.svc"
    # Whatever the Host header says is escaped: never markup of the caller's making.
    odd = served("LearnerService.wsdl", 'http://x"/><evil a="&/LearnerService.svc')
    root = etree.fromstring(odd)
    assert not list(root.iter("evil"))
    [address] = root.iter(SOAP_ADDRESS)
    assert address.get("location") == 'http://x"/><evil a="&/LearnerService.svc'


def test_without_a_query_the_endpoint_says_where_its_wsdl_is(client: TestClient) -> None:
    r = client.get("/LearnerService.svc")
    assert r.status_code == 200
    assert "http://testserver/LearnerService.svc?wsdl" in r.text


def test_zeep_loads_the_served_wsdl_and_calls_the_address_in_it(
    client: TestClient, adapter: AppAdapter, org: Any
) -> None:
    provider = org()
    served = zeep.Client(
        "http://testserver/LearnerService.svc?singleWsdl", transport=transport_for(adapter)
    )
    answer = served.service.registerSingleLearner(**provider.auth(), Learner=person())
    assert answer.ResponseCode == "WSRC0005"
    found = served.service.learnerByULN(**provider.auth(), ULN=answer.ULN, FindType="CHK")
    assert (found.ResponseCode, found.ULN) == ("WSRC0004", answer.ULN)


def test_the_soap_endpoints_are_not_in_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if ".svc" in p]


def test_the_framework_reads_and_writes_r9_messages_too() -> None:
    """Part 2 adds the R9 operations on the same framework: its WSDL's types (qualified
    elements, anonymous types, enumerations) are read as they are, from zeep's requests."""
    schema = Schema(wsdl_tree("LearnerServiceR9.wsdl"))
    found = operations(wsdl_tree("LearnerServiceR9.wsdl"))
    assert sorted(found) == [
        "GetLearnerLearningEvents",
        "GetOrganisation",
        "LearnerByUln",
        "UpdateLearnerSubsetFields",
        "ViewAudit",
    ]
    r9 = zeep.Client(str(WSDL_DIR / "LearnerServiceR9.wsdl"))
    proxy = r9.create_service(
        "{http://tempuri.org/}BasicHttpBinding_ILearnerServiceR9", "http://x/"
    )
    message = r9.create_message(
        proxy,
        "GetLearnerLearningEvents",
        invokingOrganisation={"Ukprn": "10000001", "Password": "key", "Username": "u"},
        userType="LEA",
        vendorID=1,
        language="ENG",
        uln="2000000001",
        givenName="A",
        familyName="B",
        dateOfBirth=None,
        gender=None,
        getType="FULL",
    )
    [body] = message.find("{http://schemas.xmlsoap.org/soap/envelope/}Body")
    assert body.tag == found["GetLearnerLearningEvents"].input
    values = schema.read(body)
    assert values["invokingOrganisation"] == {
        "Ukprn": "10000001",
        "Password": "key",
        "Username": "u",
    }
    assert (values["vendorID"], values["uln"], values["dateOfBirth"]) == (1, "2000000001", None)
    fault = schema.build(
        "{http://api.lrs.qcf.gov.uk/faults}DomainFault",
        {"ErrorCode": "WSEC0005", "ErrorDetail": b"x"},
    )
    assert [(child.tag.rpartition("}")[2], child.text) for child in fault] == [
        ("ErrorCode", "WSEC0005"),
        ("ErrorDetail", "eA=="),
    ]
