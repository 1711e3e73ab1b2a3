"""Personal data where none may be: values shaped like e-mail addresses, phones or IP addresses.

A DTR-1 return carries no personal data (DTR-1 7.2): no subject's e-mail, phone or IP address
and no e-mail or phone of the nominated officer. The receiver cannot know which values are
personal, but it can know which are *shaped* like the kinds the standard names, and a return
never legitimately holds one: its identifiers, hashes, codes and pseudonyms are built so that
none looks like them. So any such value, anywhere, rejects the return.

"Anywhere" means every cell (located by sheet, row and column), every sheet name, the document
properties, and the text of every part of the package, XML or not (shared strings no cell
uses, page headers, comments, formulas, hyperlink targets, custom XML and custom properties,
the Company of ``docProps/app.xml``, a ``.txt`` or ``.bin`` part; decoded as UTF-8, or UTF-16
by its byte-order mark or its pattern of NUL bytes), which is where a value pasted and then
hidden would still be. Findings never repeat the value: the receipt says what kind of value is
where. The application metadata of ``docProps/app.xml`` (``Application``, ``AppVersion`` ...)
is the program's, not personal data: LibreOffice's ``7.4.7.2`` is a version, not an address.

A value is judged by its field as well as its shape: an identifier (``content_id``,
``registration_number``, ``account_ref`` ... :data:`IDENTIFIER_FIELDS`) that is one token is
an identifier, so a zero-padded ``0001234567`` there is not a phone number; it is still
checked for the shape of an e-mail or IP address, and free text is scanned for every shape.

The shapes are deliberately those of real data, not of any digit run: an international phone
starts with ``+`` (or ``00``) and has 7 to 15 digits, a national one starts with ``0`` and has
10 or 11; an identifier such as ``v-70412236`` or a SHA-256 is one token and never matches.
"""

from __future__ import annotations

import html
import ipaddress
import re
from collections.abc import Iterator

from compliance.formats import IDENTIFIER_PATTERN, STANDARD_VERSION
from compliance.regulator import reason_codes
from compliance.regulator.layout import KEY_VALUE_NAMES, TABLE_HEADERS, key_value_layout
from compliance.regulator.reason_codes import ReasonCode
from compliance.regulator.reasons import CappedReasons, Reason
from compliance.xlsx.addresses import column_letter
from compliance.xlsx.raw_workbook import RawWorkbook

MAX_REASONS_PER_PLACE = 25

IDENTIFIER_FIELDS = frozenset(
    {
        "submission_id",
        "amends_submission_id",
        "registration_number",
        "source_sha256",
        "referral_id",
        "content_id",
        "service_id",
        "action_id",
        "account_ref",
        "sha256",
        "authority_reference",
    }
)
"""Fields (Cover rows, table columns) whose values are identifiers, judged as such."""
_IDENTIFIER = re.compile(IDENTIFIER_PATTERN)
_APPLICATION_METADATA = re.compile(
    r"<(?:\w+:)?(Application|AppVersion|DocSecurity|ScaleCrop|LinksUpToDate|SharedDoc|"
    r"HyperlinksChanged|TotalTime|Template)\b[^>]*>[^<]*</(?:\w+:)?\1\s*>"
)
MAX_SNIFF = 4096

EMAIL = "an e-mail address"
PHONE = "a phone number"
IP = "an IP address"

_EMAIL = re.compile(
    r"(?<![\w.!#$%&'*+/=?^`{|}~-])[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}"
    r"(?![\w-])"
)
# +44 20 7946 0000, +447700900123, +1 (555) 010-9999, 0044 7700 900123
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w+.])(?:\+|00(?=[1-9]))\s?\(?\d[\d ()\-.]{5,22}\d(?!\w)")
# 07700 900123, 020 7946 0000, (020) 7946-0000, 0612345678
_PHONE_NATIONAL = re.compile(r"(?<![\w.+/\-])\(?0\d[\d ()\-]{7,16}\d(?![\w]|[.\-]\d)")
_IPV4 = re.compile(r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w]|\.\d)")
_IPV6 = re.compile(r"(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:\.[\d.]+)?(?![\w:])")


def _digits(text: str) -> int:
    return sum(character.isdigit() for character in text)


def _is_ipv4(text: str) -> bool:
    return all(int(part) <= 255 for part in text.split("."))


def _is_ipv6(text: str) -> bool:
    if sum(1 for group in text.split(":") if group) < 2:
        return False  # "::" or "a::" in prose is punctuation, not an address
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


def find_personal_data(text: str, *, phones: bool = True) -> Iterator[tuple[str, str]]:
    """Each (kind, matched text) in ``text`` shaped like an e-mail, phone or IP address;
    ``phones=False`` for an identifier, whose digits are not a phone number."""
    if "@" in text:
        for match in _EMAIL.finditer(text):
            yield EMAIL, match.group()
    if "." in text:
        for match in _IPV4.finditer(text):
            if _is_ipv4(match.group()):
                yield IP, match.group()
    if text.count(":") >= 2:
        for match in _IPV6.finditer(text):
            if _is_ipv6(match.group()):
                yield IP, match.group()
    if phones and ("+" in text or "0" in text):
        for match in _PHONE_INTERNATIONAL.finditer(text):
            if 7 <= _digits(match.group()) <= 15 and not _looks_like_ip(match.group()):
                yield PHONE, match.group()
        for match in _PHONE_NATIONAL.finditer(text):
            if 10 <= _digits(match.group()) <= 11:
                yield PHONE, match.group()


