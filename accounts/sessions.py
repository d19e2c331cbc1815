"""Session limits that lose no work: idle and absolute time-outs, a warning before the idle one,
and drafts of half-filled forms kept server-side (encrypted) for the same user.

Issue 6. The idle clock is reset by pages and form posts and by "Stay signed in", never by a
draft being saved in the background or by the session status check.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps

from django.conf import settings
from django.contrib.auth import logout
from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.functional import SimpleLazyObject

from accounts.encryption import EncryptedTextField

SIGNED_IN_AT = "signed_in_at"
_SIGN_IN_PATHS = ("/sign-in/",)
ACTIVITY_GRANULARITY = 30  # seconds
LAST_ACTIVITY = "last_activity"


def posted_from(page: str, *kwarg_names: str) -> Callable:
    """Mark a POST-only view whose form lives on the page named `page` (a URL name taking
    the view's `kwarg_names`). A GET of the view's address goes to that page (a reload, or
    a sign-in coming back, never answers 405); a refused form is kept as that page's draft,
    offered back there, and the error page carries that page's address (`request.form_page`)
    for the browser's address bar."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            target = form_page(wrapper, kwargs)
            if request.method != "POST":
                return redirect(target)
            request.form_page = target
            response = view(request, *args, **kwargs)
            if response.status_code in _REFUSED_FORM and request.user.is_authenticated:
                save_draft(user=request.user, path=target, fields=_posted(request))
            return response

        wrapper.form_page_name = page
        wrapper.form_page_kwargs = kwarg_names
        return wrapper

    return decorate


# A form refused and shown again (not a 403, 404 or redirect).
_REFUSED_FORM = frozenset({200, 400, 409, 422})


def form_page(view, view_kwargs: dict) -> str:
    """The address of the page holding a `posted_from` view's form."""
    names = view.form_page_kwargs
    return reverse(view.form_page_name, kwargs={name: view_kwargs[name] for name in names})


def page_of(request, view_func, view_kwargs: dict) -> str:
    """The page a request's form belongs to: its own address, or a POST-only view's page."""
    if getattr(view_func, "form_page_name", None):
        return form_page(view_func, view_kwargs)
    return request.path


def keeps_idle_timer(view):
    """Mark a view whose requests must not count as activity (background saves, status)."""
    view.keeps_idle_timer = True
    return view


class SessionTimeoutMiddleware:
    """Signs out after `SESSION_IDLE_SECONDS` without activity or `SESSION_MAX_AGE_SECONDS`
    after signing in, sending the person back to sign in and then to where they were."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Pages of a signed-in person are never kept by the browser (shared computers).
            add_never_cache_headers(response)
            patch_cache_control(response, private=True, no_store=True)
            # A form sent and accepted needs its draft no more.
            if (
                request.method == "POST"
                and response.status_code in (302, 303)
                and not response.get("Location", "").startswith(_SIGN_IN_PATHS)
            ):
                discard_draft(user=user, path=getattr(request, "form_page", request.path))
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        now = time.time()
        session = request.session
        started = session.get(SIGNED_IN_AT, 0)  # set at sign-in (start_clock); none: ended
        last = session.get(LAST_ACTIVITY, 0)
        if (
            now - last > settings.SESSION_IDLE_SECONDS
            or now - started > settings.SESSION_MAX_AGE_SECONDS
        ):
            from django.contrib.auth.views import redirect_to_login  # imports the user model

            page = page_of(request, view_func, view_kwargs)
            if request.method == "POST" and not getattr(view_func, "keeps_idle_timer", False):
                # What was being sent is kept, not lost, and offered back after sign-in
                # on the page the form is on.
                save_draft(user=request.user, path=page, fields=_posted(request))
            logout(request)
            target = request.get_full_path() if request.method == "GET" else page
            return redirect_to_login(target, f"{reverse('accounts:sign-in')}?timed_out=1")
        # Recorded to the nearest half minute (a tenth of a short limit), so that most pages
        # do not write the session.
        granularity = min(ACTIVITY_GRANULARITY, settings.SESSION_IDLE_SECONDS / 10)
        if not getattr(view_func, "keeps_idle_timer", False) and now - last >= granularity:
            session[LAST_ACTIVITY] = now
        return None


def start_clock(request) -> None:
    """At sign-in: both clocks start."""
    request.session[SIGNED_IN_AT] = request.session[LAST_ACTIVITY] = time.time()


def record_activity(request) -> None:
    request.session[LAST_ACTIVITY] = time.time()


def seconds_left(request) -> int:
    """Seconds until the session ends, idle or absolute limit, as the server counts them."""
    now = time.time()
    idle_end = request.session.get(LAST_ACTIVITY, 0) + settings.SESSION_IDLE_SECONDS
    absolute_end = request.session.get(SIGNED_IN_AT, 0) + settings.SESSION_MAX_AGE_SECONDS
    return max(0, int(min(idle_end, absolute_end) - now))


def _posted(request) -> dict:
    fields: dict = {}
    for name in request.POST:
        values = request.POST.getlist(name)
        fields[name] = values[0] if len(values) == 1 else values
    return fields


class FormDraft(models.Model):
    """What someone had typed into a form, kept so that a time-out loses nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=300)
    data = EncryptedTextField()
    updated_at = models.DateTimeField()

    class Meta:
        app_label = "accounts"
        constraints = [models.UniqueConstraint(fields=["user", "path"], name="one_draft_per_form")]

    def __str__(self) -> str:
        return f"Draft D-{self.pk:06d}"

    @property
    def fields(self) -> dict:
        return json.loads(self.data)


