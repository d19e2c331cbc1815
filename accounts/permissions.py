"""Permission codenames, declared once. Roles hold them; `accounts.rights` asks for them.

Each right is a permission on `accounts.GlobalPermission` (a model with no table), so that a
role is a plain Django group and a right is a plain model permission. Code refers to the
constants here, never to a codename string.
"""

from __future__ import annotations

from enum import StrEnum


class Perm(StrEnum):
    """Rights that roles grant; the value is the codename of a `GlobalPermission` permission."""

    # Local authority case work.
    VIEW_CASE_RECORDS = "view_case_records"
    RECORD_CONTACTS = "record_contacts"
    PROPOSE_DECISIONS = "propose_decisions"
    REQUEST_INFORMATION = "request_information"
    CONVENE_STRATEGY_DISCUSSIONS = "convene_strategy_discussions"
    RUN_SECTION_47_ENQUIRIES = "run_section_47_enquiries"
    SIGN_OFF_DECISIONS = "sign_off_decisions"
    ALLOCATE_WORK = "allocate_work"
    CHAIR_CONFERENCES = "chair_conferences"
    # Partner agencies: only what was given to them, object by object.
    MAKE_REFERRALS = "make_referrals"
    ANSWER_INFORMATION_REQUESTS = "answer_information_requests"
    TAKE_PART_IN_STRATEGY_DISCUSSIONS = "take_part_in_strategy_discussions"
    SEE_AGENCY_WORK = "see_agency_work"
    # Oversight.
    READ_ALL_CASE_RECORDS = "read_all_case_records"
    READ_AUDIT_TRAIL = "read_audit_trail"
    READ_REPORTS = "read_reports"
    # Administration: no case content.
    MANAGE_USERS = "manage_users"
    MANAGE_LOCAL_DATA = "manage_local_data"
    # Statutory returns: census fields, data quality and exports; no case text.
    PREPARE_RETURNS = "prepare_returns"

    @property
    def label(self) -> str:
        """The `app_label.codename` form that `User.has_perm` takes."""
        return f"accounts.{self.value}"


DESCRIPTIONS: dict[Perm, str] = {
    Perm.VIEW_CASE_RECORDS: "See the local authority's case records",
    Perm.RECORD_CONTACTS: "Record contacts and screen them",
    Perm.PROPOSE_DECISIONS: "Propose decisions",
    Perm.REQUEST_INFORMATION: "Ask partner agencies for information",
    Perm.CONVENE_STRATEGY_DISCUSSIONS: "Convene and record strategy discussions",
    Perm.RUN_SECTION_47_ENQUIRIES: "Run section 47 enquiries",
    Perm.SIGN_OFF_DECISIONS: "Sign off or return decisions proposed by others",
    Perm.ALLOCATE_WORK: "Allocate a child's work to a worker in a team",
    Perm.CHAIR_CONFERENCES: "Chair initial child protection conferences",
    Perm.MAKE_REFERRALS: "Make referrals and follow their status and feedback",
    Perm.ANSWER_INFORMATION_REQUESTS: "Answer information requests sent to your agency",
    Perm.TAKE_PART_IN_STRATEGY_DISCUSSIONS: "Take part in strategy discussions you are invited to",
    Perm.SEE_AGENCY_WORK: "See everything your agency submitted or was sent",
    Perm.READ_ALL_CASE_RECORDS: "Read every case record (restricted records need a reason)",
    Perm.READ_AUDIT_TRAIL: "Read the audit trail",
    Perm.READ_REPORTS: "Read management reports and carry out quality audits",
    Perm.MANAGE_USERS: "Manage users and agencies",
    Perm.MANAGE_LOCAL_DATA: "Manage local data such as closure days and levels of need",
    Perm.PREPARE_RETURNS: "Prepare statutory returns: census fields, data quality and exports",
}
