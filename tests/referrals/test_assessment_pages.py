"""The assessment pages: the assessment, recording the census factors and analysis (with a
second editor told), and authorising by a manager other than the completer, after a check."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import sessions
from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals import services
from referrals.models.episodes import Assessment, AssessmentState, NextSteps
from tests.conftest import sign_in
from tests.strategy.factories import next_steps_signed_off

pytestmark = pytest.mark.django_db

READERS = [Role.PRACTITIONER, Role.MANAGER, Role.CONFERENCE_CHAIR, Role.AUDITOR]
OUTSIDERS = [
    (Role.PARTNER_PRACTITIONER, 404),
    (Role.PARTNER_SAFEGUARDING_LEAD, 404),
    (Role.SYSTEM_ADMINISTRATOR, 403),
]
COMPLETERS = [
    (Role.PRACTITIONER, 200),
    (Role.MANAGER, 200),
    (Role.CONFERENCE_CHAIR, 403),
    (Role.AUDITOR, 403),
    *OUTSIDERS,
]
AUTHORISERS = [
    (Role.MANAGER, 200),
    (Role.PRACTITIONER, 403),
    (Role.CONFERENCE_CHAIR, 403),
    (Role.AUDITOR, 403),
    *OUTSIDERS,
]


def url(name: str, assessment: Assessment | int) -> str:
    return reverse(f"referrals:{name}", args=[getattr(assessment, "pk", assessment)])


def fresh(assessment: Assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


def complete(assessment: Assessment, *, by, factors=("3B", "16A"), analysis="Neglect, and DA"):
    return services.assessment_complete(
        by=by, assessment=assessment, factors=list(factors), analysis=analysis,
        version=fresh(assessment).version,
    )  # fmt: skip


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Pat", last_name="Worker")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mo", last_name="Manager")


@pytest.fixture
def assessment(worker, manager):
    referral = next_steps_signed_off(by=worker, signer=manager, next_steps=NextSteps.ASSESSMENT)
    return Assessment.objects.get(referral=referral)


@pytest.fixture
def completed(assessment, worker):
    return complete(assessment, by=worker)


# Who sees and does what ---------------------------------------------------------------------


@pytest.mark.parametrize("role", READERS)
def test_readers_see_the_assessment(client, make_user, completed, role):
    sign_in(client, make_user(role))
    response = client.get(url("assessment", completed))
    page = response.content.decode()
    assert response.status_code == 200
    assert completed.child.census_id in page and "Sib0 Jones" in page
    assert "3B: domestic abuse, a parent or carer" in page and "16A: neglect" in page
    assert "Neglect, and DA" in page and "Pat Worker" in page
    assert f"{completed.due:%-d %B %Y}" in page


@pytest.mark.parametrize(("role", "status"), OUTSIDERS)
def test_partners_and_the_administrator_are_refused_everywhere(
    client, make_user, completed, role, status
):
    sign_in(client, make_user(role))
    names = ["assessment", "assessment-complete", "assessment-authorise",
             "assessment-authorise-check"]  # fmt: skip
    for name in names:
        response = client.get(url(name, completed))
        assert response.status_code == status, name
        assert "Neglect" not in response.content.decode()
        assert client.post(url(name, completed), {"comment": "x"}).status_code == status
        assert client.get(url(name, 999999)).status_code == status
    assert fresh(completed).state == AssessmentState.OPEN
    assert AuditEntry.objects.filter(event=Event.REFUSED).count() == 3 * len(names)


@pytest.mark.parametrize(("role", "status"), COMPLETERS)
def test_who_may_record_the_factors(client, make_user, assessment, role, status):
    sign_in(client, make_user(role))
    assert client.get(url("assessment-complete", assessment)).status_code == status
    response = client.post(
        url("assessment-complete", assessment),
        {"factors": ["21"], "analysis": "Nothing found", "version": assessment.version, **SEEN},
    )
    assert response.status_code == (302 if status == 200 else status)
    assert (fresh(assessment).factors == ["21"]) == (status == 200)
    if status != 404:
        page = client.get(url("assessment", assessment)).content.decode()
        assert (url("assessment-complete", assessment) in page) == (status == 200)


@pytest.mark.parametrize(("role", "status"), AUTHORISERS)
def test_who_may_authorise(client, make_user, completed, role, status):
    sign_in(client, make_user(role))
    assert client.get(url("assessment-authorise", completed)).status_code == status
    response = client.post(url("assessment-authorise", completed), {"comment": ""})
    assert response.status_code == (302 if status == 200 else status)
    assert client.get(url("assessment-authorise-check", completed)).status_code == status
    response = client.post(url("assessment-authorise-check", completed))
    assert response.status_code == (302 if status == 200 else status)
    authorised = fresh(completed).state == AssessmentState.AUTHORISED
    assert authorised == (status == 200)


# Recording the factors and analysis ---------------------------------------------------------


def test_a_practitioner_records_the_factors_and_analysis(client, worker, assessment):
    sign_in(client, worker)
    form = client.get(url("assessment-complete", assessment)).context["form"]
    page = client.get(url("assessment-complete", assessment)).content.decode()
    assert "21: no factors identified" in page and "govuk-checkboxes__divider" in page
    response = client.post(
        url("assessment-complete", assessment),
        {"factors": ["4B", "17A"], "analysis": "Mother unwell; child withdrawn",
         "child_seen": "yes", "needs_support": "no", "version": form.initial["version"]},
    )  # fmt: skip
    assert response.url == url("assessment", assessment)
    saved = fresh(assessment)
    assert saved.factors == ["4B", "17A"] and saved.analysis == "Mother unwell; child withdrawn"
    assert saved.child_seen is True and saved.needs_support is False
    assert saved.completed_by == worker and saved.version == assessment.version + 1
    assert saved.state == AssessmentState.OPEN
    page = client.get(url("assessment", saved)).content.decode()
    assert "4B: mental health, a parent or carer" in page and "17A: emotional abuse" in page
    assert "Waiting for a manager to authorise" in page
    assert 'Child seen during the assessment</dt><dd class="govuk-summary-list__value">Yes' in page


SEEN = {"child_seen": "yes", "needs_support": "yes"}


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"analysis": "x", "needs_support": "no"}, "child_seen",
         "Choose whether the child was seen during the assessment"),
        ({"analysis": "x", "child_seen": "no", "needs_support": "maybe"}, "needs_support",
         "Select a valid choice"),
        ({"analysis": "x", **SEEN}, "factors",
         "Choose the factors identified, or &#x27;no factors identified&#x27;"),
        ({"factors": ["21", "1A"], "analysis": "x", **SEEN}, "factors",
         "&#x27;No factors identified&#x27; cannot be chosen with a factor"),
        ({"factors": ["18A"], "analysis": "x", **SEEN}, "factors", "Select a valid choice"),
        ({"factors": ["1A"], "analysis": "", **SEEN}, "analysis",
         "Record the analysis of the assessment"),
        ({"factors": ["1A"], "analysis": "x", "version": "v2", **SEEN}, "factors",
         "This page is out of date"),
    ],
)  # fmt: skip
def test_bad_factors_show_the_error_summary_by_the_field_and_change_nothing(
    client, worker, assessment, data, field, message
):
    sign_in(client, worker)
    response = client.post(
        url("assessment-complete", assessment), {"version": assessment.version, **data}
    )
    page = response.content.decode()
    assert response.status_code == 200
    # The summary links to the field (or its first checkbox).
    assert page.count("govuk-error-summary__list") == 1 and f'href="#id_{field}' in page
    assert message in page
    if "version" not in data:
        assert f'id="id_{field}_1_error"' in page  # by the field too
    unchanged = fresh(assessment)
    assert unchanged.factors == [] and unchanged.completed_by is None
    assert unchanged.child_seen is None and unchanged.needs_support is None
    assert unchanged.version == assessment.version


def test_a_second_editor_is_told_sees_the_other_version_and_keeps_what_they_typed(
    client, make_user, worker, assessment
):
    sign_in(client, worker)
    version = client.get(url("assessment-complete", assessment)).context["form"].initial["version"]
    other = make_user(Role.PRACTITIONER)
    complete(assessment, by=other, factors=["10A"], analysis="Went missing twice")
    response = client.post(
        url("assessment-complete", assessment),
        {"factors": ["13A"], "analysis": "Gang contact at school", "version": version, **SEEN},
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "changed by someone else" in page
    assert "10A: going missing" in page and "Went missing twice" in page  # theirs
    assert "Gang contact at school" in page  # what this person typed, still in the form
    form = response.context["form"]
    assert form.initial["factors"] == ["13A"]
    assert fresh(assessment).analysis == "Went missing twice"  # theirs stands
    # Saving again, now knowing theirs, works.
    client.post(
        url("assessment-complete", assessment),
        {"factors": ["10A", "13A"], "analysis": "Both", "version": form.initial["version"], **SEEN},
    )
    assert fresh(assessment).factors == ["10A", "13A"]


def test_an_authorised_assessment_cannot_change(client, worker, manager, make_user, completed):
    services.assessment_authorise(by=manager, assessment=completed)
    sign_in(client, worker)
    page = client.get(url("assessment", completed)).content.decode()
    assert url("assessment-complete", completed) not in page
    response = client.post(
        url("assessment-complete", completed),
        {"factors": ["21"], "analysis": "Changed", "version": fresh(completed).version, **SEEN},
        follow=True,
    )
    assert "An authorised assessment cannot change" in response.content.decode()
    assert fresh(completed).analysis == "Neglect, and DA"


# Authorising --------------------------------------------------------------------------------


def test_a_manager_authorises_after_checking(client, manager, completed):
    sign_in(client, manager)
    page = client.get(url("assessment", completed)).content.decode()
    assert url("assessment-authorise", completed) in page
    page = client.get(url("assessment-authorise", completed)).content.decode()
    assert "Neglect, and DA" in page
    response = client.post(url("assessment-authorise", completed), {"comment": "Good analysis"})
    assert response.url == url("assessment-authorise-check", completed)
    check = client.get(response.url).content.decode()
    assert "Check your answers before authorising" in check and "Good analysis" in check
    assert fresh(completed).state == AssessmentState.OPEN  # not yet
    response = client.post(url("assessment-authorise-check", completed))
    assert response.url == url("assessment", completed)
    authorised = fresh(completed)
    assert authorised.state == AssessmentState.AUTHORISED
    assert authorised.authorised_by == manager
    assert authorised.authorisation_date == timezone.localdate()
    assert authorised.authorisation_comment == "Good analysis"
    assert sessions.kept(user=manager, key=f"assessment-authorise-{completed.pk}") is None
    page = client.get(url("assessment", authorised)).content.decode()
    assert "The assessment is authorised" in page and "Mo Manager" in page


def test_the_completer_cannot_authorise_and_is_told_on_the_page(
    client, make_user, manager, assessment
):
    make_user(Role.MANAGER)  # another manager exists
    mine = complete(assessment, by=manager)
    sign_in(client, manager)
    response = client.post(url("assessment-authorise", mine), {"comment": ""})
    page = response.content.decode()
    assert response.status_code == 409
    assert "govuk-error-summary" in page
    assert "You completed this assessment, so another manager must sign it off" in page
    assert "no other manager yet" not in page
    assert sessions.kept(user=manager, key=f"assessment-authorise-{mine.pk}") is None
    assert fresh(mine).state == AssessmentState.OPEN


def test_with_one_manager_the_page_says_it_waits_for_another(client, manager, assessment):
    mine = complete(assessment, by=manager)  # the only manager there is
    sign_in(client, manager)
    response = client.post(url("assessment-authorise", mine), {"comment": ""})
    assert response.status_code == 409
    assert "There is no other manager yet: it waits for one" in response.content.decode()
    assert fresh(mine).state == AssessmentState.OPEN


def test_an_assessment_without_factors_cannot_be_authorised(client, manager, assessment):
    sign_in(client, manager)
    assert (
        url("assessment-authorise", assessment)
        not in client.get(url("assessment", assessment)).content.decode()
    )
    response = client.get(url("assessment-authorise", assessment), follow=True)
    assert "Record the factors identified before" in response.content.decode()


def test_changes_after_the_manager_read_it_stop_the_authorisation(
    client, worker, manager, completed
):
    sign_in(client, manager)
    client.post(url("assessment-authorise", completed), {"comment": "Fine"})
    complete(completed, by=worker, factors=["21"], analysis="Rewritten")
    response = client.post(url("assessment-authorise-check", completed), follow=True)
    assert "changed by someone else" in response.content.decode()
    assert fresh(completed).state == AssessmentState.OPEN


def test_the_check_page_without_answers_goes_back_to_the_form(client, manager, completed):
    sign_in(client, manager)
    response = client.get(url("assessment-authorise-check", completed))
    assert response.url == url("assessment-authorise", completed)


# Due dates, audit, query counts --------------------------------------------------------------


def test_an_overdue_assessment_is_marked(client, worker, assessment):
    Assessment.objects.filter(pk=assessment.pk).update(due=timezone.localdate() - timedelta(days=1))
    sign_in(client, worker)
    assert "Overdue" in client.get(url("assessment", assessment)).content.decode()


def test_reads_of_the_page_and_the_forms_are_audited(client, manager, completed):
    sign_in(client, manager)
    for name in ("assessment", "assessment-complete", "assessment-authorise"):
        client.get(url(name, completed))
    reads = AuditEntry.objects.filter(event=Event.READ)
    assert reads.count() == 3
    assert {read.child_ref for read in reads} == {completed.child.census_id}
    assert {read.object_pk for read in reads} == {str(completed.pk)}


def test_the_referral_page_links_to_its_assessments(client, worker, completed):
    sign_in(client, worker)
    page = client.get(reverse("referrals:referral", args=[completed.referral_id])).content.decode()
    assert url("assessment", completed) in page
    assert "Completed by Pat Worker, to authorise" in page


@pytest.mark.parametrize("factors", [["21"], ["1A", "2B", "3C", "4A", "16A"]])
def test_assessment_page_query_count_does_not_grow(
    client, worker, assessment, factors, django_assert_max_num_queries
):
    complete(assessment, by=worker, factors=factors)
    sign_in(client, worker)
    # savepoint, session, user, rights, device; the assessment with its child, referral and
    # people; the read entry: savepoint, content type, chain lock (PostgreSQL), last entry,
    # insert, release; release
    with django_assert_max_num_queries(13):
        client.get(url("assessment", assessment))
