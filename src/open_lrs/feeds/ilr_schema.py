"""The ILR's XML schemas, and what their complaints mean to the provider who sent the file.

Each academic year has its own schema and namespace (``ESFA/ILR/2025-26``); the namespace of
the root ``Message`` says which to use. Schemas are parsed once per process, from copies kept
in the package (see ``xsd/README.md``), never fetched.

libxml2 reports schema errors as ``Element '{ESFA/ILR/2025-26}LearnPlanEndDate': '2024-06-31'
is not a valid value of the atomic type 'xs:date'.``: right, but written for developers. A data
manager fixing a return needs the learner, the element and the rule in words, so the common
messages are translated and the rest at least lose their namespaces. Pure.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from lxml import etree

from open_lrs.core import safe_xml
from open_lrs.feeds.types import RecordProblem

MAX_PROBLEMS = 200
_XS = "{http://www.w3.org/2001/XMLSchema}"
_MAX_SCHEMA_BYTES = 1024 * 1024
_SHOWN = 60


@dataclass(frozen=True)
class IlrYear:
    year: str
    namespace: str
    schema_file: str


YEARS: dict[str, IlrYear] = {
    y.namespace: y
    for y in (
        IlrYear("2025-26", "ESFA/ILR/2025-26", "schemafile25.xsd"),
        IlrYear("2019-20", "ESFA/ILR/2019-20", "ILR-2019-20-v2.xsd"),
    )
}
# An XMLSchema keeps the error log of its last validation on itself, so validations take turns.
_VALIDATING = threading.Lock()


@dataclass(frozen=True)
class _Schema:
    validator: Any
    base_types: dict[str, str]


@cache
def _schema(year: IlrYear) -> _Schema:
    data = (resources.files("open_lrs.feeds") / "xsd" / year.schema_file).read_bytes()
    document = safe_xml.parse(data, max_bytes=_MAX_SCHEMA_BYTES)
    return _Schema(etree.XMLSchema(document), _base_types(document.getroot()))


def _base_types(xsd: Any) -> dict[str, str]:
    """Each element's built-in type (``int``, ``date``), for libxml2's messages that only say
    "the local atomic type". Names the schema declares with two different types are left out."""
    named = {
        t.get("name"): t.find(f"{_XS}restriction").get("base")
        for t in xsd.iterfind(f"{_XS}simpleType")
    }
    found: dict[str, set[str]] = {}
    for element in xsd.iter(f"{_XS}element"):
        restriction = element.find(f"{_XS}simpleType/{_XS}restriction")
        base = element.get("type") or (restriction.get("base") if restriction is not None else None)
        if base is not None:
            base = named.get(base, base)
            found.setdefault(element.get("name"), set()).add(base.removeprefix("xs:"))
    return {name: bases.pop() for name, bases in found.items() if len(bases) == 1}


def validate(tree: Any, year: IlrYear) -> tuple[list[RecordProblem], int]:
    """The schema's complaints about ``tree`` (at most ``MAX_PROBLEMS``) and how many there
    were in all; no complaints means the file is valid."""
    schema = _schema(year)
    with _VALIDATING:
        if schema.validator.validate(tree):
            return [], 0
        entries = [e for e in schema.validator.error_log if e.level_name != "WARNING"]
    problems = [_problem(tree, e, year, schema.base_types) for e in entries[:MAX_PROBLEMS]]
    return problems, len(entries)


def element_path(element: Any) -> str:
    """Where an element is, as a data manager would look for it:
    ``Learner[LearnRefNumber=ASLearner]/LearningDelivery[AimSeqNumber=2]/LearnPlanEndDate``."""
    parts = []
    node = element
    while node is not None and node.getparent() is not None:
        parts.append(_label(node))
        node = node.getparent()
    return "/".join(reversed(parts)) or local_name(element)


def local_name(element: Any) -> str:
    return str(etree.QName(element).localname)


_KEYS = {"Learner": "LearnRefNumber", "LearningDelivery": "AimSeqNumber"}


def _label(element: Any) -> str:
    name = local_name(element)
    key = _KEYS.get(name)
    if key is None:
        return name
    namespace = etree.QName(element).namespace
    value = element.findtext(f"{{{namespace}}}{key}" if namespace else key)
    return f"{name}[{key}={_shown(value.strip())}]" if value and value.strip() else name


def _problem(tree: Any, entry: Any, year: IlrYear, base_types: dict[str, str]) -> RecordProblem:
    found = _ELEMENT.match(entry.message)
    rest = entry.message[found.end() :] if found else _strip_ns(entry.message)
    name = found["name"] if found else ""
    element = _locate(tree, entry.path)
    field = element_path(element) if element is not None else name or "Message"
    if found and found["attribute"]:
        field += f"/@{found['attribute']}"
    if found and found["ns"] not in (None, year.namespace):
        message = (
            f'<{name}> is in namespace "{found["ns"]}"; every element of a {year.year} '
            f'return must be in "{year.namespace}".'
        )
    else:
        value = element.text if element is not None else None
        message = _translate(name, found["attribute"] if found else None, rest, value, base_types)
    return RecordProblem(line=entry.line or None, field=field, message=message, code="schema")


_ELEMENT = re.compile(
    r"Element '(?:\{(?P<ns>[^}]*)\})?(?P<name>[^']+)'(?:, attribute '(?P<attribute>[^']+)')?: "
)


_PREFIXED_STEP = re.compile(r"[\w.-]+:([\w.-]+)")


def _locate(tree: Any, path: str | None) -> Any:
    if not path or not path.startswith("/"):
        return None
    # libxml2 names a prefixed element by its prefix, which the tree may not declare.
    path = _PREFIXED_STEP.sub(lambda step: f"*[local-name()='{step[1]}']", path)
    try:
        found = tree.xpath(path)
    except etree.XPathError:  # a prefixed element in a namespace the path cannot name
        return None
    return found[0] if isinstance(found, list) and found else None


def _translate(
    name: str, attribute: str | None, rest: str, value: str | None, base_types: dict[str, str]
) -> str:
    if attribute:
        return f'<{name}> may not have an attribute "{attribute}".'
    for pattern, say in _MESSAGES:
        if found := pattern.search(rest):
            return say(found, name, value, base_types)
    return f"<{name}>: {_strip_ns(rest)}" if name else _strip_ns(rest)


_TYPE_WORDS = {
    "date": "a valid date (YYYY-MM-DD)",
    "dateTime": "a valid date and time (YYYY-MM-DDThh:mm:ss)",
    "int": "a whole number",
    "long": "a whole number",
    "integer": "a whole number",
    "decimal": "a number",
}


def _bad_type(found: re.Match[str], name: str, _v: str | None, types: dict[str, str]) -> str:
    base = found["type"] or types.get(name)
    if not found["value"].strip():
        return f"<{name}> is empty; it needs a value."
    what = _TYPE_WORDS.get((base or "").removeprefix("xs:"))
    if what is None:
        return f"{_quoted(found['value'])} is not a valid value for <{name}>."
    return f"{_quoted(found['value'])} is not {what}."


def _expected(found: re.Match[str]) -> str:
    names = [f"<{_strip_ns(n.strip())}>" for n in found["expected"].split(",")]
    return names[0] if len(names) == 1 else "one of " + ", ".join(names)


def _length(found: re.Match[str], name: str, value: str | None, _t: dict[str, str]) -> str:
    have, limit = int(found["have"]), int(found["limit"])
    shown = _quoted(value or "")
    if found["facet"] == "minLength":
        if have == 0:
            return f"<{name}> is empty; it needs at least {limit} character{_s(limit)}."
        return f"{shown} is too short: at least {limit} character{_s(limit)} are needed."
    if found["facet"] == "maxLength":
        return f"{shown} is too long: {have} characters, at most {limit} allowed."
    return f"{shown} must be exactly {limit} character{_s(limit)} long, not {have}."


def _s(n: int) -> str:
    return "" if n == 1 else "s"


_Say = Callable[[re.Match[str], str, str | None, dict[str, str]], str]
_MESSAGES: tuple[tuple[re.Pattern[str], _Say], ...] = (
    (
        re.compile(
            r"^'(?P<value>.*)' is not a valid value of the (?:local )?atomic type"
            r"(?: '(?P<type>[^']+)')?",
            re.DOTALL,
        ),
        _bad_type,
    ),
    (
        re.compile(
            r"\[facet '(?P<facet>(?:min|max)?[lL]ength)'\] The value has a length of "
            r"'(?P<have>\d+)'; this [a-z ]+ the allowed (?:\w+ )?length of '(?P<limit>\d+)'"
        ),
        _length,
    ),
    (
        re.compile(
            r"\[facet 'pattern'\] The value '(?P<value>.*)' is not accepted by the "
            r"pattern '(?P<pattern>.*)'",
            re.DOTALL,
        ),
        lambda f, n, _v, _t: (
            f"{_quoted(f['value'])} is not in the form <{n}> requires "
            f"(pattern {_shown(f['pattern'])})."
        ),
    ),
    (
        re.compile(
            r"\[facet 'minInclusive'\] The value '(?P<value>.*)' is less than the "
            r"minimum value allowed \('(?P<limit>.*)'\)"
        ),
        lambda f, n, _v, _t: (
            f"{_quoted(f['value'])} is less than {f['limit']}, the smallest value <{n}> allows."
        ),
    ),
    (
        re.compile(
            r"\[facet 'maxInclusive'\] The value '(?P<value>.*)' is greater than the "
            r"maximum value allowed \('(?P<limit>.*)'\)"
        ),
        lambda f, n, _v, _t: (
            f"{_quoted(f['value'])} is more than {f['limit']}, the largest value <{n}> allows."
        ),
    ),
    (
        re.compile(
            r"\[facet 'enumeration'\] The value '(?P<value>.*)' is not an element of "
            r"the set \{(?P<set>.*)\}"
        ),
        lambda f, n, _v, _t: (
            f"{_quoted(f['value'])} is not allowed in <{n}>; it must be "
            + ", ".join(v.strip().strip("'") for v in f["set"].split(","))
            + "."
        ),
    ),
    (
        re.compile(
            r"\[facet '(?P<facet>total|fraction)Digits'\] The value '(?P<value>.*)' "
            r"has more (?:fractional )?digits than are allowed \('(?P<limit>\d+)'\)"
        ),
        lambda f, n, _v, _t: (
            f"{_quoted(f['value'])} has more than {f['limit']} "
            + ("digits." if f["facet"] == "total" else "decimal places.")
        ),
    ),
    (
        re.compile(r"Missing child element\(s\)\. Expected is (?:one of )?\( (?P<expected>.*) \)"),
        lambda f, n, _v, _t: f"<{n}> is incomplete: {_expected(f)} is missing.",
    ),
    (
        re.compile(
            r"This element is not expected\. Expected is (?:one of )?"
            r"\( (?P<expected>.*) \)"
        ),
        lambda f, n, _v, _t: (
            f"<{n}> is not expected here; the next element should be "
            f"{_expected(f)}. A required element may be missing, or the elements may be out of "
            "order."
        ),
    ),
    (
        re.compile(r"This element is not expected\."),
        lambda f, n, _v, _t: (
            f"<{n}> is not expected here: it is out of order, repeated, or "
            "not part of this year's ILR."
        ),
    ),
    (
        re.compile(r"Character content other than whitespace is not allowed"),
        lambda f, n, _v, _t: f"<{n}> holds text, but it may only hold other elements.",
    ),
    (
        re.compile(r"Element content is not allowed, because the content type is a simple"),
        lambda f, n, _v, _t: f"<{n}> holds other elements, but it may only hold a value.",
    ),
)


def _strip_ns(text: str) -> str:
    return re.sub(r"\{[^}]*\}", "", text).strip()


def _quoted(value: str) -> str:
    return f'"{_shown(value)}"'


def _shown(value: str) -> str:
    value = "".join(ch if ch.isprintable() else "\ufffd" for ch in value[: _SHOWN + 1])
    return value if len(value) <= _SHOWN else value[: _SHOWN - 1] + "…"
