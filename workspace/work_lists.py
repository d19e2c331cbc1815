"""The home page's work: each role's work lists (worklists.selectors) grouped into sections,
with their counts and links, and a manager's caseloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import reverse

from accounts.models import User
from accounts.permissions import Perm
from casework import access
from worklists.selectors import STEPS, WORK_LISTS, caseloads, counts_for, manages_caseloads

# The home page's sections ---------------------------------------------------------------------

SECTIONS: list[tuple[str, str, list[str]]] = [
    ("mine", "My children: due today and overdue",
     [f"my-{step.key}-{when}" for step in STEPS for when in ("today", "overdue")]),
    ("returned", "Returned to me and arrived",
     ["returned-to-me", "next-steps-returned-to-me", "outcomes-returned-to-me", "answers-arrived",
      "my-actions"]),
    ("sign-off", "Awaiting my sign-off",
     ["awaiting-sign-off", "next-steps-awaiting-sign-off", "outcomes-awaiting-sign-off",
      "discussions-awaiting-sign-off"]),
    ("team", "My teams' overdue work, by step", [f"team-{step.key}-overdue" for step in STEPS]),
    ("age", "Contacts without a decision, by age in working days",
     ["contacts-0-1", "contacts-2-3", "contacts-4-plus"]),
    ("discussions", "Strategy discussions", ["discussions-without-partners"]),
    ("chair", "Conferences to chair", ["conferences-to-chair"]),
    ("partner", "For my agency",
     ["requests-to-answer", "invitations", "partner-actions", "referral-feedback"]),
    ("accounts", "Accounts", ["locked-accounts", "without-two-factor"]),
]  # fmt: skip


@dataclass(frozen=True)
class WorkItem:
    key: str
    title: str
    count: int
    url: str


@dataclass(frozen=True)
class WorkSection:
    key: str
    heading: str
    items: list[WorkItem]


@dataclass(frozen=True)
class HomeWork:
    sections: list[WorkSection]
    caseloads: list[tuple[int, str, int]] | None  # managers only
    auditor: bool


def home_work(user: User, *, today: date) -> HomeWork:
    """The home page's work lists and their counts: one query per model counted, and one for
    the caseloads."""
    counts = counts_for(user, today=today)
    sections = []
    for key, heading, keys in SECTIONS:
        items = [
            WorkItem(k, WORK_LISTS[k].title, counts[k], reverse("workspace:work-list", args=[k]))
            for k in keys
            if k in counts
        ]
        if items:
            sections.append(WorkSection(key, heading, items))
    return HomeWork(
        sections=sections,
        caseloads=caseloads(user) if manages_caseloads(user) else None,
        auditor=access.has_right(user, Perm.READ_ALL_CASE_RECORDS),
    )
