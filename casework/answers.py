""" "Check your answers": the second step of every two-step form, written once.

Step 1 binds a form and keeps what was typed, sealed (`accounts.sessions.keep`), then
redirects here. This step reads what was kept, shows it to be checked, and on POST hands it
to one service. The rule it keeps: nothing typed is lost. A refused submit (a broken rule, or
the record changed by someone else) shows the page again with the reason and with what was
typed still kept; only a submit that succeeds forgets it.

The kernel sits below services, forms and views, so the step knows none of them: the view
passes the service call, the page and the words as callables.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django_fsm import ConcurrentTransition

from accounts import sessions
from casework.errors import CHANGED_BY_SOMEONE_ELSE, RuleBroken

P = TypeVar("P")
R = TypeVar("R")


def in_words(error: RuleBroken) -> list[str]:
    """What a refused submit shows: the rule's own words (a `ChangedBySomeoneElse` too)."""
    return [str(error)]


def check_your_answers(
    request: HttpRequest,
    *,
    key: str | None,
    back: str,
    submit: Callable[[P], R],
    done: str | Callable[[R], str],
    template: str,
    context: Callable[[P], dict[str, Any]],
    message: str | Callable[[R], str] = "",
    read: Callable[[dict], P | None] = lambda kept: kept or None,  # type: ignore[assignment, return-value]  # the default keeps a dict: P is dict
    before: Callable[[P], HttpResponse | None] | None = None,
    on_show: Callable[[], object] | None = None,
    changed: str = CHANGED_BY_SOMEONE_ELSE,
    explain: Callable[[RuleBroken], list[str]] = in_words,
    refused: Callable[[list[str]], HttpResponse] | None = None,
    refused_status: int = 409,
) -> HttpResponse:
    """Show the kept answers to be checked; on POST submit them.

    - `key`: what step 1 kept them under (`None` when step 1 saved as it went and nothing is
      kept: then nothing is forgotten either).
    - `read(kept)`: what the kept answers mean to the page and the service, or `None` when
      they are not enough to check; then (or when nothing is kept) redirect to `back`, a URL
      or a URL name without arguments. By default anything kept is enough.
    - `before(pending)`: a refusal that comes before the page (the record moved on since
      step 1, say), or `None` to go on.
    - `submit(pending)`: calls the one service; what it returns goes to `done` (the URL to
      redirect to, or a callable giving it) and `message` (the success message, or a callable
      giving it; empty for none). Only then is the kept data forgotten.
    - A `RuleBroken` (so a `ChangedBySomeoneElse` too) is shown in the words `explain` gives;
      django-fsm's `ConcurrentTransition` as `changed`. Either way the kept data stays, and
      the page is shown again by `refused(errors)` if given, else `template` with
      `context(pending)` and `errors`, with `refused_status`.
    - On GET, `on_show()` audits the read before `template` is rendered with
      `context(pending)` and an empty `errors`.
    """
    kept = sessions.kept(user=request.user, key=key) if key is not None else {}
    pending = read(kept) if kept is not None else None
    if pending is None:
        return redirect(back)
    if before is not None:
        refusal = before(pending)
        if refusal is not None:
            return refusal
    errors: list[str] = []
    if request.method == "POST":
        try:
            result = submit(pending)
        except RuleBroken as error:
            errors = explain(error)
        except ConcurrentTransition:
            errors = [changed]
        else:
            if key is not None:
                sessions.forget(user=request.user, key=key)
            text = message(result) if callable(message) else message
            if text:
                messages.success(request, text)
            return redirect(done(result) if callable(done) else done)
        if refused is not None:
            return refused(errors)
        return render(
            request, template, {**context(pending), "errors": errors}, status=refused_status
        )
    if on_show is not None:
        on_show()
    return render(request, template, {**context(pending), "errors": errors})
