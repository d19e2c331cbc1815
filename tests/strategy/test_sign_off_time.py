"""A signed-off strategy discussion keeps its sign-off time (issue 20): the database refuses one
without it, the migration dates any already stored, and no timeline fails on an event whose
optional date is missing."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from notes import selectors as notes_selectors
from notes.selectors import TimelineItem, _sort_moment
from strategy.models import StrategyDiscussion
from tests.conftest import sign_in
from tests.pages import page_text
from tests.strategy import factories


def _signed_off(make_user) -> StrategyDiscussion:
    worker, manager = make_user(Role.PRACTITIONER), make_user(Role.MANAGER)
    referral = factories.next_steps_signed_off(by=worker, signer=manager)
    return factories.discussion_signed_off(by=worker, signer=manager, referrals=[referral])


@pytest.mark.django_db
def test_the_database_refuses_a_signed_off_discussion_without_its_sign_off_time(make_user):
    discussion = _signed_off(make_user)
    assert discussion.state == "signed_off" and discussion.reviewed_at is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        StrategyDiscussion.objects.filter(pk=discussion.pk).update(reviewed_at=None)


def test_events_without_a_date_sort_last_and_never_fail():
    now = timezone.now()
    items = [
        TimelineItem(None, "Undated", ""),
        TimelineItem(now, "Now", ""),
        TimelineItem(date(2020, 1, 1), "A day", ""),
        TimelineItem(datetime(2021, 1, 1, 9, 0), "Naive", ""),
    ]
    items.sort(key=_sort_moment, reverse=True)
    assert [item.what for item in items] == ["Now", "Naive", "A day", "Undated"]


@pytest.mark.django_db
def test_the_childs_page_shows_an_undated_event_instead_of_failing(client, make_user, monkeypatch):
    discussion = _signed_off(make_user)
    child = discussion.children.get().child
    # An event whose optional time is missing, as bulk-loaded sign-offs had before the
    # constraint (the database now refuses such a row, so the timeline is given one).
    episodes = notes_selectors._episode_timeline
    monkeypatch.setattr(
        notes_selectors, "_episode_timeline",
        lambda child: [*episodes(child), TimelineItem(None, "Strategy discussion signed off", "")],
    )  # fmt: skip
    sign_in(client, make_user(Role.MANAGER))
    response = client.get(reverse("referrals:child", args=[child.pk]))
    assert response.status_code == 200
    assert "Date not recorded" in page_text(response)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_migration_dates_a_sign_off_stored_without_its_time(make_user):
    discussion = _signed_off(make_user)
    recorded_at = discussion.recorded_at
    executor = MigrationExecutor(connection)
    executor.migrate([("strategy", "0005_discussion_record_versions")])
    ContentType.objects.clear_cache()
    StrategyDiscussion.objects.filter(pk=discussion.pk).update(reviewed_at=None)
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    discussion.refresh_from_db()
    assert discussion.reviewed_at == recorded_at
    assert abs(discussion.reviewed_at - timezone.now()) < timedelta(hours=1)
