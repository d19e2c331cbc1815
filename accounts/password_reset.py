"""Password reset by e-mail: rate-limited, and the same answer whether or not the account
exists (Django's views, GOV.UK pages)."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.utils.decorators import method_decorator
from django_ratelimit.core import is_ratelimited

from accounts import services
from accounts.forms import gds_form
from accounts.middleware import AuditMiddleware

RESET_RATE = "5/h"


def client_address_key(group: str, request) -> str:
    """The client's address as the audit trail takes it (behind a proxy, its header)."""
    return AuditMiddleware._get_remote_addr(request) or ""


def email_key(group: str, request) -> str:
    """The e-mail address as accounts are matched: case does not make a new one."""
    return request.POST.get("email", "").strip().lower()


class ResetRequestForm(PasswordResetForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].error_messages.update(
            {
                "required": "Enter your email address",
                "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
            }
        )
        gds_form(self, ["email"], "Send the link")


class NewPasswordForm(SetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password1"].error_messages["required"] = "Enter a new password"
        self.fields["new_password2"].error_messages["required"] = "Enter the new password again"
        gds_form(self, ["new_password1", "new_password2"], "Set password")


@method_decorator(login_not_required, name="dispatch")
class ResetRequestView(auth_views.PasswordResetView):
    template_name = "accounts/password/reset_request.html"
    email_template_name = "accounts/password/reset_email.txt"
    subject_template_name = "accounts/password/reset_subject.txt"
    form_class = ResetRequestForm
    success_url = "/password-reset/sent/"

    def form_valid(self, form):
        # An approved change of email address whose time has come takes effect first.
        services.apply_due_account_changes()
        # Over the limit (per address and per e-mail), answer the same but send nothing.
        limited = any(
            is_ratelimited(self.request, group="password-reset", key=key, rate=RESET_RATE,
                           method="POST", increment=True)
            for key in (client_address_key, email_key)
        )  # fmt: skip
        if limited:
            return super(auth_views.PasswordResetView, self).form_valid(form)
        return super().form_valid(form)


@method_decorator(login_not_required, name="dispatch")
class ResetSentView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password/reset_sent.html"


@method_decorator(login_not_required, name="dispatch")
class ResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password/reset_confirm.html"
    form_class = NewPasswordForm
    success_url = "/password-reset/done/"


@method_decorator(login_not_required, name="dispatch")
class ResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password/reset_complete.html"
