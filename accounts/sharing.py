"""The one service that shares (DESIGN.md "Information sharing and access").

Every grant of an object permission to another agency or person, every revocation and every
decision not to share writes a `SharingRecord`: what, with whom, by whom, when, the UK GDPR
Article 6 basis, the Article 9 or DPA 2018 Schedule 8 condition, the consent position, and
whether the family was told (DOMAIN.md "Information sharing"). Nothing else calls guardian's
`assign_perm` or `remove_perm` (tests/architecture enforces it).

An agency is granted through its own group (`Agency.grant_group`), never through membership of
it: what an agency's users see is worked out from their agency, in SQL, with the grant's expiry
applied in the same filter; `expire_grants` also removes expired permissions.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.audit import Event, record_sharing, register_audited
from accounts.encryption import EncryptedTextField


class ConsentPosition(models.TextChoices):
    """DOMAIN.md "Information sharing": consent position, exactly."""

    GIVEN = "given", "Given"
    REFUSED = "refused", "Refused (sharing may still proceed on another basis)"
    NOT_SOUGHT_CANNOT_BE_GIVEN = "not_sought_cannot_be_given", "Not sought: consent cannot be given"
    NOT_SOUGHT_CANNOT_REASONABLY_BE_OBTAINED = (
        "not_sought_cannot_reasonably_be_obtained",
        "Not sought: consent cannot reasonably be obtained",
    )
    NOT_SOUGHT_WOULD_PREJUDICE = (
        "not_sought_would_prejudice_protection",
        "Not sought: asking would prejudice protection",
    )


class Article6Basis(models.TextChoices):
    """UK GDPR Article 6 lawful bases (DOMAIN.md); public task is the usual one."""

    PUBLIC_TASK = "6(1)(e)", "6(1)(e) public task (Children Act 1989 s17, s27, s47; 2004 s10, s11)"
    LEGAL_OBLIGATION = "6(1)(c)", "6(1)(c) legal obligation"
    VITAL_INTERESTS = "6(1)(d)", "6(1)(d) vital interests"
    CONSENT = "6(1)(a)", "6(1)(a) consent (rarely the right basis)"
    SAFEGUARDING = "6(1)(ea)", "6(1)(ea) safeguarding (Data (Use and Access) Act 2025)"


class SpecialCondition(models.TextChoices):
    """The Article 9 condition, or DPA 2018 Schedule 8 for the police (DOMAIN.md)."""

    SAFEGUARDING = (
        "9(2)(g)+Sch1p18",
        (
            "9(2)(g) with DPA 2018 Schedule 1 paragraph 18: safeguarding of children and of "
            "individuals at risk"
        ),
    )
    SOCIAL_PROTECTION = "9(2)(b)+Sch1p1", "9(2)(b) with Schedule 1 paragraph 1: social protection"
    HEALTH_OR_SOCIAL_CARE = (
        "9(2)(h)+Sch1p2",
        ("9(2)(h) with Schedule 1 paragraph 2: health or social care"),
    )
    LAW_ENFORCEMENT_SAFEGUARDING = (
        "s35+Sch8p4",
        ("DPA 2018 Part 3, s35 with Schedule 8 paragraph 4: safeguarding (police)"),
    )


class SharingDecision(models.TextChoices):
    SHARED = "shared", "Shared"
    NOT_SHARED = "not_shared", "Decided not to share"
    REVOKED = "revoked", "Sharing ended"


@register_audited
class SharingRecord(models.Model):
    """One share, revocation or decision not to share, with its lawful basis."""

    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.PositiveBigIntegerField()
    what = models.CharField(max_length=100, help_text="The record's opaque reference")
    permission = models.CharField(max_length=100)
    child_ref = models.CharField(max_length=32, blank=True, db_index=True)
    agency = models.ForeignKey(
        "accounts.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    decision = models.CharField(max_length=12, choices=SharingDecision.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", help_text="Empty when the system ended an expired grant",
    )  # fmt: skip
    at = models.DateTimeField(default=timezone.now)
    article6 = models.CharField(max_length=10, choices=Article6Basis.choices, blank=True)
    condition = models.CharField(max_length=20, choices=SpecialCondition.choices, blank=True)
    consent = models.CharField(max_length=50, choices=ConsentPosition.choices, blank=True)
    family_told = models.BooleanField(null=True)
    family_note = EncryptedTextField(blank=True, help_text="What the family was told, or why not")
    reason = EncryptedTextField(blank=True, help_text="What was shared and why, or why not")
    expires_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "agency", "object_id"], name="sharing_agency"),
            models.Index(fields=["content_type", "user", "object_id"], name="sharing_user"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(agency__isnull=False) | Q(user__isnull=False),
                name="sharing_with_an_agency_or_a_person",
            )
        ]

    def __str__(self) -> str:
        return f"Sharing record S-{self.pk:06d}" if self.pk else "Sharing record (new)"

    def get_additional_data(self) -> dict[str, str]:
        return {"child_ref": self.child_ref}


class SharingRefused(Exception):
    """A share lacks what the record needs; the message says what, in plain words."""


def _grant_group(agency):
    """The agency's grant group, made on its first share (the row is locked, so two first
    shares at once, or a stale `agency` object, never make a second)."""
    if agency.grant_group_id is None:
        current = type(agency).objects.select_for_update().get(pk=agency.pk)
        if current.grant_group_id is None:
            current.grant_group = Group.objects.create(name=f"Grants to agency {agency.pk}")
            current.save(update_fields=["grant_group"])
        agency.grant_group_id = current.grant_group_id
    return agency.grant_group


def _check_basis(article6: str, condition: str, consent: str, family_told, family_note: str):
    if article6 not in Article6Basis.values:
        raise SharingRefused("Choose the Article 6 lawful basis")
    if condition and condition not in SpecialCondition.values:
        raise SharingRefused("Choose the Article 9 or Schedule 8 condition")
    if consent not in ConsentPosition.values:
        raise SharingRefused("Choose the consent position")
    if family_told is None or not family_note.strip():
        raise SharingRefused("Say whether the family was told what is shared, or why not")


@transaction.atomic
def share(
    *, by, obj: models.Model, permission: str, agency=None, user=None, article6: str,
    condition: str = "", consent: str, family_told: bool | None, family_note: str,
    reason: str = "", child_ref: str = "", expires_at: datetime | None = None,
) -> SharingRecord:  # fmt: skip
    """Grant `permission` on `obj` to an agency (through its grant group) or a person, and
    record the share with its lawful basis (DESIGN.md: the one grantor)."""
    from guardian.shortcuts import assign_perm

    if (agency is None) == (user is None):
        raise SharingRefused("Share with one agency or one person")
    _check_basis(article6, condition, consent, family_told, family_note)
    assign_perm(permission, _grant_group(agency) if agency else user, obj)
    record = SharingRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, what=str(obj),
        permission=permission, child_ref=child_ref, agency=agency, user=user,
        decision=SharingDecision.SHARED, by=by, article6=article6, condition=condition,
        consent=consent, family_told=family_told, family_note=family_note, reason=reason,
        expires_at=expires_at,
    )  # fmt: skip
    record_sharing(Event.GRANT, actor=by, obj=obj, child_ref=child_ref, record=record.pk,
                   permission=permission, agency=agency.pk if agency else None,
                   user=user.pk if user else None)  # fmt: skip
    return record


@transaction.atomic
def decline(
    *, by, obj: models.Model, permission: str, agency=None, user=None, reason: str,
    article6: str = "", condition: str = "", consent: str = "", family_told: bool | None = None,
    family_note: str = "", child_ref: str = "",
) -> SharingRecord:  # fmt: skip
    """Record a decision not to share, and why (DOMAIN.md: record decisions not to share)."""
    if (agency is None) == (user is None):
        raise SharingRefused("Say which agency or person it is not shared with")
    if not reason.strip():
        raise SharingRefused("Say why it is not shared")
    record = SharingRecord.objects.create(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk, what=str(obj),
        permission=permission, child_ref=child_ref, agency=agency, user=user,
        decision=SharingDecision.NOT_SHARED, by=by, article6=article6, condition=condition,
        consent=consent, family_told=family_told, family_note=family_note, reason=reason,
    )  # fmt: skip
    record_sharing(Event.NOT_SHARED, actor=by, obj=obj, child_ref=child_ref, record=record.pk)
    return record


def _end(record: SharingRecord, *, by, reason: str, now: datetime) -> SharingRecord:
    from guardian.shortcuts import remove_perm

    obj = record.content_type.get_object_for_this_type(pk=record.object_id)
    holder = _grant_group(record.agency) if record.agency_id else record.user
    still_granted = (
        SharingRecord.objects.filter(
            content_type=record.content_type, object_id=record.object_id,
            permission=record.permission, agency=record.agency, user=record.user,
            decision=SharingDecision.SHARED, ended_at__isnull=True,
        )
        .exclude(pk=record.pk)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .exists()
    )  # fmt: skip
    if not still_granted:
        remove_perm(record.permission, holder, obj)
    record.ended_at = now
    record.save(update_fields=["ended_at"])
    ended = SharingRecord.objects.create(
        content_type=record.content_type, object_id=record.object_id, what=record.what,
        permission=record.permission, child_ref=record.child_ref, agency=record.agency,
        user=record.user, decision=SharingDecision.REVOKED, by=by, reason=reason, at=now,
    )  # fmt: skip
    record_sharing(Event.REVOKE, actor=by, obj=obj, child_ref=record.child_ref,
                   record=record.pk, expired=by is None)  # fmt: skip
    return ended


@transaction.atomic
def revoke(*, by, record: SharingRecord, reason: str) -> SharingRecord:
    """End a share before its time, with the reason."""
    current = SharingRecord.objects.select_for_update().get(pk=record.pk)
    if current.decision != SharingDecision.SHARED or current.ended_at is not None:
        raise SharingRefused("This share has already ended")
    if not reason.strip():
        raise SharingRefused("Say why the sharing ends")
    return _end(current, by=by, reason=reason, now=timezone.now())


@transaction.atomic
def set_expiry(*, obj: models.Model, permission: str, agency, expires_at: datetime | None) -> int:
    """Set when the live shares of `obj` with `agency` end (None: not until set again), as
    when a discussion closes or the agency's last action is done; returns how many changed.
    The SQL filter applies the new time at once; `expire_grants` then removes the grant."""
    updated = SharingRecord.objects.filter(
        content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
        permission=permission, agency=agency, decision=SharingDecision.SHARED,
        ended_at__isnull=True,
    ).exclude(expires_at=expires_at)  # fmt: skip
    return updated.update(expires_at=expires_at)


def expire_grants(*, now: datetime | None = None) -> int:
    """End every share whose time has passed (the SQL filter already hides them); returns
    how many ended. Each ends in its own transaction, so a failure leaves the rest done."""
    now = now or timezone.now()
    ended = 0
    due = SharingRecord.objects.filter(
        decision=SharingDecision.SHARED, ended_at__isnull=True, expires_at__lte=now
    ).values_list("pk", flat=True)
    for pk in list(due):
        with transaction.atomic():
            record = SharingRecord.objects.select_for_update().get(pk=pk)
            if record.ended_at is None:
                _end(record, by=None, reason="The grant's time ended", now=now)
                ended += 1
    return ended


def shared_with(user, model: type[models.Model], permission: str, *, now=None) -> Any:
    """The ids of `model` rows shared with the user or the user's agency, unexpired, as one
    SQL subquery: guardian's permission tables joined with the live sharing records."""
    from guardian.models import GroupObjectPermission, UserObjectPermission

    now = now or timezone.now()
    content_type = ContentType.objects.get_for_model(model)
    codename = permission.split(".")[-1]
    live = SharingRecord.objects.filter(
        Q(agency_id=user.agency_id) | Q(user_id=user.pk),
        content_type=content_type, permission=permission, decision=SharingDecision.SHARED,
        ended_at__isnull=True,
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))  # fmt: skip
    by_group = GroupObjectPermission.objects.filter(
        group__granted_agency__pk=user.agency_id, content_type=content_type,
        permission__codename=codename,
    ).values("object_pk")  # fmt: skip
    by_user = UserObjectPermission.objects.filter(
        user_id=user.pk, content_type=content_type, permission__codename=codename
    ).values("object_pk")
    granted = live.filter(
        Q(agency_id=user.agency_id, object_id__in=_as_ids(by_group))
        | Q(user_id=user.pk, object_id__in=_as_ids(by_user))
    )
    return granted.values("object_id")


def _as_ids(object_pks):
    """guardian keeps object ids as text; compare them as numbers in SQL."""
    from django.db.models.functions import Cast

    return object_pks.annotate(as_id=Cast("object_pk", models.BigIntegerField())).values("as_id")
