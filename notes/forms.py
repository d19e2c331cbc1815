"""The note forms: a note on a child or a record, on a contact (about one of its children)
and on a strategy discussion (about one of its children, with who sees it)."""

from __future__ import annotations

from typing import cast

from crispy_forms_gds.layout import Button, Field, Layout
from django import forms

from accounts.field_rules import RuledForm
from accounts.forms import PageFormHelper
from notes.models import Note


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
