"""DTR-1 as pydantic models: the typed form of a submission (spec sections 3 and 4).

Models are strict where JSON would otherwise be coerced: unknown fields are refused,
integers must be integers, timestamps must be ISO text with an offset (stored in UTC), and
every string is checked for control characters. A field that may be omitted has a default of
``None``; every other field is required, lists included.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Annotated, Any, TypeVar

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
from compliance.formats import (
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
    model_config = ConfigDict(extra="forbid", use_enum_values=False, validate_default=False)


class Service(DTRModel):
    service_id: Identifier
    name: Name
    service_type: ServiceType
    monthly_active_users: Count | None = None


class Contact(DTRModel):
    name: Name
    role: Name
    email: Email
    phone: Phone


class Platform(DTRModel):
    legal_name: Name
    registration_number: ShortText
    jurisdiction: CountryCode
    services: Annotated[list[Service], Field(min_length=1)]
    nominated_officer: Contact


class Attestation(DTRModel):
    name: Name
    role: Name
    signed_at: Timestamp
    statement: Statement


class IPEvent(DTRModel):
    ip: IPAddressText
    port: Annotated[StrictInt, Field(ge=1, le=65535)] | None = None
    observed_at: Timestamp
    event: IPEventType


class Subject(DTRModel):
    subject_id: Identifier
    service_id: Identifier
    account_id: AccountKey
    username: AccountKey | None = None
    display_name: Name | None = None
    email: Email | None = None
    phone: Phone | None = None
    date_of_birth: Day | None = None
    declared_country: CountryCode | None = None
    account_created_at: Timestamp | None = None
    account_status: AccountStatus
    ip_events: list[IPEvent]

    @field_validator("date_of_birth")
    @classmethod
    def _plausible_age(cls, born: date | None, info: ValidationInfo) -> date | None:
        # The age bounds depend on the submission's generated_at, which the checker passes
        # as validation context; without it (an unreadable envelope) the check waits.
        context = info.context or {}
        today: date | None = context.get("reference_date")
        if born is None or today is None:
            return born
        low, high = context.get("age_range", (10, 120))
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        if not low <= age <= high:
            raise PydanticCustomError(
                "age_out_of_range",
                "gives an age of {age} on generated_at, outside {low} to {high}",
                {"age": age, "low": low, "high": high},
            )
        return born


class Hash(DTRModel):
    algorithm: HashAlgorithm
    value: HashValue


class ContentItem(DTRModel):
    content_id: Identifier
    service_id: Identifier
    subject_id: Identifier | None = None
    content_type: ContentType
    url: Url | None = None
    posted_at: Timestamp
    detected_at: Timestamp
    removed_at: Timestamp | None = None
    detection_source: DetectionSource
    hashes: list[Hash]
    visibility: Visibility
    view_count: Count | None = None
    excerpt: Excerpt | None = None
    language: LanguageCode | None = None


class Preservation(DTRModel):
    preserved_at: Timestamp
    retain_until: Day
    reference: Reference


class Referral(DTRModel):
    referral_id: Identifier
    referral_type: ReferralType
    related_referral_ids: list[Identifier]
    priority: Priority
    categories: Annotated[list[Category], Field(min_length=1), AfterValidator(_no_repeats)]
    detected_at: Timestamp
    suspicion_formed_at: Timestamp
    referred_at: Timestamp | None = None
    referred_to: Name | None = None
    countries_concerned: Annotated[
        list[CountryCode], Field(min_length=1), AfterValidator(_no_repeats)
    ]
    authority_reference: Reference | None = None
    subjects: list[Subject]
    content_items: list[ContentItem]
    narrative: Narrative
    actions_taken: Annotated[
        list[Action], AfterValidator(_no_repeats), AfterValidator(_no_action_alone)
    ]
    preservation: Preservation | None = None


class Removal(DTRModel):
    action_id: Identifier
    service_id: Identifier
    account_id: AccountKey
    content_id: AccountKey | None = None
    category: Category
    actioned_at: Timestamp
    referral_id: Identifier | None = None


class SubmissionEnvelope(DTRModel):
    """The quarterly envelope without its two long lists.

    The checker validates the envelope and then each referral and each log row on its own,
    so that one broken referral never hides the issues of the others.
    """

    schema_version: str
    submission_id: Identifier
    submission_type: SubmissionType
    amends_submission_id: Identifier | None = None
    period: PeriodText
    generated_at: Timestamp
    platform: Platform
    attestation: Attestation | None = None


class EnvelopeWithRawLists(SubmissionEnvelope):
    referrals: list[Any]
    moderation_log: list[Any]


class Submission(SubmissionEnvelope):
    """A whole DTR-1 submission; its JSON Schema is the machine-readable standard."""

    referrals: list[Referral]
    moderation_log: list[Removal]

    @property
    def service_ids(self) -> frozenset[str]:
        return frozenset(service.service_id for service in self.platform.services)


def submission_json_schema() -> dict[str, Any]:
    """The JSON Schema of a submission, as `compliance schema` prints it."""
    schema = Submission.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "DTR-1 submission"
    schema["properties"]["schema_version"] = {"const": "1.0", "title": "Schema Version"}
    return schema


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
    "Removal",
    "Service",
    "Subject",
    "Submission",
    "SubmissionEnvelope",
)
