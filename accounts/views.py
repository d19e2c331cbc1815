from __future__ import annotations

import json
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django_otp import login as otp_login

from accounts import lockout, rights, selectors, services, sessions, two_factor
from accounts.audit import Event, record_event
from accounts.forms import AgencyForm, ReportChangeForm, SecurityCodeForm, SignInForm, UserForm
from accounts.http import AuthenticatedHttpRequest
from accounts.models import AccountChange, Agency, User
from jobs.status import job_statuses


@method_decorator(login_not_required, name="dispatch")
class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        # Account changes whose time has come take effect before anyone signs in with them.
        services.apply_due_account_changes()
        return super().post(request, *args, **kwargs)


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
    """After the password: enter a code, or enrol an app on first sign-in. Wrong codes count
    toward the sign-in lockout like wrong passwords (accounts.lockout); while django-otp's
    back-off lasts the page says when a code may be tried again, never that a code is wrong."""
    user = request.user
    if user.is_verified():  # type: ignore[attr-defined]  # django_otp's OTPMiddleware adds it
        return redirect(_next_url(request))
    if not two_factor.has_confirmed_app(user):
        return redirect(f"{reverse('accounts:enrol')}?{urlencode({'next': _next_url(request)})}")
    if lockout.is_locked(request, user.username):
        return _locked_out(request, user)
    form = SecurityCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        back_off = two_factor.code_back_off_until(user)
        if back_off is not None:
            form.add_error("code", _try_again_at(back_off))
        elif device := two_factor.verify_second_factor(user, form.cleaned_data["code"]):
            otp_login(request, device)
            lockout.clear_after_sign_in(request, user)
            two_factor.reset_code_back_off(user)
            record_event(Event.SIGN_IN, actor=user, obj=user, object_repr="Signed in")
            return redirect(_next_url(request))
        elif lockout.record_code_failure(request, user):
            return _locked_out(request, user)
        else:
            wrong = "The security code is wrong or has been used. Check your app and try again"
            back_off = two_factor.code_back_off_until(user)
            form.add_error("code", f"{wrong}. {_try_again_at(back_off)}" if back_off else wrong)
    return render(
        request, "accounts/second_factor.html", {"form": form, "next": _next_url(request)}
    )


def _locked_out(request: AuthenticatedHttpRequest, user) -> HttpResponse:
    """The lockout page; the half-signed-in session ends, so the password is needed again."""
    response = lockout.locked_out_response(request, credentials={"username": user.username})
    auth_logout(request)
    return response


def _try_again_at(moment) -> str:
    """When a code may be tried again, to the second, in the service's time zone."""
    local = timezone.localtime(moment)
    return f"You can try a code again from {local:%H:%M:%S} ({_seconds_from_now(moment)})"


def _seconds_from_now(moment) -> str:
    seconds = max(1, math.ceil((moment - timezone.now()).total_seconds()))
    return f"in {seconds} second{'s' if seconds != 1 else ''}"


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


def _link_base(request: HttpRequest) -> str:
    """The service's address as this request saw it, for the links in e-mails."""
    return request.build_absolute_uri("/")[:-1]


WAITS = "Waiting for a second person's approval"


def _delay_hours() -> float:
    return settings.ACCOUNT_CHANGE_DELAY_SECONDS / 3600


def users(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    services.apply_due_account_changes()
    rows = list(selectors.users_for_administration())
    locked = selectors.locked_usernames([user.username for user in rows])
    waiting = selectors.accounts_with_open_changes([user.pk for user in rows])
    return render(
        request, "accounts/admin/users.html", {"rows": rows, "locked": locked, "waiting": waiting}
    )


def user_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(
                by=request.user, **form.cleaned_data, set_password_url=_link_base(request)
            )
        except services.AccountRuleBroken as error:
            form.add_error("username", str(error))
        else:
            messages.success(
                request,
                f"{WAITS}: once approved, {user.display_name} gets an e-mail to set a password.",
            )
            return redirect("accounts:user", user_id=user.pk)
    return render(request, "accounts/admin/user_form.html", {"form": form, "heading": "Add a user"})


def user_detail(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    _require_administrator(request)
    services.apply_due_account_changes()
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
            requested = services.user_update(
                by=request.user, user=user, **form.cleaned_data, link_base=_link_base(request)
            )
        except services.AccountRuleBroken as error:
            # Own roles: the roles question; a change of that kind already waiting: the form.
            form.add_error("roles" if "roles" in str(error) else None, str(error))
        else:
            if requested:
                what = ", ".join(change.get_kind_display().lower() for change in requested)
                messages.success(request, f"{WAITS}: {what}.")
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
            "changes": selectors.open_account_changes(user),
            "delay_hours": _delay_hours(),
        },
    )


