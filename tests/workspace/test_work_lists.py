"""The home pages' work lists (issue 21): each count equals the rows of the list it links to,
and the page's queries do not grow with the rows."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from referrals import services
from referrals.models import Team
from referrals.models.contacts import Outcome
from referrals.timescales import WorkingCalendar
from strategy.models import StrategyDiscussion
from tests.conftest import sign_in
from tests.referrals import factories
from tests.strategy import factories as strategy_factories
from worklists import selectors as work_lists

pytestmark = pytest.mark.django_db

COUNT = re.compile(r'data-work-count="([^"]+)"><span data-count>(\d+)</span>')


def home_counts(client) -> dict[str, int]:
    response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
    return {key: int(n) for key, n in COUNT.findall(response.content.decode())}


def listed(client, url: str) -> int:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode().count("data-work-row")


def front_door(practitioner, manager, other_manager, *, families: int) -> None:
    """`families` contacts in each state: being screened (two days old, allocated to the
    practitioner in the manager's team), proposed by the practitioner, proposed by the
    manager, returned to the practitioner, signed off."""
    team = Team.objects.get_or_create(name="Front door team", defaults={"manager": manager})[0]
    for _ in range(families):
        screening = factories.contact(by=practitioner, days_ago=2).children.get()
        services.allocation_set(by=manager, child=screening.child, team=team, worker=practitioner)
        mine = factories.proposed(by=practitioner, days_ago=6)
        services.allocation_set(by=manager, child=mine.child, team=team, worker=practitioner)
        factories.proposed(by=manager)
        returned = factories.proposed(by=practitioner)
        services.decision_return(by=other_manager, contact_child=returned, comment="Say more")
        factories.signed_off(by=practitioner, signer=other_manager, outcome=Outcome.ADVICE)


@pytest.fixture
def people(make_user):
    return (
        make_user(Role.PRACTITIONER),
        make_user(Role.MANAGER),
        make_user(Role.MANAGER),
    )


@pytest.mark.parametrize("who", [0, 1])
def test_each_count_equals_the_rows_of_the_list_it_opens(client, people, who):
    practitioner, manager, other_manager = people
    front_door(practitioner, manager, other_manager, families=2)
    client = sign_in(client, people[who])
    counts = home_counts(client)
    assert counts, "the home page shows the user's work lists"
    for key, count in counts.items():
        url = (
            reverse("workspace:caseload", args=[int(key.split("-")[1])])
            if key.startswith("caseload-")
            else reverse("workspace:work-list", args=[key])
        )
        assert listed(client, url) == count, key


def test_the_manager_sees_the_front_door_in_numbers(client, people):
    practitioner, manager, other_manager = people
    front_door(practitioner, manager, other_manager, families=2)
    counts = home_counts(sign_in(client, manager))
    # Proposed by the practitioner; the manager's own proposals wait for another manager.
    assert counts["awaiting-sign-off"] == 2
    # Every contact without a decision is in one age band (working days: tests below).
    ages = ("contacts-0-1", "contacts-2-3", "contacts-4-plus")
    assert sum(counts[key] for key in ages) == 4 * 2
    assert counts["contacts-4-plus"] >= 2  # six calendar days old: at least 4 working days
    assert counts[f"caseload-{practitioner.pk}"] == 4


def test_a_returned_proposal_is_listed_for_its_proposer_only(client, people):
    practitioner, manager, other_manager = people
    front_door(practitioner, manager, other_manager, families=1)
    assert home_counts(sign_in(client, practitioner))["returned-to-me"] == 1
    assert home_counts(sign_in(client, manager))["returned-to-me"] == 0


def test_counts_are_plain_values_for_a_digest(people):
    practitioner, manager, other_manager = people
    front_door(practitioner, manager, other_manager, families=1)
    counts = work_lists.counts_for(manager, today=timezone.localdate())
    assert all(isinstance(n, int) for n in counts.values())
    assert counts["awaiting-sign-off"] == 1


@pytest.mark.parametrize(
    ("today", "one", "three"),
    [
        (date(2026, 12, 9), date(2026, 12, 8), date(2026, 12, 4)),  # a Wednesday
        (date(2026, 12, 7), date(2026, 12, 4), date(2026, 12, 2)),  # a Monday: Friday is 1
        (date(2026, 12, 29), date(2026, 12, 24), date(2026, 12, 22)),  # after Christmas
    ],
)
def test_contacts_age_in_working_days(today, one, three):
    day = work_lists.Today.of(today, WorkingCalendar())
    assert day.one_working_day_ago.date() == one
    assert day.three_working_days_ago.date() == three


@pytest.mark.parametrize("families", [1, 4])
def test_the_manager_s_home_page_queries_do_not_grow(
    client, people, families, django_assert_max_num_queries
):
    practitioner, manager, other_manager = people
    front_door(practitioner, manager, other_manager, families=families)
    sign_in(client, manager)
    # The home page's queries (tests/workspace/views/test_home.py), with the work lists'.
    # ...and the quality audits assigned to the manager (their count and rows).
    with django_assert_max_num_queries(10 + 9 + 2):
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 200


@pytest.mark.parametrize("families", [1, 4])
def test_a_list_s_queries_do_not_grow(client, people, families, django_assert_max_num_queries):
    practitioner, manager, other_manager = people
    front_door(practitioner, manager, other_manager, families=families)
    sign_in(client, manager)
    # session, user, savepoint and release, rights, device, the closure days, the count, the
    # page of rows (with the restricted marks), the audit entry's sequence and insert, the
    # navigation's lookups
    with django_assert_max_num_queries(16):
        response = client.get(reverse("workspace:work-list", args=["awaiting-sign-off"]))
    assert response.status_code == 200
    assert response.content.decode().count("data-work-row") == families


def test_an_unknown_list_is_not_found_and_another_role_s_is_refused(client, people, make_user):
    sign_in(client, people[0])
    assert client.get(reverse("workspace:work-list", args=["no-such-list"])).status_code == 404
    assert client.get(reverse("workspace:work-list", args=["awaiting-sign-off"])).status_code == 403
    sign_in(client, make_user(Role.PARTNER_PRACTITIONER))
    assert client.get(reverse("workspace:work-list", args=["my-contact-today"])).status_code == 403


@pytest.mark.heavy
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_demo_user_s_counts_equal_their_lists(client):
    """On the whole demo (a family in every state of every step), for every role."""
    from io import StringIO

    from django.core.management import call_command

    from accounts.models import User
    from demo.people import USERS

    call_command("load_demo", allow_without_debug=True, stdout=StringIO())
    seen = 0
    for demo_user in USERS:
        client = sign_in(client, User.objects.get(username=demo_user.username))
        for key, count in home_counts(client).items():
            url = (
                reverse("workspace:caseload", args=[int(key.split("-")[1])])
                if key.startswith("caseload-")
                else reverse("workspace:work-list", args=[key])
            )
            assert listed(client, url) == min(count, work_lists.WORK_LIST_PAGE_SIZE), (
                demo_user.username, key,
            )  # fmt: skip
            seen += count
    assert seen > 0


def test_a_discussion_of_two_allocated_children_is_due_once_and_its_sign_off_waits(people):
    """The discussion step counts a discussion once, however many of its children are the
    worker's; once held by the practitioner, it waits for the manager's sign-off."""
    practitioner, manager, _ = people
    team = Team.objects.create(name="Assessment team", manager=manager)
    referrals = [strategy_factories.next_steps_signed_off(by=practitioner, signer=manager)
                 for _ in range(2)]  # fmt: skip
    for referral in referrals:
        services.allocation_set(by=manager, child=referral.child, team=team, worker=practitioner)
    discussion = strategy_factories.convened(by=practitioner, referrals=referrals)
    today = timezone.localdate()
    StrategyDiscussion.objects.filter(pk=discussion.pk).update(due=today)
    counts = work_lists.counts_for(practitioner, today=today)
    assert counts["my-discussion-today"] == 1 and counts["my-discussion-overdue"] == 0
    later = work_lists.counts_for(manager, today=today + timedelta(days=3))
    assert later["team-discussion-overdue"] == 1
    another = strategy_factories.next_steps_signed_off(by=practitioner, signer=manager)
    strategy_factories.held(by=practitioner, referrals=[another])
    assert work_lists.counts_for(manager, today=today)["discussions-awaiting-sign-off"] == 1
