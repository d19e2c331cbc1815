"""The roles of DESIGN.md ("Who uses it"): Django groups holding the rights of `Perm`.

What a user may do comes from their role, never from their agency being the local authority.
The groups are created by data migrations; a test keeps them equal to `ROLE_PERMISSIONS`, so a
change here needs a migration.
"""

from __future__ import annotations

from django.db import models

from accounts.permissions import Perm


class Role(models.TextChoices):
    PRACTITIONER = "Practitioner", "Practitioner"
    MANAGER = "Manager", "Manager"
    CONFERENCE_CHAIR = "Conference chair", "Conference chair"
    PARTNER_PRACTITIONER = "Partner practitioner", "Partner practitioner"
    PARTNER_SAFEGUARDING_LEAD = "Partner safeguarding lead", "Partner safeguarding lead"
    AUDITOR = "Auditor", "Auditor"
    SYSTEM_ADMINISTRATOR = "System administrator", "System administrator"
    DATA_OFFICER = "Data officer", "Data officer"


_PRACTITIONER = frozenset(
    {
        Perm.VIEW_CASE_RECORDS,
        Perm.RECORD_CONTACTS,
        Perm.PROPOSE_DECISIONS,
        Perm.REQUEST_INFORMATION,
        Perm.CONVENE_STRATEGY_DISCUSSIONS,
        Perm.RUN_SECTION_47_ENQUIRIES,
    }
)
_PARTNER = frozenset(
    {
        Perm.MAKE_REFERRALS,
        Perm.ANSWER_INFORMATION_REQUESTS,
        Perm.TAKE_PART_IN_STRATEGY_DISCUSSIONS,
    }
)

ROLE_PERMISSIONS: dict[Role, frozenset[Perm]] = {
    Role.PRACTITIONER: _PRACTITIONER,
    Role.MANAGER: _PRACTITIONER
    | {
        Perm.SIGN_OFF_DECISIONS,
        Perm.READ_AUDIT_TRAIL,
        Perm.ALLOCATE_WORK,
        Perm.PREPARE_RETURNS,
        Perm.READ_REPORTS,
    },
    Role.CONFERENCE_CHAIR: frozenset({Perm.VIEW_CASE_RECORDS, Perm.CHAIR_CONFERENCES}),
    Role.PARTNER_PRACTITIONER: _PARTNER,
    Role.PARTNER_SAFEGUARDING_LEAD: _PARTNER | {Perm.SEE_AGENCY_WORK},
    Role.AUDITOR: frozenset({Perm.READ_ALL_CASE_RECORDS, Perm.READ_AUDIT_TRAIL, Perm.READ_REPORTS}),
    Role.SYSTEM_ADMINISTRATOR: frozenset({Perm.MANAGE_USERS, Perm.MANAGE_LOCAL_DATA}),
    Role.DATA_OFFICER: frozenset({Perm.PREPARE_RETURNS}),
}

ROLE_SUMMARIES: dict[Role, str] = {
    Role.PRACTITIONER: (
        "You record contacts, screen them, ask partners for information, propose decisions, "
        "convene and record strategy discussions and run section 47 enquiries."
    ),
    Role.MANAGER: (
        "You do what a practitioner does, sign off or return decisions that someone else "
        "proposed or recorded, and make the statutory returns."
    ),
    Role.CONFERENCE_CHAIR: (
        "You chair initial child protection conferences for children whose work you have had "
        "no part in."
    ),
    Role.PARTNER_PRACTITIONER: (
        "You make referrals and follow their status and feedback, answer information requests "
        "sent to you, and take part in strategy discussions you are invited to."
    ),
    Role.PARTNER_SAFEGUARDING_LEAD: (
        "You do what a partner practitioner does, for everything your agency submitted or was sent."
    ),
    Role.AUDITOR: (
        "You read case records and the audit trail. Restricted records need a reason, and "
        "every read is audited."
    ),
    Role.SYSTEM_ADMINISTRATOR: (
        "You manage users, agencies and local data. You do not see case records."
    ),
    Role.DATA_OFFICER: (
        "You keep the children's census details right, check the data-quality page and make "
        "the statutory returns (the CIN census and Ofsted's Annex A lists). You do not see case "
        "notes, concerns or discussions."
    ),
}

# A partner in the LADO service works from the LADO inbox, with no invitations menu (issue 19):
# its home page says what it does there.
LADO_SUMMARY = (
    "You work from the LADO inbox: referrals about adults who work with children, and the "
    "information requests sent to the LADO service."
)
