"""DTR-1 as pydantic models: the typed form of a submission (spec sections 3 and 4).

Models are strict where JSON would otherwise be coerced: unknown fields are refused,
integers must be integers, timestamps must be ISO text with an offset (stored in UTC), and
every string is checked for control characters. A field that may be omitted has a default of
``None``; every other field is required, lists included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from compliance.codes import (
    AccountStatus,
    Action,
    Category,
    ContentType,
    DetectionSource,
    HashAlgorithm,
    IPEventType,
    Priority,
    ReferralType,
    ServiceType,
    SubmissionType,
    Visibility,
)
from compliance.config import DEFAULT_CONFIG
from compliance.formats import (
    SCHEMA_VERSION,
    AccountKey,
    CountryCode,
    Day,
    Email,
    Excerpt,
    HashValue,
    Identifier,
    IPAddressText,
    LanguageCode,
    Name,
    Narrative,
    PeriodText,
    Phone,
    Reference,
    ShortText,
    Statement,
    Timestamp,
    Url,
)

Item = TypeVar("Item")

# Counts must survive a spreadsheet, whose numbers are doubles: exact only up to 2**53.
Count = Annotated[StrictInt, Field(ge=0, le=2**53 - 1)]


def _no_repeats(items: list[Item]) -> list[Item]:
    seen: set[Any] = set()
    for item in items:
        if item in seen:
            raise PydanticCustomError(
                "repeated_item", "lists {item!r} more than once", {"item": str(item)}
            )
        seen.add(item)
    return items


def _no_action_alone(actions: list[Action]) -> list[Action]:
    if Action.NO_ACTION in actions and len(actions) > 1:
        raise PydanticCustomError("no_action_combined", "combines no_action with another action")
    return actions


class DTRModel(BaseModel):
    """Base of every DTR-1 record: unknown fields are refused, never ignored."""

    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=False)


# Every field carries its meaning as ``Field(description=...)``: the exported JSON Schema,
# the intake workbook's header notes and the docs all read it from here, so it is written
# once. Class docstrings become the descriptions of the records in the schema.


class Service(DTRModel):
    """An online service that the platform runs and this submission covers."""

    service_id: Identifier = Field(
        description=(
            "Your identifier for the service, unique on the platform; subjects, content "
            "items and removals name it."
        )
    )
    name: Name = Field(description="The service's public name.")
    service_type: ServiceType = Field(description="What kind of service it is.")
    monthly_active_users: Count | None = Field(
        None, description="Average monthly active users, if known."
    )


class Contact(DTRModel):
    """A person the police and the regulator can reach: the platform's nominated officer."""

    name: Name = Field(description="The person's full name.")
    role: Name = Field(description="The person's role or job title.")
    email: Email = Field(description="The person's e-mail address.")
    phone: Phone = Field(description="The person's phone number in E.164 form, e.g. +442079460000.")


class Platform(DTRModel):
    """The reporting entity: the company that files, its services and its nominated officer."""

    legal_name: Name = Field(description="The reporting entity's registered legal name.")
    registration_number: ShortText = Field(
        description="Its company number or equivalent registration number."
    )
    jurisdiction: CountryCode = Field(
        description="The country of registration as an ISO 3166-1 alpha-2 code, e.g. GB, IE, US."
    )
    services: list[Service] = Field(
        min_length=1, description="The services this submission covers; at least one."
    )
    nominated_officer: Contact = Field(
        description="The person answerable for the platform's referrals."
    )


class Attestation(DTRModel):
    """The signed statement that the submission is complete and correct."""

    name: Name = Field(description="The person who signs the attestation.")
    role: Name = Field(description="The signatory's role or job title.")
    signed_at: Timestamp = Field(description="When the attestation was signed.")
    statement: Statement = Field(description="The words of the attestation, as signed.")


class IPEvent(DTRModel):
    """One use of an IP address by a subject's account."""

    ip: IPAddressText = Field(description="The IPv4 or IPv6 address.")
    port: Annotated[StrictInt, Field(ge=1, le=65535)] | None = Field(
        None,
        description=(
            "The source port (1 to 65535), if known; needed for a public IPv4 address, which "
            "carrier-grade NAT shares between many users."
        ),
    )
    observed_at: Timestamp = Field(description="When the address was observed.")
    event: IPEventType = Field(description="What the account did from this address.")


