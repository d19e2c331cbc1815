"""The request of a signed-in page, for the type checker."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request whose user is signed in: LoginRequiredMiddleware
    (django.contrib.auth.middleware) sends everyone else to the sign-in page before any view not
    marked `login_not_required` runs, so those views annotate `request` with this instead of
    `HttpRequest`, whose `user` may be an AnonymousUser. Only a type: nothing constructs it."""

    user: User
