"""The front door's services, one module per concept; the only code that writes case data.

Callers may name the concept module (`referrals.services.decisions`) or this package, which
gathers the public services of the contact, child, episode and information request modules.
"""

from referrals.services.children import (
    CHILD_DETAILS,
    allocation_set,
    child_update,
    household_add,
    household_leave,
)
from referrals.services.contacts import (
    contact_record,
    contact_record_and_propose,
    contact_record_from_wizard,
)
from referrals.services.decisions import (
    CONTACT_DECISION,
    contact_child_close,
    contact_decisions_review,
    decision_propose,
    decision_return,
    decision_sign_off,
    feedback_record,
    screening_notes_save,
)
from referrals.services.episodes import (
    NEXT_STEPS,
    assessment_authorise,
    assessment_complete,
    assessment_open,
    referral_close,
    referral_next_steps_propose,
    referral_next_steps_return,
    referral_next_steps_sign_off,
)
from referrals.services.information_requests import (
    INFORMATION_REQUEST_PERMISSION,
    information_request_answer,
    information_request_send,
)
from referrals.services.lado import (
    lado_outcome_record,
)

__all__ = [
    "CHILD_DETAILS",
    "CONTACT_DECISION",
    "INFORMATION_REQUEST_PERMISSION",
    "NEXT_STEPS",
    "allocation_set",
    "assessment_authorise",
    "assessment_complete",
    "assessment_open",
    "child_update",
    "contact_child_close",
    "contact_decisions_review",
    "contact_record",
    "contact_record_and_propose",
    "contact_record_from_wizard",
    "decision_propose",
    "decision_return",
    "decision_sign_off",
    "feedback_record",
    "household_add",
    "household_leave",
    "information_request_answer",
    "information_request_send",
    "lado_outcome_record",
    "referral_close",
    "referral_next_steps_propose",
    "referral_next_steps_return",
    "referral_next_steps_sign_off",
    "screening_notes_save",
]
