"""The demo authority, its partners and users (DESIGN.md, "Who uses it"): fictional, no real data.

Loaded by `manage.py load_demo` first; idempotent. The demo's cases are in `demo.front_door`
and `demo.strategy`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import Agency, User
from accounts.roles import Role

DEMO_PASSWORD = "front-door-demo"  # noqa: S105  # documented in README.md; demo data only
# Every demo user's authenticator app shares this secret (README.md shows it in base32, and
# `manage.py demo_code` prints the current code). Demo data only.
DEMO_TOTP_SECRET = b"front-door-demo-key!"
DEMO_TOTP_KEY_HEX = DEMO_TOTP_SECRET.hex()

COUNCIL = "Holmsey Council children's services"
POLICE = "Holmsey Constabulary"
HEALTH = "Holmsey NHS Trust"
SCHOOL = "St Bride's Primary School"
LADO = "Marrowby Council LADO service"

AGENCIES: dict[str, Agency.Kind] = {
    COUNCIL: Agency.Kind.LOCAL_AUTHORITY,
    POLICE: Agency.Kind.POLICE,
    HEALTH: Agency.Kind.HEALTH,
    SCHOOL: Agency.Kind.EDUCATION,
    LADO: Agency.Kind.LADO,
}


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    agency: str
    role: Role


USERS = [
    DemoUser("practitioner", "Priya", "Shah", COUNCIL, Role.PRACTITIONER),
    DemoUser("practitioner2", "Tom", "Okafor", COUNCIL, Role.PRACTITIONER),
    DemoUser("manager", "Margaret", "Hughes", COUNCIL, Role.MANAGER),
    DemoUser("manager2", "Dev", "Patel", COUNCIL, Role.MANAGER),
    DemoUser("chair", "Claire", "Bennett", COUNCIL, Role.CONFERENCE_CHAIR),
    DemoUser("police", "Pete", "Lawson", POLICE, Role.PARTNER_PRACTITIONER),
    DemoUser("police_lead", "Lena", "Ward", POLICE, Role.PARTNER_SAFEGUARDING_LEAD),
    DemoUser("health", "Helen", "Moss", HEALTH, Role.PARTNER_PRACTITIONER),
    DemoUser("school", "Simon", "Reid", SCHOOL, Role.PARTNER_PRACTITIONER),
    DemoUser("lado", "Laura", "Dean", LADO, Role.PARTNER_PRACTITIONER),
    DemoUser("auditor", "Ann", "Fraser", COUNCIL, Role.AUDITOR),
    DemoUser("sysadmin", "Sid", "Marsh", COUNCIL, Role.SYSTEM_ADMINISTRATOR),
    # A second administrator: changes that hand out access need two people (issue 16).
    DemoUser("sysadmin2", "Asha", "Kaur", COUNCIL, Role.SYSTEM_ADMINISTRATOR),
    # Statutory returns (issue 22): census details, data quality and exports; no case text.
    DemoUser("dataofficer", "Dana", "Penrose", COUNCIL, Role.DATA_OFFICER),
]


# The partner agencies' shared mailboxes (issue 24): told of requests and invitations.
SHARED_MAILBOXES = {
    POLICE: "mash@police.example.invalid",
    HEALTH: "safeguarding@health.example.invalid",
    SCHOOL: "office@school.example.invalid",
    LADO: "lado@marrowby.example.invalid",
}


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create or update the demo agencies and users; returns how many of each were created."""
    agencies = {}
    created = {"agencies": 0, "users": 0}
    for name, kind in AGENCIES.items():
        agency, was_created = Agency.objects.update_or_create(
            name=name, defaults={"kind": kind, "shared_mailbox": SHARED_MAILBOXES.get(name, "")}
        )
        agencies[name] = agency
        created["agencies"] += was_created
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    for demo in USERS:
        user, was_created = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": f"{demo.username}@example.invalid",
                "agency": agencies[demo.agency],
                "is_active": True,
            },
        )
        if was_created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        user.groups.set([groups[demo.role.value]])
        TOTPDevice.objects.update_or_create(
            user=user,
            name="Demo authenticator app",
            defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True},
        )
        created["users"] += was_created
    return created
