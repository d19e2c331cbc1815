"""The note forms: a note on a child or a record, on a contact (about one of its children)
and on a strategy discussion (about one of its children, with who sees it)."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import DateField, PageFormHelper
from notes.chronology import Kind
from notes.models import ChronologySource, Note


class NoteForm(RuledForm):
    text = forms.CharField(
        label="Note", widget=forms.Textarea, error_messages={"required": "Write the note"}
    )
    significant = forms.BooleanField(
        label="Significant: include it in the child's chronology", required=False
    )

    def __init__(self, *args, submit: str = "Add note", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.textarea("text", rows=4), Field.checkbox("significant"), Button("submit", submit)
        )


class ContactNoteForm(NoteForm):
    """A note on a contact, about one of its children."""

    child = forms.ChoiceField(
        label="About which child", error_messages={"required": "Choose the child"}
    )

    def __init__(self, *args, children=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["child"]).choices = [
            (str(child.pk), f"{child.first_name} {child.last_name} ({child.census_id})")
            for child in children
        ]
        self.helper.layout.fields.insert(0, Field.select("child"))


class DiscussionNoteForm(RuledForm):
    """A note on a discussion, about one of its children, with who sees it: everyone invited
    (shared with each invited agency) or the local authority only."""

    child = forms.ChoiceField(
        label="About which child", error_messages={"required": "Choose the child"}
    )
    text = forms.CharField(
        label="Note", widget=forms.Textarea, error_messages={"required": "Write the note"}
    )
    significant = forms.BooleanField(
        label="Significant: include it in the child's chronology", required=False
    )
    audience = forms.ChoiceField(
        label="Who sees the note", widget=forms.RadioSelect, required=False,
        help_text="Unless you choose, only the local authority sees it",
    )  # fmt: skip

    def __init__(self, *args, children, for_partner: bool = False, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.children = {str(child.pk): child for child in children}
        cast(forms.ChoiceField, self.fields["child"]).choices = [
            (key, f"{child.first_name} {child.last_name}") for key, child in self.children.items()
        ]
        cast(forms.ChoiceField, self.fields["audience"]).choices = [
            (Note.Audience.INVITED, "Everyone invited to the discussion"),
            (Note.Audience.LOCAL_AUTHORITY, "The local authority only"),
        ]
        layout = [Field.textarea("text", rows=4)]
        if len(self.children) > 1:
            layout.insert(0, Field.select("child"))
        else:
            # One child: the note is about that child, and nothing is asked.
            self.fields["child"].widget = forms.HiddenInput()
            self.fields["child"].required = False
            self.fields["child"].initial = next(iter(self.children), "")
        if for_partner:
            del self.fields["significant"]  # the chronology is the local authority's
        else:
            layout.append(Field.checkbox("significant"))
        self.initial.setdefault("audience", Note.Audience.LOCAL_AUTHORITY)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            *layout,
            Field.radios("audience", legend_size="s", small=True),
            Button("submit", "Add note"),
        )

    def clean_child(self) -> str:
        return self.cleaned_data["child"] or next(iter(self.children), "")

    def clean_audience(self) -> str:
        return self.cleaned_data["audience"] or Note.Audience.LOCAL_AUTHORITY


class ChronologyEntryForm(RuledForm):
    """A manual chronology entry: when it happened, where the information came from, whether
    it is significant, and what happened."""

    happened_on = DateField(
        what="the date the event happened",
        label="When did it happen?",
        help_text="For example, 27 3 2025. Not in the future",
    )
    source = forms.ChoiceField(
        label="Where did the information come from?",
        choices=[("", "Choose a source"), *ChronologySource.choices],
        error_messages={"required": "Choose where the information came from"},
    )
    text = forms.CharField(
        label="What happened", widget=forms.Textarea,
        error_messages={"required": "Say what happened"},
    )  # fmt: skip
    significant = forms.BooleanField(label="Significant event", required=False)

    def __init__(self, *args, submit: str = "Add to the chronology", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field("happened_on", context={"legend_size": "govuk-fieldset__legend--s"}),
            Field.select("source"),
            Field.textarea("text", rows=5),
            Field.checkbox("significant"),
            Button("submit", submit),
        )


class ChronologyFilterForm(RuledForm):
    """The chronology's filters, sent by GET (kinds, dates and significance: no personal
    data); a filter that does not make sense is named in the error summary and ignored."""

    kind = forms.MultipleChoiceField(
        label="Kinds of event", choices=Kind.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    since = forms.DateField(
        label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "The start date must be a real date, like 2025-03-27"},
    )  # fmt: skip
    until = forms.DateField(
        label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "The end date must be a real date, like 2025-03-27"},
    )  # fmt: skip
    significant = forms.BooleanField(label="Significant events only", required=False)
    related = forms.BooleanField(
        label="Show brothers', sisters' and linked adults' children's events", required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("kind", legend_size="s", small=True),
            Field.text("since", field_width=10),
            Field.text("until", field_width=10),
            Field.checkbox("significant", small=True),
            Field.checkbox("related", small=True),
            Button("filter", "Filter", css_class="govuk-button--secondary"),
        )

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be on or after the start date")
        return data


class ShareChronologyForm(RuledForm):
    """The chronology entries the worker picks to share with the agencies invited to a
    strategy discussion."""

    entries = forms.MultipleChoiceField(
        label="Entries to share with the invited agencies", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one entry to share"},
        help_text="They see exactly these entries, on the discussion's page, and nothing else "
        "of the chronology",
    )  # fmt: skip

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["entries"]).choices = list(choices)
        self.helper = PageFormHelper()
        self.helper.layout = Layout(
            Field.checkboxes("entries", legend_size="s", small=True),
            Button("submit", "Share these entries"),
        )
