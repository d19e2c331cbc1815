"""The strategy discussion's record is versioned (issue 19): every save adds a version,
none is overwritten, and the history names who changed what and when (never the text)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.urls import reverse

from accounts.roles import Role
from strategy import services
from strategy.models import DiscussionRecordVersion, StrategyDiscussion
from tests.conftest import sign_in
from tests.strategy.factories import convened, referral

pytestmark = pytest.mark.django_db


def version(discussion: StrategyDiscussion) -> int:
    return StrategyDiscussion.objects.get(pk=discussion.pk).version


def test_two_people_save_the_record_in_turn_and_both_texts_remain(client, make_user):
    first = make_user(Role.PRACTITIONER, first_name="Wanda", last_name="Worker")
    second = make_user(Role.MANAGER, first_name="Mina", last_name="Manager")
    discussion = convened(by=first, referrals=[referral(by=first, signer=second)])
    services.discussion_record(
        by=first, discussion=discussion, version=version(discussion),
        risk_analysis="Bruises on both arms",
    )  # fmt: skip
    services.discussion_record(
        by=second, discussion=discussion, version=version(discussion),
        risk_analysis="Father's new partner has convictions", safety_plan="Stays with aunt",
    )  # fmt: skip
    versions = list(discussion.record_versions.order_by("number"))
    assert [(v.number, v.saved_by) for v in versions] == [(1, first), (2, second)]
    texts = [json.loads(v.content)["parts"]["risk_analysis"] for v in versions]
    assert texts == ["Bruises on both arms", "Father's new partner has convictions"]
    assert versions[1].changed == "Risk analysis, Safety plan"
    sign_in(client, first)
    page = client.get(reverse("strategy:discussion-record", args=[discussion.pk]))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Version 2, saved by Mina Manager" in body and "Risk analysis, Safety plan" in body
    assert "Version 1, saved by Wanda Worker" in body


def test_the_versions_are_sealed_and_name_no_text(make_user):
    worker, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    discussion = convened(by=worker, referrals=[referral(by=worker, signer=manager)])
    for text in ("Uncle visits at night", "Uncle visits at night, police told"):
        services.discussion_record(
            by=worker, discussion=discussion, version=version(discussion), police_plan=text
        )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT content, changed FROM {DiscussionRecordVersion._meta.db_table}")
        rows = cursor.fetchall()
    assert len(rows) == 2
    assert all("Uncle" not in content and "Uncle" not in changed for content, changed in rows)
