from __future__ import annotations

from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from accounts.audit import Event


class SignInForm(AuthenticationForm):
    """Username and password, with GOV.UK error messages that never say which one was wrong."""

    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been deactivated. Ask your system administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].error_messages["required"] = "Enter your username"
        self.fields["password"].error_messages["required"] = "Enter your password"
        self.fields["password"].widget = forms.PasswordInput(
            attrs={"autocomplete": "current-password"}
        )
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Field.text("username", field_width=20),
            Field.text("password", field_width=20),
            Button("submit", "Sign in"),
        )


def _date_field(label: str, example: str, which: str) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        help_text=f"For example, {example}",
        input_formats=["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"],
        error_messages={"invalid": f"Enter the {which} date as day/month/year, like {example}"},
    )


class AuditFilterForm(forms.Form):
    """Filters for an audit trail page: a date range and what happened."""

    date_from = _date_field("From", "27/3/2026", "start")
    date_to = _date_field("To", "31/3/2026", "end")
    event = forms.ChoiceField(
        required=False, label="What happened", choices=[("", "Anything"), *Event.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Field.text("date_from", field_width=10),
            Field.text("date_to", field_width=10),
            Field.select("event"),
            Button.secondary("filter", "Filter"),
        )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", "The end date must be the same as or after the start date")
        return cleaned


class SecurityCodeForm(forms.Form):
    """The second factor: a code from the authenticator app, or a backup code."""

    code = forms.CharField(
        label="Security code",
        help_text="The 6-digit code your authenticator app shows, or one of your backup codes",
        max_length=20,
        error_messages={"required": "Enter the security code"},
    )

    def __init__(self, *args, submit: str = "Continue", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].widget.attrs.update(
            {"autocomplete": "one-time-code", "spellcheck": "false", "autocapitalize": "none"}
        )
        self.helper = FormHelper()
        self.helper.layout = Layout(Field.text("code", field_width=10), Button("submit", submit))
