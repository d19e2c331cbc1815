"""The error summary's links go to an element that exists (GOV.UK: the first radio or
checkbox of a question, the day of a date), so following one moves the focus there."""

from __future__ import annotations

from django import forms, template

register = template.Library()


@register.filter
def error_target(bound_field, field_id: str) -> str:
    """The id the error summary links to for `field_id`, an id crispy-forms-gds reports."""
    if field_id != bound_field.auto_id:
        return field_id
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{field_id}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{field_id}_0"
    return field_id