class Subject(DTRModel):
    """A person or account suspected in a referral."""

    subject_id: Identifier = Field(
        description="Your identifier for the person or account, unique within its referral."
    )
    service_id: Identifier = Field(
        description="The service the account is on: one of the platform's service_id values."
    )
    account_id: AccountKey = Field(description="The platform's stable key for the account.")
    username: AccountKey | None = Field(None, description="The account's username, if any.")
    display_name: Name | None = Field(None, description="The account's display name, if any.")
    email: Email | None = Field(None, description="The account's e-mail address, if known.")
    phone: Phone | None = Field(
        None, description="The account's phone number in E.164 form, if known."
    )
    date_of_birth: Day | None = Field(None, description="The subject's date of birth, if known.")
    declared_country: CountryCode | None = Field(
        None,
        description="The country the user declared, as an ISO 3166-1 alpha-2 code, if any.",
    )
    account_created_at: Timestamp | None = Field(
        None, description="When the account was created, if known."
    )
    account_status: AccountStatus = Field(description="The account's status now.")
    ip_events: list[IPEvent] = Field(
        description="The IP addresses the account was seen using, and when; may be empty."
    )

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_age(cls, born: date | None, info: ValidationInfo) -> date | None:
        # The age bounds depend on the submission's generated_at, which the checker passes
        # as validation context; without it (an unreadable envelope) the check waits.
        context = info.context or {}
        today: date | None = context.get("reference_date")
        if born is None or today is None:
            return born
        low, high = context.get("age_range", DEFAULT_CONFIG.age_range)
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if not low <= age <= high:
            raise PydanticCustomError(
                "age_out_of_range",
                "gives an age of {age} on generated_at, outside {low} to {high}",
                {"age": age, "low": low, "high": high},
            )
        return born


class Hash(DTRModel):
    """A hash of a content item, by which copies of the material can be matched."""

    algorithm: HashAlgorithm = Field(description="The hash algorithm.")
    value: HashValue = Field(
        description=(
            "The hash value: hexadecimal for md5 (32 digits), sha1 (40), sha256 and pdq (64); "
            "standard base64 of 144 bytes for photodna."
        )
    )


class ContentItem(DTRModel):
    """One piece of the material a referral reports."""

    content_id: Identifier = Field(
        description="Your identifier for the item, unique within its referral."
    )
    service_id: Identifier = Field(
        description="The service the item is on: one of the platform's service_id values."
    )
    subject_id: Identifier | None = Field(
        None,
        description="The subject who posted it (a subject_id of the same referral), if known.",
    )
    content_type: ContentType = Field(description="What kind of material it is.")
    url: Url | None = Field(None, description="The http(s) address of the material, if any.")
    posted_at: Timestamp = Field(description="When the material was posted.")
    detected_at: Timestamp = Field(description="When the platform detected the material.")
    removed_at: Timestamp | None = Field(
        None,
        description=(
            "When the material was removed; no value while it is still up (for instance when "
            "the police asked to keep it up)."
        ),
    )
    detection_source: DetectionSource = Field(description="How the material was found.")
    hashes: list[Hash] = Field(description="Hashes of the material; may be empty.")
    visibility: Visibility = Field(description="Who could see the material.")
    view_count: Count | None = Field(None, description="How many times it was viewed, if known.")
    excerpt: Excerpt | None = Field(None, description="A quotation of the material, if any.")
    language: LanguageCode | None = Field(
        None,
        description="The material's language as an ISO 639-1 code, e.g. en, ar, ur, if known.",
    )


class Preservation(DTRModel):
    """Evidence the platform preserved for the police."""

    preserved_at: Timestamp = Field(description="When evidence was preserved for the police.")
    retain_until: Day = Field(description="The date until which the preserved evidence is kept.")
    reference: Reference = Field(description="The platform's evidence-locker reference.")


