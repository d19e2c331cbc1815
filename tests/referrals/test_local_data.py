"""The administrator's local data pages: levels of need and closure days, audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from accounts.audit import AuditEntry, Event
from accounts.roles import Role
from referrals.models import ClosureDay, LevelOfNeed
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, make_user):
    return sign_in(client, make_user(Role.SYSTEM_ADMINISTRATOR))


@pytest.mark.parametrize("role", [r for r in Role if r != Role.SYSTEM_ADMINISTRATOR])
def test_other_roles_are_refused(client, make_user, role):
    sign_in(client, make_user(role))
    closure = ClosureDay.objects.create(day=date(2026, 12, 24), name="Closed")
    assert client.get(reverse("referrals:local-data")).status_code == 403
    assert client.get(reverse("referrals:level-new")).status_code == 403
    assert (
        client.post(reverse("referrals:closure-day-remove", args=[closure.pk])).status_code == 403
    )
    assert ClosureDay.objects.exists()


def test_add_and_remove_a_closure_day_audited(admin):
    response = admin.post(
        reverse("referrals:local-data"), {"day": "24/12/2026", "name": "Christmas Eve"}
    )
    assert response.status_code == 302
    closure = ClosureDay.objects.get()
    assert closure.day == date(2026, 12, 24)
    assert AuditEntry.objects.filter(event=Event.CREATE, content_type__model="closureday").exists()
    admin.post(reverse("referrals:closure-day-remove", args=[closure.pk]))
    assert not ClosureDay.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day": "31/2/2026", "name": "x"}, "Enter the date as day/month/year"),
        ({"day": "", "name": "x"}, "Enter the date"),
        ({"day": "24/12/2026", "name": ""}, "Enter the reason"),
    ],
)
def test_bad_closure_days_show_the_error_summary(admin, data, message):
    response = admin.post(reverse("referrals:local-data"), data)
    assert (
        "govuk-error-summary" in response.content.decode() and message in response.content.decode()
    )
    assert not ClosureDay.objects.exists()


def test_a_closure_day_twice_is_refused(admin):
    ClosureDay.objects.create(day=date(2026, 12, 24), name="Closed")
    response = admin.post(reverse("referrals:local-data"), {"day": "24/12/2026", "name": "Again"})
    assert "That date is already a closure day" in response.content.decode()


def test_add_and_change_a_level_of_need(admin):
    admin.post(
        reverse("referrals:level-new"),
        {"name": "Level 5", "description": "d", "order": "5", "is_active": "on"},
    )
    level = LevelOfNeed.objects.get(name="Level 5")
    admin.post(reverse("referrals:level", args=[level.pk]), {"name": "Level five", "order": "5"})
    level.refresh_from_db()
    assert (level.name, level.is_active) == ("Level five", False)
    response = admin.post(reverse("referrals:level-new"), {"name": "level FIVE", "order": "6"})
    assert "A level with that name already exists" in response.content.decode()
    assert AuditEntry.objects.filter(content_type__model="levelofneed", event=Event.UPDATE).exists()


def test_the_administrator_keeps_the_outcomes_each_level_expects(admin):
    admin.post(
        reverse("referrals:level-new"),
        {"name": "Level 4", "order": "4", "is_active": "on",
         "expected_outcomes": ["referral", "strategy_now"]},
    )  # fmt: skip
    level = LevelOfNeed.objects.get(name="Level 4")
    assert level.expected_outcomes == ["referral", "strategy_now"]
    page = admin.get(reverse("referrals:local-data")).content.decode()
    assert "Referral to children&#x27;s social care, Strategy discussion now (urgent)" in page
    response = admin.post(
        reverse("referrals:level", args=[level.pk]),
        {"name": "Level 4", "order": "4", "expected_outcomes": ["nonsense"]},
    )
    assert "govuk-error-summary" in response.content.decode()
    level.refresh_from_db()
    assert level.expected_outcomes == ["referral", "strategy_now"]


def test_the_page_lists_levels_and_days_in_constant_queries(admin, django_assert_max_num_queries):
    from demo.front_door import load_levels

    load_levels()
    for n in range(1, 20):
        ClosureDay.objects.create(day=date(2027, 1, n), name=f"Closed {n}")
    # request: savepoint, session, user, rights, device; levels; closure days; teams with
    # managers; the managers to choose from; the duty manager and the managers to choose it
    # from (issue 24); release (and one spare for a content type)
    with django_assert_max_num_queries(13):
        response = admin.get(reverse("referrals:local-data"))
    assert "Level 4: child protection" in response.content.decode()


def test_teams_are_added_with_a_manager(admin, make_user):
    from referrals.models import Team

    manager = make_user(Role.MANAGER, first_name="Tess", last_name="Lead")
    response = admin.post(reverse("referrals:team-add"), {"name": "", "manager": ""})
    assert "Enter the team&#x27;s name" in response.content.decode()
    admin.post(reverse("referrals:team-add"), {"name": "Assessment team", "manager": manager.pk})
    assert Team.objects.get().manager == manager
    response = admin.post(
        reverse("referrals:team-add"), {"name": "assessment TEAM", "manager": manager.pk}
    )
    assert "A team with that name already exists" in response.content.decode()
    practitioner = make_user(Role.PRACTITIONER)
    response = admin.post(
        reverse("referrals:team-add"), {"name": "Other", "manager": practitioner.pk}
    )
    assert "Select a valid choice" in response.content.decode()  # only managers lead teams
