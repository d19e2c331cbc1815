"""The versions' migrations on a populated database (issue 19): screening notes and a
discussion's record saved before versions were kept become first versions (their author
unknown), and a signed-off child's feedback is due the set working days after its sign-off.
Runs on PostgreSQL, where authorities upgrade (unwinding and re-applying every later migration
took a minute of each CI pass on SQLite)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from referrals.models import ContactChild
from referrals.timescales import WorkingCalendar, local_date
from strategy.models import StrategyDiscussion

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgresql,
    pytest.mark.heavy,
]

BEFORE_VERSIONS = [
    # accounts too: its later columns (an agency's shared mailbox) are not in this state.
    ("accounts", "0012_notices"),
    ("referrals", "0016_decision_voice_safety_reason_expected_outcomes"),
    ("strategy", "0004_plans_from_conferences"),
]


def migrate(targets) -> object:
    executor = MigrationExecutor(connection)
    state = executor.migrate(targets)
    ContentType.objects.clear_cache()
    return state


def migrate_to_the_end() -> None:
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def populate(apps) -> dict:
    User = apps.get_model("accounts", "User")
    Agency = apps.get_model("accounts", "Agency")
    Child = apps.get_model("referrals", "Child")
    Contact = apps.get_model("referrals", "Contact")
    HistoricalContactChild = apps.get_model("referrals", "ContactChild")
    ContactDecision = apps.get_model("referrals", "ContactDecision")
    LevelOfNeed = apps.get_model("referrals", "LevelOfNeed")
    Discussion = apps.get_model("strategy", "StrategyDiscussion")

    council = Agency.objects.create(name="Council (versions test)", kind="local_authority")
    worker = User.objects.create(username="vt-worker", agency=council)
    now = timezone.now()
    contact = Contact.objects.create(
        received_at=now, taken_by=worker, recorded_by=worker, source="1A", concern="Hungry",
        consent="given", decision_due=now.date(),
    )  # fmt: skip
    screening = HistoricalContactChild.objects.create(
        contact=contact, child=Child.objects.create(first_name="Jago", last_name="Test"),
        screening_notes="School: arrives hungry (fictional)",
    )  # fmt: skip
    signed = HistoricalContactChild.objects.create(
        contact=contact, child=Child.objects.create(first_name="Demelza", last_name="Test"),
        state="signed_off",
    )  # fmt: skip
    reviewed_at = datetime(2026, 12, 4, 15, 0, tzinfo=timezone.get_current_timezone())  # Friday
    decision = ContactDecision.objects.create(
        contact_child=signed, outcome="advice", rationale="Advice given", state="signed_off",
        level_of_need=LevelOfNeed.objects.create(name="Level 1 (versions test)"),
        proposed_by=worker, reviewed_by=worker, reviewed_at=reviewed_at,
    )  # fmt: skip
    signed.current_decision = decision
    signed.save()
    discussion = Discussion.objects.create(
        scheduled_for=now, format="phone", chair=worker, due=now.date(), convened_by=worker,
        risk_analysis="Father's partner has convictions (fictional)",
    )  # fmt: skip
    return {
        "screening": screening.pk, "signed": signed.pk, "reviewed_at": reviewed_at,
        "discussion": discussion.pk,
    }  # fmt: skip


def test_text_saved_before_versions_becomes_the_first_version():
    migrate(BEFORE_VERSIONS)
    try:
        apps = MigrationExecutor(connection).loader.project_state(BEFORE_VERSIONS).apps
        before = populate(apps)
        migrate_to_the_end()
        screening = ContactChild.objects.get(pk=before["screening"])
        first = screening.screening_versions.get()
        assert (first.number, first.text, first.saved_by) == (
            1, "School: arrives hungry (fictional)", None,
        )  # fmt: skip
        assert not ContactChild.objects.get(pk=before["signed"]).screening_versions.exists()
        days = settings.TIMESCALE_WORKING_DAYS["FEEDBACK_TO_REFERRER"]
        expected = WorkingCalendar().add_working_days(local_date(before["reviewed_at"]), days)
        assert ContactChild.objects.get(pk=before["signed"]).feedback_due == expected
        assert expected > local_date(before["reviewed_at"]) + timedelta(days=1)  # the weekend
        assert screening.feedback_due is None
        record = StrategyDiscussion.objects.get(pk=before["discussion"]).record_versions.get()
        assert record.saved_by is None and record.number == 1
        content = json.loads(record.content)
        assert content["parts"]["risk_analysis"] == "Father's partner has convictions (fictional)"
    finally:
        migrate_to_the_end()
