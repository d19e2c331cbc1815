"""Quality audits (issue 21): assigned by a manager, recorded by an auditor against the local
form, the worker responds; the state machine, who may do what, findings encrypted, the audit
trail, the home page's selector, and the grades report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from casework.errors import RuleBroken
from quality import selectors, services
from quality.models import AuditQuestion, Grade, QualityAudit, QualityAuditState, SubjectKind
from reports import selectors as report_selectors
from tests.conftest import sign_in
from tests.referrals.factories import signed_off

pytestmark = pytest.mark.django_db(serialized_rollback=True)


@pytest.fixture
def world(make_user):
    worker = make_user(Role.PRACTITIONER, first_name="Wendy", last_name="Worker")
    manager = make_user(Role.MANAGER)
    signer = make_user(Role.MANAGER)
    auditor = make_user(Role.AUDITOR)
    admin = make_user(Role.SYSTEM_ADMINISTRATOR)
    decision = signed_off(by=worker, signer=signer)
    question = services.audit_question_add(by=admin, text="Was the child's voice recorded?")
    return {
        "worker": worker, "manager": manager, "auditor": auditor, "admin": admin,
        "decision": decision, "question": question,
    }  # fmt: skip


def assign(world, **more) -> QualityAudit:
    return services.quality_audit_assign(
        by=world["manager"], kind=SubjectKind.CONTACT_DECISION, pk=world["decision"].pk,
        auditor=world["auditor"], due=timezone.localdate() + timedelta(days=5), **more,
    )  # fmt: skip


def complete(world, audit: QualityAudit) -> QualityAudit:
    return services.quality_audit_record(
        by=world["auditor"], audit=audit, version=audit.version,
        answers={world["question"].pk: "met"}, grade=Grade.GOOD,
        findings="Secret finding about the family", complete=True,
        actions=[services.ActionInput(
            description="Record the referrer's feedback", owner=world["worker"],
            due=timezone.localdate() + timedelta(days=7),
        )],
    )  # fmt: skip


# The service and the state machine ---------------------------------------------------------


def test_a_manager_assigns_the_workers_decision(world):
    audit = assign(world)
    assert audit.state == QualityAuditState.ASSIGNED
    assert audit.worker == world["worker"]
    assert audit.contact_child_id == world["decision"].pk


def test_only_managers_assign_and_only_to_auditors_or_managers(world):
    with pytest.raises(RuleBroken):
        services.quality_audit_assign(
            by=world["auditor"], kind=SubjectKind.CONTACT_DECISION, pk=world["decision"].pk,
            auditor=world["auditor"], due=timezone.localdate(),
        )  # fmt: skip
    with pytest.raises(RuleBroken):
        services.quality_audit_assign(
            by=world["manager"], kind=SubjectKind.CONTACT_DECISION, pk=world["decision"].pk,
            auditor=world["worker"], due=timezone.localdate(),
        )  # fmt: skip


def test_a_missing_record_is_refused(world):
    with pytest.raises(RuleBroken, match="no contact decision"):
        services.quality_audit_assign(
            by=world["manager"], kind=SubjectKind.CONTACT_DECISION, pk=999999,
            auditor=world["auditor"], due=timezone.localdate(),
        )  # fmt: skip


def test_assigned_in_progress_completed_responded(world):
    audit = assign(world)
    audit = services.quality_audit_record(
        by=world["auditor"], audit=audit, version=audit.version, answers={}, grade="",
        findings="", actions=[], complete=False,
    )  # fmt: skip
    assert audit.state == QualityAuditState.IN_PROGRESS
    audit = complete(world, audit)
    assert audit.state == QualityAuditState.COMPLETED
    assert audit.completed_at is not None
    audit = services.quality_audit_respond(
        by=world["worker"], audit=audit, response="I will record it"
    )
    assert audit.state == QualityAuditState.RESPONDED
    transitions = AuditEntry.objects.filter(
        event=Event.TRANSITION, object_pk=str(audit.pk), content_type__model="qualityaudit"
    )
    assert sorted(e.additional_data["transition"] for e in transitions) == [
        "assign", "complete", "respond", "start",
    ]  # fmt: skip


def test_only_the_auditor_records_and_only_the_worker_responds(world):
    audit = assign(world)
    with pytest.raises(RuleBroken):
        services.quality_audit_record(
            by=world["manager"], audit=audit, version=None, answers={}, grade=Grade.GOOD,
            findings="x", actions=[], complete=True,
        )  # fmt: skip
    audit = complete(world, audit)
    with pytest.raises(RuleBroken):
        services.quality_audit_respond(by=world["auditor"], audit=audit, response="Not mine")


def test_completing_needs_a_grade_and_findings(world):
    audit = assign(world)
    with pytest.raises(RuleBroken):
        services.quality_audit_record(
            by=world["auditor"], audit=audit, version=None, answers={}, grade="",
            findings="", actions=[], complete=True,
        )  # fmt: skip
    assert QualityAudit.objects.get(pk=audit.pk).state == QualityAuditState.ASSIGNED


def test_transitions_take_by_and_refuse_the_wrong_source(world):
    audit = assign(world)
    with pytest.raises(TransitionNotAllowed):
        audit.respond(by=world["worker"], response="Too soon")


def test_findings_and_response_are_encrypted_and_masked_in_the_trail(world):
    audit = complete(world, assign(world))
    with connection.cursor() as cursor:
        cursor.execute("SELECT findings FROM quality_qualityaudit WHERE id = %s", [audit.pk])
        (stored,) = cursor.fetchone()
    assert "Secret finding" not in stored
    trail = " ".join(str(e.changes) for e in AuditEntry.objects.filter(object_pk=str(audit.pk)))
    assert "Secret finding" not in trail


def test_quality_audits_due_lists_what_is_assigned_to_me(world):
    audit = assign(world)
    due = selectors.quality_audits_due(world["auditor"])
    assert (due.count, due.overdue, [a.pk for a in due.rows]) == (1, 0, [audit.pk])
    later = selectors.quality_audits_due(
        world["auditor"], today=timezone.localdate() + timedelta(days=30)
    )
    assert later.overdue == 1
    complete(world, audit)
    assert selectors.quality_audits_due(world["auditor"]).count == 0
    assert selectors.quality_audits_due(world["manager"]).count == 0


def test_the_grades_report_shows_a_completed_audit_and_its_open_action(world):
    complete(world, assign(world))
    report = report_selectors.quality_audit_grades(report_selectors.last_twelve_months())
    assert [row[2:] for row in report.rows] == [(0, 1, 0, 0, 1)]
    assert [b.value for b in report.bars] == [0, 1, 0, 0]


# The pages ----------------------------------------------------------------------------------


def test_the_manager_assigns_on_the_page(client, world):
    sign_in(client, world["manager"])
    due = timezone.localdate() + timedelta(days=3)
    response = client.post(
        "/quality-audits/new/",
        {"kind": "contact_decision", "number": world["decision"].pk,
         "auditor": world["auditor"].pk, "due_0": due.day, "due_1": due.month,
         "due_2": due.year},
    )  # fmt: skip
    audit = QualityAudit.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/quality-audits/{audit.pk}/"


def test_bad_input_shows_an_error_summary_and_changes_nothing(client, world):
    sign_in(client, world["manager"])
    response = client.post(
        "/quality-audits/new/", {"kind": "contact_decision", "number": "abc", "due_0": "40"}
    )
    assert response.status_code == 200
    assert b"govuk-error-summary" in response.content
    assert not QualityAudit.objects.exists()
    response = client.post(
        "/quality-audits/new/",
        {"kind": "contact_decision", "number": 999999, "auditor": world["auditor"].pk,
         "due_0": "1", "due_1": "1", "due_2": "2030"},
    )  # fmt: skip
    assert response.status_code == 409
    assert b"govuk-error-summary" in response.content
    assert not QualityAudit.objects.exists()


def test_the_auditor_records_and_the_worker_responds_on_the_pages(client, world):
    audit = assign(world)
    sign_in(client, world["auditor"])
    action_due = timezone.localdate() + timedelta(days=9)
    form = {
        f"question_{world['question'].pk}": "met", "grade": "good",
        "findings": "Clear rationale", "action_description": "Tell the referrer",
        "action_owner": world["worker"].pk, "action_due_0": action_due.day,
        "action_due_1": action_due.month, "action_due_2": action_due.year,
        "version": audit.version, "complete": "",
    }  # fmt: skip
    response = client.post(f"/quality-audits/{audit.pk}/record/", form)
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.state == QualityAuditState.COMPLETED
    assert audit.actions.count() == 1
    sign_in(client, world["worker"])
    page = client.get(f"/quality-audits/{audit.pk}/")
    assert b"data-keep-draft" in page.content
    response = client.post(f"/quality-audits/{audit.pk}/", {"response": "Will do"})
    assert response.status_code == 302
    audit.refresh_from_db()
    assert audit.state == QualityAuditState.RESPONDED


def test_completing_on_the_page_without_answers_shows_errors(client, world):
    audit = assign(world)
    sign_in(client, world["auditor"])
    response = client.post(
        f"/quality-audits/{audit.pk}/record/", {"version": audit.version, "complete": ""}
    )
    assert response.status_code == 200
    assert b"Choose the grade" in response.content
    assert b"Answer this question" in response.content
    assert QualityAudit.objects.get(pk=audit.pk).state == QualityAuditState.ASSIGNED


def test_another_practitioner_does_not_learn_the_audit_exists(client, world, make_user):
    audit = assign(world)
    sign_in(client, make_user(Role.PRACTITIONER))
    assert client.get(f"/quality-audits/{audit.pk}/").status_code == 404
    sign_in(client, world["admin"])
    assert client.get(f"/quality-audits/{audit.pk}/").status_code == 403


def test_the_administrator_keeps_the_questions(client, world):
    sign_in(client, world["admin"])
    assert client.post("/quality-audits/questions/", {"text": ""}).status_code == 200
    response = client.post("/quality-audits/questions/", {"text": "Was the family told?"})
    assert response.status_code == 302
    assert AuditQuestion.objects.filter(is_active=True).count() == 2
    response = client.post(f"/quality-audits/questions/{world['question'].pk}/retire/")
    assert response.status_code == 302
    assert AuditQuestion.objects.filter(is_active=True).count() == 1
    sign_in(client, world["manager"])
    assert client.get("/quality-audits/questions/").status_code == 403


def test_the_list_query_count_is_the_same_for_one_audit_and_many(
    client, world, django_assert_max_num_queries
):
    sign_in(client, world["manager"])
    # Session, user, rights, the page of audits and its count, the user's due audits (count
    # and rows), the audit entry of the list (chain lock, last entry, insert).
    bound = 16
    assign(world)
    with django_assert_max_num_queries(bound):
        assert client.get("/quality-audits/").status_code == 200
    for _ in range(5):
        assign(world)
    with django_assert_max_num_queries(bound):
        assert client.get("/quality-audits/").status_code == 200


# Actions marked done ----------------------------------------------------------------------


def test_the_owner_marks_an_action_done_once_and_the_report_counts_it_closed(world, make_user):
    audit = complete(world, assign(world))
    action = audit.actions.get()
    with pytest.raises(PermissionDenied):
        services.quality_audit_action_done(by=make_user(Role.PRACTITIONER), action=action)
    services.quality_audit_action_done(by=world["worker"], action=action)
    action.refresh_from_db()
    assert action.done_at is not None
    with pytest.raises(RuleBroken, match="already marked done"):
        services.quality_audit_action_done(by=world["auditor"], action=action)
    report = report_selectors.quality_audit_grades(report_selectors.last_twelve_months())
    assert [row[2:] for row in report.rows] == [(0, 1, 0, 0, 0)]


@pytest.mark.parametrize("who", ["auditor", "manager"])
def test_the_auditor_or_a_manager_marks_it_done_too(world, who):
    action = complete(world, assign(world)).actions.get()
    services.quality_audit_action_done(by=world[who], action=action)
    action.refresh_from_db()
    assert action.done_at is not None


def test_the_owner_marks_it_done_on_the_audit_page(client, world, make_user):
    audit = complete(world, assign(world))
    action = audit.actions.get()
    url = reverse("quality:action-done", args=[audit.pk, action.pk])
    page = reverse("quality:detail", args=[audit.pk])
    sign_in(client, world["worker"])
    html = client.get(page).content.decode()
    assert f'action="{url}"' in html and "Mark as done" in html
    response = client.post(url, follow=True)
    assert response.redirect_chain == [(page, 302)]
    assert "The action is marked done." in response.content.decode()
    action.refresh_from_db()
    assert action.done_at is not None
    again = client.post(url, follow=True)
    assert "This action is already marked done" in again.content.decode()
    # Another audit's address for this action answers 404; a GET goes to the audit's page.
    other = assign(world)
    elsewhere = reverse("quality:action-done", args=[other.pk, action.pk])
    assert client.post(elsewhere).status_code == 404
    assert client.get(url).status_code == 302
