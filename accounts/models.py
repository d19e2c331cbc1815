"""Users, agencies, and the permission holder the roles' rights are declared on."""

from __future__ import annotations

from datetime import timedelta
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils import timezone
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from accounts.audit import AuditEntry, register_audited
from accounts.encryption import EncryptedTextField, KeyRotationCheckpoint
from accounts.notices import Notice
from accounts.permissions import DESCRIPTIONS, Perm
from accounts.roles import Role
from accounts.sessions import FormDraft
from accounts.sharing import SharingRecord  # the one grantor keeps its model beside it

__all__ = [
    "AccountChange",
    "AccountChangeKind",
    "AccountChangeState",
    "AccountRuleBroken",
    "Agency",
    "AuditEntry",
    "FormDraft",
    "GlobalPermission",
    "KeyRotationCheckpoint",
    "Notice",
    "SharingRecord",
    "User",
]


class Agency(models.Model):
    """An organisation whose staff use the system; every user belongs to exactly one."""

    class Kind(models.TextChoices):
        LOCAL_AUTHORITY = "local_authority", "Local authority"
        POLICE = "police", "Police"
        HEALTH = "health", "Health"
        EDUCATION = "education", "Education"
        LADO = "lado", "LADO service"
        OTHER_LOCAL_AUTHORITY = "other_local_authority", "Other local authority"
        INSPECTORATE = "inspectorate", "Inspectorate"
        OTHER = "other", "Other"

    name = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=Kind.choices)
    is_active = models.BooleanField(default=True)
    shared_mailbox = models.EmailField(
        blank=True,
        help_text="The agency's shared e-mail address: told of requests and invitations "
        "(a link, never case content) besides its users",
    )
    # What is shared with the agency is granted to this group (accounts.sharing); nobody is a
    # member of it: the agency's users see what it holds through their agency.
    grant_group = models.OneToOneField(
        "auth.Group", null=True, blank=True, editable=False, on_delete=models.PROTECT,
        related_name="granted_agency",
    )  # fmt: skip

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class FrontDoorUserManager(UserManager["User"]):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        if "agency" not in extra_fields and "agency_id" not in extra_fields:
            raise ValueError("A superuser needs an agency too: pass agency=<id>.")
        # createsuperuser passes the agency's number (a cleaned field value), not the agency.
        agency = extra_fields.get("agency")
        if agency is not None and not isinstance(agency, Agency):
            extra_fields["agency_id"] = extra_fields.pop("agency")
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. Their rights come from their role (a group), never their agency."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="users")

    objects: ClassVar[FrontDoorUserManager] = FrontDoorUserManager()

    REQUIRED_FIELDS = ["email", "agency"]

    class Meta(AbstractUser.Meta):  # type: ignore[name-defined]  # django-stubs omits Meta
        swappable = "AUTH_USER_MODEL"

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_names(self) -> list[str]:
        """The user's roles, in the order of `Role`; uses prefetched groups when present."""
        names = {group.name for group in self.groups.all()}
        return [role.label for role in Role if role.value in names]


class AccountRuleBroken(Exception):
    """A rule about accounts was broken; the message says which, in plain words."""


class AccountChangeKind(models.TextChoices):
    """The changes that hand out access (issue 16): each needs a second person."""

    NEW_ACCOUNT = "new_account", "New account"
    EMAIL = "email", "Change of email address"
    ROLES = "roles", "Change of roles"
    AGENCY = "agency", "Change of agency"
    TWO_FACTOR_RESET = "two_factor_reset", "Two-factor sign-in reset"
    REACTIVATION = "reactivation", "Reactivation"
    PASSWORD_RESET = "password_reset", "Password reset"
    # Only for an account that can approve: nobody alone takes an approver away.
    DEACTIVATION = "deactivation", "Deactivation of an approver"


class AccountChangeState(models.TextChoices):
    REQUESTED = "requested", "Waiting for approval"
    APPROVED = "approved", "Approved, waiting to take effect"
    APPLIED = "applied", "Took effect"
    CANCELLED = "cancelled", "Cancelled"
    REPORTED = "reported", "Reported by the account holder: cancelled"


OPEN_CHANGE_STATES = (AccountChangeState.REQUESTED, AccountChangeState.APPROVED)


class AccountChange(ConcurrentTransitionMixin, models.Model):
    """A change that hands out access, requested by one person and approved by another; it
    takes effect `ACCOUNT_CHANGE_DELAY_SECONDS` after approval unless the holder reports it.
    Issue 16, "Two people for every change that hands out access" (accounts.services)."""

    account = models.ForeignKey(User, on_delete=models.PROTECT, related_name="account_changes")
    kind = models.CharField(max_length=20, choices=AccountChangeKind.choices)
    # The new value, by kind. An email address is personal data: sealed.
    new_email = EncryptedTextField(blank=True)
    new_roles = models.JSONField(default=list, blank=True)
    new_agency = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The service's address as the requester's browser saw it, for the links in e-mails.
    link_base = models.CharField(max_length=200, blank=True)
    state = FSMField(
        max_length=20, choices=AccountChangeState.choices, default=AccountChangeState.REQUESTED,
        protected=True,
    )  # fmt: skip
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    effective_at = models.DateTimeField(null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [models.Index(fields=["state", "effective_at"], name="account_change_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} A-{self.pk:06d}" if self.pk else "Account change"

    # Conditions check the record itself, with no side effects.
    def _is_due(self) -> bool:
        return self.effective_at is not None and self.effective_at <= timezone.now()

    @transition(field=state, source=AccountChangeState.REQUESTED,
                target=AccountChangeState.APPROVED)  # fmt: skip
    def approve(self, *, by: User) -> None:
        """Four eyes, checked here too: never the requester, never the account's holder."""
        if by.pk == self.requested_by_id:
            raise AccountRuleBroken("You asked for this change, so someone else must approve it")
        if by.pk == self.account_id:
            raise AccountRuleBroken("This change is to your own account: someone else approves it")
        now = timezone.now()
        self.approved_by, self.approved_at = by, now
        self.effective_at = now + timedelta(seconds=settings.ACCOUNT_CHANGE_DELAY_SECONDS)

    @transition(field=state, source=list(OPEN_CHANGE_STATES), target=AccountChangeState.CANCELLED)
    def cancel(self, *, by: User) -> None:
        self.cancelled_by, self.cancelled_at = by, timezone.now()

    @transition(field=state, source=list(OPEN_CHANGE_STATES), target=AccountChangeState.REPORTED)
    def report(self) -> None:
        """The holder's "this wasn't me": cancels the change, whoever approved it."""
        self.reported_at = timezone.now()

    @transition(field=state, source=AccountChangeState.APPROVED, target=AccountChangeState.APPLIED,
                conditions=[_is_due])  # type: ignore[list-item]  # django-fsm-2 types conditions as taking any Model  # fmt: skip
    def apply(self) -> None:
        self.applied_at = timezone.now()


class GlobalPermission(models.Model):
    """Holds the roles' rights as model permissions; it has no table and no rows."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(perm.value, DESCRIPTIONS[perm]) for perm in Perm]

    def __str__(self) -> str:
        return "Role rights"


# Changes to users and agencies are audited; a password hash or sign-in time never is.
register_audited(Agency)
register_audited(User, exclude_fields=["password", "last_login"], m2m_fields={"groups"})
register_audited(AccountChange)
