"""Partner agencies in strategy discussions (strategy.services.partners,
strategy.views.partners): the shares convening makes, each agency's own part with its audience,
notes for everyone invited, actions, the joint section 47 shared with the police, and the
grants' expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts import sharing
from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.roles import Role
from accounts.sharing import SharingDecision, SharingRecord
from casework import access
from casework.errors import RuleBroken
from notes import services as note_services
from notes.models import Note
from strategy import services
from strategy.forms.discussions import RecordForm
from strategy.models import (
    Action,
    Attendance,
    ContributionAudience,
    DiscussionFormat,
    DiscussionOutcome,
    Participant,
    Section47,
    StrategyDiscussion,
)
from strategy.services import partners
from tests.conftest import sign_in
from tests.factories import AgencyFactory
from tests.strategy.factories import (
    TERMS,
    agencies,
    convened,
    next_steps_signed_off,
    recorded,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(make_user):
    return make_user(Role.PRACTITIONER, first_name="Wanda", last_name="Worker")


@pytest.fixture
def manager(make_user):
    return make_user(Role.MANAGER, first_name="Mina", last_name="Manager")


@pytest.fixture
def opened(worker, manager):
    return next_steps_signed_off(by=worker, signer=manager)


@pytest.fixture
def discussion(opened, worker):
    return convened(by=worker, referrals=[opened])


def agency(kind: str) -> Agency:
    return Agency.objects.get(name={"police": "Test police", "health": "Test health",
                                    "local_authority": "Test council"}[kind])  # fmt: skip


@pytest.fixture
def police(make_user, discussion):
    return make_user(Role.PARTNER_PRACTITIONER, agency=agency("police"), first_name="Pat")


@pytest.fixture
def health(make_user, discussion):
    return make_user(Role.PARTNER_PRACTITIONER, agency=agency("health"), first_name="Hal")


@pytest.fixture
def school(make_user, discussion):
    return make_user(
        Role.PARTNER_PRACTITIONER,
        agency=AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION),
    )


def part(discussion, kind: str) -> Participant:
    return discussion.participants.get(agency=agency(kind))


def contribute(user, discussion, kind, *, text, audience=ContributionAudience.INVITED):
    participant = part(discussion, kind)
    return partners.contribution_record(
        by=user, participant=participant, version=participant.version,
        attendance=Attendance.ATTENDED, attendees=f"{user.first_name}, officer",
        absence_reason="", contribution=text, audience=audience,
    )  # fmt: skip


def sign_off(discussion, *, by, signer, outcome=DiscussionOutcome.SECTION_47_JOINT):
    recorded(discussion, by=by, outcome=outcome)
    services.discussion_mark_held(by=by, discussion=discussion)
    return services.discussion_sign_off(by=signer, discussion=discussion, comment="Agreed")


def live_shares(obj, kind) -> list[SharingRecord]:
    return list(
        SharingRecord.objects.filter(
            content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk,
            agency=agency(kind), decision=SharingDecision.SHARED, ended_at__isnull=True,
        )
    )  # fmt: skip


# Sharing when convening --------------------------------------------------------------------


def test_convening_shares_with_each_partner_agency_with_its_lawful_basis(discussion, opened):
    police, health = live_shares(discussion, "police"), live_shares(discussion, "health")
    assert len(police) == len(health) == 1
    assert police[0].condition == sharing.SpecialCondition.LAW_ENFORCEMENT_SAFEGUARDING
    assert health[0].condition == sharing.SpecialCondition.SAFEGUARDING
    for record in police + health:
        assert record.article6 == sharing.Article6Basis.PUBLIC_TASK
        assert record.consent == TERMS.consent
        assert record.family_told is False and record.family_note == TERMS.family_note
        assert record.child_ref == opened.child.census_id
        assert record.expires_at is None
    assert not live_shares(discussion, "local_authority")  # the council is not "given" access
    assert StrategyDiscussion.objects.get(pk=discussion.pk).shared_history == TERMS.history


def test_a_discussion_about_two_children_records_a_share_for_each(worker, manager):
    first = next_steps_signed_off(by=worker, signer=manager)
    second = next_steps_signed_off(by=worker, signer=manager)
    both = convened(by=worker, referrals=[first, second])
    assert sorted(r.child_ref for r in live_shares(both, "police")) == sorted(
        [first.child.census_id, second.child.census_id]
    )


def test_convening_with_partners_needs_the_sharing_terms(opened, worker):
    for terms, message in [
        (None, "Say what is shared"),
        (partners.SharingTerms("", "maybe", False, "x"), "Choose the consent position"),
        (partners.SharingTerms("", TERMS.consent, None, "x"), "Say whether the family"),
        (partners.SharingTerms("", TERMS.consent, True, " "), "Say whether the family"),
    ]:
        with pytest.raises(RuleBroken, match=message):
            services.discussion_convene(
                by=worker, referrals=[opened], scheduled_for=timezone.now(),
                format=DiscussionFormat.VIDEO, chair=worker, agencies=agencies(),
                sharing_terms=terms,
            )  # fmt: skip
    assert not StrategyDiscussion.objects.exists()
    assert not SharingRecord.objects.exists()
    # The council alone needs no terms: nothing is shared.
    alone = services.discussion_convene(
        by=worker, referrals=[opened], scheduled_for=timezone.now(),
        format=DiscussionFormat.VIDEO, chair=worker, agencies=[agency("local_authority")],
    )  # fmt: skip
    assert not SharingRecord.objects.filter(object_id=alone.pk).exists()
    school = AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION)
    with pytest.raises(RuleBroken, match="Record what is shared"):
        services.discussion_invite(by=worker, discussion=alone, agency=school)
    assert not alone.participants.filter(agency=school).exists()


def test_inviting_a_partner_later_shares_the_discussion_and_its_notes(discussion, worker, opened):
    note = note_services.note_add(
        by=worker, child=opened.child, discussion=discussion, text="For everyone",
        audience=Note.Audience.INVITED,
    )  # fmt: skip
    note_services.note_add(by=worker, child=opened.child, discussion=discussion, text="Ours")
    school = AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION)
    services.discussion_invite(by=worker, discussion=discussion, agency=school)
    shares = SharingRecord.objects.filter(agency=school, decision=SharingDecision.SHARED)
    assert {(r.content_type.model, r.object_id) for r in shares} == {
        ("strategydiscussion", discussion.pk),
        ("note", note.pk),
    }


# Each agency's own part --------------------------------------------------------------------


def test_the_police_record_their_part_and_see_health_s_shared_one(discussion, police, health):
    contribute(police, discussion, "police", text="Two call-outs in May")
    contribute(health, discussion, "health", text="Missed appointments")
    saved = part(discussion, "police")
    assert saved.attendance == Attendance.ATTENDED and saved.recorded_by == police
    assert saved.version == 2 and saved.contribution == "Two call-outs in May"
    assert access.invited_discussions(police).filter(pk=discussion.pk).exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"attendance": Attendance.INVITED}, "Choose whether your agency attended"),
        ({"attendance": "maybe"}, "Choose whether your agency attended"),
        ({"attendees": " "}, "Enter who attended"),
        ({"attendance": Attendance.APOLOGIES}, "Say why your agency did not attend"),
        ({"audience": "everyone"}, "Choose who sees"),
        ({"version": 99}, "Someone else changed"),
    ],
)
def test_a_part_is_refused_when(discussion, police, change, message):
    participant = part(discussion, "police")
    arguments = {
        "by": police, "participant": participant, "version": participant.version,
        "attendance": Attendance.ATTENDED, "attendees": "Pat", "absence_reason": "",
        "contribution": "Text", "audience": ContributionAudience.INVITED, **change,
    }  # fmt: skip
    with pytest.raises(RuleBroken, match=message):
        partners.contribution_record(**arguments)
    assert part(discussion, "police").recorded_by is None


def test_an_agency_records_only_its_own_part_and_only_when_invited(discussion, police, school):
    with pytest.raises(RuleBroken, match="your own agency's part"):
        contribute(police, discussion, "health", text="Not ours")
    with pytest.raises(RuleBroken, match="not invited"):
        contribute(school, discussion, "police", text="Not invited")


def test_the_part_is_closed_once_the_discussion_is_held(discussion, police, worker):
    recorded(discussion, by=worker)
    services.discussion_mark_held(by=worker, discussion=discussion)
    with pytest.raises(RuleBroken, match="The record is closed"):
        contribute(police, discussion, "police", text="Late")


def test_the_council_s_record_keeps_what_an_agency_recorded_itself(discussion, police, worker):
    contribute(police, discussion, "police", text="Police's own words")
    discussion.refresh_from_db()
    form = RecordForm(discussion=discussion)
    assert part(discussion, "police") not in form.participants
    assert f"attendance_{part(discussion, 'police').pk}" not in form.fields
    with pytest.raises(RuleBroken, match="recorded its own part"):
        services.discussion_record(
            by=worker, discussion=discussion, version=discussion.version,
            attendance=[services.AttendanceRecord(
                participant_id=part(discussion, "police").pk, attendance=Attendance.ATTENDED,
                attendees="Someone", contribution="Overwritten",
            )],
        )  # fmt: skip
    # The council's full record of the others still works; holding the discussion counts the
    # police's own attendance, and their words are kept.
    participants = [p for p in discussion.participants.select_related("agency")
                    if p.agency.kind != Agency.Kind.POLICE]  # fmt: skip
    services.discussion_record(
        by=worker, discussion=discussion, version=discussion.version,
        attendance=[services.AttendanceRecord(
            participant_id=p.pk, attendance=Attendance.ATTENDED, attendees="Someone",
            contribution="Said",
        ) for p in participants],
    )  # fmt: skip
    assert part(discussion, "police").contribution == "Police's own words"


# Notes --------------------------------------------------------------------------------------


def test_notes_reach_partners_only_with_their_audience(discussion, worker, opened, police, health):
    shared = note_services.note_add(
        by=worker, child=opened.child, discussion=discussion, text="Shared note",
        audience=Note.Audience.INVITED,
    )  # fmt: skip
    note_services.note_add(by=worker, child=opened.child, discussion=discussion, text="LA")
    own = note_services.partner_note_add(
        by=police, discussion=discussion, child_id=opened.child_id, text="Police to LA only",
        audience=Note.Audience.LOCAL_AUTHORITY,
    )  # fmt: skip
    assert set(access.visible_discussion_notes(police, discussion)) == {shared, own}
    assert set(access.visible_discussion_notes(health, discussion)) == {shared}
    with pytest.raises(RuleBroken, match="Only a note on a strategy discussion"):
        note_services.note_add(
            by=worker, child=opened.child, referral=opened, text="x",
            audience=Note.Audience.INVITED,
        )  # fmt: skip


def test_a_corrected_shared_note_is_shared_too(discussion, worker, opened, health):
    note = note_services.note_add(
        by=worker, child=opened.child, discussion=discussion, text="First",
        audience=Note.Audience.INVITED,
    )  # fmt: skip
    corrected = note_services.note_correct(by=worker, note=note, text="Second", significant=False)
    assert corrected.audience == Note.Audience.INVITED
    assert set(access.visible_discussion_notes(health, discussion)) == {note, corrected}


def test_partner_notes_are_refused_without_text_child_or_invitation(
    discussion, police, school, opened, make_user
):
    cases = [
        (police, {"text": " "}, "Write the note"),
        (police, {"audience": "all"}, "Choose who sees"),
        (police, {"child_id": opened.child_id + 999}, "Choose a child"),
        (school, {}, "not invited"),
    ]
    for user, change, message in cases:
        arguments = {
            "by": user, "discussion": discussion, "child_id": opened.child_id, "text": "Note",
            "audience": Note.Audience.INVITED, **change,
        }  # fmt: skip
        with pytest.raises(RuleBroken, match=message):
            note_services.partner_note_add(**arguments)
    assert not Note.objects.exists()


# The joint enquiry and expiry --------------------------------------------------------------


def test_a_joint_enquiry_is_shared_with_the_police_only(
    discussion, worker, manager, police, health
):
    sign_off(discussion, by=worker, signer=manager)
    enquiry = Section47.objects.get()
    assert enquiry.joint
    assert list(access.shared_enquiries(police)) == [enquiry]
    assert not access.shared_enquiries(health).exists()
    single = next_steps_signed_off(by=worker, signer=manager)
    sign_off(
        convened(by=worker, referrals=[single]), by=worker, signer=manager,
        outcome=DiscussionOutcome.SECTION_47_SINGLE,
    )  # fmt: skip
    assert list(access.shared_enquiries(police)) == [enquiry]


def test_grants_end_days_after_sign_off_with_no_open_action(
    discussion, worker, manager, police, settings
):
    settings.PARTNER_GRANT_DAYS = 30
    signed = sign_off(discussion, by=worker, signer=manager)
    (record,) = live_shares(discussion, "police")
    assert record.expires_at == signed.reviewed_at + timedelta(days=30)
    assert access.invited_discussions(police).exists()
    later = record.expires_at + timedelta(seconds=1)
    assert not sharing.shared_with(police, StrategyDiscussion, access.DISCUSSION_VIEW, now=later)
    assert sharing.expire_grants(now=later) >= 2  # police and health
    assert not live_shares(discussion, "police")


def test_an_open_action_keeps_the_grant_until_it_is_done(
    discussion, worker, manager, police, health, settings
):
    settings.PARTNER_GRANT_DAYS = 10
    action = services.discussion_action_add(
        by=worker, discussion=discussion, description="Share the call-out log", owner="DC Pat",
        agency=agency("police"), due=timezone.localdate() + timedelta(days=3),
    )  # fmt: skip
    signed = sign_off(discussion, by=worker, signer=manager)
    assert live_shares(discussion, "police")[0].expires_at is None
    assert live_shares(discussion, "health")[0].expires_at == signed.reviewed_at + timedelta(
        days=10
    )
    with pytest.raises(RuleBroken, match="your own agency's actions"):
        partners.action_done(by=health, action=action)
    done = partners.action_done(by=police, action=action)
    assert done.done_by == police
    assert live_shares(discussion, "police")[0].expires_at == done.done_at + timedelta(days=10)
    with pytest.raises(RuleBroken, match="already done"):
        partners.action_done(by=police, action=action)


def test_a_cancelled_discussion_s_grants_end_after_the_cancellation(discussion, worker, settings):
    settings.PARTNER_GRANT_DAYS = 5
    cancelled = services.discussion_cancel(by=worker, discussion=discussion, reason="Moved away")
    for kind in ("police", "health"):
        assert live_shares(discussion, kind)[0].expires_at == cancelled.cancelled_at + timedelta(
            days=5
        )


def test_after_expiry_the_agency_keeps_only_what_it_contributed(
    discussion, worker, manager, police, health, settings
):
    contribute(police, discussion, "police", text="Police's own words")
    sign_off(discussion, by=worker, signer=manager)
    SharingRecord.objects.filter(agency=agency("police")).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert not access.invited_discussions(police).exists()
    assert list(access.contributed_discussions(police)) == [discussion]
    assert not access.contributed_discussions(health).exists()


# Pages --------------------------------------------------------------------------------------

PAGES = ("invitations", "invitation", "invitation-part")


def page_url(name: str, discussion) -> str:
    if name == "invitations":
        return reverse("strategy:invitations")
    return reverse(f"strategy:{name}", args=[discussion.pk])


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.PRACTITIONER, 403), (Role.MANAGER, 403), (Role.CONFERENCE_CHAIR, 403),
        (Role.AUDITOR, 403), (Role.SYSTEM_ADMINISTRATOR, 403),
    ],
)  # fmt: skip
def test_council_roles_are_refused_the_partner_pages(
    client, make_user, discussion, name, role, status
):
    sign_in(client, make_user(role))
    assert client.get(page_url(name, discussion)).status_code == status


@pytest.mark.parametrize("name", PAGES)
def test_invited_partners_see_the_pages_and_others_get_404(
    client, discussion, police, school, make_user, name
):
    sign_in(client, police)
    assert client.get(page_url(name, discussion)).status_code == 200
    other_force = make_user(
        Role.PARTNER_SAFEGUARDING_LEAD,
        agency=AgencyFactory(name="Other police", kind=Agency.Kind.POLICE),
    )
    for outsider in (school, other_force):
        sign_in(client, outsider)
        expected = 200 if name == "invitations" else 404
        response = client.get(page_url(name, discussion))
        assert response.status_code == expected
        if name == "invitations":
            assert str(discussion) not in response.content.decode()


def test_the_invitation_page_shows_what_is_shared_within_its_audience(
    client, discussion, police, health, opened
):
    contribute(police, discussion, "police", text="POLICE-WORDS")
    contribute(health, discussion, "health", text="HEALTH-FOR-ALL")
    sign_in(client, police)
    page = client.get(page_url("invitation", discussion)).content.decode()
    assert "POLICE-WORDS" in page and "HEALTH-FOR-ALL" in page
    assert TERMS.history in page and opened.child.first_name in page
    assert "Chronology read" not in page  # the council's own record is not shared
    # Health changes its audience to the council only: the police no longer see it.
    participant = part(discussion, "health")
    partners.contribution_record(
        by=health, participant=participant, version=participant.version,
        attendance=Attendance.ATTENDED, attendees="Hal", absence_reason="",
        contribution="HEALTH-LA-ONLY", audience=ContributionAudience.LOCAL_AUTHORITY,
    )  # fmt: skip
    page = client.get(page_url("invitation", discussion)).content.decode()
    assert "HEALTH-LA-ONLY" not in page and "Shared with the local authority only" in page
    entries = AuditEntry.objects.filter(event=Event.READ, actor=police)
    assert entries.filter(child_ref=opened.child.census_id).exists()


def test_recording_a_part_on_its_page(client, discussion, police):
    sign_in(client, police)
    url = page_url("invitation-part", discussion)
    version = part(discussion, "police").version
    response = client.post(url, {"version": version, "attendance": "attended"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page and "Enter who attended for your agency" in page
    assert "Choose who sees what your agency shared" in page
    assert part(discussion, "police").recorded_by is None
    response = client.post(url, {
        "version": version, "attendance": "attended", "attendees": "DC Pat",
        "contribution": "Call-outs", "audience": "invited",
    })  # fmt: skip
    assert response.status_code == 302
    assert part(discussion, "police").contribution == "Call-outs"
    # The same form again, now out of date: the other person's part is shown, nothing saved.
    response = client.post(url, {
        "version": version, "attendance": "attended", "attendees": "DC Pat",
        "contribution": "Stale", "audience": "invited",
    })  # fmt: skip
    assert response.status_code == 409
    assert "Someone else changed" in response.content.decode()
    assert part(discussion, "police").contribution == "Call-outs"


def test_notes_and_actions_on_the_invitation_page(client, discussion, police, worker, manager):
    action = services.discussion_action_add(
        by=worker, discussion=discussion, description="Check the log", owner="DC Pat",
        agency=agency("police"), due=timezone.localdate() + timedelta(days=2),
    )  # fmt: skip
    sign_in(client, police)
    note_url = reverse("strategy:invitation-note", args=[discussion.pk])
    response = client.post(note_url, {"text": "", "audience": "everyone"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert "Write the note" in response.content.decode() and not Note.objects.exists()
    child = discussion.children.get().child_id
    assert (
        client.post(
            note_url, {"child": child, "text": "Police note", "audience": "invited"}
        ).status_code
        == 302
    )
    assert Note.objects.get().author == police
    done_url = reverse("strategy:invitation-action-done", args=[discussion.pk, action.pk])
    assert client.post(done_url).status_code == 409  # not held yet
    sign_off(discussion, by=worker, signer=manager)
    assert client.post(done_url).status_code == 302
    assert Action.objects.get(pk=action.pk).done_by == police
    # A reload of that address goes to the invitation's page (never a 405).
    response = client.get(done_url)
    assert response.status_code == 302
    assert response["Location"] == reverse("strategy:invitation", args=[discussion.pk])


def test_an_expired_grant_leaves_only_the_agency_s_own_part(
    client, discussion, worker, manager, police, health
):
    contribute(police, discussion, "police", text="POLICE-KEPT")
    contribute(health, discussion, "health", text="HEALTH-GONE")
    sign_off(discussion, by=worker, signer=manager)
    SharingRecord.objects.update(expires_at=timezone.now() - timedelta(minutes=1))
    sign_in(client, police)
    page = client.get(page_url("invitation", discussion)).content.decode()
    assert "POLICE-KEPT" in page and "HEALTH-GONE" not in page
    assert TERMS.history not in page
    assert client.get(page_url("invitation-part", discussion)).status_code == 404
    listed = client.get(page_url("invitations", discussion)).content.decode()
    assert "Access ended" in listed
    enquiry = Section47.objects.get()
    assert client.get(reverse("strategy:joint-enquiry", args=[enquiry.pk])).status_code == 404
    sign_in(client, health)  # health recorded its part too, so it keeps it
    assert "HEALTH-GONE" in client.get(page_url("invitation", discussion)).content.decode()


def test_the_joint_enquiry_page(client, discussion, worker, manager, police, health, opened):
    sign_off(discussion, by=worker, signer=manager)
    enquiry = Section47.objects.get()
    url = reverse("strategy:joint-enquiry", args=[enquiry.pk])
    sign_in(client, police)
    page = client.get(url)
    assert page.status_code == 200 and opened.child.first_name in page.content.decode()
    assert (
        "Joint enquiry started" in client.get(page_url("invitation", discussion)).content.decode()
    )
    sign_in(client, health)
    assert client.get(url).status_code == 404


def test_partner_page_queries_do_not_grow(
    client, worker, manager, police, discussion, django_assert_max_num_queries
):
    sign_in(client, police)
    with django_assert_max_num_queries(16):
        client.get(page_url("invitations", discussion))
    with django_assert_max_num_queries(24):
        client.get(page_url("invitation", discussion))
    for _ in range(8):
        more = convened(by=worker, referrals=[next_steps_signed_off(by=worker, signer=manager)])
        note_services.note_add(
            by=worker, child=more.children.get().child, discussion=more, text="n",
            audience=Note.Audience.INVITED,
        )  # fmt: skip
    for _ in range(5):
        note_services.note_add(
            by=worker, child=discussion.children.get().child, discussion=discussion, text="n",
            audience=Note.Audience.INVITED,
        )  # fmt: skip
        services.discussion_action_add(
            by=worker, discussion=discussion, description="a", owner="o",
            agency=agency("police"), due=timezone.localdate(),
        )  # fmt: skip
    with django_assert_max_num_queries(16):
        assert len(client.get(page_url("invitations", discussion)).context["page"]) == 9
    with django_assert_max_num_queries(24):
        client.get(page_url("invitation", discussion))


def test_the_convene_page_asks_what_the_invited_agencies_see(client, worker, opened):
    from tests.strategy.test_discussion_pages import convene_post

    sign_in(client, worker)
    agencies()
    url = reverse("strategy:discussion-new", args=[opened.pk])
    data = convene_post(opened, worker)
    for name in ("sharing_consent", "sharing_family_told", "sharing_family_note"):
        del data[name]
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200 and "govuk-error-summary" in page
    for message in (
        "Choose the consent position for sharing with the agencies",
        "Say whether the family has been told what is shared",
        "Say what the family was told, or why not",
    ):
        assert message in page
    assert not StrategyDiscussion.objects.exists() and not SharingRecord.objects.exists()
    assert client.post(url, convene_post(opened, worker)).status_code == 302
    assert SharingRecord.objects.filter(decision=SharingDecision.SHARED).count() == 2


def test_the_council_sees_each_agency_s_own_part_and_its_audience(
    client, discussion, police, worker
):
    contribute(police, discussion, "police", text="POLICE-WORDS", audience="la")
    sign_in(client, worker)
    page = client.get(reverse("strategy:discussion", args=[discussion.pk])).content.decode()
    assert "POLICE-WORDS" in page
    assert "Recorded by Test police itself" in page and "the local authority only" in page
    record = client.get(reverse("strategy:discussion-record", args=[discussion.pk]))
    assert "Test police recorded its own attendance and contribution" in record.content.decode()


def test_the_invitations_list_costs_the_same_with_10000_grants(
    client, discussion, police, worker, opened
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import bulk_grants

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("strategy:invitations"))
        assert [row.discussion_id for row in response.context["page"]] == [discussion.pk]
        return len(queries)

    sign_in(client, police)
    one = count()
    health = agency("health")
    bulk_grants(
        by=worker,
        granted=[
            (agency("police"), Note, access.NOTE_VIEW),  # other objects, the same agency
            (agency("police"), Section47, access.SECTION47_VIEW),
            (health, StrategyDiscussion, access.DISCUSSION_VIEW),  # other agencies
            (health, Note, access.NOTE_VIEW),
            (AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION),
             StrategyDiscussion, access.DISCUSSION_VIEW),
        ],
        each=2000,
    )  # fmt: skip
    assert SharingRecord.objects.count() > 10_000
    assert count() == one
