"""Who works in a generated authority: its agencies, teams, staff and levels of need.

Made on an empty database, or reused when present (by name), like `demo.people`: staff
accounts are set-up data, not case records. For the demo's background history the demo's own
users play every part (`Cast.demo`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from accounts.models import Agency, User
from accounts.roles import Role
from demo import front_door, people
from referrals.models import Team
from referrals.models.contacts import LevelOfNeed

COUNCIL = "Generated Council children's services"
POLICE = "Generated Constabulary"
HEALTH = "Generated NHS Trust"
SCHOOL = "Generated Academy Trust"
LADO = "Generated Council LADO service"
AGENCIES = {
    COUNCIL: Agency.Kind.LOCAL_AUTHORITY, POLICE: Agency.Kind.POLICE,
    HEALTH: Agency.Kind.HEALTH, SCHOOL: Agency.Kind.EDUCATION, LADO: Agency.Kind.LADO,
}  # fmt: skip
# Staff: (username, first name, last name, role); nobody can sign in (no usable password).
STAFF = (
    [(f"gen_practitioner{n}", "Worker", f"Number {n}", Role.PRACTITIONER) for n in range(1, 7)]
    + [(f"gen_manager{n}", "Manager", f"Number {n}", Role.MANAGER) for n in range(1, 4)]
    + [(f"gen_chair{n}", "Chair", f"Number {n}", Role.CONFERENCE_CHAIR) for n in range(1, 3)]
)
TEAMS = ("Generated assessment team", "Generated child protection team")


@dataclass
class Cast:
    practitioners: list[User]
    managers: list[User]
    chairs: list[User]
    teams: list[Team]
    council: Agency
    police: Agency
    health: Agency
    school: Agency
    levels: dict[int, LevelOfNeed]  # by order: 1 universal ... 4 child protection

    @classmethod
    @transaction.atomic
    def generated(cls) -> Cast:
        """The generated authority's own agencies, staff and teams (made once, then reused)."""
        agencies = {
            name: Agency.objects.get_or_create(name=name, defaults={"kind": kind})[0]
            for name, kind in AGENCIES.items()
        }
        groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        staff: dict[Role, list[User]] = {}
        for username, first_name, last_name, role in STAFF:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first_name, "last_name": last_name,
                    "email": f"{username}@example.invalid", "agency": agencies[COUNCIL],
                },
            )  # fmt: skip
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                user.groups.set([groups[role.value]])
            staff.setdefault(role, []).append(user)
        managers = staff[Role.MANAGER]
        teams = [
            Team.objects.get_or_create(name=name, defaults={"manager": managers[i]})[0]
            for i, name in enumerate(TEAMS)
        ]
        return cls(
            practitioners=staff[Role.PRACTITIONER], managers=managers,
            chairs=staff[Role.CONFERENCE_CHAIR], teams=teams, council=agencies[COUNCIL],
            police=agencies[POLICE], health=agencies[HEALTH], school=agencies[SCHOOL],
            levels=_levels(),
        )  # fmt: skip

    @classmethod
    def demo(cls) -> Cast:
        """The demo authority's users (`manage.py load_demo` has made them)."""
        users = {user.username: user for user in User.objects.all()}
        agencies = {agency.name: agency for agency in Agency.objects.all()}
        manager = users["manager"]
        team = Team.objects.get_or_create(
            name="Holmsey assessment team", defaults={"manager": manager}
        )[0]
        return cls(
            practitioners=[users["practitioner"], users["practitioner2"]],
            managers=[manager, users["manager2"]], chairs=[users["chair"]], teams=[team],
            council=agencies[people.COUNCIL], police=agencies[people.POLICE],
            health=agencies[people.HEALTH], school=agencies[people.SCHOOL], levels=_levels(),
        )  # fmt: skip


def _levels() -> dict[int, LevelOfNeed]:
    front_door.load_levels()
    return {level.order: level for level in LevelOfNeed.objects.filter(order__in=[1, 2, 3, 4])}
