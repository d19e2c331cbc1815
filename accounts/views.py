from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from accounts import rights, selectors, services, sessions, two_factor
from accounts.audit import Event, record_event
from accounts.forms import AgencyForm, SecurityCodeForm, SignInForm, UserForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import Agency, User
from jobs.status import job_statuses


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """Sign-out is a POST (a link could be followed by a prefetcher); it ends the session."""


@login_not_required
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html")


@login_not_required
@require_GET
@never_cache
@transaction.non_atomic_requests
def healthz(request: HttpRequest) -> JsonResponse:
    """For the load balancer: 200 when the database answers, 503 when it does not. For the
    operator: each periodic job's last run and last failure (a stopped job does not make the
    web server unhealthy; `manage.py job_status` exits 1 on it)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        jobs = {status.name: status.as_json() for status in job_statuses()}
    except Exception:  # any database failure means "not healthy"; the detail goes nowhere public
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok", "jobs": jobs})


# Two-factor sign-in --------------------------------------------------------------------------


def _next_url(request: AuthenticatedHttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(candidate, {request.get_host()}, request.is_secure()):
        return candidate
    # The home page lives in workspace, above accounts: reached through the setting.
    return resolve_url(settings.LOGIN_REDIRECT_URL)


WRONG_ENROLMENT_CODE = (
    "The code does not match. Check the time on your phone and enter the code your app shows now"
)


def second_factor(request: AuthenticatedHttpRequest) -> HttpResponse:
    """After the password: enter a code, or enrol an app on first sign-in."""
    user = request.user
    if user.is_verified():  # type: ignore[attr-defined]  # django_otp's OTPMiddleware adds it
        return redirect(_next_url(request))
    if not two_factor.has_confirmed_app(user):
        return redirect(f"{reverse('accounts:enrol')}?{urlencode({'next': _next_url(request)})}")
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_second_factor(user, form.cleaned_data["code"])
        if device is not None:
            otp_login(request, device)
            record_event(Event.SIGN_IN, actor=user, obj=user, object_repr="Signed in")
            return redirect(_next_url(request))
        form.add_error(
            "code", "The security code is wrong or has been used. Check your app and try again"
        )
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _next_url(request)}
    )


def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """First sign-in: set up an authenticator app with the QR code or the key as text."""
    user = request.user
    if two_factor.has_confirmed_app(user):
        return redirect("accounts:second-factor")
    device = two_factor.pending_app(user)
    form = SecurityCodeForm(request.POST or None, submit="Confirm")
    form.fields["code"].help_text = "The 6-digit code your authenticator app shows now"
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_app(user, device, form.cleaned_data["code"])
        if codes is not None:
            otp_login(request, device)
            request.session["fresh_backup_codes"] = codes
            return redirect(
                f"{reverse('accounts:backup-codes')}?{urlencode({'next': _next_url(request)})}"
            )
        form.add_error("code", WRONG_ENROLMENT_CODE)
    return render(
        request,
        "accounts/enrol.html",
        {"form": form, "enrolment": two_factor.enrolment_for(device), "next": _next_url(request)},
    )


@never_cache
def backup_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The new backup codes, shown once, right after they are made."""
    codes = request.session.pop("fresh_backup_codes", None)
    if not codes:
        return redirect(_next_url(request))
    return render(
        request, "accounts/backup_codes.html", {"codes": codes, "next": _next_url(request)}
    )


# Session time-out and drafts -----------------------------------------------------------------


@require_POST
def keep_alive(request: AuthenticatedHttpRequest) -> JsonResponse:
    """ "Stay signed in": resets the idle clock."""
    sessions.record_activity(request)
    return JsonResponse({"seconds_left": sessions.seconds_left(request)})


