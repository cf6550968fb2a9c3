"""Parsing XML that strangers send us (ILR returns, SOAP requests) without trusting it.

The files we accept never declare a DOCTYPE, so any document that does is refused before
libxml2 reads it: that stops entity expansion ("billion laughs") and external entities
(``file:///etc/passwd``, server-side requests) outright, rather than relying on parser flags
alone. The parser is hardened as well, in case a DOCTYPE ever slips past the check (a
document in an encoding the check cannot read): it substitutes no entities, refuses every
external DTD or entity (libxml2 asks for some even with ``load_dtd`` off), never touches the
network, and keeps libxml2's size, depth and entity-amplification limits (no ``huge_tree``).

Failures carry a plain-English message and, where known, the line, because the person who
reads them is a provider's data manager fixing a file, not a developer reading libxml2.
"""

from __future__ import annotations

import io
import re
from typing import Any

from lxml import etree

PROLOG_WINDOW = 64 * 1024
MAX_DEPTH = 256  # libxml2's own limit without huge_tree

_BINARY_MAGIC = (
    (b"PK\x03\x04", "a zip archive (or an Excel .xlsx workbook)"),
    (b"\xd0\xcf\x11\xe0", "an old-style Office document (such as an Excel .xls workbook)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"%PDF", "a PDF document"),
)
_BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xef\xbb\xbf", "utf-8"),
)
# What may come before the root element or a DOCTYPE: spaces, the XML declaration, comments
# and processing instructions.
_PROLOG_ITEM = re.compile(r"[ \t\r\n]+|<\?.*?\?>|<!--.*?-->", re.DOTALL)
_OPEN_TAG = re.compile(r"in tag (\S+) line (\d+)")
_MISMATCH = re.compile(r"Opening and ending tag mismatch: (\S+) line (\d+) and (\S+)")
_UNDEFINED_ENTITY = re.compile(r"Entity '([^']*)' not defined")
_INVALID_CHAR = re.compile(r"invalid Char value (\d+)")
_SHOWN = 40


class XmlRefused(Exception):
    """The bytes were not read as XML. ``line`` is 1-based where known; ``code`` is stable."""

    code = "xml_refused"

    def __init__(self, message: str, *, line: int | None = None, code: str | None = None) -> None:
        super().__init__(message if line is None else f"{message} (line {line})")
        self.message = message
        self.line = line
        if code is not None:
            self.code = code


class UnsafeXml(XmlRefused):
    """The document could be an attack (a DOCTYPE, or too big or deep to read safely)."""

    code = "unsafe_xml"


class MalformedXml(XmlRefused):
    """The bytes are not well-formed XML: empty, cut short, binary, or broken markup."""

    code = "malformed_xml"


class _NoExternalResources(etree.Resolver):  # type: ignore[misc]
    """Refuses every external DTD and entity. libxml2 asks for external DTDs and parameter
    entities even with ``load_dtd`` off, and ``no_network`` stops only the network, so without
    this a DOCTYPE could make the parser read local files."""

    def resolve(self, system_url: str, public_id: str, context: Any) -> Any:
        where = _shown(system_url or public_id or "", 200)
        raise UnsafeXml(
            f'The XML refers to an external resource ("{where}"), which is not read.',
            code="external_resource",
        )


def hardened_parser() -> Any:
    """A new parser for untrusted input. New each time: lxml parsers keep per-parse state
    (their error log) and must not be shared between threads."""
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        attribute_defaults=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    parser.resolvers.add(_NoExternalResources())
    return parser


def parse(data: bytes, *, max_bytes: int) -> Any:
    """Parse untrusted ``data`` into an ``etree._ElementTree``, or raise ``XmlRefused``.

    Element ``sourceline``s count lines of ``data`` as given, so a message can point into the
    very file the sender holds. Comments and processing instructions are dropped.
    """
    if len(data) > max_bytes:
        raise UnsafeXml(
            f"The file is {_size(len(data))}, more than the {_size(max_bytes)} accepted.",
            code="too_large",
        )
    _refuse_non_xml(data)
    _refuse_doctype(data)
    parser = hardened_parser()
    try:
        tree = etree.parse(io.BytesIO(data), parser)
    except etree.XMLSyntaxError as exc:
        raise _syntax_error(data, parser.error_log, exc) from None
    check_tree(tree)
    return tree


def check_tree(tree: Any) -> None:
    """Refuse a parsed tree that declares a DOCTYPE: the second line of defence, for documents
    in an encoding the byte-level check in ``parse`` cannot see into."""
    info = tree.docinfo
    if info.doctype or info.internalDTD is not None or info.externalDTD is not None:
        raise UnsafeXml(_DOCTYPE_MESSAGE, code="doctype")


_DOCTYPE_MESSAGE = (
    "The XML declares a DOCTYPE, which is not accepted: DOCTYPEs can define entities that "
    "expand to huge documents or read other files. Send the file without the <!DOCTYPE ...> "
    "declaration."
)


