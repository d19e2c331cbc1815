"""The permission matrix: every URL pattern, every demo user (and someone signed out), against
the demo's records: the user's own agency's, another agency's, a discussion the user's agency is
invited to and one it is not, an expired grant, a restricted child's record, and an id that
matches nothing. Each answer must be exactly the status the rules give (DESIGN.md "Who uses
it" and "Information sharing and access"; casework/access.py).

The expectations are rules per family of pages (`case_page`, `role_page`, `partner_page`...)
applied to each page's cases, so the table stays readable. A URL pattern without an entry in
`PAGES` fails the suite: a new page must say who may open it. Where a view disagrees with the
rules, the case is listed in `DISAGREEMENTS` (strict xfail: fixing the view makes it fail
until the entry goes).

One demo load serves the whole module; each request runs in a savepoint that is rolled back,
so every request sees the same demo, whatever the one before it posted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from http.cookies import SimpleCookie
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve

from accounts.permissions import Perm
from accounts.roles import ROLE_PERMISSIONS
from accounts.services import account_change_request, report_token
from accounts.sessions import form_page
from demo import people
from tests.conftest import sign_in

# Each test's own savepoint sits inside the module's one demo load (the `demo` fixture).
pytestmark = pytest.mark.django_db

# Who is who (demo/people.py) -------------------------------------------------------------------

AGENCY_KEYS = {
    people.COUNCIL: "council",
    people.POLICE: "police",
    people.HEALTH: "health",
    people.SCHOOL: "school",
    people.LADO: "lado",
}
DEMO_USERS = {user.username: user for user in people.USERS}
AGENCY = {name: AGENCY_KEYS[user.agency] for name, user in DEMO_USERS.items()}
ANONYMOUS = "anonymous"
USERS = [ANONYMOUS, *DEMO_USERS]
PARTNER_AGENCIES = frozenset({"police", "health", "school", "lado"})
# The restricted records open without a reason to these two (strategy.demo.load_restricted).
ALLOW_LISTED = frozenset({"manager", "practitioner"})
MISSING_ID = 999999


def has(user: str, perm: Perm) -> bool:
    return perm in ROLE_PERMISSIONS[DEMO_USERS[user].role]


def administers(user: str) -> bool:
    return has(user, Perm.MANAGE_USERS) or has(user, Perm.MANAGE_LOCAL_DATA)


def reads_cases(user: str) -> bool:
    return has(user, Perm.VIEW_CASE_RECORDS) or has(user, Perm.READ_ALL_CASE_RECORDS)


# What a page answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """A 302 whose Location starts with `prefix` ({0}, {1}: the case's URL arguments)."""

    prefix: str

    def __str__(self) -> str:
        return f"302 {self.prefix}"


Expect = int | Found
SIGN_IN = Found("/sign-in/?next=")
BREAK_GLASS = Found("/children/{restricted}/restricted/?next=")


@dataclass(frozen=True)
class Case:
    """One record (or none) a page is asked about."""

    args: tuple[str, ...] = ()  # demo keys (see `demo_keys`), one per URL argument, in order
    ok: Expect = 200  # what a user the page lets in gets
    agencies: frozenset[str] = PARTNER_AGENCIES  # partner agencies whose own or granted it is
    restricted: str = ""  # the demo key of the restricted child the record is about
    # "L": no such record; "M": the second record is not the first's (looked up after it)
    missing: str = ""

    @property
    def label(self) -> str:
        return "/".join(self.args) or ("missing" if self.missing else "page")


def case(*args: str, ok: Expect = 200, agencies=None, restricted="", missing="") -> Case:
    shared = PARTNER_AGENCIES if agencies is None else frozenset(agencies)
    return Case(args, ok, shared, restricted, missing)


LIST = Case()
MISSING = Case(missing="L")

Rule = Callable[[str, Case], Expect]


def case_page(*needs: Perm, order: str = "LO") -> Rule:
    """A local authority case page (or list): partners 404, the system administrator 403.
    Then, in the view's `order`: R, 403 without one of `needs`; L, 404 for a missing record;
    O, a restricted record not open to the user sends them to the break-glass page; M (last
    unless placed), 404 for a second record that is not the first's."""

    def rule(user: str, case: Case) -> Expect:
        if administers(user):
            return 403
        if not reads_cases(user):
            return 404
        for step in order if "M" in order else order + "M":
            if step == "R" and needs and not any(has(user, perm) for perm in needs):
                return 403
            if step in "LM" and case.missing == step:
                return 404
            if step == "O" and case.restricted and user not in ALLOW_LISTED:
                return BREAK_GLASS
        return case.ok

    return rule


def role_page(perm: Perm) -> Rule:
    """A page that is not about a case record: 403 for every role without `perm`, partners
    included (administration, the audit trail, the blank contact form)."""

    def rule(user: str, case: Case) -> Expect:
        if not has(user, perm):
            return 403
        return 404 if case.missing else case.ok

    return rule


def partner_page(user: str, case: Case) -> Expect:
    """A partner agency's page: the system administrator and local authority staff 403 (the
    case pages are theirs), a partner 404 for anything not its agency's own or shared with
    it, expired grants included."""
    if administers(user) or reads_cases(user):
        return 403
    if case.missing or AGENCY[user] not in case.agencies:
        return 404
    return case.ok


def lado_page(user: str, case: Case) -> Expect:
    """The LADO service's inbox: everyone else 404 (staff included), the administrator 403."""
    if administers(user):
        return 403
    if reads_cases(user) or AGENCY[user] != "lado" or case.missing:
        return 404
    return case.ok


def audit_page(user: str, case: Case) -> Expect:
    """The audit trail (managers and auditors): 403 for every other role, partners included,
    before anything is looked up; 404 for a missing record; then a trail about a restricted
    child (the child's own, or a record that belongs to the child) asks for the break glass
    like the child's page (issue 16)."""
    if not has(user, Perm.READ_AUDIT_TRAIL):
        return 403
    if case.missing:
        return 404
    if case.restricted and user not in ALLOW_LISTED:
        return BREAK_GLASS
    return case.ok


def break_glass_page(user: str, case: Case) -> Expect:
    """The reason asked before a restricted record opens; back to the page for anyone it is
    open to."""
    if administers(user):
        return 403
    if not reads_cases(user) or case.missing:
        return 404
    if case.restricted and user not in ALLOW_LISTED:
        return 200
    return case.ok


def every_user(user: str, case: Case) -> Expect:
    return case.ok


def census_page(user: str, case: Case) -> Expect:
    """A child's census details (issue 22): 403 for every role without the returns right,
    partners included, before anything is looked up; 404 for a missing child; a restricted
    child not open to the user sends a case-record role (a manager) to the break glass and is
    a 404 for the data officer, who never breaks the glass."""
    if not has(user, Perm.PREPARE_RETURNS):
        return 403
    if case.missing:
        return 404
    if case.restricted and user not in ALLOW_LISTED:
        return BREAK_GLASS if reads_cases(user) else 404
    return case.ok


# Quality audits (issue 21): the demo's are of `practitioner`'s work, assigned to `auditor`.
QUALITY_AUDIT_WORKER = "practitioner"
QUALITY_AUDITOR = "auditor"


def quality_audit_page(user: str, case: Case) -> Expect:
    """A quality audit: managers and auditors see every one, the worker whose work it is and
    its auditor see theirs; anyone else with case records 404, partners 404, the system
    administrator 403."""
    if administers(user):
        return 403
    if not reads_cases(user) or case.missing:
        return 404
    if not has(user, Perm.READ_REPORTS) and user not in (QUALITY_AUDIT_WORKER, QUALITY_AUDITOR):
        return 404
    if case.restricted and user not in ALLOW_LISTED:
        return BREAK_GLASS
    return case.ok


def quality_audit_record_page(user: str, case: Case) -> Expect:
    """Recording a quality audit: as its page, then 403 for all but its auditor."""
    seen = quality_audit_page(user, case)
    if seen != case.ok:
        return seen
    return case.ok if user == QUALITY_AUDITOR else 403


def quality_action_done_page(user: str, case: Case) -> Expect:
    """Marking an audit's action done: as the audit's page, then 403 for all but the action's
    owner (the worker), the audit's auditor and managers; an action of another audit 404."""
    seen = quality_audit_page(user, case)
    if seen != case.ok or case.ok == 404:
        return seen
    marks = user in (QUALITY_AUDIT_WORKER, QUALITY_AUDITOR) or has(user, Perm.SIGN_OFF_DECISIONS)
    return case.ok if marks else 403


def managers_notice(user: str, case: Case) -> Expect:
    """A notice (the manager's: told of a break-glass opening of Elowen Hosking's record):
    only its recipient marks it read; for anyone else it does not exist."""
    if case.missing or user != "manager":
        return 404
    return case.ok


# The home pages' work lists (issue 21): each demo key names a list (see `demo_keys`) and who
# has it; a list that does not exist is 404 for everyone, another role's list 403.
WORK_LISTS = {
    "list_mine": lambda user: has(user, Perm.PROPOSE_DECISIONS),
    "list_sign_off": lambda user: has(user, Perm.SIGN_OFF_DECISIONS),
    "list_chair": lambda user: has(user, Perm.CHAIR_CONFERENCES),
    "list_requests": lambda user: has(user, Perm.ANSWER_INFORMATION_REQUESTS),
    # the LADO service works from its inbox, not invitations
    "list_invitations": lambda user: (
        has(user, Perm.TAKE_PART_IN_STRATEGY_DISCUSSIONS) and AGENCY[user] != "lado"
    ),
    "list_two_factor": lambda user: has(user, Perm.MANAGE_USERS),
}


def work_list_page(user: str, case: Case) -> Expect:
    if not case.args:  # asked whether the page lets the user in at all: every role has lists
        return 404 if case.missing else case.ok
    if case.missing:
        return 404
    return case.ok if WORK_LISTS[case.args[0]](user) else 403


@dataclass(frozen=True)
class Page:
    rule: Rule
    cases: tuple[Case, ...]
    post_only: bool = False  # an empty form is posted; a GET goes to the form's page (or 405)
    public: Expect | None = None  # what someone signed out gets, if not sent to sign in


def page(rule: Rule, *cases: Case, post_only=False, public: Expect | None = None) -> Page:
    return Page(rule, cases or (LIST,), post_only, public)


def post(rule: Rule, *cases: Case) -> Page:
    return page(rule, *cases, post_only=True)


# The pages -----------------------------------------------------------------------------------

P = Perm
PROPOSES, SIGNS = P.PROPOSE_DECISIONS, P.SIGN_OFF_DECISIONS
CONVENES = P.CONVENE_STRATEGY_DISCUSSIONS
ADMIN = role_page(P.MANAGE_USERS)
LOCAL_DATA = role_page(P.MANAGE_LOCAL_DATA)
AUDIT = audit_page
READS = case_page()  # any case-record role; the restriction where the page has a child
RECORDS = case_page(P.RECORD_CONTACTS, order="RLO")
RECORDS_NOTES = case_page(P.RECORD_CONTACTS, order="RLO")
EPISODE_NOTES = case_page(P.RECORD_CONTACTS, order="LOR")  # the record, then the right
CONVENING = case_page(CONVENES, order="LRO")
SIGNING_DISCUSSION = case_page(SIGNS, order="LRO")
RUNS_ENQUIRIES = case_page(P.RUN_SECTION_47_ENQUIRIES, order="LOR")
PARTNER = partner_page
# What a partner's own pages show of a restricted child was shared with its agency by name
# (casework.access.require_open); every other page that answers a user who is neither on the
# allow-list nor holding a break-glass opening shows no restricted child's name.
SHARED_BY_NAME = (partner_page, lado_page)

RETURNS = role_page(P.PREPARE_RETURNS)

# Where an allowed user is sent instead ({0}: the record's id).
USER = Found("/administration/users/{0}/")
ACCOUNT_CHANGES = Found("/administration/account-changes/")
CHILD_PAGE = Found("/children/{0}/")
NEW_CONTACT = Found("/contacts/new/")
REFERRAL = Found("/referrals/{0}/")
NEXT_STEPS = Found("/referrals/{0}/next-steps/")
ASSESSMENT = Found("/assessments/{0}/")
DISCUSSION = Found("/strategy-discussions/{0}/")
REVIEW = Found("/strategy-discussions/{0}/review/")
ENQUIRY = Found("/section-47-enquiries/{0}/")
INVITATION = Found("/invitations/{0}/")

# The cases, by record. "restricted": the demo's restricted child, Jenna Quiller, or where she
# has no such record Kenan Trewhella (restricted by this module the same way).
CHILD = (case("jago"), case("jenna", restricted="jenna"), MISSING)
# Denzel Rowe's restriction was lifted (open to every case-record role, no reason asked);
# Elowen Hosking's was lifted and then restricted again, naming the same people: an opening
# given under the lifted restriction (practitioner2's, auditor's) no longer opens it.
LIFTED = (case("lifted"), case("rerestricted", restricted="rerestricted"))
CONTACT = (case("ria_contact"), case("jenna_contact", restricted="jenna"), MISSING)


def decision_cases(ok: Expect = 200) -> tuple[Case, ...]:
    """Ria Nance's decision (screening), Jenna's (signed off, restricted), Jenna's under Ria's
    contact, and none."""
    return (
        case("ria_contact", "ria_cc", ok=ok),
        case("jenna_contact", "jenna_cc", ok=ok, restricted="jenna"),
        case("ria_contact", "jenna_cc", missing="L"),
        MISSING,
    )


def referral_cases(open_ok: Expect, **more: Expect) -> tuple[Case, ...]:
    """The open referral (Kit Trevail's), others named in `more`, Jenna's (open, restricted)."""
    return (
        case("referral_open", ok=open_ok),
        *(case(key, ok=ok) for key, ok in more.items()),
        case("jenna_referral", ok=open_ok, restricted="jenna"),
        MISSING,
    )


def discussion_cases(convened: Expect, other: Expect = 409, **more: Expect) -> tuple[Case, ...]:
    """The convened Rosewarne discussion, others named in `more`, the Carveth one (signed
    off, the school invited), the cancelled Rosewarne one (its grants expired), Kenan's
    (signed off, restricted)."""
    return (
        case("sd_convened", ok=convened),
        *(case(key, ok=ok) for key, ok in more.items()),
        case("sd_school", ok=other),
        case("sd_cancelled", ok=other),
        case("sd_kenan", ok=other, restricted="kenan"),
        MISSING,
    )


def enquiry_cases(key: str, ok: Expect, other: Expect = 409, kenan: Expect | None = None):
    """An enquiry in the state the page acts on, the joint Carveth one (conference held),
    Kenan's (outcome signed off, restricted)."""
    return (
        case(key, ok=ok),
        *([case("s47_joint", ok=other)] if key != "s47_joint" else []),
        case("s47_kenan", ok=other if kenan is None else kenan, restricted="kenan"),
        MISSING,
    )


POLICE_HEALTH = ("police", "health")
INVITED = {  # each discussion: the partner agencies it is shared with now
    "sd_convened": POLICE_HEALTH,
    "sd_held": POLICE_HEALTH,  # health sent apologies, and is still invited
    "sd_school": (*POLICE_HEALTH, "school"),
    "sd_kenan": POLICE_HEALTH,
}


def invitation_cases(**ok: Expect) -> tuple[Case, ...]:
    """The discussions named, each seen by the agencies invited; the cancelled Rosewarne one,
    whose grants expired (nobody), and none."""
    return (
        *(case(key, ok=status, agencies=INVITED[key]) for key, status in ok.items()),
        case("sd_cancelled", agencies=()),
        MISSING,
    )


# One entry per URL pattern. A rule names who gets in (and in which order the view refuses);
# each case names a record and what a user who gets in receives.
# fmt: off
PAGES: dict[str, Page] = {
    # Signing in and the user's own pages (accounts/views.py; the home page in workspace/views/)
    "healthz": page(every_user, public=200),
    "workspace:home": page(every_user),
    "workspace:notices": page(every_user),
    "workspace:work-list": page(work_list_page, *(case(key) for key in WORK_LISTS), MISSING),
    "workspace:caseload": page(role_page(SIGNS), case("user")),
    "workspace:notices-read": post(every_user, case(ok=Found("/notices/"))),
    "workspace:notice-read": post(managers_notice, case("manager_notice", ok=Found("/notices/")),
                                  MISSING),
    "accounts:sign-in": page(every_user, case(ok=Found("/")), public=200),
    "accounts:sign-out": post(every_user, case(ok=Found("/signed-out/"))),
    "accounts:signed-out": page(every_user, public=200),
    "accounts:second-factor": page(every_user, case(ok=Found("/"))),
    "accounts:enrol": page(every_user, case(ok=Found("/sign-in/security-code/"))),
    "accounts:backup-codes": page(every_user, case(ok=Found("/"))),
    "accounts:password-reset": page(every_user, public=200),
    "accounts:password-reset-done": page(every_user, public=200),
    "accounts:password-reset-confirm": page(every_user, case("uidb64", "token"), public=200),
    "accounts:password-reset-complete": page(every_user, public=200),
    "accounts:keep-alive": post(every_user),
    "accounts:save-draft": post(every_user, case(ok=400)),
    "accounts:discard-draft": post(every_user, case(ok=Found("/"))),
    # The system administrator's pages
    "accounts:users": page(ADMIN),
    "accounts:user-new": page(ADMIN),
    "accounts:user": page(ADMIN, case("user"), MISSING),
    "accounts:user-action": post(ADMIN, case("user", "unlock", ok=USER),
                                 case("user", "explode", missing="M"),
                                 case("missing", "unlock", missing="L")),
    # Two people for account changes (issue 16): approvers (the administrators; the demo names
    # no approving manager), managers and auditors reading them, the holder's report link
    "accounts:account-changes": page(ADMIN),
    "accounts:account-change-action": post(ADMIN, case("account_change", "approve",
                                                       ok=ACCOUNT_CHANGES),
                                           case("account_change", "explode", missing="M"),
                                           case("missing", "approve", missing="L")),
    "accounts:administrators-actions": page(AUDIT),
    "accounts:account-change-report": page(every_user, case("report_token", ok=404),
                                           case("report_valid"), public=404),
    "accounts:agencies": page(ADMIN),
    "accounts:agency-new": page(ADMIN),
    "accounts:agency": page(ADMIN, case("agency"), MISSING),
    "referrals:local-data": page(LOCAL_DATA),
    "referrals:team-add": post(LOCAL_DATA),
    "referrals:duty-manager-set": post(LOCAL_DATA),
    "referrals:closure-day-remove": post(LOCAL_DATA, MISSING),  # the demo has no closure day
    "referrals:level-new": page(LOCAL_DATA),
    "referrals:level": page(LOCAL_DATA, case("level"), MISSING),
    # Reports for managers and auditors, and quality audits (issue 21)
    "reports:index": page(role_page(P.READ_REPORTS)),
    "reports:report": page(role_page(P.READ_REPORTS), case("report_slug"),
                           case("missing", missing="L")),
    "reports:download": page(role_page(P.READ_REPORTS), case("report_slug", "csv"),
                             case("report_slug", "xlsx"), case("report_slug", "pdf", ok=404),
                             case("missing", "csv", missing="L")),
    "quality:list": page(READS),
    "quality:assign": page(case_page(SIGNS, order="R")),
    "quality:detail": page(quality_audit_page, case("qa_open"), case("qa_done"),
                           case("qa_jenna", restricted="jenna"), MISSING),
    "quality:record": page(quality_audit_record_page, case("qa_open"),
                           case("qa_done", ok=Found("/quality-audits/{0}/")),
                           case("qa_jenna", restricted="jenna"), MISSING),
    "quality:action-done": post(quality_action_done_page,
                                case("qa_done", "qa_action", ok=Found("/quality-audits/{0}/")),
                                case("qa_jenna", "qa_action", restricted="jenna", ok=404),
                                MISSING),
    "quality:questions": page(LOCAL_DATA),
    "quality:question-retire": post(LOCAL_DATA, case("question",
                                                     ok=Found("/quality-audits/questions/")),
                                    MISSING),
    # The audit trail, for managers and auditors (workspace/views/audit_trail.py)
    "workspace:audit-record": page(AUDIT, case("child_model", "jago"),
                                   case("child_model", "jenna", restricted="jenna"),
                                   case("person_model", "jenna_parent", restricted="jenna"),
                                   case("contact_model", "jenna_contact", restricted="jenna"),
                                   case("discussion_model", "sd_kenan", restricted="kenan"),
                                   case("note_model", "jenna_note", restricted="jenna"),
                                   case("no_model", "jago", missing="L")),
    "workspace:audit-child": page(AUDIT, case("jago_ref"),
                                  case("jenna_ref", restricted="jenna"),
                                  case("kenan_ref", restricted="kenan")),
    "workspace:audit-user": page(AUDIT, case("user"), MISSING),
    # Information sharing records and restricted records, for managers (and auditors to read)
    "accounts:sharing": page(case_page(SIGNS, P.READ_ALL_CASE_RECORDS, order="R")),
    "accounts:sharing-end": page(case_page(SIGNS, order="RL"), case("share_live"), MISSING),
    "referrals:restricted-records": page(case_page(SIGNS, P.READ_ALL_CASE_RECORDS, order="R")),
    "referrals:child-restricted": page(
        break_glass_page, case("jago", ok=CHILD_PAGE),
        case("jenna", ok=CHILD_PAGE, restricted="jenna"), MISSING, case("lifted", ok=CHILD_PAGE),
        case("rerestricted", ok=CHILD_PAGE, restricted="rerestricted")),
    "referrals:child-restriction": page(case_page(SIGNS, order="RLO"), *CHILD, *LIFTED),
    "referrals:child-restriction-lift": post(
        case_page(SIGNS, order="RLO"), case("jago", ok=Found("/children/{0}/restriction/")),
        case("jenna", restricted="jenna"), MISSING),
    # Statutory returns (issue 22): data officers and managers. The demo's export is queued
    # (no worker runs here), so its download goes back to its page.
    "returns:data-quality": page(RETURNS),
    "returns:exports": page(RETURNS),
    "returns:export": page(RETURNS, case("export"), MISSING),
    "returns:export-download": page(RETURNS, case("export", ok=Found("/returns/{0}/")), MISSING),
    "returns:child-census": page(census_page, *CHILD, *LIFTED),
    # The front door: children, contacts, decisions (referrals/views/)
    "referrals:queue": page(READS),
    "referrals:search": page(READS),
    "referrals:child": page(READS, *CHILD, *LIFTED),
    "referrals:child-edit": page(RECORDS, *CHILD),
    # An adult's page: whoever reads case records; the parent of a restricted child (Jenna
    # Quiller's) is part of her identity, so the page asks a reason as hers does
    "referrals:person": page(READS, case("jenna_parent", restricted="jenna"), MISSING),
    "referrals:child-allocate": post(case_page(P.ALLOCATE_WORK, order="RLO"), *CHILD),
    "referrals:note-add": post(RECORDS_NOTES, *CHILD),
    "referrals:note-correct": page(RECORDS_NOTES, case("jago", "jago_note"),
                                   case("jenna", "jenna_note", restricted="jenna"),
                                   case("ria", "jago_note", missing="L"), MISSING),
    # The child's chronology (notes/views.py, issue 20): read like the child's page; manual
    # entries added and corrected by whoever records contacts; entries shared into a
    # convened discussion by whoever convenes
    "notes:chronology": page(READS, *CHILD, *LIFTED),
    "notes:chronology-pdf": page(READS, *CHILD),
    "notes:entry-add": page(RECORDS, *CHILD),
    "notes:entry-correct": page(RECORDS_NOTES, case("jago", "jago_entry"),
                                case("jenna", "jenna_entry", restricted="jenna"),
                                case("ria", "jago_entry", missing="L"), MISSING),
    "notes:discussion-chronology": page(CONVENING, *discussion_cases(200)),
    "referrals:household-add": post(RECORDS, *CHILD),
    "referrals:household-leave": post(RECORDS, case("jago", "jago_household", ok=409),
                                      case("jenna", "jenna_household", ok=409, restricted="jenna"),
                                      case("jago", "jenna_household", missing="M"), MISSING),
    "referrals:child-not-shared": post(case_page(P.REQUEST_INFORMATION, order="RLO"), *CHILD),
    "referrals:contact-new": page(role_page(P.RECORD_CONTACTS)),
    # The matching endpoint the contact's page posts to (an empty post: a fragment that asks
    # for the names); partners and the administrator are refused like the page.
    "referrals:contact-matches": post(role_page(P.RECORD_CONTACTS)),
    "referrals:contact-new-check": page(role_page(P.RECORD_CONTACTS), case(ok=NEW_CONTACT)),
    "referrals:contact-new-discard": post(role_page(P.RECORD_CONTACTS), case(ok=Found("/"))),
    "referrals:contact": page(READS, *CONTACT),
    "referrals:contact-note-add": post(RECORDS_NOTES, *CONTACT),
    # The siblings' sign-off (managers): an empty post asks for each child's choice.
    "referrals:contact-sign-off": page(case_page(SIGNS, order="RLO"), *CONTACT),
    "referrals:decision": page(READS, *decision_cases()),
    "referrals:screening-notes": post(RECORDS_NOTES, *decision_cases()),
    "referrals:decision-propose": post(case_page(PROPOSES, order="RLO"), *decision_cases()),
    "referrals:decision-check": page(case_page(PROPOSES, order="RLO"),
                                     *decision_cases(Found("/contacts/{0}/children/{1}/"))),
    "referrals:decision-review": post(case_page(SIGNS, order="RLO"), *decision_cases()),
    "referrals:decision-feedback": post(RECORDS_NOTES, *decision_cases()),
    "referrals:decision-close": post(RECORDS_NOTES, *decision_cases(409)),
    "referrals:information-request-new": page(case_page(P.REQUEST_INFORMATION, order="RLO"),
                                              *decision_cases()),
    "referrals:information-requests": page(PARTNER),
    "referrals:information-request": page(PARTNER, case("ir_health", agencies=["health"]),
                                          case("ir_school", agencies=["school"]), MISSING),
    # The LADO service's inbox
    "referrals:lado-inbox": page(lado_page),
    "referrals:lado-referral": page(lado_page, case("lado_referral"), MISSING),
    # Referrals and assessments (referrals/views/episodes.py)
    "referrals:referrals": page(READS),
    "referrals:referral": page(READS, *referral_cases(200)),
    "referrals:referral-note-add": post(EPISODE_NOTES, *referral_cases(200)),
    "referrals:referral-propose": page(case_page(PROPOSES, order="LOR"),
                                       *referral_cases(200, referral_proposed=REFERRAL)),
    "referrals:referral-propose-check": page(case_page(PROPOSES, order="LOR"),
                                             *referral_cases(NEXT_STEPS)),
    "referrals:referral-review": page(case_page(SIGNS, order="LOR"),
                                      *referral_cases(REFERRAL, referral_proposed=200)),
    "referrals:referral-review-check": page(
        case_page(SIGNS, order="LOR"),
        *referral_cases(REFERRAL, referral_proposed=Found("/referrals/{0}/review/"))),
    "referrals:referral-close": page(case_page(SIGNS, order="LOR"),
                                     *referral_cases(REFERRAL, referral_signed_off=200)),
    "referrals:assessment": page(READS, case("assessment_open"), case("assessment_authorised"),
                                 case("kenan_assessment", restricted="kenan"), MISSING),
    "referrals:assessment-complete": page(
        case_page(PROPOSES, order="LOR"), case("assessment_open"),
        case("assessment_authorised", ok=ASSESSMENT),
        case("kenan_assessment", restricted="kenan"), MISSING),
    "referrals:assessment-authorise": page(
        case_page(SIGNS, order="LOR"), case("assessment_open", ok=ASSESSMENT),
        case("kenan_assessment", ok=ASSESSMENT, restricted="kenan"), MISSING),
    "referrals:assessment-authorise-check": page(
        case_page(SIGNS, order="LOR"), case("assessment_open", ok=ASSESSMENT),
        case("kenan_assessment", ok=ASSESSMENT, restricted="kenan"), MISSING),
    # Partner referrals: the partner's pages, and the front door's (views/partner_referrals.py)
    "referrals:my-referrals": page(PARTNER),
    "referrals:my-referral-new": page(PARTNER),
    "referrals:my-referral-check": page(PARTNER, case(ok=Found("/my-referrals/new/"))),
    "referrals:my-referral": page(PARTNER, case("pr_recorded", agencies=["police"]),
                                  case("pr_waiting", agencies=["police"]), MISSING),
    "referrals:my-referral-sent": page(PARTNER, case("pr_recorded", agencies=["police"]),
                                       case("pr_waiting", agencies=["police"]), MISSING),
    "referrals:partner-referral": page(case_page(order="LO"), case("pr_waiting"),
                                       case("pr_recorded", restricted="kensa"), MISSING),
    "referrals:partner-referral-record": post(
        case_page(P.RECORD_CONTACTS, order="LOR"), case("pr_waiting", ok=NEW_CONTACT),
        case("pr_recorded", ok=Found("/partner-referrals/{0}/"), restricted="kensa"), MISSING),
    # Strategy discussions (strategy/views/discussions.py)
    "strategy:discussions": page(READS),
    "strategy:discussion": page(READS, *discussion_cases(200, 200)),
    "strategy:discussion-new": page(case_page(CONVENES, order="RLO"),
                                    *referral_cases(200, referral_closed=409)),
    "strategy:discussion-record": page(CONVENING, *discussion_cases(200)),
    "strategy:discussion-invite": post(CONVENING, *discussion_cases(200)),
    "strategy:discussion-action-add": post(CONVENING, *discussion_cases(200)),
    "strategy:discussion-action-remove": post(
        CONVENING, case("sd_school", "action_police", ok=409),
        case("sd_convened", "action_police", missing="M"),
        case("sd_kenan", "action_police", missing="M", restricted="kenan"), MISSING),
    "strategy:discussion-check": page(CONVENING, *discussion_cases(200, DISCUSSION)),
    "strategy:discussion-note-add": post(case_page(P.RECORD_CONTACTS, order="LRO"),
                                         *discussion_cases(200, 200)),
    "strategy:discussion-review": page(SIGNING_DISCUSSION, *discussion_cases(409, sd_held=200)),
    "strategy:discussion-sign-off": page(SIGNING_DISCUSSION,
                                         *discussion_cases(REVIEW, REVIEW, sd_held=REVIEW)),
    "strategy:discussion-cancel": page(CONVENING, *discussion_cases(200)),
    "strategy:discussion-reschedule": page(CONVENING, *discussion_cases(200)),
    # E-mail preferences (everyone's own) and the e-mails not sent (notifications/views.py)
    "notifications:preferences": page(every_user),
    "notifications:failures": page(ADMIN),
    # Section 47 enquiries and conferences (strategy/views/enquiries.py)
    "strategy:section47s": page(READS),
    "strategy:section47": page(READS, *enquiry_cases("s47_open", 200, 200)),
    "strategy:section47-note-add": post(EPISODE_NOTES, *enquiry_cases("s47_open", 200, 200)),
    "strategy:section47-propose": post(RUNS_ENQUIRIES, *enquiry_cases("s47_open", 200)),
    "strategy:section47-propose-check": page(RUNS_ENQUIRIES,
                                             *enquiry_cases("s47_open", ENQUIRY, ENQUIRY)),
    "strategy:section47-review": post(case_page(SIGNS, order="LOR"),
                                      *enquiry_cases("s47_proposed", 200)),
    "strategy:section47-sign-off-check": page(case_page(SIGNS, order="LOR"),
                                              *enquiry_cases("s47_proposed", ENQUIRY, ENQUIRY)),
    "strategy:section47-conference": page(case_page(P.CHAIR_CONFERENCES, order="LOR"),
                                          *enquiry_cases("s47_joint", 200, kenan=200)),
    # Child protection plans (strategy/views/plans.py): the Carveth plan (open)
    "strategy:plan": page(READS, case("plan"), case("plan_kenan", restricted="kenan"), MISSING),
    "strategy:plan-review": page(case_page(P.CHAIR_CONFERENCES, SIGNS, order="LOR"),
                                 case("plan"), case("plan_kenan", restricted="kenan"), MISSING),
    "strategy:plan-end": page(case_page(P.CHAIR_CONFERENCES, SIGNS, order="LOR"),
                              case("plan"), case("plan_kenan", restricted="kenan"), MISSING),
    # Partner agencies in strategy discussions (strategy/views/partners.py)
    "strategy:invitations": page(PARTNER),
    "strategy:invitation": page(PARTNER, *invitation_cases(sd_convened=200, sd_held=200,
                                                           sd_school=200, sd_kenan=200)),
    "strategy:invitation-part": page(PARTNER, *invitation_cases(sd_convened=200, sd_held=409,
                                                                sd_school=409)),
    "strategy:invitation-note": post(PARTNER, *invitation_cases(sd_convened=200, sd_school=200)),
    "strategy:invitation-action-done": post(
        PARTNER, case("sd_school", "action_police", ok=INVITATION, agencies=["police"]),
        case("sd_school", "action_health", ok=INVITATION, agencies=["health"]),
        case("sd_convened", "action_police", missing="M"), MISSING),
    "strategy:joint-enquiry": page(PARTNER, case("s47_joint", agencies=["police"]),
                                   case("s47_open", agencies=[]), MISSING),
}
# fmt: on

# Where a view disagrees with the rules (reported to the lead, who fixes the view) ------------


@dataclass(frozen=True)
class Disagreement:
    pages: tuple[str, ...]
    users: tuple[str, ...]
    cases: tuple[str, ...]  # the cases' labels: their URL arguments' keys joined with "/"
    reason: str


NO_ROLE_CHECK = (
    "the view handles the form (or the check step) before any role check; only the service "
    "refuses a valid submission: 403 expected first"
)
CHAIR_AUDITOR = ("chair", "auditor")
DISAGREEMENTS: list[Disagreement] = []


def known(name: str, user: str) -> dict[int, str]:
    """The page's cases (by index) that disagree for `user`, with why."""
    labels = [item.label for item in PAGES[name].cases] if name in PAGES else []
    return {
        labels.index(label): item.reason
        for item in DISAGREEMENTS
        if name in item.pages and user in item.users
        for label in item.cases
    }


def test_every_disagreement_names_a_page_user_and_case():
    for item in DISAGREEMENTS:
        for name in item.pages:
            assert set(item.users) <= set(USERS), item
            assert set(item.cases) <= {each.label for each in PAGES[name].cases}, item


# The URL patterns --------------------------------------------------------------------------

# Not walked: Django's own admin site (`admin_view` sends anyone who is not staff to its
# sign-in, and no demo user is staff; `test_no_demo_user_opens_the_django_admin` checks that).
EXCLUDED_NAMESPACES = {"admin"}


def url_patterns() -> dict[str, str]:
    """Every URL pattern outside the excluded namespaces: its name -> its route (an unnamed
    or twice-used name gets its route added, so that no expectation can match it)."""
    found: dict[str, str] = {}

    def walk(patterns, prefix: str = "", namespace: str = "") -> None:
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = ":".join(part for part in (namespace, entry.namespace) if part)
                if entry.namespace in EXCLUDED_NAMESPACES:
                    continue
                walk(entry.url_patterns, prefix + str(entry.pattern), inner)
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
                if entry.name is None or name in found:  # no entry can name it: it fails
                    name = f"{name} {route}"
                found[name] = route

    walk(get_resolver().url_patterns)
    return found


def test_every_url_pattern_has_an_expectation():
    without = sorted(set(url_patterns()) - set(PAGES))
    assert without == [], f"URL patterns with no entry in PAGES: {without}"


# Addresses that only take a POST and never show a form of their own: the page's script
# calls them in the background, or they are the sign-out button. Every other POST-only
# address belongs to a form on a page (`posted_from`), so that no address bar holds a URL
# that answers 405 (issue 19).
BACKGROUND_POSTS = {
    "accounts:sign-out": "the sign-out button; goes to the signed-out page",
    "accounts:keep-alive": "called by the time-out warning's script",
    "accounts:save-draft": "called by the draft script in the background",
    "accounts:discard-draft": "redirects to the page the draft was on",
    "referrals:contact-matches": "called by the contact form's script for possible matches",
}


def test_every_post_only_address_belongs_to_a_form_page_or_the_background():
    lost = []
    for name in url_patterns():
        if name not in PAGES or not PAGES[name].post_only or name in BACKGROUND_POSTS:
            continue
        view = (
            get_resolver()
            .resolve(url_for(url_patterns()[name], ["1"] * url_patterns()[name].count("<")))
            .func
        )
        if not hasattr(view, "form_page_name"):
            lost.append(name)
    assert not lost, f"POST-only addresses that would answer 405 on a reload: {lost}"
    assert all(PAGES[name].post_only for name in BACKGROUND_POSTS)


def test_every_expectation_has_a_url_pattern():
    stale = sorted(set(PAGES) - set(url_patterns()))
    assert stale == [], f"PAGES entries with no URL pattern: {stale}"


def test_every_case_gives_each_url_argument():
    routes = url_patterns()
    wrong = [
        name
        for name, entry in PAGES.items()
        if name in routes
        for item in entry.cases
        if not (item.missing and not item.args) and len(item.args) != routes[name].count("<")
    ]
    assert wrong == []


# The demo, loaded once ---------------------------------------------------------------------


def demo_keys() -> dict[str, str]:
    """The demo's records the cases name, as URL arguments (ids looked up by natural keys,
    since ids differ between databases)."""
    from accounts.models import Agency, Notice, User
    from accounts.sharing import SharingDecision, SharingRecord
    from notes.models import ChronologyEntry, Note
    from quality.models import AuditQuestion, QualityAudit, QualityAuditAction
    from referrals.models import Child, LadoReferral, Person
    from referrals.models.contacts import ContactChild, LevelOfNeed
    from referrals.models.episodes import Assessment, AssessmentState, Referral, ReferralState
    from referrals.models.information_requests import InformationRequest
    from referrals.models.partner_referrals import PartnerReferral, PartnerReferralState
    from strategy.models import (
        Action,
        ChildProtectionPlan,
        DiscussionState,
        Section47,
        Section47State,
    )
    from strategy.models import StrategyDiscussion as Discussion

    children = {f"{c.first_name} {c.last_name}": c for c in Child.objects.all()}
    jago, ria = children["Jago Rosewarne"], children["Ria Nance"]
    jenna, kenan = children["Jenna Quiller"], children["Kenan Trewhella"]
    ria_cc = ContactChild.objects.get(child=ria)
    jenna_cc = ContactChild.objects.get(child=jenna)
    school = Discussion.objects.filter(participants__agency__name=people.SCHOOL).get()
    rosewarne = Discussion.objects.filter(children__child=jago)
    actions = {a.agency.name: a for a in Action.objects.filter(discussion=school)}
    enquiries = Section47.objects.filter(child__last_name="Nancarrow")
    keys = {
        "jago": jago.pk, "jenna": jenna.pk, "kenan": kenan.pk, "ria": ria.pk,
        "lifted": children["Denzel Rowe"].pk, "rerestricted": children["Elowen Hosking"].pk,
        "kensa": children["Kensa Chenoweth"].pk,
        "jago_ref": jago.census_id, "child_model": "referrals.child", "no_model": "no.such",
        "jenna_ref": jenna.census_id, "kenan_ref": kenan.census_id,
        "person_model": "referrals.person", "contact_model": "referrals.contact",
        "discussion_model": "strategy.strategydiscussion", "note_model": "notes.note",
        "jenna_parent": Person.objects.get(relationships__child=jenna).pk,
        "jago_household": jago.households.get().pk,
        "jenna_household": jenna.households.get().pk,
        "jago_note": Note.objects.get(child=jago).pk,
        "jenna_note": Note.objects.get(child=jenna).pk,
        "jago_entry": ChronologyEntry.objects.get(child=jago).pk,
        "jenna_entry": ChronologyEntry.objects.get(child=jenna).pk,
        "ria_contact": ria_cc.contact_id, "ria_cc": ria_cc.pk,
        "jenna_contact": jenna_cc.contact_id, "jenna_cc": jenna_cc.pk,
        "referral_open": Referral.objects.get(child__last_name="Trevail").pk,
        "referral_proposed": Referral.objects.get(state=ReferralState.NEXT_STEPS_PROPOSED).pk,
        "referral_signed_off": Referral.objects.get(child=jago).pk,
        "referral_closed": Referral.objects.get(child__last_name="Chegwidden").pk,
        "jenna_referral": Referral.objects.get(child=jenna).pk,
        "assessment_open": Assessment.objects.filter(child__last_name="Nancarrow")
        .order_by("pk").first().pk,
        # The Pascoe family's (the previous census year's family has one too).
        "assessment_authorised": Assessment.objects.get(
            state=AssessmentState.AUTHORISED, child__last_name="Pascoe"
        ).pk,
        "kenan_assessment": Assessment.objects.get(child=kenan).pk,
        "sd_convened": rosewarne.get(state=DiscussionState.CONVENED).pk,
        "sd_cancelled": rosewarne.get(state=DiscussionState.CANCELLED).pk,
        "sd_held": Discussion.objects.get(state=DiscussionState.HELD).pk,
        "sd_school": school.pk,
        "sd_kenan": Discussion.objects.get(children__child=kenan).pk,
        "action_police": actions[people.POLICE].pk,
        "action_health": actions[people.HEALTH].pk,
        "s47_open": enquiries.get(state=Section47State.OPEN).pk,
        "plan": ChildProtectionPlan.objects.exclude(child=kenan)
        .exclude(child__last_name="Angove").get().pk,
        "plan_kenan": ChildProtectionPlan.objects.get(child=kenan).pk,
        "s47_proposed": enquiries.get(state=Section47State.OUTCOME_PROPOSED).pk,
        "s47_joint": Section47.objects.get(discussion_child__discussion=school).pk,
        "s47_kenan": Section47.objects.get(child=kenan).pk,
        "ir_health": InformationRequest.objects.get(agency__name=people.HEALTH).pk,
        "ir_school": InformationRequest.objects.get(agency__name=people.SCHOOL).pk,
        "lado_referral": LadoReferral.objects.get().pk,
        "pr_recorded": PartnerReferral.objects.get(state=PartnerReferralState.RECORDED).pk,
        "pr_waiting": PartnerReferral.objects.get(state=PartnerReferralState.SUBMITTED).pk,
        "share_live": SharingRecord.objects.filter(
            decision=SharingDecision.SHARED, ended_at__isnull=True, what__startswith="Information"
        ).order_by("pk").first().pk,
        "user": User.objects.get(username="practitioner").pk,
        "agency": Agency.objects.get(name=people.POLICE).pk,
        "level": LevelOfNeed.objects.order_by("pk").first().pk,
        "uidb64": "MTIzNDU", "token": "set-password", "unlock": "unlock", "explode": "explode",
        "account_change": account_change().pk, "approve": "approve",
        "export": export_record().pk,
        "report_token": "not-a-report-token",
        "report_valid": report_token(account_change()),
        "missing": MISSING_ID,
        "list_mine": "my-contact-overdue", "list_sign_off": "awaiting-sign-off",
        "list_chair": "conferences-to-chair", "list_requests": "requests-to-answer",
        "list_invitations": "invitations", "list_two_factor": "without-two-factor",
        "manager_notice": Notice.objects.filter(recipient__username="manager").first().pk,
        "qa_open": QualityAudit.objects.exclude(contact_child=jenna_cc).get(state="assigned").pk,
        "qa_jenna": QualityAudit.objects.get(contact_child=jenna_cc).pk,
        "qa_done": QualityAudit.objects.get(state="completed").pk,
        "qa_action": QualityAuditAction.objects.get(audit__state="completed").pk,
        "question": AuditQuestion.objects.order_by("pk").first().pk,
        "report_slug": "timeliness", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf",
    }  # fmt: skip
    return {key: str(value) for key, value in keys.items()}


def account_change():
    """A change waiting for approval: the first administrator asks for the practitioner's
    two-factor reset (the second may approve it; the asker may not)."""
    from accounts.models import AccountChange, User

    found = AccountChange.objects.order_by("pk").first()
    return found or account_change_request(
        by=User.objects.get(username="sysadmin"), account=User.objects.get(username="practitioner"),
        kind="two_factor_reset", link_base="http://testserver",
    )  # fmt: skip


def export_record():
    """A census export the manager asked for, queued (no worker runs in this module)."""
    from accounts.models import User
    from returns.models import Export
    from returns.selectors import census_year_now
    from returns.services import export_request

    found = Export.objects.order_by("pk").first()
    return found or export_request(
        by=User.objects.get(username="manager"), kind="census", year=census_year_now()
    )


def restrict_kenan_and_note_jenna() -> None:
    """Kenan Trewhella restricted like Jenna Quiller (the demo's restricted child has no
    assessment, discussion or enquiry), and Kensa Chenoweth (the child of the recorded partner
    referral), a note on Jenna's record to correct, Denzel Rowe's restriction lifted, and
    Elowen Hosking's lifted and restricted again (`LIFTED`)."""
    from accounts.models import User
    from notes.services import chronology_entry_add, note_add
    from referrals.models import Child
    from referrals.services.restrictions import break_glass, child_restrict, restriction_lift
    from strategy.models import ChildProtectionPlan, InitialConference, Section47

    manager = User.objects.get(username="manager")
    named = list(User.objects.filter(username__in=ALLOW_LISTED))
    kenan = Child.objects.get(first_name="Kenan", last_name="Trewhella")
    child_restrict(by=manager, child=kenan, reason="Test: like Jenna's", allowed=named)
    # Kenan's enquiry went to a conference that made a plan: the plan pages' restricted case.
    enquiry = Section47.objects.get(child=kenan)
    conference = InitialConference.objects.create(
        section47=enquiry, child=kenan, held_on=enquiry.start_date, chair=manager, plan=True,
        category="PHY", recorded_by=manager,
    )  # fmt: skip
    ChildProtectionPlan.objects.create(
        child=kenan, conference=conference, start_date=conference.held_on,
        initial_category="PHY", latest_category="PHY",
    )  # fmt: skip
    kensa = Child.objects.get(first_name="Kensa", last_name="Chenoweth")
    child_restrict(by=manager, child=kensa, reason="Test: a partner's referral", allowed=named)
    jenna = Child.objects.get(first_name="Jenna", last_name="Quiller")
    note_add(by=manager, child=jenna, text="Home visit arranged (fictional).")
    for child in (jenna, Child.objects.get(first_name="Jago", last_name="Rosewarne")):
        chronology_entry_add(
            by=manager, child=child, happened_on=date(2025, 3, 14), source="family",
            text="Grandmother rang about a fall (fictional).",
        )  # fmt: skip
    lifted = Child.objects.get(first_name="Denzel", last_name="Rowe")
    child_restrict(by=manager, child=lifted, reason="Test: lifted", allowed=named)
    restriction_lift(by=manager, child=lifted, reason="Test: no longer needed")
    again = Child.objects.get(first_name="Elowen", last_name="Hosking")
    child_restrict(by=manager, child=again, reason="Test: first time", allowed=named)
    for username in ("practitioner2", "auditor"):
        user = User.objects.get(username=username)
        break_glass(by=user, child=again, reason="Test: an opening of the first restriction")
    restriction_lift(by=manager, child=again, reason="Test: lifted too soon")
    child_restrict(by=manager, child=again, reason="Test: restricted again", allowed=named)


@dataclass
class Demo:
    keys: dict[str, str]
    sessions: dict[str, str]  # username -> session key, signed in with the second factor
    surnames: list[str]  # of every demo child: never in a refusal
    restricted: list[str]  # surnames of the restricted children: never shown without the glass
    # One client for every request: each new one loads the middleware again (WhiteNoise
    # scans the static files), which would cost more than the requests.
    client: Client


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    from accounts.models import User
    from referrals.models import Child
    from referrals.models.restrictions import Restriction

    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        assert "test" in connection.settings_dict["NAME"], "not the test database"
        call_command("load_demo", history_children=0, allow_without_debug=True, stdout=StringIO())
        restrict_kenan_and_note_jenna()
        sessions = {}
        for user in User.objects.filter(username__in=DEMO_USERS):
            client = sign_in(Client(), user)
            sessions[user.username] = client.cookies[settings.SESSION_COOKIE_NAME].value
        surnames = sorted(set(Child.objects.values_list("last_name", flat=True)))
        restricted = sorted(
            set(Restriction.objects.active().values_list("child__last_name", flat=True))
        )
        client = Client()
        client.raise_request_exception = False  # a 500 is a wrong answer like any other
        try:
            yield Demo(demo_keys(), sessions, surnames, restricted, client)
        finally:
            transaction.set_rollback(True)


# The matrix ------------------------------------------------------------------------------


def answer(client: Client, method: str, url: str) -> tuple[Expect, bytes]:
    """The status (and where a 302 goes) of one request, whose changes are rolled back."""
    with transaction.atomic():
        response = client.post(url, {}) if method == "POST" else client.get(url)
        transaction.set_rollback(True)
    if response.status_code == 302:
        return Found(response["Location"]), b""
    if response.streaming:  # a download (a report's CSV or XLSX): its whole body
        return response.status_code, b"".join(response.streaming_content)
    return response.status_code, response.content


def matches(expected: Expect, observed: Expect) -> bool:
    if isinstance(expected, Found):
        return isinstance(observed, Found) and observed.prefix.startswith(expected.prefix)
    return observed == expected


def url_for(route: str, values: list[str]) -> str:
    parts, rest = [], route
    for value in values:
        before, _, rest = rest.partition("<")
        parts += [before, value]
        rest = rest.partition(">")[2]
    return "/" + "".join(parts) + rest


def expectation(name: str, user: str, item: Case, keys: dict[str, str]) -> Expect:
    entry = PAGES[name]
    if user == ANONYMOUS:
        return entry.public if entry.public is not None else SIGN_IN
    expected = entry.rule(user, item)
    if isinstance(expected, Found):
        values = [keys[arg] for arg in item.args]
        prefix = expected.prefix.format(*values, restricted=keys.get(item.restricted, ""))
        expected = Found(prefix)
    return expected


def passes(name: str, user: str) -> bool:
    """Whether the page lets `user` in at all (its role check), whatever the record."""
    return PAGES[name].rule(user, Case()) not in (403, 404)


def cases_for(name: str, user: str) -> tuple[int, ...]:
    """The cases asked of one page for one user: signed out, the first; a missing record
    only of those the page lets in (anyone else is refused before anything is looked up)."""
    cases = PAGES[name].cases if name in PAGES else (LIST,)
    if user == ANONYMOUS:
        return (0,)
    if name not in PAGES or passes(name, user):
        return tuple(range(len(cases)))
    return tuple(index for index, item in enumerate(cases) if not item.missing)


def requests_for(name: str, user: str, indexes: tuple[int, ...]):
    """(case index, case, method): signed out, one GET; signed in, a GET of each case, or on
    a page that only takes forms one GET (405 whoever asks, before any id is looked at) and
    an empty POST of each case."""
    entry = PAGES[name]
    if user == ANONYMOUS or entry.post_only:
        yield indexes[0], entry.cases[indexes[0]], "GET"
    if user == ANONYMOUS:
        return
    for index in indexes:
        yield index, entry.cases[index], "POST" if entry.post_only else "GET"


def run(demo: Demo, name: str, user: str, indexes: tuple[int, ...]) -> list[str]:
    """Every wrong answer of one page to one user, and every refusal that names a child."""
    routes = url_patterns()
    assert name in PAGES, f"{name} ({routes[name]}) has no expectation in PAGES"
    client = demo.client
    wrong = []
    for index, item, method in requests_for(name, user, indexes):
        values = [demo.keys[arg] for arg in item.args]
        if item.missing and not item.args:
            values = [str(MISSING_ID)] * routes[name].count("<")
        url = url_for(routes[name], values)
        client.cookies = SimpleCookie()
        if user != ANONYMOUS:
            client.cookies[settings.SESSION_COOKIE_NAME] = demo.sessions[user]
        expected = expectation(name, user, item, demo.keys)
        if method == "GET" and PAGES[name].post_only and user != ANONYMOUS:
            # A form's POST-only address sends a GET to the form's page (a reload, a sign-in
            # coming back), whoever asks, before any id is looked at; a background one: 405.
            view = resolve(url).func
            expected = (
                Found(form_page(view, resolve(url).kwargs))
                if hasattr(view, "form_page_name")
                else 405
            )
        observed, body = answer(client, method, url)
        if not matches(expected, observed):
            wrong.append(f"{user} {method} {url} (case {index}): {observed}, expected {expected}")
        elif observed in (403, 404, 405):
            leaked = [surname for surname in demo.surnames if surname.encode() in body]
            if leaked:
                wrong.append(f"{user} {method} {url}: the refusal names {leaked}")
        elif user not in ALLOW_LISTED and PAGES[name].rule not in SHARED_BY_NAME:
            leaked = [surname for surname in demo.restricted if surname.encode() in body]
            if leaked:
                wrong.append(f"{user} {method} {url}: shows restricted {leaked} without a reason")
    return wrong


def matrix_params():
    names = sorted(set(PAGES) | set(url_patterns()))
    for name in names:
        for user in USERS:
            disagreeing = known(name, user)
            agreeing = tuple(i for i in cases_for(name, user) if i not in disagreeing)
            if agreeing:
                yield pytest.param(name, user, agreeing, id=f"{name}-{user}")
            if disagreeing:
                reason = "; ".join(sorted(set(disagreeing.values())))
                yield pytest.param(
                    name, user, tuple(sorted(disagreeing)), id=f"{name}-{user}-disagrees",
                    marks=pytest.mark.xfail(strict=True, reason=reason),
                )  # fmt: skip


@pytest.mark.parametrize(("name", "user", "indexes"), list(matrix_params()))
def test_each_user_gets_exactly_the_status_the_rules_give(demo, name, user, indexes):
    wrong = run(demo, name, user, indexes)
    assert wrong == [], "\n".join(wrong)


def test_no_demo_user_opens_the_django_admin(demo):
    client = demo.client
    for user in DEMO_USERS:
        client.cookies = SimpleCookie()
        client.cookies[settings.SESSION_COOKIE_NAME] = demo.sessions[user]
        observed, _ = answer(client, "GET", "/django-admin/")
        assert matches(Found("/django-admin/login/?next="), observed), (user, observed)


# A restricted child through every URL ------------------------------------------------------

# Patterns with an argument that names no child's record: what each shows instead.
NOT_ABOUT_A_CHILD = {
    "accounts:password-reset-confirm": "a password reset link",
    # Lists, not a record: a restricted child in them shows as "Restricted record" (the matrix
    # checks no restricted name is shown to anyone off the allow-list)
    "workspace:work-list": "one of the user's work lists (issue 21)",
    "workspace:caseload": "a worker's caseload, by the worker's id (issue 21)",
    "accounts:user": "a user account",
    "accounts:user-action": "a user account",
    "accounts:agency": "an agency",
    "accounts:account-change-action": "a change to a user account",
    "accounts:account-change-report": "a holder's report link about their own account",
    "workspace:notice-read": "a notice, the user's own (tests/workspace/views/test_notices.py)",
    "referrals:level": "a level of need (local data)",
    "returns:export": "an export: its file names children by reference only",
    "returns:export-download": "an export: its file names children by reference only",
    "referrals:closure-day-remove": "a closure day (local data)",
    "accounts:sharing-end": "a sharing record: its opaque reference and the child's reference only",
    "reports:report": "a report: a restricted child's rows show 'Restricted record' and the "
    "reference only, downloads too (tests/reports/test_reports.py)",
    "reports:download": "a report's download: as the report",
    "quality:question-retire": "a question of the local audit form (local data)",
    "workspace:audit-user": "a user's actions: entries about a restricted child show "
    "'Restricted record' and the reference only (tests/workspace/views/"
    "test_audit_trail_restricted.py)",
}


def test_every_url_with_a_record_argument_is_asked_about_a_restricted_child():
    """A URL that takes a record shows a restricted child's record (or one that belongs to
    the child) to the matrix, so that it must send everyone off the allow-list to the break
    glass, unless it is a partner's page (shared by name) or names no child's record."""
    routes = url_patterns()
    unasked = sorted(
        name
        for name, route in routes.items()
        if "<" in route
        and name in PAGES
        and name not in NOT_ABOUT_A_CHILD
        and PAGES[name].rule not in SHARED_BY_NAME
        and not any(item.restricted for item in PAGES[name].cases)
    )
    assert unasked == [], f"Give these pages a case about a restricted child: {unasked}"


def test_every_exemption_names_a_url_pattern():
    assert sorted(set(NOT_ABOUT_A_CHILD) - set(url_patterns())) == []