@sessions.keeps_idle_timer
@require_POST
def save_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Keep what was typed on a form (sent in the background; not activity)."""
    path = request.POST.get("path", "")
    try:
        fields = json.loads(request.POST.get("fields", ""))
    except ValueError:
        fields = None
    if not path.startswith("/") or not isinstance(fields, dict):
        return JsonResponse({"error": "A draft needs the form's path and its fields."}, status=400)
    sessions.save_draft(user=request.user, path=path, fields=fields)
    return HttpResponse(status=204)


@require_POST
def discard_draft(request: AuthenticatedHttpRequest) -> HttpResponse:
    path = request.POST.get("path", "")
    sessions.discard_draft(user=request.user, path=path)
    if url_has_allowed_host_and_scheme(path, {request.get_host()}, request.is_secure()):
        return redirect(path)
    return redirect(settings.LOGIN_REDIRECT_URL)


# The system administrator's pages: users and agencies, never case content ------------------


def _require_administrator(request: AuthenticatedHttpRequest) -> None:
    if not rights.can_manage_users(request.user):
        raise PermissionDenied("Only system administrators manage users and agencies.")


def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    rows = list(selectors.users_for_administration())
    locked = selectors.locked_usernames([user.username for user in rows])
    return render(request, "accounts/admin/users.html", {"rows": rows, "locked": locked})


def user_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                by=request.user, **form.cleaned_data,
                set_password_url=request.build_absolute_uri("/")[:-1],
            )  # fmt: skip
        except services.AccountRuleBroken as error:
            form.add_error("username", str(error))
        else:
            messages.success(request, f"{user.display_name} can now set a password by e-mail.")
            return redirect("accounts:user", user_id=user.pk)
    return render(request, "accounts/admin/user_form.html", {"form": form, "heading": "Add a user"})


def user_detail(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    _require_administrator(request)
    user = get_object_or_404(User.objects.select_related("agency"), pk=user_id)
    roles = [group.name for group in user.groups.all()]
    form = UserForm(
        request.POST or None,
        creating=False,
        initial={"first_name": user.first_name, "last_name": user.last_name,
                 "email": user.email, "agency": user.agency, "roles": roles},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(by=request.user, user=user, **form.cleaned_data)
        except services.AccountRuleBroken as error:
            form.add_error("roles", str(error))
        else:
            messages.success(request, "The user's details are saved.")
            return redirect("accounts:user", user_id=user.pk)
    return render(
        request,
        "accounts/admin/user_detail.html",
        {
            "form": form,
            "subject": user,
            "is_self": user.pk == request.user.pk,
            "locked": user.username in selectors.locked_usernames([user.username]),
            "has_app": two_factor.has_confirmed_app(user),
        },
    )


@require_POST
def user_action(request: AuthenticatedHttpRequest, user_id: int, action: str) -> HttpResponse:
    """Deactivate, reactivate, reset two-factor sign-in, or unlock."""
    _require_administrator(request)
    user = get_object_or_404(User, pk=user_id)
    done = {
        "deactivate": ("The user is deactivated and cannot sign in.",
                       lambda: services.user_set_active(by=request.user, user=user, active=False)),
        "reactivate": ("The user is active again.",
                       lambda: services.user_set_active(by=request.user, user=user, active=True)),
        "reset-two-factor": ("Two-factor sign-in is reset: an app is set up at the next sign-in.",
                             lambda: services.user_reset_two_factor(by=request.user, user=user)),
        "unlock": ("The user can sign in again.",
                   lambda: services.user_unlock(by=request.user, user=user)),
    }  # fmt: skip
    if action not in done:
        raise Http404
    message, run = done[action]
    try:
        run()
    except services.AccountRuleBroken as error:
        messages.error(request, str(error))
    else:
        messages.success(request, message)
    return redirect("accounts:user", user_id=user.pk)


def agencies(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    return render(
        request, "accounts/admin/agencies.html", {"rows": selectors.agencies_for_administration()}
    )


def agency_edit(request: AuthenticatedHttpRequest, agency_id: int | None = None) -> HttpResponse:
    _require_administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id) if agency_id else None
    initial = (
        {"name": agency.name, "kind": agency.kind, "is_active": agency.is_active} if agency else {}
    )
    form = AgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.agency_save(by=request.user, agency=agency, **form.cleaned_data)
        except services.AccountRuleBroken as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "The agency is saved.")
            return redirect("accounts:agencies")
    heading = f"Change {agency.name}" if agency else "Add an agency"
    return render(request, "accounts/admin/agency_form.html", {"form": form, "heading": heading})
