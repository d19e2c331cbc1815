"""Every link of the error summary reaches an element of the form (GOV.UK pattern)."""

from __future__ import annotations

import re

from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from django import forms
from django.template import Context, Template


class EveryKindForm(forms.Form):
    name = forms.CharField()
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)
    many = forms.MultipleChoiceField(
        choices=[("a", "A"), ("b", "B")], widget=forms.CheckboxSelectMultiple
    )
    day = DateInputField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()

    def clean(self):
        raise forms.ValidationError("Something about the whole form")


def test_every_error_summary_link_reaches_an_element_of_the_form():
    form = EveryKindForm(data={})
    assert not form.is_valid()
    html = Template(
        "{% load crispy_forms_tags crispy_forms_gds %}{% error_summary form %}{% crispy form %}"
    ).render(Context({"form": form}))
    targets = re.findall(r'href="#([^"]+)"', html)
    ids = set(re.findall(r'\bid="([^"]+)"', html))
    assert len(targets) == 5  # four fields and the form's own error
    assert [target for target in targets if target not in ids] == []
    assert "id_choice_1" in targets and "id_many_1" in targets and "id_day_0" in targets
