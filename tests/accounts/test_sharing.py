"""The one grantor: shares, decisions not to share, revocations and expiry, each recorded
with its lawful basis; what a partner sees is worked out in SQL with expiry applied."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from guardian.shortcuts import get_perms

from accounts.audit import AuditEntry, Event
from accounts.models import Agency
from accounts.roles import Role
from accounts.sharing import (
    Article6Basis,
    ConsentPosition,
    SharingDecision,
    SharingRecord,
    SharingRefused,
    SpecialCondition,
    decline,
    expire_grants,
    revoke,
    share,
    shared_with,
)
from strategy import services
from strategy.models import DiscussionFormat, StrategyDiscussion
from tests.strategy import factories

pytestmark = pytest.mark.django_db

VIEW = "strategy.view_strategydiscussion"
BASIS = {
    "article6": Article6Basis.PUBLIC_TASK,
    "condition": SpecialCondition.SAFEGUARDING,
    "consent": ConsentPosition.NOT_SOUGHT_WOULD_PREJUDICE,
    "family_told": False,
    "family_note": "Telling them would put the child at risk",
}


def council_only(worker, referral) -> StrategyDiscussion:
    council = factories.agencies()[0]
    return services.discussion_convene(
        by=worker, referrals=[referral], scheduled_for=timezone.now(),
        format=DiscussionFormat.VIDEO, chair=worker, agencies=[council],
    )  # fmt: skip


@pytest.fixture
def setting(make_user):
    worker, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    referral = factories.referral(by=worker, signer=manager)
    # A discussion with the council alone: convening shares nothing, so each test shares it.
    discussion = council_only(worker, referral)
    police = Agency.objects.get(name="Test police")
    officer = make_user(Role.PARTNER_PRACTITIONER, agency=police)
    health_nurse = make_user(
        Role.PARTNER_PRACTITIONER, agency=Agency.objects.get(name="Test health")
    )
    return {"worker": worker, "discussion": discussion, "police": police, "officer": officer,
            "nurse": health_nurse}  # fmt: skip


def visible(user):
    return StrategyDiscussion.objects.filter(pk__in=shared_with(user, StrategyDiscussion, VIEW))


def test_a_share_with_an_agency_is_seen_by_its_users_only_and_recorded(setting):
    record = share(
        by=setting["worker"], obj=setting["discussion"], permission=VIEW,
        agency=setting["police"], child_ref="FD000001", reason="Invited to the discussion",
        **BASIS,
    )  # fmt: skip
    assert list(visible(setting["officer"])) == [setting["discussion"]]
    assert list(visible(setting["nurse"])) == []
    assert record.decision == SharingDecision.SHARED
    assert record.article6 == "6(1)(e)" and record.condition == "9(2)(g)+Sch1p18"
    assert "view_strategydiscussion" in get_perms(
        setting["police"].grant_group, setting["discussion"]
    )
    entry = AuditEntry.objects.get(event=Event.GRANT)
    assert entry.child_ref == "FD000001"
    assert "Invited" not in str(entry.additional_data)  # the reason stays encrypted


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ({"article6": ""}, "Article 6"),
        ({"consent": ""}, "consent position"),
        ({"family_told": None}, "family was told"),
        ({"family_note": " "}, "family was told"),
    ],
)
def test_a_share_without_its_basis_is_refused_and_grants_nothing(setting, missing, message):
    with pytest.raises(SharingRefused, match=message):
        share(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
              agency=setting["police"], **{**BASIS, **missing})  # fmt: skip
    assert SharingRecord.objects.count() == 0
    assert list(visible(setting["officer"])) == []


def test_a_decision_not_to_share_is_recorded_with_its_reason(setting):
    with pytest.raises(SharingRefused, match="why it is not shared"):
        decline(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
                agency=setting["police"], reason="")  # fmt: skip
    record = decline(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
                     agency=setting["police"], reason="Not relevant to the police")  # fmt: skip
    assert record.decision == SharingDecision.NOT_SHARED
    assert list(visible(setting["officer"])) == []
    assert AuditEntry.objects.filter(event=Event.NOT_SHARED).count() == 1


def test_revoking_removes_the_permission_and_records_it(setting):
    record = share(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
                   agency=setting["police"], **BASIS)  # fmt: skip
    revoke(by=setting["worker"], record=record, reason="Shared with the wrong force")
    assert list(visible(setting["officer"])) == []
    assert get_perms(setting["police"].grant_group, setting["discussion"]) == []
    assert SharingRecord.objects.filter(decision=SharingDecision.REVOKED).count() == 1
    with pytest.raises(SharingRefused, match="already ended"):
        revoke(by=setting["worker"], record=record, reason="again")


def test_an_expired_share_is_hidden_at_once_and_ended_by_the_command(setting):
    record = share(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
                   agency=setting["police"], expires_at=timezone.now() + timedelta(days=1),
                   **BASIS)  # fmt: skip
    assert list(visible(setting["officer"])) == [setting["discussion"]]
    SharingRecord.objects.filter(pk=record.pk).update(expires_at=timezone.now())
    # Hidden by the SQL filter before any timer has run.
    assert list(visible(setting["officer"])) == []
    call_command("expire_grants", stdout=open("/dev/null", "w"))  # noqa: SIM115  # discard output
    assert get_perms(setting["police"].grant_group, setting["discussion"]) == []
    assert expire_grants() == 0  # nothing left to end
    ended = SharingRecord.objects.get(decision=SharingDecision.REVOKED)
    assert ended.by is None
    assert AuditEntry.objects.filter(event=Event.REVOKE).count() == 1


def test_a_share_with_a_person_is_theirs_alone(setting, make_user):
    colleague = make_user(Role.PARTNER_PRACTITIONER, agency=setting["police"])
    share(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
          user=setting["officer"], **BASIS)  # fmt: skip
    assert list(visible(setting["officer"])) == [setting["discussion"]]
    assert list(visible(colleague)) == []


@pytest.mark.parametrize("grants", [1, 25])
def test_the_filter_is_one_query_however_many_grants(setting, grants, django_assert_num_queries):
    referral = setting["discussion"].children.get().referral
    health = Agency.objects.get(name="Test health")
    for n in range(grants):
        discussion = council_only(setting["worker"], referral)
        expires_at = timezone.now() + timedelta(days=1 if n % 2 else -1)
        for agency in (setting["police"], health):
            share(by=setting["worker"], obj=discussion, permission=VIEW, agency=agency,
                  expires_at=expires_at, **BASIS)  # fmt: skip
    # One query: the discussions, filtered by the grants and their expiry in a subquery.
    with django_assert_num_queries(1):
        assert len(list(visible(setting["officer"]))) == grants // 2


def test_an_agency_has_one_grant_group_however_stale_the_object_shared_with(setting):
    stale = Agency.objects.get(name="Test police")  # read before any share made the group
    share(by=setting["worker"], obj=setting["discussion"], permission=VIEW,
          agency=setting["police"], **BASIS)  # fmt: skip
    assert stale.grant_group_id is None
    share(by=setting["worker"], obj=setting["discussion"], permission=VIEW, agency=stale,
          **BASIS)  # fmt: skip
    assert stale.grant_group_id == Agency.objects.get(pk=stale.pk).grant_group_id
    assert list(visible(setting["officer"])) == [setting["discussion"]]
