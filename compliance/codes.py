"""The DTR-1 code lists, each defined once.

Every enumeration of the standard lives here: the model validates against these enums, the
intake workbook builds its drop-downs from them, and the returns print their short codes and
titles from them. A second copy anywhere else is a bug.
"""

from __future__ import annotations

from enum import StrEnum


class CodeList(StrEnum):
    """A code list whose members carry a human title (and, for categories, a short code)."""

    @property
    def label(self) -> str:
        """The human title (not ``str.title``, which a member, being a string, also has)."""
        return _TITLES.get(self, self.value.replace("_", " "))


class Category(CodeList):
    """Terrorist-content categories, after Art. 2(7) of Regulation 2021/784."""

    INCITEMENT = "incitement"
    SOLICITATION = "solicitation"
    RECRUITMENT = "recruitment"
    INSTRUCTION = "instruction"
    THREAT = "threat"
    ATTACK_PLANNING = "attack_planning"
    FINANCING = "financing"
    PROSCRIBED_SUPPORT = "proscribed_support"
    ATTACK_FOOTAGE = "attack_footage"

    @property
    def code(self) -> str:
        """The short code used in forms and tables (TC01..TC09)."""
        return _CATEGORY_CODES[self]


_CATEGORY_CODES: dict[Category, str] = {
    category: f"TC{position:02d}" for position, category in enumerate(Category, start=1)
}


class Priority(CodeList):
    THREAT_TO_LIFE = "threat_to_life"
    URGENT = "urgent"
    ROUTINE = "routine"


class SubmissionType(CodeList):
    INITIAL = "initial"
    AMENDMENT = "amendment"


class ReferralType(CodeList):
    INITIAL = "initial"
    CONTINUING = "continuing"
    CORRECTION = "correction"


class Action(CodeList):
    CONTENT_REMOVED = "content_removed"
    CONTENT_RESTRICTED = "content_restricted"
    ACCOUNT_SUSPENDED = "account_suspended"
    ACCOUNT_TERMINATED = "account_terminated"
    DATA_PRESERVED = "data_preserved"
    EMERGENCY_DISCLOSURE = "emergency_disclosure"
    NO_ACTION = "no_action"


class ServiceType(CodeList):
    SOCIAL_MEDIA = "social_media"
    VIDEO_SHARING = "video_sharing"
    MESSAGING = "messaging"
    FORUM = "forum"
    FILE_HOSTING = "file_hosting"
    LIVE_STREAMING = "live_streaming"
    SEARCH = "search"
    OTHER = "other"


class AccountStatus(CodeList):
    ACTIVE = "active"
    RESTRICTED = "restricted"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class IPEventType(CodeList):
    REGISTRATION = "registration"
    LOGIN = "login"
    UPLOAD = "upload"
    OTHER = "other"


class ContentType(CodeList):
    TEXT = "text"
    IMAGE = "image"
    VIDEO = "video"
    AUDIO = "audio"
    LIVESTREAM = "livestream"
    LINK = "link"
    FILE = "file"
    MESSAGE = "message"


class DetectionSource(CodeList):
    USER_REPORT = "user_report"
    TRUSTED_FLAGGER = "trusted_flagger"
    AUTOMATED_CLASSIFIER = "automated_classifier"
    HASH_MATCH = "hash_match"
    AUTHORITY_NOTICE = "authority_notice"
    INTERNAL_REVIEW = "internal_review"


class Visibility(CodeList):
    PUBLIC = "public"
    RESTRICTED = "restricted"
    PRIVATE = "private"


class HashAlgorithm(CodeList):
    MD5 = "md5"
    SHA1 = "sha1"
    SHA256 = "sha256"
    PDQ = "pdq"
    PHOTODNA = "photodna"


_TITLES: dict[CodeList, str] = {
    Category.INCITEMENT: "Incites or glorifies terrorist offences",
    Category.SOLICITATION: "Solicits someone to commit or contribute to a terrorist offence",
    Category.RECRUITMENT: "Solicits participation in a terrorist group",
    Category.INSTRUCTION: "Instructs on weapons, explosives, noxious substances or attack methods",
    Category.THREAT: "Threatens to commit a terrorist offence",
    Category.ATTACK_PLANNING: "Preparation of an act: targets, logistics, coordination",
    Category.FINANCING: "Raising or moving funds for terrorism",
    Category.PROSCRIBED_SUPPORT: "Support for, or symbols of, a proscribed organisation",
    Category.ATTACK_FOOTAGE: "Perpetrator-produced or livestreamed footage of an attack",
    Priority.THREAT_TO_LIFE: "Threat to life",
    Priority.URGENT: "Urgent",
    Priority.ROUTINE: "Routine",
}

#: Every code list by the field name that uses it; the intake workbook's drop-downs and the
#: schema documentation read this, so a new list is added in one place.
CODE_LISTS: dict[str, type[CodeList]] = {
    "category": Category,
    "categories": Category,
    "priority": Priority,
    "submission_type": SubmissionType,
    "referral_type": ReferralType,
    "actions_taken": Action,
    "service_type": ServiceType,
    "account_status": AccountStatus,
    "event": IPEventType,
    "content_type": ContentType,
    "detection_source": DetectionSource,
    "visibility": Visibility,
    "algorithm": HashAlgorithm,
}