def _refuse_non_xml(data: bytes) -> None:
    if not data.strip():
        raise MalformedXml("The file is empty.", code="empty")
    for magic, what in _BINARY_MAGIC:
        if data.startswith(magic):
            raise MalformedXml(f"The file is {what}, not XML.", code="not_xml")
    codec = _codec(data)
    if codec == "latin-1" and b"\x00" in data[:PROLOG_WINDOW]:
        raise MalformedXml("The file is binary data, not XML text.", code="not_xml")
    if codec in ("latin-1", "utf-8"):
        text = data[:PROLOG_WINDOW].decode("utf-8", errors="replace").lstrip("\ufeff")
        start = len(text) - len(text.lstrip(" \t\r\n"))
        if not text.startswith("<", start):
            raise MalformedXml(
                f'The file is not XML: XML begins with "<", but this file begins with '
                f'"{_shown(text[start:])}".',
                line=text.count("\n", 0, start) + 1,
                code="not_xml",
            )


def _refuse_doctype(data: bytes) -> None:
    """Refuse a DOCTYPE in the prolog before libxml2 reads its entity declarations."""
    codec = _codec(data)
    text = data[:PROLOG_WINDOW].decode(codec, errors="replace").lstrip("\ufeff")
    pos = 0
    while match := _PROLOG_ITEM.match(text, pos):
        pos = match.end()
    if text.startswith("<!DOCTYPE", pos):
        raise UnsafeXml(_DOCTYPE_MESSAGE, line=text.count("\n", 0, pos) + 1, code="doctype")


def _codec(data: bytes) -> str:
    """The encoding to look at the prolog in; latin-1 stands for any ASCII-compatible one."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec
    if data.startswith(b"<\x00"):
        return "utf-16-le"
    if data.startswith(b"\x00<"):
        return "utf-16-be"
    return "latin-1"


def _syntax_error(data: bytes, log: Any, exc: Exception) -> XmlRefused:
    """The first fatal error libxml2 found, in words a data manager can act on."""
    fatal = [e for e in log if e.level_name in ("ERROR", "FATAL")]
    if not fatal:
        return MalformedXml(f"The file is not well-formed XML: {exc}.", code="malformed")
    first = fatal[0]
    line = first.line or None
    if first.type_name == "ERR_RESOURCE_LIMIT":
        return UnsafeXml(_limit_message(first.message), line=line, code="too_large")
    if first.type_name == "ERR_TAG_NOT_FINISHED" or (
        first.type_name != "ERR_TAG_NAME_MISMATCH" and _at_end(data, first.line, first.column)
    ):
        return _ends_early(line, fatal)
    return MalformedXml(_syntax_message(first.message), line=line, code="malformed")


def _limit_message(raw: str) -> str:
    if "depth" in raw:
        return f"The XML nests elements more than {MAX_DEPTH} deep, which is not accepted."
    if "amplification" in raw:
        return "The XML expands entities beyond a safe size, which is not accepted."
    return "The XML holds a single value longer than 10 MB, which is not accepted."


def _at_end(data: bytes, line: int, column: int) -> bool:
    """Whether libxml2 stopped at the very end of ``data``: the file was cut short."""
    if line < data.count(b"\n") + 1:
        return False
    last_line = data[data.rfind(b"\n") + 1 :].rstrip()
    return column > len(last_line)


def _ends_early(line: int | None, errors: list[Any]) -> MalformedXml:
    message = "The XML ends early"
    for error in errors:
        if found := _OPEN_TAG.search(error.message) or _MISMATCH.search(error.message):
            message += f": it stops inside <{found[1]}>, which opens on line {found[2]}"
            break
    return MalformedXml(
        message + ". The file may have been cut short; send the whole file again.",
        line=line,
        code="truncated",
    )


def _syntax_message(raw: str) -> str:
    if found := _MISMATCH.search(raw):
        return (
            f"The closing tag </{found[3]}> does not match the opening tag <{found[1]}> "
            f"on line {found[2]}."
        )
    if found := _UNDEFINED_ENTITY.search(raw):
        return (
            f'"&{found[1]};" is not a known entity; write a literal "&" as "&amp;" (and < as &lt;).'
        )
    if found := _INVALID_CHAR.search(raw):
        return f"The XML contains a control character (code {found[1]}) that XML does not allow."
    if "xmlParseEntityRef: no name" in raw:
        return 'The XML contains a bare "&"; write it as "&amp;".'
    if "Extra content at the end of the document" in raw:
        return "There is more content after the end of the root element."
    if "Invalid bytes in character encoding" in raw or "not proper UTF-8" in raw:
        return (
            "The file is not in the character encoding it declares (UTF-8 unless its XML "
            "declaration says otherwise); save it as UTF-8."
        )
    return f"The file is not well-formed XML: {raw.strip().rstrip('.')}."


def _shown(text: str, limit: int = _SHOWN) -> str:
    text = text.split("\n", 1)[0].strip()
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _size(n: int) -> str:
    if n >= 1024 * 1024:
        return f"{n / (1024 * 1024):,.1f} MB".replace(".0 MB", " MB")
    if n >= 1024:
        return f"{n / 1024:,.1f} KB".replace(".0 KB", " KB")
    return f"{n:,} bytes"
