"""The "check your answers" step (casework.answers), on its own: what is kept is shown, a
refused submit keeps it and says why, only a submit that succeeds forgets it. The pages that
use it are tested per role in their own modules."""

from __future__ import annotations

import pytest
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import HttpResponse
from django.test import RequestFactory
from django_fsm import ConcurrentTransition

from accounts import sessions
from accounts.roles import Role
from casework.answers import check_your_answers
from casework.errors import CHANGED_BY_SOMEONE_ELSE, ChangedBySomeoneElse, RuleBroken

KEY = "test-answers"
PAGE = "{% for e in errors %}<p class='error'>{{ e }}</p>{% endfor %}Concern: {{ concern }}"


@pytest.fixture(autouse=True)
def page_template(settings):
    """One small template, so that the step is tested apart from any page of the service."""
    settings.TEMPLATES = [
        {
            "BACKEND": "django.template.backends.django.DjangoTemplates",
            "OPTIONS": {
                "loaders": [("django.template.loaders.locmem.Loader", {"check.html": PAGE})],
            },
        }
    ]


@pytest.fixture
def user(make_user):
    return make_user(Role.PRACTITIONER)


def _request(user, method: str = "get"):
    request = getattr(RequestFactory(), method)("/check/")
    request.user = user
    request._messages = CookieStorage(request)
    return request


class Step:
    """The view's side of the step: its service call, audit and words, recorded."""

    def __init__(self, raises: Exception | None = None) -> None:
        self.raises = raises
        self.submitted: list[dict] = []
        self.shown = 0

    def submit(self, pending: dict) -> int:
        self.submitted.append(pending)
        if self.raises is not None:
            raise self.raises
        return 42

    def on_show(self) -> None:
        self.shown += 1

    def __call__(self, request, **options) -> HttpResponse:
        return check_your_answers(
            request,
            key=options.pop("key", KEY),
            back="/step-1/",
            submit=self.submit,
            done=lambda result: f"/done/{result}/",
            message="It is recorded.",
            template="check.html",
            context=lambda pending: {"concern": pending.get("concern", "")},
            on_show=self.on_show,
            **options,
        )


def _messages(request) -> list[str]:
    return [str(message) for message in request._messages]


def test_nothing_kept_goes_back_to_step_one(user):
    step = Step()

    response = step(_request(user, "post"))

    assert response.status_code == 302
    assert response.url == "/step-1/"
    assert step.submitted == []


def test_answers_not_enough_to_check_go_back_to_step_one(user):
    sessions.keep(user=user, key=KEY, data={"concern": ""})
    step = Step()

    response = step(_request(user), read=lambda kept: kept if kept.get("concern") else None)

    assert response.status_code == 302
    assert response.url == "/step-1/"
    assert step.shown == 0


def test_the_page_shows_what_was_kept_and_audits_the_read(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising seen at school"})
    step = Step()

    response = step(_request(user))

    assert response.status_code == 200
    assert "Concern: Bruising seen at school" in response.content.decode()
    assert step.shown == 1
    assert step.submitted == []


def test_a_submit_that_succeeds_forgets_what_was_kept_and_redirects(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising seen at school"})
    step = Step()
    request = _request(user, "post")

    response = step(request)

    assert step.submitted == [{"concern": "Bruising seen at school"}]
    assert response.status_code == 302
    assert response.url == "/done/42/"
    assert _messages(request) == ["It is recorded."]
    assert sessions.kept(user=user, key=KEY) is None
    assert step.shown == 0


def test_a_broken_rule_shows_the_page_again_and_keeps_what_was_typed(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising seen at school"})
    step = Step(raises=RuleBroken("Record the concern"))
    request = _request(user, "post")

    response = step(request)

    assert response.status_code == 409
    page = response.content.decode()
    assert "<p class='error'>Record the concern</p>" in page
    assert "Concern: Bruising seen at school" in page
    assert sessions.kept(user=user, key=KEY) == {"concern": "Bruising seen at school"}
    assert _messages(request) == []
    assert step.shown == 0  # a refused submit is not a second read


def test_a_change_by_someone_else_in_the_service_shows_its_own_words(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising"})
    step = Step(raises=ChangedBySomeoneElse(current=None))

    response = step(_request(user, "post"))

    assert response.status_code == 409
    assert str(ChangedBySomeoneElse(current=None)) in response.content.decode()
    assert sessions.kept(user=user, key=KEY) == {"concern": "Bruising"}


def test_a_concurrent_transition_shows_the_changed_by_someone_else_text(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising"})
    step = Step(raises=ConcurrentTransition("state changed"))

    response = step(_request(user, "post"))

    assert response.status_code == 409
    assert CHANGED_BY_SOMEONE_ELSE in response.content.decode()
    assert sessions.kept(user=user, key=KEY) == {"concern": "Bruising"}


def test_a_page_may_name_its_own_words_status_and_refusal_page(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising"})
    step = Step(raises=ConcurrentTransition("state changed"))

    own_words = step(_request(user, "post"), changed="Read it again.", refused_status=200)
    own_page = step(
        _request(user, "post"),
        refused=lambda errors: HttpResponse(" / ".join(errors), status=409),
    )

    assert own_words.status_code == 200
    assert "<p class='error'>Read it again.</p>" in own_words.content.decode()
    assert own_page.status_code == 409
    assert own_page.content.decode() == CHANGED_BY_SOMEONE_ELSE


def test_a_refusal_before_the_page_stops_it_without_submitting(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising"})
    step = Step()

    response = step(
        _request(user, "post"), before=lambda pending: HttpResponse("Moved on", status=409)
    )

    assert response.status_code == 409
    assert step.submitted == []
    assert sessions.kept(user=user, key=KEY) == {"concern": "Bruising"}


def test_a_broken_rule_may_be_explained_in_several_lines(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising"})
    step = Step(raises=RuleBroken("two gaps"))

    response = step(_request(user, "post"), explain=lambda error: ["Police", "Health"])

    page = response.content.decode()
    assert "<p class='error'>Police</p><p class='error'>Health</p>" in page


def test_without_a_key_nothing_is_read_or_forgotten(user):
    sessions.keep(user=user, key=KEY, data={"concern": "Bruising"})
    step = Step()

    response = step(_request(user, "post"), key=None, read=lambda kept: kept)

    assert step.submitted == [{}]
    assert response.url == "/done/42/"
    assert sessions.kept(user=user, key=KEY) == {"concern": "Bruising"}