class Referral(DTRModel):
    """One referral to the police: who is suspected, of what, on what material, and why."""

    referral_id: Identifier = Field(
        description="Your identifier for the referral, unique in the submission."
    )
    referral_type: ReferralType = Field(
        description=(
            "initial; continuing (further activity by subjects already referred); correction "
            "(replaces the facts of an earlier referral)."
        )
    )
    related_referral_ids: list[Identifier] = Field(
        description=(
            "The earlier referrals this one continues or corrects, by referral_id. Required "
            "for continuing and correction referrals; empty for an initial one."
        )
    )
    priority: Priority = Field(
        description="How urgent it is; it sets the deadline, counted from suspicion_formed_at."
    )
    categories: Annotated[list[Category], AfterValidator(_no_repeats)] = Field(
        min_length=1, description="The terrorist-content categories; at least one, no repeats."
    )
    detected_at: Timestamp = Field(
        description="When the platform first noticed any of the material."
    )
    suspicion_formed_at: Timestamp = Field(
        description=(
            "When a reviewer concluded the matter is reportable: the deadline clock starts here."
        )
    )
    referred_at: Timestamp | None = Field(
        None,
        description="When the referral was sent to the police; no value until it is sent.",
    )
    referred_to: Name | None = Field(
        None,
        description=(
            "The receiving authority, e.g. Counter Terrorism Policing (GB), Europol EU IRU. "
            "Given exactly when referred_at is given."
        ),
    )
    countries_concerned: Annotated[list[CountryCode], AfterValidator(_no_repeats)] = Field(
        min_length=1,
        description=(
            "ISO 3166-1 alpha-2 codes of where the offence happened or may happen, or where a "
            "suspect or victim is; they decide which authority receives the referral. At "
            "least one, no repeats."
        ),
    )
    authority_reference: Reference | None = Field(
        None, description="The reference number the police gave back, if any."
    )
    subjects: list[Subject] = Field(
        description=(
            "The persons or accounts suspected. A referral has at least one subject or one "
            "content item."
        )
    )
    content_items: list[ContentItem] = Field(description="The material reported.")
    narrative: Narrative = Field(
        description="The reason for suspicion, in prose: who, what, where, when, why, how."
    )
    actions_taken: Annotated[
        list[Action], AfterValidator(_no_repeats), AfterValidator(_no_action_alone)
    ] = Field(description="What the platform did; no repeats; no_action stands alone.")
    preservation: Preservation | None = Field(
        None, description="The evidence preserved for the police, if any."
    )


class Removal(DTRModel):
    """One row of the moderation log: a terrorism-related removal in the period."""

    action_id: Identifier = Field(
        description="Your identifier for the removal, unique in the moderation log."
    )
    service_id: Identifier = Field(
        description=(
            "The service the content was removed from: one of the platform's service_id values."
        )
    )
    account_id: AccountKey = Field(description="The account whose content was removed.")
    content_id: AccountKey | None = Field(
        None, description="The removed content's identifier, if any."
    )
    category: Category = Field(description="The terrorist-content category of the removed content.")
    actioned_at: Timestamp = Field(
        description="When the content was removed; it must fall in the period."
    )
    referral_id: Identifier | None = Field(
        None,
        description=(
            "The referral that covers this removal, if any: one of this submission's or of an "
            "earlier quarter's."
        ),
    )


class SubmissionEnvelope(DTRModel):
    """The quarterly envelope without its two long lists.

    The checker validates the envelope and then each referral and each log row on its own,
    so that one broken referral never hides the issues of the others.
    """

    schema_version: str = Field(
        description=f"The DTR-1 version this submission follows; always {SCHEMA_VERSION}."
    )
    submission_id: Identifier = Field(
        description=(
            "Your identifier for this submission, unique per platform: 1 to 64 letters, "
            "digits, '.', '_' or '-', starting with a letter or digit."
        )
    )
    submission_type: SubmissionType = Field(
        description=(
            "initial, or amendment when this submission replaces an earlier one for the same "
            "period."
        )
    )
    amends_submission_id: Identifier | None = Field(
        None,
        description=(
            "For an amendment, the submission_id of the submission it replaces; no value for "
            "an initial submission."
        ),
    )
    period: PeriodText = Field(
        description="The calendar quarter covered, written YYYY-Qn, e.g. 2026-Q3."
    )
    generated_at: Timestamp = Field(
        description="When this submission was produced; the 'now' of every deadline check."
    )
    platform: Platform = Field(description="The reporting entity.")
    attestation: Attestation | None = Field(
        None,
        description="The signed attestation; a submission without one is not filing-ready.",
    )


_REFERRALS = "The quarter's referrals to the police; may be empty (a nil return is valid)."
_MODERATION_LOG = "Every terrorism-related removal in the period; may be empty."