# Drafts that are records of work begun (a half-finished contact, issue 19): kept until used
# or discarded, never expired with the others. Paths, or lazy URLs, registered by their app.
_LASTING: list = []


def lasting_draft(path) -> None:
    """Keep the drafts at `path` (a form page, or a `wizard:` key) until used or discarded."""
    _LASTING.append(path)


def lasting_paths() -> list[str]:
    return [str(path) for path in _LASTING]


def _fresh(user) -> models.QuerySet[FormDraft]:
    cutoff = timezone.now() - timedelta(hours=settings.DRAFT_KEEP_HOURS)
    return FormDraft.objects.filter(
        models.Q(updated_at__gte=cutoff) | models.Q(path__in=lasting_paths()), user=user
    )


def save_draft(*, user, path: str, fields: dict) -> FormDraft:
    """Keep what `user` typed on the form at `path` (the newest save wins)."""
    clean = {str(k)[:100]: v for k, v in fields.items() if k not in _NEVER_KEPT}
    draft, _ = FormDraft.objects.update_or_create(
        user=user,
        path=path[:300],
        defaults={"data": json.dumps(clean), "updated_at": timezone.now()},
    )
    return draft


_NEVER_KEPT = frozenset({"csrfmiddlewaretoken", "password", "password1", "password2", "code"})


def draft_for(user, path: str) -> FormDraft | None:
    return _fresh(user).filter(path=path).first()


def discard_draft(*, user, path: str) -> None:
    FormDraft.objects.filter(user=user, path=path).delete()


def discard_expired_drafts() -> int:
    """Old drafts go; a lasting one (work begun, listed for its author) stays."""
    cutoff = timezone.now() - timedelta(hours=settings.DRAFT_KEEP_HOURS)
    expired = FormDraft.objects.filter(updated_at__lt=cutoff).exclude(path__in=lasting_paths())
    return expired.delete()[0]


def lasting_drafts_of(user, paths: list[str]) -> list[FormDraft]:
    """`user`'s lasting drafts among `paths`, newest first (one query)."""
    return list(FormDraft.objects.filter(user=user, path__in=paths).order_by("-updated_at"))


def session_context(request) -> dict:
    """Template context: the time-out figures, and the page's draft (queried only if used)."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {
        "session_seconds_left": SimpleLazyObject(lambda: seconds_left(request)),
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
        "draft": SimpleLazyObject(lambda: draft_for(request.user, request.path)),
        "form_page": getattr(request, "form_page", ""),
    }


# Work in progress of a multi-step form, kept encrypted (never in the plain session table).


def keep(*, user, key: str, data: dict) -> None:
    """Keep a multi-step form's answers for `user` under `key` (sealed, like drafts)."""
    save_draft(user=user, path=f"wizard:{key}", fields=data)


def kept(*, user, key: str) -> dict | None:
    draft = draft_for(user, f"wizard:{key}")
    return draft.fields if draft else None


def forget(*, user, key: str) -> None:
    discard_draft(user=user, path=f"wizard:{key}")
