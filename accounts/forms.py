from __future__ import annotations

from typing import cast

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Button, Field, Layout
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator

from accounts.field_rules import RuledForm
from accounts.models import Agency
from accounts.roles import Role


class PageFormHelper(FormHelper):
    """The one form helper: every page writes its own <form> element (with its action and
    CSRF token), so crispy renders the fields, hints and errors only, never a nested form."""

    form_tag = False
    disable_csrf = True


class DateField(DateInputField):
    """The GOV.UK date input (day, month, year), with messages that name the date:
    `what` is how the messages refer to it ("the date of the conference")."""

    def __init__(self, *, what: str, **kwargs) -> None:
        kwargs.setdefault("require_all_fields", False)
        super().__init__(**kwargs)
        self.what = what
        self.error_messages["required"] = f"Enter {what}"
        self.error_messages["incomplete"] = f"Enter {what}"
        subject = what.removeprefix("the ").capitalize()
        day, month, year = self.fields
        self.fields[0].error_messages["incomplete"] = f"{subject} must include a day"
        self.fields[1].error_messages["incomplete"] = f"{subject} must include a month"
        self.fields[2].error_messages["incomplete"] = f"{subject} must include a year"
        real = f"{subject} must be a real date"
        day.validators = [RegexValidator(r"^[0-9]{1,2}$", real)]
        month.validators = [RegexValidator(r"^[0-9]{1,2}$", real)]
        year.validators = [RegexValidator(r"^[0-9]{4}$", "Year must include 4 numbers")]
        self.real = real

    def compress(self, data_list):
        try:
            return super().compress(data_list)
        except ValidationError:
            raise ValidationError(self.real, code="invalid") from None


def yes_no_field(label: str, *, required: str, **kwargs) -> forms.TypedChoiceField:
    """A Yes / No question answered with radios, cleaned to True or False."""
    return forms.TypedChoiceField(
        label=label, choices=[("yes", "Yes"), ("no", "No")], coerce=lambda value: value == "yes",
        widget=forms.RadioSelect, error_messages={"required": required}, **kwargs,
    )  # fmt: skip


class ReviewForm(RuledForm):
    """A manager's sign-off or return of a proposal, with a comment (needed to return)."""

    action = forms.ChoiceField(
        label="Your decision",
        choices=[("sign_off", "Sign it off"), ("return", "Return it with a comment")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to sign it off or return it"},
    )
    comment = forms.CharField(
        label="Comment",
        widget=forms.Textarea,
        required=False,
        help_text="Your reasons. Needed when you return it: say what needs to change",
    )

    def __init__(self, *args, button: str = "Continue", choices=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if choices:
            cast(forms.ChoiceField, self.fields["action"]).choices = choices
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.radios("action", legend_size="m"),
            Field.textarea("comment", rows=4),
            Button("submit", button),
        )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "return" and not (cleaned.get("comment") or "").strip():
            self.add_error("comment", "Say what needs to change")
        return cleaned


def gds_form(form: forms.Form, fields: list[str], submit: str) -> None:
    """Give `form` a GOV.UK layout of text fields and one button."""
    helper = PageFormHelper()
    helper.layout = Layout(
        *(Field.text(name, field_width=20) for name in fields), Button("submit", submit)
    )
    form.helper = helper  # type: ignore[attr-defined]  # crispy-forms reads a helper on any form


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
        gds_form(self, ["username", "password"], "Sign in")


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
        self.helper = PageFormHelper()
        self.helper.layout = Layout(Field.text("code", field_width=10), Button("submit", submit))


class UserForm(RuledForm):
    """A user's details, agency and roles (the system administrator's page)."""

    username = forms.RegexField(
        regex=r"^[A-Za-z0-9_.@+-]{3,150}$",
        max_length=150,
        label="Username",
        help_text="Letters, digits and . _ @ + - only",
        error_messages={
            "required": "Enter a username",
            "invalid": "Enter a username of 3 or more letters, digits or . _ @ + -",
        },
    )
    first_name = forms.CharField(
        label="First name", max_length=150, error_messages={"required": "Enter the first name"}
    )
    last_name = forms.CharField(
        label="Last name", max_length=150, error_messages={"required": "Enter the last name"}
    )
    email = forms.EmailField(
        label="Email address",
        help_text="Where the link to set a password is sent",
        error_messages={
            "required": "Enter an email address",
            "invalid": "Enter an email address in the correct format, like name@example.gov.uk",
        },
    )
    agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        queryset=None,
        label="Agency",
        empty_label="Choose an agency",
        error_messages={"required": "Choose the user's agency"},
    )
    roles = forms.MultipleChoiceField(
        choices=Role.choices,
        label="Roles",
        help_text="Select all that apply",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select at least one role"},
    )

    def __init__(self, *args, creating: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["agency"]).queryset = Agency.objects.filter(
            is_active=True
        ).order_by("name")
        fields = [
            Field.text("username", field_width=20),
            Field.text("first_name", field_width=20),
            Field.text("last_name", field_width=20),
            Field.text("email", field_width=30),
            Field.select("agency"),
            Field.checkboxes("roles", legend_size="s"),
        ]
        if not creating:
            del self.fields["username"]
            fields = fields[1:]
        self.helper = PageFormHelper()
        self.helper.layout = Layout(*fields, Button("submit", "Save"))


class AgencyForm(RuledForm):
    name = forms.CharField(
        label="Name", max_length=200, error_messages={"required": "Enter the agency's name"}
    )
    kind = forms.ChoiceField(
        label="Kind of agency",
        choices=Agency.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of agency"},
    )
    is_active = forms.BooleanField(label="The agency is active", required=False, initial=True)
    shared_mailbox = forms.EmailField(
        label="Shared mailbox (optional)", required=False, max_length=254,
        help_text="Told of information requests and strategy discussion invitations, "
        "besides the agency's users. E-mails carry a link, never case content",
        error_messages={"invalid": "Enter the shared mailbox as an e-mail address, like "
                        "safeguarding@example.gov.uk"},
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.text("name", field_width=30),
            Field.radios("kind", legend_size="s"),
            Field.checkbox("is_active"),
            Field.text("shared_mailbox", field_width=30),
            Button("submit", "Save"),
        )


class ReportChangeForm(forms.Form):
    """The holder's "this wasn't me": no fields, one button (the link names the change)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(Button("submit", "Report it and stop the change"))