class EnvelopeWithRawLists(SubmissionEnvelope):
    """The envelope with its lists unchecked, for the checker's first pass."""

    referrals: list[Any] = Field(description=_REFERRALS)
    moderation_log: list[Any] = Field(description=_MODERATION_LOG)


class Submission(SubmissionEnvelope):
    """One platform's DTR-1 submission for a quarter: referrals, moderation log, attestation."""

    referrals: list[Referral] = Field(description=_REFERRALS)
    moderation_log: list[Removal] = Field(description=_MODERATION_LOG)

    @property
    def service_ids(self) -> frozenset[str]:
        return frozenset(service.service_id for service in self.platform.services)


_DOCUMENT_SCHEMA_VERSION = f"The DTR-1 version this document follows; always {SCHEMA_VERSION}."
_REFERRAL_DOCUMENT_REFERRAL = "The referral, as in a submission's referrals."


class ReferralEnvelope(DTRModel):
    """A referral document without its referral, which the checker validates on its own."""

    schema_version: str = Field(description=_DOCUMENT_SCHEMA_VERSION)
    document: Literal["referral"] = Field(
        description="Marks a referral document: always referral. A submission has no such field."
    )
    generated_at: Timestamp = Field(
        description="When this document was produced; the 'now' of its deadline checks."
    )
    platform: Platform = Field(description="The reporting entity.")


class ReferralEnvelopeWithRawReferral(ReferralEnvelope):
    """The envelope with its referral unchecked, for the checker's first pass."""

    referral: Any = Field(description=_REFERRAL_DOCUMENT_REFERRAL)


class ReferralDocument(ReferralEnvelope):
    """One referral filed on its own, the moment it is made (DTR-1 10.1)."""

    referral: Referral = Field(description=_REFERRAL_DOCUMENT_REFERRAL)


def _published_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    schema = model.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = title
    # The model types the version as any string (the checker tests it first, as DTR-S000);
    # the published schema pins the one version and keeps the field's meaning.
    version = schema["properties"]["schema_version"]
    schema["properties"]["schema_version"] = {
        "const": SCHEMA_VERSION,
        "title": version["title"],
        "description": version["description"],
    }
    return schema


def submission_json_schema() -> dict[str, Any]:
    """The JSON Schema of a submission, as `compliance schema` prints it."""
    return _published_schema(Submission, "DTR-1 submission")


def referral_document_json_schema() -> dict[str, Any]:
    """The JSON Schema of a referral document, as `compliance schema --document referral`
    prints it."""
    return _published_schema(ReferralDocument, "DTR-1 referral document")


PERSONAL_DATA_FIELDS: frozenset[str] = frozenset(
    {
        "account_id",
        "username",
        "display_name",
        "email",
        "phone",
        "date_of_birth",
        "ip",
        "url",
        "excerpt",
        "narrative",
    }
)
"""Fields whose values never appear in a message or in the regulator's return (spec 5, 7.2).

The nominated officer's e-mail and phone are covered by name too; officers' names and roles
are not personal data for this purpose.
"""


def _required_lists_that_may_be_empty(models: Sequence[type[BaseModel]]) -> frozenset[str]:
    names = set()
    for model in models:
        for name, info in model.model_fields.items():
            is_list = getattr(info.annotation, "__origin__", None) is list
            least = max((getattr(m, "min_length", None) or 0 for m in info.metadata), default=0)
            if info.is_required() and is_list and not least:
                names.add(name)
    return frozenset(names)


EMPTY_LIST_FIELDS = _required_lists_that_may_be_empty(
    [Submission, Platform, Service, Referral, Subject, IPEvent, ContentItem, Hash, Removal]
)
"""Fields that must be present but may hold no items: a missing one is written ``[]``."""


def referral_id_of(raw: Any) -> str | None:
    """The referral id of a raw referral object, if it is at least a plausible identifier."""
    if isinstance(raw, dict):
        value = raw.get("referral_id")
        if isinstance(value, str) and 0 < len(value) <= 64:
            return value
    return None


__all__: Sequence[str] = (
    "Attestation",
    "Contact",
    "ContentItem",
    "Hash",
    "IPEvent",
    "Platform",
    "Preservation",
    "Referral",
    "ReferralDocument",
    "Removal",
    "Service",
    "Subject",
    "Submission",
    "SubmissionEnvelope",
)
