"""The messages a WSDL defines, read from its own inline XML Schemas: what a request may hold,
and how a response is written.

The LRS WSDLs are WCF "singleWsdl" exports whose types use a small part of XML Schema: global
elements, named and anonymous complex types built by extension, sequences of elements, and
simple types that restrict a built-in one (sometimes to an enumeration). This module reads
exactly that part, so that every element name, order, namespace, occurrence and type comes
from the WSDL file, never from a second copy typed into Python.

Requests are read strictly, because a value silently ignored is worse than a refusal: an
unknown, repeated, missing or mistyped element, or one in the wrong namespace, is refused with
its path (``SubmitBatch/Learner[3]/DateOfBirth``). Only the order of elements is not checked:
it changes nothing here. Responses are written in the WSDL's order. Pure.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from lxml import etree

XS = "http://www.w3.org/2001/XMLSchema"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
NIL = f"{{{XSI}}}nil"
_ANY = f"{{{XS}}}anyType"
_INTEGERS: dict[str, tuple[int | None, int | None]] = {
    "integer": (None, None),
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
}
_INTEGER = re.compile(r"[+-]?[0-9]+")
_SHOWN = 40


class InvalidMessage(Exception):
    """A request that does not follow the WSDL; ``path`` names the element."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


@dataclass(frozen=True)
class Field:
    """An element of a complex type's sequence."""

    name: str
    namespace: str | None  # None: unqualified
    type: str  # Clark notation: {namespace}name
    min_occurs: int
    max_occurs: int | None  # None: unbounded
    nillable: bool

    @property
    def tag(self) -> str:
        return f"{{{self.namespace}}}{self.name}" if self.namespace else self.name

    @property
    def repeated(self) -> bool:
        return self.max_occurs is None or self.max_occurs > 1


@dataclass(frozen=True)
class _Complex:
    base: str | None
    own: tuple[Field, ...]


@dataclass(frozen=True)
class _Simple:
    base: str
    enumeration: frozenset[str]


def qname(node: Any, value: str) -> str:
    prefix, _, local = value.rpartition(":")
    namespace = node.nsmap.get(prefix or None)
    if namespace is None:
        raise ValueError(f"the WSDL uses the undeclared prefix {prefix!r} in {value!r}")
    return f"{{{namespace}}}{local}"


def local_name(tag: str) -> str:
    return tag.rpartition("}")[2]


def _shown(text: str) -> str:
    text = "".join(ch if ch.isprintable() else "\ufffd" for ch in text[: _SHOWN + 1])
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


