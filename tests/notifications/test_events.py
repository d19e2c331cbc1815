"""What is sent, and to whom (issue 24): each service writes its event in its own
transaction; the worker makes one message per recipient, each a link and nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.audit import AuditEntry, Event
from accounts.models import Agency, User
from accounts.notices import NoticeKind, notices_send
from accounts.roles import Role
from casework.errors import ChangedBySomeoneElse, RuleBroken
from casework.models import EventKind, OutboxEvent
from notifications import services
from notifications.models import Notification, Preference, Status, Template, Timing
from referrals import services as referral_services
from strategy import services as strategy_services
from strategy.models import StrategyDiscussion
from tests.factories import AgencyFactory
from tests.referrals.factories import proposed
from tests.referrals.test_partner_referrals import record_with_la_work, submit
from tests.strategy.factories import convened, next_steps_signed_off

pytestmark = pytest.mark.django_db

SITE = "https://front-door.example.gov.uk"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SERVICE_URL = SITE


@pytest.fixture
def people(make_user):
    return {
        "practitioner": make_user(Role.PRACTITIONER),
        "manager": make_user(Role.MANAGER),
    }


def queued(template: Template) -> list[Notification]:
    services.queue_from_outbox()
    return list(Notification.objects.filter(template=template).order_by("email_address"))


def test_convening_invites_each_partner_agency_but_not_the_council(people):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    police = AgencyFactory(name="Test police", kind=Agency.Kind.POLICE)
    police.shared_mailbox = "mash@police.example.invalid"
    police.save()
    discussion = convened(by=people["practitioner"], referrals=[opened])

    events = OutboxEvent.objects.filter(kind=EventKind.DISCUSSION_INVITED)
    assert {e.agency.name for e in events} == {"Test police", "Test health"}
    messages = queued(Template.DISCUSSION_INVITATION)
    assert [m.email_address for m in messages] == ["mash@police.example.invalid"]
    assert messages[0].personalisation == {"link": f"{SITE}/invitations/{discussion.pk}/"}


def test_inviting_another_agency_later_tells_it(people):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = convened(by=people["practitioner"], referrals=[opened])
    school = AgencyFactory(name="Test school", kind=Agency.Kind.EDUCATION,
                           shared_mailbox="office@school.example.invalid")  # fmt: skip
    strategy_services.discussion_invite(by=people["practitioner"], discussion=discussion,
                                        agency=school)  # fmt: skip
    addresses = [m.email_address for m in queued(Template.DISCUSSION_INVITATION)]
    assert "office@school.example.invalid" in addresses


def test_rescheduling_moves_the_time_audits_it_and_tells_the_invited_agencies(people, make_user):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = convened(by=people["practitioner"], referrals=[opened])
    officer = make_user(Role.PARTNER_PRACTITIONER, agency=Agency.objects.get(name="Test police"))
    later = discussion.scheduled_for + timedelta(days=1)

    moved = strategy_services.discussion_reschedule(
        by=people["practitioner"], discussion=discussion, scheduled_for=later,
        version=discussion.version,
    )  # fmt: skip

    assert moved.scheduled_for == later and moved.version == discussion.version + 1
    entry = AuditEntry.objects.get(event=Event.TRANSITION,
                                   additional_data__transition="reschedule")  # fmt: skip
    assert entry.additional_data["reason"].startswith("Moved from ")
    messages = queued(Template.DISCUSSION_RESCHEDULED)
    assert [m.recipient for m in messages] == [officer]
    assert messages[0].personalisation == {"link": f"{SITE}/invitations/{discussion.pk}/"}


def test_rescheduling_refuses_a_stale_page_and_a_held_discussion(people):
    opened = next_steps_signed_off(by=people["practitioner"], signer=people["manager"])
    discussion = convened(by=people["practitioner"], referrals=[opened])
    with pytest.raises(ChangedBySomeoneElse):
        strategy_services.discussion_reschedule(
            by=people["practitioner"], discussion=discussion,
            scheduled_for=discussion.scheduled_for + timedelta(hours=1), version=99,
        )  # fmt: skip
    with pytest.raises(RuleBroken, match="different"):
        strategy_services.discussion_reschedule(
            by=people["practitioner"], discussion=discussion,
            scheduled_for=discussion.scheduled_for, version=discussion.version,
        )  # fmt: skip
    strategy_services.discussion_cancel(by=people["practitioner"], discussion=discussion,
                                        reason="No longer needed")  # fmt: skip
    with pytest.raises(RuleBroken, match="not yet held"):
        strategy_services.discussion_reschedule(
            by=people["practitioner"], discussion=StrategyDiscussion.objects.get(pk=discussion.pk),
            scheduled_for=discussion.scheduled_for + timedelta(hours=1),
            version=discussion.version,
        )  # fmt: skip
    assert not OutboxEvent.objects.filter(kind=EventKind.DISCUSSION_RESCHEDULED).exists()


def test_a_returned_proposal_tells_its_author(people, make_user):
    contact_child = proposed(by=people["practitioner"])
    referral_services.decision_return(by=people["manager"], contact_child=contact_child,
                                      comment="Say more about the father")  # fmt: skip
    [message] = queued(Template.PROPOSAL_RETURNED)
    assert message.recipient == people["practitioner"]
    assert message.personalisation == {
        "link": f"{SITE}/contacts/{contact_child.contact_id}/children/{contact_child.pk}/"
    }


def test_feedback_on_a_partner_referral_tells_the_referrer_once(demo):
    police = User.objects.get(username="police")
    referral = submit(police)
    record_with_la_work(referral)
    [message] = queued(Template.REFERRAL_FEEDBACK)
    assert message.recipient == police
    assert message.personalisation == {"link": f"{SITE}/my-referrals/{referral.pk}/"}


def test_someone_who_chose_the_digest_is_held_and_counted_in_it(people, settings):
    Preference.objects.create(user=people["practitioner"], timing=Timing.DIGEST)
    contact_child = proposed(by=people["practitioner"])
    referral_services.decision_return(by=people["manager"], contact_child=contact_child,
                                      comment="Say more")  # fmt: skip
    [message] = queued(Template.PROPOSAL_RETURNED)
    assert message.status == Status.HELD
    assert services.send_due() == 0

    morning = timezone.localtime().replace(hour=settings.DIGEST_HOUR, minute=5)
    assert services.queue_digests(now=morning) >= 1
    digest = Notification.objects.get(template=Template.DIGEST, recipient=people["practitioner"])
    assert digest.personalisation["other_updates"] == 1
    message.refresh_from_db()
    assert message.status == Status.IN_DIGEST
    # Once a day: the next run queues nothing more for them.
    services.queue_digests(now=morning + timedelta(minutes=15))
    assert Notification.objects.filter(template=Template.DIGEST,
                                       recipient=people["practitioner"]).count() == 1  # fmt: skip


def test_an_in_app_notice_is_emailed_to_its_recipient_once(people):
    notices_send(
        recipients=[people["manager"]], kind=NoticeKind.BREAK_GLASS, link="/children/1/",
        actor=people["practitioner"], reference="FD000001",
    )  # fmt: skip
    assert services.queue_from_notices() == 1
    assert services.queue_from_notices() == 0
    [message] = Notification.objects.filter(template=Template.NOTICE)
    assert message.recipient == people["manager"]
    assert message.personalisation == {"link": f"{SITE}/notices/"}
