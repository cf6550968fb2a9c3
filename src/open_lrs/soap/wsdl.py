"""The WSDL files: read from the package, parsed once, their operations listed, and served
with our own address.

The files in ``soap/wsdl/`` are the LRS's own descriptions, byte for byte. When one is served,
the ``location`` of each ``soap:address`` (which in the originals is the LRS's host) becomes
the address the request came to, so that a client generated from ``?wsdl`` calls us.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any
from xml.sax.saxutils import escape

from open_lrs.core import safe_xml
from open_lrs.soap.schema import qname

WSDL = "http://schemas.xmlsoap.org/wsdl/"
WSDL_SOAP = "http://schemas.xmlsoap.org/wsdl/soap/"
_MAX_WSDL_BYTES = 1024 * 1024
# The address elements of the SOAP 1.1 and 1.2 bindings, whatever their prefix, and comments,
# which are left as they are (LearnerServiceR9.wsdl holds a commented-out address).
_ADDRESS = re.compile(rb'(<!--.*?-->)|(<[A-Za-z0-9_]+:address\s+location=")([^"]*)(")', re.DOTALL)


@cache
def wsdl_bytes(file_name: str) -> bytes:
    return (resources.files("open_lrs.soap") / "wsdl" / file_name).read_bytes()


@cache
def wsdl_tree(file_name: str) -> Any:
    """The WSDL parsed (a trusted file of ours, still through the hardened parser)."""
    return safe_xml.parse(wsdl_bytes(file_name), max_bytes=_MAX_WSDL_BYTES).getroot()


def served(file_name: str, address: str) -> bytes:
    """The WSDL with every service address set to ``address``; nothing else changes."""
    location = escape(address, {'"': "&quot;"}).encode("utf-8")

    def replaced(m: re.Match[bytes]) -> bytes:
        return m[1] if m[1] is not None else m[2] + location + m[4]

    return _ADDRESS.sub(replaced, wsdl_bytes(file_name))


def wants_wsdl(query_names: list[str]) -> bool:
    """``?wsdl`` or ``?singleWsdl``, in any case, as WCF serves them."""
    return any(name.lower() in ("wsdl", "singlewsdl") for name in query_names)


@dataclass(frozen=True)
class Operation:
    """A WSDL operation: its SOAP action and the body elements of its request and response.
    ``default_action`` is the action WCF would give it (``{tns}{portType}/{name}``), which
    some clients send although the binding names another."""

    name: str
    soap_action: str
    default_action: str
    input: str
    output: str


def operations(wsdl: Any) -> dict[str, Operation]:
    """The operations of the WSDL's (first) SOAP 1.1 binding, by name."""
    tns = wsdl.get("targetNamespace")
    messages = {
        f"{{{tns}}}{m.get('name')}": qname(part, part.get("element"))
        for m in wsdl.findall(f"{{{WSDL}}}message")
        if (part := m.find(f"{{{WSDL}}}part")) is not None
    }
    binding = next(
        b
        for b in wsdl.findall(f"{{{WSDL}}}binding")
        if b.find(f"{{{WSDL_SOAP}}}binding") is not None
    )
    port_type = next(
        p
        for p in wsdl.findall(f"{{{WSDL}}}portType")
        if f"{{{tns}}}{p.get('name')}" == qname(binding, binding.get("type"))
    )
    actions = {
        op.get("name"): op.find(f"{{{WSDL_SOAP}}}operation").get("soapAction", "")
        for op in binding.findall(f"{{{WSDL}}}operation")
    }
    found = {}
    for op in port_type.findall(f"{{{WSDL}}}operation"):
        name = op.get("name")
        given, answer = op.find(f"{{{WSDL}}}input"), op.find(f"{{{WSDL}}}output")
        found[name] = Operation(
            name=name,
            soap_action=actions[name],
            default_action=f"{tns.rstrip('/')}/{port_type.get('name')}/{name}",
            input=messages[qname(given, given.get("message"))],
            output=messages[qname(answer, answer.get("message"))],
        )
    return found
