"""SOAP 1.1 envelopes: reading a request's body element, writing responses and faults.

Requests are parsed by ``core.safe_xml``: no DOCTYPE (so no entity expansion and no external
entities), no network, libxml2's size and depth limits, and a size limit of our own. Anything
that is not a SOAP 1.1 envelope holding exactly one body element is refused with a fault.
"""

from __future__ import annotations

from typing import Any

from lxml import etree

from open_lrs.core import safe_xml
from open_lrs.soap.faults import MUST_UNDERSTAND, VERSION_MISMATCH, SoapFault
from open_lrs.soap.schema import local_name

SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
CONTENT_TYPE = "text/xml; charset=utf-8"
_ENVELOPE, _HEADER, _BODY = (f"{{{SOAP11}}}{n}" for n in ("Envelope", "Header", "Body"))
_MUST_UNDERSTAND = f"{{{SOAP11}}}mustUnderstand"


def read_request(data: bytes, *, max_bytes: int) -> Any:
    """The element inside the request's ``Body``, or a ``SoapFault``."""
    try:
        root = safe_xml.parse(data, max_bytes=max_bytes).getroot()
    except safe_xml.UnsafeXml as exc:
        raise SoapFault(f"The request was refused: {exc}") from None
    except safe_xml.XmlRefused as exc:
        raise SoapFault(f"The request is not well-formed XML: {exc}") from None
    if root.tag != _ENVELOPE:
        if local_name(root.tag) == "Envelope":
            namespace = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else "none"
            raise SoapFault(
                f"The envelope is in the namespace {namespace}; this service speaks SOAP 1.1, "
                f"whose envelope namespace is {SOAP11}.",
                fault_code=VERSION_MISMATCH,
            )
        raise SoapFault(
            f"The request is not a SOAP envelope: its root element is {local_name(root.tag)}."
        )
    parts = [child for child in root if isinstance(child.tag, str)]
    tags = [child.tag for child in parts]
    if tags not in ([_BODY], [_HEADER, _BODY]):
        shown = ", ".join(local_name(t) for t in tags) or "nothing"
        raise SoapFault(
            f"A SOAP 1.1 envelope holds an optional Header and then a Body; this one holds {shown}."
        )
    if tags[0] == _HEADER:
        _check_headers(parts[0])
    body = [child for child in parts[-1] if isinstance(child.tag, str)]
    if len(body) != 1:
        raise SoapFault(
            f"The SOAP Body must hold exactly one element, the operation's request; "
            f"it holds {len(body)}."
        )
    return body[0]


def _check_headers(header: Any) -> None:
    """No header is understood here (credentials travel in the body), so one that must be
    understood is refused, as SOAP 1.1 requires."""
    for entry in header:
        if isinstance(entry.tag, str) and entry.get(_MUST_UNDERSTAND) in ("1", "true"):
            raise SoapFault(
                f"The header {local_name(entry.tag)} must be understood, and this service "
                "does not understand it.",
                fault_code=MUST_UNDERSTAND,
            )


def _envelope(content: Any) -> bytes:
    envelope = etree.Element(_ENVELOPE, nsmap={"s": SOAP11})
    etree.SubElement(envelope, _BODY).append(content)
    result: bytes = etree.tostring(envelope, encoding="utf-8", xml_declaration=False)
    return result


def response(element: Any) -> bytes:
    return _envelope(element)


def fault(fault: SoapFault, detail: Any) -> bytes:
    """A SOAP 1.1 fault as WCF writes one: unqualified ``faultcode``, ``faultstring`` and
    ``detail``, the fault code qualified by the envelope's prefix."""
    element = etree.Element(f"{{{SOAP11}}}Fault", nsmap={"s": SOAP11})
    etree.SubElement(element, "faultcode").text = f"s:{fault.fault_code}"
    reason = etree.SubElement(element, "faultstring")
    reason.set("{http://www.w3.org/XML/1998/namespace}lang", "en-GB")
    reason.text = fault.description
    etree.SubElement(element, "detail").append(detail)
    return _envelope(element)
