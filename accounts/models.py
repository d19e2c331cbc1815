"""Users, agencies, and the permission holder the roles' rights are declared on."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models

from accounts.audit import AuditEntry, register_audited
from accounts.encryption import KeyRotationCheckpoint
from accounts.notices import Notice
from accounts.permissions import DESCRIPTIONS, Perm
from accounts.roles import Role
from accounts.sessions import FormDraft
from accounts.sharing import SharingRecord  # the one grantor keeps its model beside it

__all__ = [
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