class Schema:
    """The types and global elements of one WSDL (an lxml root element)."""

    def __init__(self, wsdl: Any) -> None:
        self._elements: dict[str, str] = {}
        self._complex: dict[str, _Complex] = {}
        self._simple: dict[str, _Simple] = {}
        self._fields: dict[str, tuple[Field, ...]] = {}
        self._anonymous = 0
        for schema in wsdl.iter(f"{{{XS}}}schema"):
            self._load(schema)
        self._check()

    # Loading -------------------------------------------------------------------------------

    def _load(self, schema: Any) -> None:
        tns = schema.get("targetNamespace")
        qualified = schema.get("elementFormDefault") == "qualified"
        for node in schema:
            name = node.get("name")
            if node.tag == f"{{{XS}}}element":
                self._elements[f"{{{tns}}}{name}"] = self._type_of(node, tns, qualified)
            elif node.tag == f"{{{XS}}}complexType":
                self._complex[f"{{{tns}}}{name}"] = self._complex_type(node, tns, qualified)
            elif node.tag == f"{{{XS}}}simpleType":
                self._simple[f"{{{tns}}}{name}"] = self._simple_type(node)

    def _type_of(self, element: Any, tns: str, qualified: bool) -> str:
        if element.get("type"):
            return qname(element, element.get("type"))
        self._anonymous += 1
        name = f"{{{tns}}}#anonymous{self._anonymous}"
        if (inline := element.find(f"{{{XS}}}complexType")) is not None:
            self._complex[name] = self._complex_type(inline, tns, qualified)
        elif (inline := element.find(f"{{{XS}}}simpleType")) is not None:
            self._simple[name] = self._simple_type(inline)
        else:
            return _ANY
        return name

    def _complex_type(self, node: Any, tns: str, qualified: bool) -> _Complex:
        base = None
        if (content := node.find(f"{{{XS}}}complexContent")) is not None:
            extension = content.find(f"{{{XS}}}extension")
            if extension is None:
                raise ValueError("only complex types built by extension are supported")
            base = qname(extension, extension.get("base"))
            node = extension
        own: list[Field] = []
        if (sequence := node.find(f"{{{XS}}}sequence")) is not None:
            for item in sequence:
                if item.tag != f"{{{XS}}}element":
                    raise ValueError(f"{local_name(item.tag)} in a sequence is not supported")
                own.append(self._field(item, tns, qualified))
        return _Complex(base, tuple(own))

    def _field(self, node: Any, tns: str, qualified: bool) -> Field:
        form = node.get("form")
        in_namespace = form == "qualified" or (form is None and qualified)
        maximum = node.get("maxOccurs", "1")
        return Field(
            name=node.get("name"),
            namespace=tns if in_namespace else None,
            type=self._type_of(node, tns, qualified),
            min_occurs=int(node.get("minOccurs", "1")),
            max_occurs=None if maximum == "unbounded" else int(maximum),
            nillable=node.get("nillable") == "true",
        )

    @staticmethod
    def _simple_type(node: Any) -> _Simple:
        restriction = node.find(f"{{{XS}}}restriction")
        if restriction is None:  # a list or union: read as text
            return _Simple(f"{{{XS}}}string", frozenset())
        values = frozenset(e.get("value") for e in restriction.findall(f"{{{XS}}}enumeration"))
        return _Simple(qname(restriction, restriction.get("base")), values)

    def _check(self) -> None:
        """Every type named is defined, so a gap shows when the WSDL is loaded, not mid-call."""
        named = set(self._elements.values())
        for complex_type in self._complex.values():
            named |= {f.type for f in complex_type.own}
            named |= {complex_type.base} if complex_type.base else set()
        named |= {s.base for s in self._simple.values()}
        for name in named:
            if (
                name not in self._complex
                and name not in self._simple
                and not name.startswith(f"{{{XS}}}")
            ):
                raise ValueError(f"the WSDL uses the undefined type {name}")

    # Types ---------------------------------------------------------------------------------

    def has_element(self, tag: str) -> bool:
        return tag in self._elements

    def fields(self, type_name: str) -> tuple[Field, ...]:
        """The elements of a complex type in order, those of its base types first."""
        if type_name not in self._fields:
            complex_type = self._complex[type_name]
            inherited = self.fields(complex_type.base) if complex_type.base in self._complex else ()
            self._fields[type_name] = (*inherited, *complex_type.own)
        return self._fields[type_name]

    def _builtin(self, type_name: str) -> tuple[str, frozenset[str]]:
        enumeration: frozenset[str] = frozenset()
        while type_name in self._simple:
            simple = self._simple[type_name]
            enumeration = enumeration or simple.enumeration
            type_name = simple.base
        return local_name(type_name), enumeration

    # Reading requests ----------------------------------------------------------------------

    def read(self, element: Any) -> dict[str, Any]:
        """The values of a global element: ``{name: value}``, where a value is a string, a
        number or a boolean (by the element's type), None for a nil element, a dict for a
        complex element, and a list of those for a repeated one (``[]`` when absent). An
        absent single element has no key, so that absent and nil can be told apart."""
        name = local_name(element.tag)
        return self._read_complex(element, self._elements[element.tag], name)

    def _read_complex(self, node: Any, type_name: str, path: str) -> dict[str, Any]:
        fields = self.fields(type_name)
        by_tag = {f.tag: f for f in fields}
        if (node.text or "").strip():
            raise InvalidMessage(f"{path} must hold elements, not text.", path)
        values: dict[str, Any] = {f.name: [] for f in fields if f.repeated}
        for child in node:
            if (child.tail or "").strip():
                raise InvalidMessage(f"{path} must hold elements, not text.", path)
            field = by_tag.get(child.tag)
            if field is None:
                raise self._unexpected(child.tag, fields, path)
            if field.repeated:
                child_path = f"{path}/{field.name}[{len(values[field.name]) + 1}]"
                if field.max_occurs is not None and len(values[field.name]) >= field.max_occurs:
                    raise InvalidMessage(
                        f"{path} may hold at most {field.max_occurs} {field.name} elements.",
                        child_path,
                    )
                values[field.name].append(self._read_value(child, field, child_path))
            elif field.name in values:
                raise InvalidMessage(
                    f"{path}/{field.name} appears more than once.", f"{path}/{field.name}"
                )
            else:
                values[field.name] = self._read_value(child, field, f"{path}/{field.name}")
        for field in fields:
            present = len(values[field.name]) if field.repeated else int(field.name in values)
            if present < field.min_occurs:
                hint = " (it may be nil)" if field.nillable else ""
                raise InvalidMessage(
                    f"{path}/{field.name} is missing: the element is mandatory{hint}.",
                    f"{path}/{field.name}",
                )
        return values

    @staticmethod
    def _unexpected(tag: str, fields: tuple[Field, ...], path: str) -> InvalidMessage:
        name = local_name(tag)
        where = f"{path}/{name}"
        same_name = [f for f in fields if f.name == name]
        if same_name:
            wanted = same_name[0].namespace
            has = tag[1:].partition("}")[0] if tag.startswith("{") else None
            return InvalidMessage(
                f"{where} is in "
                + (f"the namespace {has}" if has else "no namespace")
                + "; it must be in "
                + (f"the namespace {wanted}." if wanted else "no namespace (unqualified)."),
                where,
            )
        expected = ", ".join(f.name for f in fields) or "nothing"
        return InvalidMessage(
            f"{where} is not an element of {local_name(path)}; it may hold {expected}.", where
        )

    def _read_value(self, node: Any, field: Field, path: str) -> Any:
        if node.get(NIL) in ("true", "1"):
            if not field.nillable:
                raise InvalidMessage(f"{path} may not be nil.", path)
            if len(node) or (node.text or "").strip():
                raise InvalidMessage(f"{path} is nil, so it must be empty.", path)
            return None
        if field.type in self._complex:
            return self._read_complex(node, field.type, path)
        if len(node):
            raise InvalidMessage(f"{path} must hold a value, not elements.", path)
        return self._simple_value(node.text or "", field.type, path)

    def _simple_value(self, text: str, type_name: str, path: str) -> Any:
        builtin, enumeration = self._builtin(type_name)
        value: Any = text
        if builtin in _INTEGERS:
            value = _integer(text, builtin, path)
        elif builtin == "boolean":
            if text.strip() not in ("true", "false", "1", "0"):
                raise InvalidMessage(
                    f'{path} must be true or false (xs:boolean), not "{_shown(text)}".', path
                )
            value = text.strip() in ("true", "1")
        elif builtin == "decimal":
            try:
                value = Decimal(text.strip())
            except InvalidOperation:
                raise InvalidMessage(
                    f'{path} must be a decimal number (xs:decimal), not "{_shown(text)}".', path
                ) from None
        elif builtin not in ("string", "anyType"):
            value = text.strip()
        if enumeration and value not in enumeration:
            raise InvalidMessage(
                f'{path} must be one of {", ".join(sorted(enumeration))}, not "{_shown(text)}".',
                path,
            )
        return value

    # Writing responses ---------------------------------------------------------------------

    def build(self, tag: str, values: Mapping[str, Any]) -> Any:
        """The global element ``tag`` holding ``values`` (shaped as ``read`` returns them),
        its children in the WSDL's order. A None is left out where the element is optional
        and written nil where it is mandatory and nillable. A name the type does not have is
        a bug in the caller, and raises ``ValueError``."""
        element = etree.Element(tag)
        self._fill(element, self._elements[tag], values)
        return element

    def _fill(self, parent: Any, type_name: str, values: Mapping[str, Any]) -> None:
        fields = self.fields(type_name)
        unknown = set(values) - {f.name for f in fields}
        if unknown:
            raise ValueError(f"{local_name(type_name)} has no element {', '.join(sorted(unknown))}")
        for field in fields:
            value = values.get(field.name)
            items = list(value or []) if field.repeated else [value]
            for item in items:
                if item is None and field.min_occurs == 0:
                    continue
                child = etree.SubElement(parent, field.tag)
                if item is None:
                    if not field.nillable:
                        raise ValueError(f"{field.name} is mandatory and may not be nil")
                    child.set(NIL, "true")
                elif field.type in self._complex:
                    self._fill(child, field.type, item)
                else:
                    child.text = _text(item)


def _integer(text: str, builtin: str, path: str) -> int:
    low, high = _INTEGERS[builtin]
    stripped = text.strip()
    if not _INTEGER.fullmatch(stripped):
        raise InvalidMessage(
            f'{path} must be a whole number (xs:{builtin}), not "{_shown(text)}".', path
        )
    number = int(stripped)
    if (low is not None and number < low) or (high is not None and number > high):
        raise InvalidMessage(f"{path} is out of range for xs:{builtin}: {_shown(stripped)}.", path)
    return number


def _text(value: Any) -> str:
    if isinstance(value, bytes):  # xs:base64Binary
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)
