"""The SOAP contract tests: zeep, a SOAP client we did not write, loaded from the unmodified
LRS WSDL in ``shared/reference/lrs-wsdl/``, sends its requests into the app in-process."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import zeep
from fastapi.testclient import TestClient
from lxml import etree
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from zeep.transports import Transport

from open_lrs.app import create_app
from open_lrs.core.db import Database
from open_lrs.core.settings import Settings
from tests.conftest import SHARED, OrgFactory

WSDL_DIR = SHARED / "reference" / "lrs-wsdl"
WSDL_PATH = WSDL_DIR / "LearnerService.wsdl"
BINDING = "{http://tempuri.org/}BasicHttpBinding_LearnerPortType"
ENDPOINT = "http://testserver/LearnerService.svc"
MIAP = "{http://api.lrs.miap.gov.uk/exceptions}"


class AppAdapter(BaseAdapter):
    """A requests transport adapter that hands each request to the app's TestClient."""

    def __init__(self) -> None:
        super().__init__()
        self.client: TestClient | None = None

    def send(  # type: ignore[override]
        self, request: requests.PreparedRequest, **_: Any
    ) -> requests.Response:
        assert self.client is not None, "no app to send to"
        answer = self.client.request(
            request.method or "GET",
            request.url or "",
            content=request.body,
            headers=dict(request.headers),
        )
        response = requests.Response()
        response.status_code = answer.status_code
        response.headers = CaseInsensitiveDict(answer.headers)
        response._content = answer.content
        response.url = request.url or ""
        response.request = request
        response.encoding = answer.encoding
        return response

    def close(self) -> None:
        pass


@pytest.fixture(scope="session")
def adapter() -> AppAdapter:
    return AppAdapter()


def transport_for(adapter: AppAdapter) -> Transport:
    session = requests.Session()
    session.mount("http://testserver", adapter)
    return Transport(session=session)


@pytest.fixture(scope="session")
def zeep_client(adapter: AppAdapter) -> zeep.Client:
    """Loaded once from the reference WSDL file, as an MIS developer would load it."""
    return zeep.Client(str(WSDL_PATH), transport=transport_for(adapter))


@pytest.fixture
def client(db: Database, adapter: AppAdapter) -> Iterator[TestClient]:
    settings = Settings(
        environment="test", database_url="sqlite://", log_format="json", api_key_cache_seconds=0
    )
    with TestClient(create_app(settings, database=db), raise_server_exceptions=False) as c:
        adapter.client = c
        yield c
        adapter.client = None


@pytest.fixture
def lrs(zeep_client: zeep.Client, client: TestClient) -> Any:
    """The Learner Service as zeep sees it, pointed at the test server."""
    return zeep_client.create_service(BINDING, ENDPOINT)


@dataclass(frozen=True)
class Org:
    ukprn: str
    key: str

    def auth(self, user: str = "test.user") -> dict[str, Any]:
        """The credentials every request carries."""
        return {"OrganisationRef": None, "UKPRN": self.ukprn, "OrgPassword": self.key,
                "UserName": user}  # fmt: skip


@pytest.fixture
def org(make_org: OrgFactory) -> Any:
    def make(kind: str = "provider") -> Org:
        actor, key = make_org(kind)
        return Org(actor.ukprn, key)

    return make


@dataclass(frozen=True)
class FaultInfo:
    faultcode: str
    faultstring: str
    code: str | None
    actor: str | None
    further: str | None


def miap(fault: zeep.exceptions.Fault) -> FaultInfo:
    """The MIAPAPIException inside a fault zeep raised."""
    assert fault.detail is not None
    [exception] = fault.detail.findall(f"{MIAP}MIAPAPIException")
    return FaultInfo(
        faultcode=str(fault.code),
        faultstring=str(fault.message),
        code=exception.findtext(f"{MIAP}ErrorCode"),
        actor=exception.findtext(f"{MIAP}ErrorActor"),
        further=exception.findtext(f"{MIAP}FurtherDetails"),
    )


SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"


def envelope(body: str, header: str = "") -> bytes:
    """A SOAP 1.1 envelope around ``body`` (raw XML text), for requests zeep would not send."""
    return (f'<s:Envelope xmlns:s="{SOAP11}">{header}<s:Body>{body}</s:Body></s:Envelope>').encode()


def post_raw(
    client: TestClient,
    data: bytes,
    *,
    action: str | None = '""',
    path: str = "/LearnerService.svc",
    **headers: str,
) -> Any:
    sent = {"Content-Type": "text/xml; charset=utf-8", **headers}
    if action is not None:
        sent["SOAPAction"] = action
    return client.post(path, content=data, headers=sent)