def _looks_like_ip(text: str) -> bool:
    return bool(_IPV4.fullmatch(text.strip()))


class _Collector(CappedReasons):
    """The first findings of each place (a sheet, the properties, a part), and a count of the
    rest; the values matched are remembered, so that raw part text repeats no cell finding."""

    def __init__(self) -> None:
        super().__init__(MAX_REASONS_PER_PLACE)
        self.seen: set[str] = set()

    def add_identifier(self, place: str, text: str, **where: object) -> None:
        """An identifier's value: its digits are not a phone number, here or in any part."""
        self.seen.update(matched for _, matched in find_personal_data(text))
        self.add_text(place, text, phones=False, **where)

    def add_text(self, place: str, text: str, *, phones: bool = True, **where: object) -> None:
        kinds = []
        for kind, matched in find_personal_data(text, phones=phones):
            self.seen.add(matched)
            if kind not in kinds:
                kinds.append(kind)
        if kinds:
            self._found(
                reason_codes.PERSONAL_DATA,
                place,
                f"holds a value shaped like {' and '.join(kinds)}; a return carries no "
                "personal data",
                **where,
            )

    def add_raw(self, part: str, text: str) -> None:
        """Text of a package part: reported only if no located finding already covers it."""
        kinds = [kind for kind, matched in find_personal_data(text) if matched not in self.seen]
        if kinds:
            self._found(
                reason_codes.PERSONAL_DATA_HIDDEN,
                f"part {part}",
                f"holds text shaped like {' and '.join(dict.fromkeys(kinds))} outside any "
                "cell (hidden text, a header, a comment or a link); a return carries no "
                "personal data",
                part=part,
            )

    def _found(self, code: ReasonCode, place: str, message: str, **where: object) -> None:
        self.add_capped(
            place,
            Reason(code, message, **where),  # type: ignore[arg-type]
            lambda more: Reason(
                reason_codes.MORE_PERSONAL_DATA,
                f"and {more} more value(s) shaped like personal data in {place}",
            ),
        )


def scan_workbook(workbook: RawWorkbook) -> list[Reason]:
    """A reason for every place in the package holding something shaped like personal data."""
    found = _Collector()
    for sheet in workbook.sheets:
        found.add_text(f"sheet {sheet.name}", sheet.name, sheet=sheet.name)
        for number, row in sheet.rows.items():
            for index, value in enumerate(row):
                if isinstance(value, str):
                    header = _header_of(sheet.name, index, row)
                    identifier = header in IDENTIFIER_FIELDS and _IDENTIFIER.match(value)
                    (found.add_identifier if identifier else found.add_text)(
                        f"sheet {sheet.name}",
                        value,
                        sheet=sheet.name,
                        row=number,
                        column=column_letter(index + 1),
                        header=header,
                    )
    for name, value in workbook.properties.items():
        found.add_text("document properties", value, part="document properties", header=name)
    for info in workbook.archive.infolist():
        part = info.filename
        for text in _part_texts(workbook, part):
            found.add_raw(part, text)
    return found.finish()


def _header_of(sheet: str, index: int, row: tuple[object, ...]) -> str | None:
    """The standard's name of a cell's column (on Cover and Summary: of its row's field).

    Only names the standard defines are ever repeated in a receipt, never a submitted value.
    """
    if sheet in KEY_VALUE_NAMES:
        label = row[0] if row else None
        fields = key_value_layout(sheet, STANDARD_VERSION)[1]
        return label if index == 1 and isinstance(label, str) and label in fields else None
    columns = TABLE_HEADERS.get(re.sub(r" [0-9]+$", "", sheet), ())
    return columns[index] if index < len(columns) else None


def _part_texts(workbook: RawWorkbook, part: str) -> Iterator[str]:
    """A package part as text, entities decoded: one regular-expression pass over it finds a
    value in any text node or attribute (a hyperlink's ``mailto:``) without a second XML parse.
    Markup never looks like personal data, and values never span a tag except when a shared
    string is split into runs, which the located scan of the cells sees joined."""
    try:
        data = workbook.archive.read(part)
    except Exception:  # an unreadable part: the structure checks report the package
        return
    text = html.unescape(decode_part(data))
    if part.lower() == "docprops/app.xml":
        text = _APPLICATION_METADATA.sub(" ", text)
    yield text


def decode_part(data: bytes) -> str:
    """A part's bytes as text: UTF-16 by its byte-order mark, or by NUL bytes in every other
    position (little-endian ASCII has them after each character, big-endian before); else
    UTF-8 (a UTF-8 BOM dropped). Undecodable bytes become U+FFFD, which matches no shape."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith(b"\xff\xfe"):
        return data[2:].decode("utf-16-le", errors="replace")
    if data.startswith(b"\xfe\xff"):
        return data[2:].decode("utf-16-be", errors="replace")
    sample = data[:MAX_SNIFF]
    if len(sample) >= 4:
        odd, even = sample[1::2].count(0), sample[0::2].count(0)
        half = len(sample) // 2
        if odd > half * 0.6 and even < half * 0.1:
            return data.decode("utf-16-le", errors="replace")
        if even > half * 0.6 and odd < half * 0.1:
            return data.decode("utf-16-be", errors="replace")
    return data.decode("utf-8", errors="replace")
