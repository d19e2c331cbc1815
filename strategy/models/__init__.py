"""The strategy app's models, one module per concept: `discussions` (strategy discussions,
their children, participants and actions) and `enquiries` (section 47 enquiries, outcome
decisions, initial conferences). Django and every caller import them from `strategy.models`.
"""

from strategy.models.discussions import (
    ABSENT,
    OPEN_DISCUSSION_STATES,
    REQUIRED_AGENCY_KINDS,
    SECTION_47_OUTCOMES,
    Action,
    Attendance,
    ContributionAudience,
    DiscussionChild,
    DiscussionChildQuerySet,
    DiscussionFormat,
    DiscussionOutcome,
    DiscussionRecordVersion,
    DiscussionState,
    Participant,
    StrategyDiscussion,
)
from strategy.models.enquiries import (
    OPEN_SECTION_47_STATES,
    EnquiryOutcome,
    EnquiryOutcomeDecision,
    InitialConference,
    Section47,
    Section47QuerySet,
    Section47State,
)
from strategy.models.plans import ChildProtectionPlan, PlanQuerySet, PlanReview, PlanState

__all__ = [
    "ABSENT",
    "OPEN_DISCUSSION_STATES",
    "OPEN_SECTION_47_STATES",
    "REQUIRED_AGENCY_KINDS",
    "SECTION_47_OUTCOMES",
    "Action",
    "Attendance",
    "ChildProtectionPlan",
    "ContributionAudience",
    "DiscussionChild",
    "DiscussionChildQuerySet",
    "DiscussionFormat",
    "DiscussionOutcome",
    "DiscussionRecordVersion",
    "DiscussionState",
    "EnquiryOutcome",
    "EnquiryOutcomeDecision",
    "InitialConference",
    "Participant",
    "PlanQuerySet",
    "PlanReview",
    "PlanState",
    "Section47",
    "Section47QuerySet",
    "Section47State",
    "StrategyDiscussion",
]
