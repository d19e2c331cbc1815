"""In-app notices (issue 16): the allow-list of a restricted record is told when someone breaks
the glass, on the home page and the notices page; each person reads and marks only their own;
a notice holds a reference and a link, never the child's name or the reason."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.notices import Notice, NoticeKind, NoticeRefused, notices_mark_read, notices_send
from accounts.roles import Role
from casework.errors import RuleBroken
from referrals.models import Child
from referrals.services import restrictions
from tests.conftest import sign_in

pytestmark = pytest.mark.django_db

FIRST, LAST = "Zennor", "Trelawney"
REASON = "SECRET-GLASS-5511 police call tonight"


@pytest.fixture
def world(make_user):
    people = {
        "worker": make_user(Role.PRACTITIONER, username="worker", first_name="Wenna"),
        "manager": make_user(Role.MANAGER, username="boss"),
        "other": make_user(Role.PRACTITIONER, username="other", first_name="Tom",
                           last_name="Okafor"),
        "auditor": make_user(Role.AUDITOR, username="auditor"),
    }  # fmt: skip
    child = Child.objects.create(first_name=FIRST, last_name=LAST)
    restrictions.child_restrict(
        by=people["manager"], child=child, reason="Her mother works here",
        allowed=[people["worker"], people["manager"]],
    )  # fmt: skip
    return {**people, "child": child}


def test_breaking_the_glass_tells_everyone_on_the_allow_list(world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    notices = Notice.objects.order_by("recipient__username")
    assert [n.recipient.username for n in notices] == ["boss", "worker"]
    for notice in notices:
        assert notice.kind == NoticeKind.BREAK_GLASS
        assert notice.actor == world["other"]
        assert notice.reference == world["child"].census_id
        assert notice.link == reverse("referrals:child", args=[world["child"].pk])
        assert notice.read_at is None
        assert notice.message == (
            f"Tom Okafor gave a reason and opened restricted record {world['child'].census_id}"
        )


def test_a_notice_holds_no_name_and_no_reason(world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    for row in Notice.objects.values():
        text = " ".join(str(value) for value in row.values())
        assert FIRST not in text and LAST not in text and "SECRET" not in text


def test_a_refused_opening_tells_nobody(world):
    with pytest.raises(RuleBroken):
        restrictions.break_glass(by=world["other"], child=world["child"], reason="  ")
    assert Notice.objects.count() == 0


def test_an_inactive_person_on_the_list_is_not_told(world):
    world["worker"].is_active = False
    world["worker"].save()
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    assert [n.recipient.username for n in Notice.objects.all()] == ["boss"]


def test_a_notice_links_only_into_the_service(world):
    for link in ("https://evil.example/", "//evil.example/", "javascript:alert(1)"):
        with pytest.raises(NoticeRefused):
            notices_send(recipients=[world["worker"]], kind=NoticeKind.BREAK_GLASS, link=link)
    assert Notice.objects.count() == 0


def test_the_home_page_shows_the_notice_to_the_allow_list(client, world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    sign_in(client, world["worker"])
    text = client.get(reverse("workspace:home")).content.decode()
    assert "You have 1 unread notice." in text
    assert f"opened restricted record {world['child'].census_id}" in text
    assert FIRST not in text and "SECRET" not in text


def test_the_home_page_of_someone_not_named_shows_no_notice(client, world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    sign_in(client, world["auditor"])
    text = client.get(reverse("workspace:home")).content.decode()
    assert "You have no unread notices." in text


def test_the_notices_page_lists_them_and_marks_one_read(client, world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    restrictions.break_glass(by=world["auditor"], child=world["child"], reason=REASON)
    sign_in(client, world["worker"])
    response = client.get(reverse("workspace:notices"))
    assert response.status_code == 200
    assert len(response.context["notices"]) == 2
    first = response.context["notices"][0]
    response = client.post(reverse("workspace:notice-read", args=[first.pk]))
    assert response.status_code == 302
    assert response.url == reverse("workspace:notices")
    first.refresh_from_db()
    assert first.read_at is not None
    assert Notice.objects.filter(recipient=world["worker"], read_at__isnull=True).count() == 1
    text = client.get(reverse("workspace:home")).content.decode()
    assert "You have 1 unread notice." in text


def test_mark_all_as_read(client, world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    sign_in(client, world["worker"])
    response = client.post(reverse("workspace:notices-read"))
    assert response.status_code == 302
    assert not Notice.objects.filter(recipient=world["worker"], read_at__isnull=True).exists()
    assert Notice.objects.filter(recipient=world["manager"], read_at__isnull=True).exists()


def test_nobody_marks_another_s_notice(client, world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    theirs = Notice.objects.get(recipient=world["manager"])
    sign_in(client, world["worker"])
    response = client.post(reverse("workspace:notice-read", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None
    with pytest.raises(Notice.DoesNotExist):
        notices_mark_read(by=world["worker"], notice_id=theirs.pk)


def test_a_missing_notice_is_not_found_and_nothing_changes(client, world):
    restrictions.break_glass(by=world["other"], child=world["child"], reason=REASON)
    sign_in(client, world["worker"])
    for url in ("/notices/999999/read/", "/notices/abc/read/", "/notices/-1/read/"):
        assert client.post(url).status_code == 404
    response = client.get(reverse("workspace:notices-read"))  # a reload: the notices, not a 405
    assert response["Location"] == reverse("workspace:notices")
    assert Notice.objects.filter(read_at__isnull=True).count() == 2


@pytest.mark.parametrize("count", [1, 40])
def test_notices_page_query_count_does_not_grow(
    client, world, count, django_assert_max_num_queries
):
    for _ in range(count):
        notices_send(
            recipients=[world["worker"]], kind=NoticeKind.BREAK_GLASS, actor=world["other"],
            reference=world["child"].census_id, link="/children/1/",
        )  # fmt: skip
    sign_in(client, world["worker"])
    # savepoint and release (the request's transaction), session, user, count, the page of
    # notices with who did what, the second factor's device, the user's rights (navigation)
    with django_assert_max_num_queries(9):
        response = client.get(reverse("workspace:notices"))
    assert response.status_code == 200
    assert len(response.context["notices"]) == min(count, 25)
    # the home page (test_home.py): a recorder's, with a practitioner's work lists
    with django_assert_max_num_queries(11 + 8):
        response = client.get(reverse("workspace:home"))
    assert response.status_code == 200
