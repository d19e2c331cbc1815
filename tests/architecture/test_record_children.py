"""Every audited model says which children its records are about (casework.record_children),
so that the audit trail of a record that belongs to a restricted child asks for the break glass
(issue 16): a new case model registered with the audit trail fails here until it does."""

from __future__ import annotations

import pytest
from auditlog.registry import auditlog

from casework.record_children import CHILD_LOOKUPS, REFERENCE, children_of


def test_every_audited_model_says_which_children_it_is_about():
    missing = sorted(
        model._meta.label
        for model in auditlog.get_models()
        if model not in CHILD_LOOKUPS and not model.__module__.startswith("tests.")  # stand-ins
    )
    assert missing == [], f"Add these models to casework.record_children.CHILD_LOOKUPS: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(CHILD_LOOKUPS), ids=lambda model: model._meta.label)
def test_each_lookup_leads_to_a_child(model):
    """Each lookup names a child's id (or a reference): the query runs, on no rows."""
    for lookup in CHILD_LOOKUPS[model]:
        field = model._meta.pk if lookup == "pk" else None
        if lookup not in ("pk", REFERENCE):
            path = model
            for part in lookup.split("__"):
                field = path._meta.get_field(part)
                path = field.related_model
            assert path._meta.label == "referrals.Child", (model, lookup)
        assert field is not None or lookup == REFERENCE
    assert children_of(model, ["1"]) == {}
