"""Hardened XML parsing: what is refused, how it is explained, and that the parser itself never
expands entities or reads files and URLs even when a DOCTYPE gets past the check."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from lxml import etree

from open_lrs.core import safe_xml
from open_lrs.core.safe_xml import MalformedXml, UnsafeXml, XmlRefused

ILR_2526 = (
    Path(__file__).resolve().parents[2] / "data/ilr/2025-26/ILR-99999999-2526-20250108-094401.xml"
)
BIG = 1024 * 1024


def _laughs(levels: int) -> str:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels + 1)
    ]
    return "<!DOCTYPE lolz [\n" + "\n".join(entities) + "\n]>\n"


def refused(data: bytes, *, max_bytes: int = BIG) -> XmlRefused:
    with pytest.raises(XmlRefused) as caught:
        safe_xml.parse(data, max_bytes=max_bytes)
    return caught.value


# --- what is accepted --------------------------------------------------------------------


def test_parses_a_crlf_file_without_declaration_with_its_own_line_numbers() -> None:
    tree = safe_xml.parse(ILR_2526.read_bytes(), max_bytes=BIG)
    root = tree.getroot()
    assert etree.QName(root).localname == "Message"
    learners = root.findall("{ESFA/ILR/2025-26}Learner")
    assert len(learners) == 19
    assert learners[0].sourceline == 38  # as an editor shows the file, CRLF counted once


def test_drops_comments_and_processing_instructions() -> None:
    tree = safe_xml.parse(
        b'<?xml version="1.0"?>\n<!-- c --><r><!-- c --><?pi x?><a/></r>', max_bytes=BIG
    )
    assert etree.tostring(tree) == b"<r><a/></r>"


def test_reads_utf16_with_a_byte_order_mark() -> None:
    tree = safe_xml.parse("<r>Siân</r>".encode("utf-16"), max_bytes=BIG)
    assert tree.getroot().text == "Siân"


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read_and_checked(codec: str) -> None:
    declaration = '<?xml version="1.0" encoding="UTF-16"?>\n'
    tree = safe_xml.parse((declaration + "<r>Siân</r>").encode(codec), max_bytes=BIG)
    assert tree.getroot().text == "Siân"
    error = refused((declaration + '<!DOCTYPE r [<!ENTITY e "x">]>\n<r/>').encode(codec))
    assert (error.code, error.line) == ("doctype", 2)


def test_a_file_of_exactly_the_limit_is_read() -> None:
    data = b"<r>" + b"x" * 93 + b"</r>"
    assert len(data) == 100
    assert safe_xml.parse(data, max_bytes=100).getroot().text == "x" * 93


# --- unsafe ------------------------------------------------------------------------------


def test_refuses_a_file_over_the_size_limit_before_parsing() -> None:
    error = refused(b"<r>" + b"x" * 94 + b"</r>", max_bytes=100)
    assert isinstance(error, UnsafeXml)
    assert error.code == "too_large"
    assert error.message == "The file is 101 bytes, more than the 100 bytes accepted."


def test_size_limit_message_in_megabytes() -> None:
    error = refused(b"<r/>" + b" " * (3 * BIG), max_bytes=2 * BIG)
    assert error.message == "The file is 3 MB, more than the 2 MB accepted."


def test_refuses_billion_laughs() -> None:
    error = refused((_laughs(9) + "<lolz>&lol9;</lolz>").encode())
    assert isinstance(error, UnsafeXml)
    assert error.code == "doctype"
    assert error.line == 1
    assert error.message.startswith("The XML declares a DOCTYPE, which is not accepted")


def test_refuses_billion_laughs_in_an_attribute() -> None:
    error = refused((_laughs(9) + '<lolz a="&lol9;"/>').encode())
    assert (error.code, error.line) == ("doctype", 1)


def test_refuses_an_external_entity() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!-- a comment first -->\n'
        b'<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<foo>&xxe;</foo>'
    )
    error = refused(data)
    assert isinstance(error, UnsafeXml)
    assert (error.code, error.line) == ("doctype", 3)
    assert str(error).endswith("(line 3)")


def test_refuses_an_external_dtd() -> None:
    error = refused(b'<!DOCTYPE foo SYSTEM "http://example.com/foo.dtd">\n<foo/>')
    assert (error.code, error.line) == ("doctype", 1)


def test_refuses_a_doctype_in_utf16() -> None:
    data = '<!DOCTYPE r [<!ENTITY e "x">]>\n<r>&e;</r>'.encode("utf-16")
    assert refused(data).code == "doctype"


def test_check_tree_refuses_a_doctype_the_byte_check_did_not_see() -> None:
    tree = etree.ElementTree(
        etree.fromstring(b'<!DOCTYPE r [<!ENTITY e "x">]><r/>', safe_xml.hardened_parser())
    )
    with pytest.raises(UnsafeXml) as caught:
        safe_xml.check_tree(tree)
    assert caught.value.code == "doctype"
    safe_xml.check_tree(etree.ElementTree(etree.fromstring(b"<r/>")))  # no DOCTYPE, no error


def test_refuses_nesting_deeper_than_libxml2s_limit() -> None:
    error = refused(b"<a>" * 300 + b"</a>" * 300)
    assert isinstance(error, UnsafeXml)
    assert error.message == "The XML nests elements more than 256 deep, which is not accepted."


def test_refuses_a_single_value_over_10_mb() -> None:
    error = refused(b"<r>" + b"x" * (11 * BIG) + b"</r>", max_bytes=12 * BIG)
    assert isinstance(error, UnsafeXml)
    assert error.message == "The XML holds a single value longer than 10 MB, which is not accepted."


# --- the parser on its own, as if the DOCTYPE check were bypassed -------------------------


def test_hardened_parser_leaves_internal_entities_unexpanded() -> None:
    root = etree.fromstring(
        (_laughs(4) + "<lolz>&lol4;</lolz>").encode(), safe_xml.hardened_parser()
    )
    assert root.text is None
    assert etree.tostring(root) == b"<lolz>&lol4;</lolz>"


def test_hardened_parser_stops_exponential_expansion() -> None:
    with pytest.raises(etree.XMLSyntaxError, match="amplification"):
        etree.fromstring((_laughs(9) + '<lolz a="&lol9;"/>').encode(), safe_xml.hardened_parser())


def test_hardened_parser_never_reads_a_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    root = etree.fromstring(
        f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r>&x;</r>'.encode(),
        safe_xml.hardened_parser(),
    )
    assert root.text is None
    assert etree.tostring(root) == b"<r>&x;</r>"
    with pytest.raises(etree.XMLSyntaxError, match="external entity"):
        etree.fromstring(
            f'<!DOCTYPE r [<!ENTITY x SYSTEM "{secret.as_uri()}">]><r a="&x;"/>'.encode(),
            safe_xml.hardened_parser(),
        )


def test_hardened_parser_refuses_external_dtds_and_parameter_entities(tmp_path: Path) -> None:
    """libxml2 reads these even with load_dtd off; only the refusing resolver stops it."""
    dtd = tmp_path / "leak.dtd"
    dtd.write_text('<!ENTITY leak "SECRET-MARKER">')
    for document in (
        f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{dtd.as_uri()}"> %p;]><r a="&leak;"/>',
        f'<!DOCTYPE r SYSTEM "{dtd.as_uri()}"><r/>',
    ):
        with pytest.raises(UnsafeXml) as caught:
            etree.fromstring(document.encode(), safe_xml.hardened_parser())
        assert caught.value.code == "external_resource"
        assert dtd.as_uri() in caught.value.message


def test_hardened_parser_never_touches_the_network() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(5)
        server.settimeout(0.2)
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        root = etree.fromstring(
            f'<!DOCTYPE r [<!ENTITY x SYSTEM "{url}/x">]><r>&x;</r>'.encode(),
            safe_xml.hardened_parser(),
        )
        assert root.text is None
        for document in (
            f'<!DOCTYPE r [<!ENTITY % p SYSTEM "{url}/p"> %p;]><r/>',
            f'<!DOCTYPE r SYSTEM "{url}/r.dtd"><r/>',
        ):
            with pytest.raises(UnsafeXml):
                etree.fromstring(document.encode(), safe_xml.hardened_parser())
        with pytest.raises(TimeoutError):
            server.accept()


# --- malformed ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [b"", b"  \r\n\t "])
def test_refuses_an_empty_file(data: bytes) -> None:
    error = refused(data)
    assert isinstance(error, MalformedXml)
    assert (error.code, error.message, error.line) == ("empty", "The file is empty.", None)


def test_refuses_csv_and_shows_how_it_begins() -> None:
    error = refused(b"\r\nULN,GivenName,FamilyName\r\n1234567890,Jo,Bloggs\r\n")
    assert isinstance(error, MalformedXml)
    assert error.code == "not_xml"
    assert error.line == 2
    assert error.message == (
        'The file is not XML: XML begins with "<", but this file begins with '
        '"ULN,GivenName,FamilyName".'
    )


@pytest.mark.parametrize(
    ("data", "what"),
    [
        (b"PK\x03\x04\x14\x00\x06\x00", "The file is a zip archive (or an Excel .xlsx workbook)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "The file is an old-style Office document"),
        (b"%PDF-1.7\n", "The file is a PDF document"),
        (bytes(range(256)), "The file is binary data, not XML text."),
    ],
)
def test_refuses_binary_files_by_what_they_are(data: bytes, what: str) -> None:
    error = refused(data)
    assert error.code == "not_xml"
    assert error.message.startswith(what)


def test_truncated_xml_says_it_ends_early_and_where() -> None:
    data = ILR_2526.read_bytes()
    cut = data[: data.index(b"</ULN>", 20000) + len(b"</ULN>")]
    error = refused(cut)
    assert isinstance(error, MalformedXml)
    assert error.code == "truncated"
    assert error.line == cut.count(b"\n") + 1
    assert error.message == (
        "The XML ends early: it stops inside <Learner>, which opens on line 557. "
        "The file may have been cut short; send the whole file again."
    )


@pytest.mark.parametrize("cut", [b"<r>\n<a>te", b"<r>\n<a>text</", b"<r>\n<a>text</a", b"<r>\n<"])
def test_cut_anywhere_is_ends_early(cut: bytes) -> None:
    error = refused(cut)
    assert (error.code, error.line) == ("truncated", 2)


@pytest.mark.parametrize(
    ("data", "line", "message"),
    [
        (
            b"<r>\n<a>\n</r>",
            3,
            "The closing tag </r> does not match the opening tag <a> on line 2.",
        ),
        (b"<r>\nA & B</r>", 2, 'The XML contains a bare "&"; write it as "&amp;".'),
        (
            b"<r>\n&nbsp;</r>",
            2,
            '"&nbsp;" is not a known entity; write a literal "&" as "&amp;" (and < as &lt;).',
        ),
        (
            b"<r>caf\xe9</r>",
            1,
            "The file is not in the character encoding it declares (UTF-8 unless its XML "
            "declaration says otherwise); save it as UTF-8.",
        ),
        (
            b"<r>\x01</r>",
            1,
            "The XML contains a control character (code 1) that XML does not allow.",
        ),
        (b"<r/>\n<r/>", 2, "There is more content after the end of the root element."),
        (
            b"<r>\n<a b=1/></r>",
            2,
            "The file is not well-formed XML: AttValue: \" or ' expected.",
        ),
    ],
)
def test_malformed_xml_is_explained(data: bytes, line: int, message: str) -> None:
    error = refused(data)
    assert isinstance(error, MalformedXml)
    assert (error.code, error.line, error.message) == ("malformed", line, message)