@sessions.posted_from("accounts:user", "user_id")
@require_POST
def user_action(request: AuthenticatedHttpRequest, user_id: int, action: str) -> HttpResponse:
    """Deactivate, unlock; or ask for a reactivation, a two-factor or a password reset."""
    _require_administrator(request)
    user = get_object_or_404(User, pk=user_id)
    by, base = request.user, _link_base(request)
    done = {
        "deactivate": lambda: services.user_deactivate(by=by, user=user, link_base=base),
        "reactivate": lambda: services.user_reactivate(by=by, user=user, link_base=base),
        "reset-two-factor": lambda: services.user_reset_two_factor(
            by=by, user=user, link_base=base
        ),
        "reset-password": lambda: services.user_reset_password(by=by, user=user, link_base=base),
        "unlock": lambda: services.user_unlock(by=by, user=user),
    }
    if action not in done:
        raise Http404
    try:
        change = done[action]()
    except services.AccountRuleBroken as error:
        messages.error(request, str(error))
    else:
        if change is not None:
            messages.success(request, f"{WAITS}: {change.get_kind_display().lower()}.")
        elif action == "deactivate":
            messages.success(request, "The user is deactivated and cannot sign in.")
        else:
            messages.success(request, "The user can sign in again.")
    return redirect("accounts:user", user_id=user.pk)


# Changes that hand out access: approval, the holder's report, the record (issue 16) ------


def account_changes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Changes awaiting my approval (administrators and the named manager)."""
    rights.require_account_change_approver(request.user)
    services.apply_due_account_changes()
    return render(
        request,
        "accounts/admin/account_changes.html",
        {
            "waiting": selectors.account_changes_waiting(request.user),
            "not_for_me": selectors.account_changes_not_for(request.user),
            "approved": selectors.account_changes_approved(),
            "delay_hours": _delay_hours(),
        },
    )


@sessions.posted_from("accounts:account-changes")
@require_POST
def account_change_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    """Approve a change, or cancel it before it takes effect."""
    rights.require_account_change_approver(request.user)
    change = get_object_or_404(AccountChange, pk=pk)
    act = {"approve": services.account_change_approve, "cancel": services.account_change_cancel}
    if action not in act:
        raise Http404
    try:
        act[action](by=request.user, change=change)
    except services.AccountRuleBroken as error:
        messages.error(request, str(error))
    else:
        verb = "approved: it takes effect later" if action == "approve" else "cancelled"
        messages.success(
            request, f"{change.get_kind_display()} for {change.account.display_name} {verb}."
        )
    return redirect("accounts:account-changes")


def administrators_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Every change administrators asked for, who approved it and what became of it."""
    if not rights.can_read_administrators_actions(request.user):
        raise PermissionDenied("Only managers and auditors read the administrators' actions.")
    page = Paginator(
        selectors.administrators_actions(), selectors.ACCOUNT_CHANGES_PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/admin/administrators_actions.html",
        {
            "page": page,
            "rows": page,
            "delay_hours": _delay_hours(),
            "administrators": selectors.administrators(),
        },
    )


@login_not_required
@never_cache
def account_change_report(request: HttpRequest, token: str) -> HttpResponse:
    """The holder's "this wasn't me" link: no sign-in needed (their account may be the one
    being taken); it can only cancel the change it names."""
    change = services.change_for_report_token(token)
    if change is None:
        raise Http404
    form = ReportChangeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.account_change_report(change=change)
        except services.AccountRuleBroken as error:
            form.add_error(None, str(error))
        else:
            return render(request, "accounts/account_change_reported.html", {"change": change})
    return render(request, "accounts/account_change_report.html", {"change": change, "form": form})


def agencies(request: AuthenticatedHttpRequest) -> HttpResponse:
    _require_administrator(request)
    return render(
        request, "accounts/admin/agencies.html", {"rows": selectors.agencies_for_administration()}
    )


def agency_edit(request: AuthenticatedHttpRequest, agency_id: int | None = None) -> HttpResponse:
    _require_administrator(request)
    agency = get_object_or_404(Agency, pk=agency_id) if agency_id else None
    initial = (
        {
            "name": agency.name,
            "kind": agency.kind,
            "is_active": agency.is_active,
            "shared_mailbox": agency.shared_mailbox,
        }
        if agency
        else {}
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