def raw_fault(response: Any) -> FaultInfo:
    """The fault in a raw response, checked to be a SOAP 1.1 fault (never a stack trace)."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert b"Traceback" not in response.content
    root = etree.fromstring(response.content)
    assert root.tag == f"{{{SOAP11}}}Envelope"
    [fault] = root.findall(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert [child.tag for child in fault] == ["faultcode", "faultstring", "detail"]
    [exception] = fault.find("detail")
    assert exception.tag == f"{MIAP}MIAPAPIException"
    return FaultInfo(
        faultcode=fault.findtext("faultcode"),
        faultstring=fault.findtext("faultstring"),
        code=exception.findtext(f"{MIAP}ErrorCode"),
        actor=exception.findtext(f"{MIAP}ErrorActor"),
        further=exception.findtext(f"{MIAP}FurtherDetails"),
    )


def person(**overrides: Any) -> dict[str, Any]:
    """A LearnerToRegister, by the interface's element names."""
    learner = {
        "GivenName": "William",
        "FamilyName": "Szymańska",
        "DateOfBirth": "2007-03-04",
        "Gender": "1",
        "LastKnownPostCode": "CF10 1EP",
    }
    learner.update(overrides)
    return learner


# The R9 Personal Learning Record service ---------------------------------------------------

R9_WSDL_PATH = WSDL_DIR / "LearnerServiceR9.wsdl"
R9_BINDING = "{http://tempuri.org/}BasicHttpBinding_ILearnerServiceR9"
R9_PATH = "/LearnerServiceR9.svc"
FAULTS = "{http://api.lrs.qcf.gov.uk/faults}"


@pytest.fixture(scope="session")
def r9_client(adapter: AppAdapter) -> zeep.Client:
    """Loaded once from the reference LearnerServiceR9.wsdl, unmodified."""
    return zeep.Client(str(R9_WSDL_PATH), transport=transport_for(adapter))


@pytest.fixture
def r9(r9_client: zeep.Client, client: TestClient) -> Any:
    """The R9 service as zeep sees it, pointed at the test server."""
    return r9_client.create_service(R9_BINDING, f"http://testserver{R9_PATH}")


def r9_auth(
    org: Org, *, user: str | None = "test.user", vendor: str = "vendorId"
) -> dict[str, Any]:
    """What every R9 request carries first. GetLearnerLearningEvents spells it ``vendorID``."""
    return {
        "invokingOrganisation": {"Ukprn": org.ukprn, "Password": org.key, "Username": user},
        "userType": "ORG",
        vendor: 1,
        "language": "ENG",
    }


@dataclass(frozen=True)
class DomainFaultInfo:
    faultcode: str
    faultstring: str
    code: str | None
    detail: str  # ErrorDetail, decoded from base64 as UTF-8


def _domain(element: Any) -> tuple[str | None, str]:
    assert element.tag == f"{FAULTS}DomainFault", element.tag
    assert [child.tag for child in element] in (
        [f"{FAULTS}ErrorCode", f"{FAULTS}ErrorDetail"],
        [f"{FAULTS}ErrorDetail"],
    )
    detail = base64.b64decode(element.findtext(f"{FAULTS}ErrorDetail") or "").decode()
    return element.findtext(f"{FAULTS}ErrorCode"), detail


def domain(fault: zeep.exceptions.Fault) -> DomainFaultInfo:
    """The DomainFault inside a fault zeep raised."""
    assert fault.detail is not None
    [element] = fault.detail
    code, detail = _domain(element)
    return DomainFaultInfo(str(fault.code), str(fault.message), code, detail)


def r9_refused(call: Any) -> DomainFaultInfo:
    with pytest.raises(zeep.exceptions.Fault) as fault:
        call()
    return domain(fault.value)


def raw_domain_fault(response: Any) -> DomainFaultInfo:
    """The DomainFault in a raw response, checked to be a SOAP 1.1 fault."""
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert b"Traceback" not in response.content
    root = etree.fromstring(response.content)
    [fault] = root.findall(f"{{{SOAP11}}}Body/{{{SOAP11}}}Fault")
    assert [child.tag for child in fault] == ["faultcode", "faultstring", "detail"]
    [element] = fault.find("detail")
    code, detail = _domain(element)
    return DomainFaultInfo(fault.findtext("faultcode"), fault.findtext("faultstring"), code, detail)
