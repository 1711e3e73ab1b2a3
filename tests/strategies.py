"""Hypothesis strategies for DTR-1: valid submissions, hostile text, arbitrary JSON, mutations.

``valid_submissions()`` draws a seed and a handful of free-text values and builds a small
submission with the seeded generator of ``benchmarks/synthetic.py`` (loaded by file path, so
the benchmarks need not be a package). The drawn text goes only where DTR-1 allows any
Unicode: narratives, excerpts, display names, the attestation statement and names. Whatever is
drawn, the submission must check clean: no error and no warning.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

_SYNTHETIC = Path(__file__).resolve().parent.parent / "benchmarks" / "synthetic.py"


def _load_synthetic() -> Any:
    name = "dtr1_synthetic"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, _SYNTHETIC)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


synthetic = _load_synthetic()
generate_submission = synthetic.generate_submission

# ------------------------------------------------------------------------------- free text

# DTR-1.1 §2: no C0 or C1 control character and no DEL; tab and line feed only in narrative,
# excerpt and statement; the line and paragraph separators only there too. Everything else
# is text that must be kept as is.
_C1 = "".join(chr(c) for c in range(0x80, 0xA0))
_FORBIDDEN = "".join(chr(c) for c in range(0x20)) + "\x7f" + _C1
_SEPARATORS = "\u2028\u2029"

HOSTILE_SNIPPETS = (
    "<script>alert(1)</script>",
    '<img src="http://127.0.0.1:9/x" onerror="alert(1)">',
    '=HYPERLINK("x")',
    '=HYPERLINK("http://evil.example","click")',
    "+SUM(1,2)",
    "-2+3",
    "@cmd|' /C calc'!A0",
    "\u200f",  # right-to-left mark
    "\u200e",  # left-to-right mark
    "\u202e",  # right-to-left override
    "\u2066\u2069",  # isolates
    "\u200d",  # zero-width joiner
    "\ufeff",  # BOM inside text
    "انضموا إلينا",
    "ہمارے ساتھ شامل ہو جاؤ",
    "Присоединяйтесь",
    "שלום",
    "🔥",
    "🏴‍☠️",
    "👩🏽‍💻",
    "Z̷̢a̴l̸g̶o̵",
    "{{ 7*7 }}",
    "${jndi:ldap://x}",
    "%s%n%x",
    "'; DROP TABLE referrals; --",
    "&amp; &lt;b&gt;",
    "\\u0000",
    "]]>",
    "\U0010fffd",
)


def _text_alphabet(*, multiline: bool) -> st.SearchStrategy[str]:
    if multiline:
        forbidden = _FORBIDDEN.replace("\t", "").replace("\n", "")
    else:
        forbidden = _FORBIDDEN + _SEPARATORS
    return st.characters(exclude_categories=("Cs",), exclude_characters=forbidden)


def free_text(
    *, min_size: int = 0, max_size: int = 200, multiline: bool = False
) -> st.SearchStrategy[str]:
    """Any text DTR-1 accepts in a free-text field: scripts, emoji, markup, formulae."""
    piece = st.one_of(
        st.text(_text_alphabet(multiline=multiline), max_size=24),
        st.sampled_from(HOSTILE_SNIPPETS),
        *([st.sampled_from(("\n", "\t", "\n\n", "line one\nline two"))] if multiline else []),
    )
    return (
        st.lists(piece, min_size=1, max_size=6)
        .map(lambda parts: "".join(parts)[:max_size])
        .filter(lambda text: len(text) >= min_size)
    )


def names() -> st.SearchStrategy[str]:
    """A Name (1-200 characters, no control character)."""
    return free_text(min_size=1, max_size=200)


# ------------------------------------------------------------------------- valid submissions


@st.composite
def valid_submissions(draw: st.DrawFn, min_referrals: int = 0, max_referrals: int = 4) -> dict:
    """A small valid DTR-1 submission (no issues at all), with hostile free text."""
    referrals = draw(st.integers(min_referrals, max_referrals))
    seed = draw(st.integers(0, 2**32 - 1))
    year = draw(st.one_of(st.integers(2020, 2035), st.integers(1980, 9990)))
    period = f"{year}-Q{draw(st.integers(1, 4))}"
    document = generate_submission(referrals, seed=seed, period=period)

    if draw(st.booleans()):
        document["submission_type"] = "amendment"
        document["amends_submission_id"] = document["submission_id"] + "-v1"

    platform = document["platform"]
    if draw(st.booleans()):
        platform["legal_name"] = draw(names())
    for service in platform["services"]:
        if draw(st.booleans()):
            service["name"] = draw(names())
    officer = platform["nominated_officer"]
    officer["name"], officer["role"] = draw(names()), draw(names())
    attestation = document["attestation"]
    attestation["name"] = draw(names())
    attestation["statement"] = draw(free_text(min_size=1, max_size=2000, multiline=True))

    for referral in document["referrals"]:
        # The generated narrative names the account and is long enough; the tail is anything.
        tail = draw(free_text(max_size=400, multiline=True))
        if draw(st.booleans()):
            referral["narrative"] = referral["narrative"] + "\n" + tail
        else:
            referral["narrative"] = tail + "\n" + referral["narrative"]
        if draw(st.booleans()):
            referral["referred_to"] = draw(names())
        for subject in referral["subjects"]:
            if draw(st.booleans()):
                subject["display_name"] = draw(names())
        for item in referral["content_items"]:
            if draw(st.booleans()):
                item["excerpt"] = draw(free_text(max_size=2000, multiline=True))
    return document


def encode(document: Any) -> bytes:
    """JSON bytes as a platform would send them (UTF-8, non-ASCII kept).

    A lone surrogate cannot be UTF-8; such a document is sent with ASCII escapes instead.
    """
    try:
        return json.dumps(document, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(document).encode("ascii")


# ------------------------------------------------------------------------ arbitrary JSON

_json_text = st.one_of(
    st.text(max_size=30),
    st.text(st.characters(min_codepoint=0, max_codepoint=0x40), max_size=10),
    # Lone surrogates survive json.dumps as \\udXXX escapes and come back from json.loads.
    st.text(st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), min_size=1, max_size=3),
    st.sampled_from(HOSTILE_SNIPPETS),
)

json_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    _json_text,
    st.sampled_from(
        (
            "1.0",
            "2026-Q3",
            "2026-07-01T00:00:00Z",
            "2026-07-01T00:00:00",
            "0001-01-01T00:00:00+01:00",
            "9999-12-31T23:59:59-01:00",
            "1990-02-30",
            "10.0.0.1",
            "::1",
            "threat",
            "routine",
            "",
        )
    ),
)

# Keys of the real model, so that arbitrary documents sometimes look like submissions.
# fmt: off
FIELD_NAMES = (
    "schema_version", "submission_id", "submission_type", "amends_submission_id", "period",
    "generated_at", "platform", "referrals", "moderation_log", "attestation", "legal_name",
    "registration_number", "jurisdiction", "services", "nominated_officer", "service_id", "name",
    "service_type", "monthly_active_users", "role", "email", "phone", "signed_at", "statement",
    "referral_id", "referral_type", "related_referral_ids", "priority", "categories",
    "detected_at", "suspicion_formed_at", "referred_at", "referred_to", "countries_concerned",
    "authority_reference", "subjects", "content_items", "narrative", "actions_taken",
    "preservation", "subject_id", "account_id", "username", "display_name", "date_of_birth",
    "declared_country", "account_created_at", "account_status", "ip_events", "ip", "port",
    "observed_at", "event", "content_id", "content_type", "url", "posted_at", "removed_at",
    "detection_source", "hashes", "algorithm", "value", "visibility", "view_count", "excerpt",
    "language", "preserved_at", "retain_until", "reference", "action_id", "category",
    "actioned_at",
)
# fmt: on

_keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=12))


def json_values(max_leaves: int = 30) -> st.SearchStrategy[Any]:
    """Any JSON value (objects, arrays, scalars), nested."""
    return st.recursive(
        json_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=5),
            st.dictionaries(_keys, children, max_size=6),
        ),
        max_leaves=max_leaves,
    )


@st.composite
def submission_like(draw: st.DrawFn) -> dict:
    """An object that passes the DTR-S000 gate (schema_version 1.0) with arbitrary contents."""
    document = draw(st.dictionaries(_keys, json_values(20), max_size=10))
    document["schema_version"] = "1.0"
    return document


# ------------------------------------------------------------------------------ mutation


def locations(document: Any) -> list[tuple[tuple[str | int, ...], Any]]:
    """Every (path, value) in a JSON document, the root included."""
    found: list[tuple[tuple[str | int, ...], Any]] = []
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), document)]
    while stack:
        path, value = stack.pop()
        found.append((path, value))
        if isinstance(value, dict):
            stack.extend(((*path, key), child) for key, child in value.items())
        elif isinstance(value, list):
            stack.extend(((*path, index), child) for index, child in enumerate(value))
    found.sort(key=lambda entry: [str(token) for token in entry[0]])
    return found


def _parent(document: Any, path: tuple[str | int, ...]) -> Any:
    node = document
    for token in path[:-1]:
        node = node[token]
    return node


@st.composite
def mutated_submissions(draw: st.DrawFn) -> tuple[dict, str]:
    """A valid submission with one structural mutation; returns it and a description."""
    document = copy.deepcopy(draw(valid_submissions(min_referrals=1)))
    kind = draw(st.sampled_from(("delete", "replace", "duplicate")))
    everything = locations(document)
    if kind == "delete":
        keyed = [(path, value) for path, value in everything if path and isinstance(path[-1], str)]
        path, _ = draw(st.sampled_from(keyed))
        del _parent(document, path)[path[-1]]
    elif kind == "replace":
        path, _ = draw(st.sampled_from([entry for entry in everything if entry[0]]))
        _parent(document, path)[path[-1]] = draw(json_values(10))
    else:
        lists = [(path, value) for path, value in everything if isinstance(value, list) and value]
        path, items = draw(st.sampled_from(lists))
        index = draw(st.integers(0, len(items) - 1))
        items.insert(draw(st.integers(0, len(items))), copy.deepcopy(items[index]))
    return document, f"{kind} at {'/'.join(map(str, path))}"
