"""The strategy app's services, one module per concept: `discussions`, `enquiries` (section
47 enquiries and initial conferences) and `partners` (invited partner agencies' part, sharing
with them, joint enquiries). The discussions' and enquiries' public API is re-exported here
for the callers that use it as `strategy.services.X`; the partners' lives at
`strategy.services.partners`.
"""

from strategy.services import partners
from strategy.services.discussions import (
    DISCUSSION,
    RECORD_FIELDS,
    AttendanceRecord,
    ChildDecision,
    RecordIncomplete,
    discussion_action_add,
    discussion_action_remove,
    discussion_cancel,
    discussion_convene,
    discussion_invite,
    discussion_mark_held,
    discussion_record,
    discussion_reschedule,
    discussion_return,
    discussion_sign_off,
    record_problems,
    recorded_by_itself,
)
from strategy.services.enquiries import (
    ENQUIRY_OUTCOME,
    chair_conflicts,
    conference_record,
    section47_outcome_propose,
    section47_outcome_return,
    section47_outcome_sign_off,
)
from strategy.services.plans import (
    plan_end,
    plan_review_record,
)

__all__ = [
    "DISCUSSION",
    "ENQUIRY_OUTCOME",
    "RECORD_FIELDS",
    "AttendanceRecord",
    "ChildDecision",
    "RecordIncomplete",
    "chair_conflicts",
    "conference_record",
    "discussion_action_add",
    "discussion_action_remove",
    "discussion_cancel",
    "discussion_convene",
    "discussion_invite",
    "discussion_mark_held",
    "discussion_record",
    "discussion_reschedule",
    "discussion_return",
    "discussion_sign_off",
    "partners",
    "plan_end",
    "plan_review_record",
    "record_problems",
    "recorded_by_itself",
    "section47_outcome_propose",
    "section47_outcome_return",
    "section47_outcome_sign_off",
]
