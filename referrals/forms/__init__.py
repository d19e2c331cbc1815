"""The front door's forms, one module per concept, gathered here for the views."""

from referrals.forms.children import (
    ChildDetailsForm,
    HouseholdForm,
)
from referrals.forms.contacts import (
    ContactDetailsForm,
    ContactForm,
    ContactProposalsForm,
    FindPersonForm,
    SiblingsReviewForm,
)
from referrals.forms.decisions import (
    FeedbackForm,
    ProposeDecisionForm,
    ScreeningNotesForm,
)
from referrals.forms.episodes import (
    NO_PRIMARY_NEED,
    AssessmentForm,
    AuthoriseForm,
    CloseReferralForm,
    NextStepsForm,
)
from referrals.forms.information_requests import (
    YES_NO,
    AnswerForm,
    InformationRequestForm,
)
from referrals.forms.lado import (
    LadoOutcomeForm,
)
from referrals.forms.local_data import (
    AllocationForm,
    ClosureDayForm,
    DutyManagerForm,
    LevelOfNeedForm,
    TeamForm,
)
from referrals.forms.partner_referrals import (
    CHILD_FIELDS,
    DETAIL_FIELDS,
    MAX_CHILDREN,
    PartnerReferralForm,
    child_field,
    kept_children,
)
from referrals.forms.restrictions import (
    AllowedForm,
    BreakGlassForm,
    LiftForm,
    RestrictForm,
)

__all__ = [
    "CHILD_FIELDS",
    "DETAIL_FIELDS",
    "MAX_CHILDREN",
    "NO_PRIMARY_NEED",
    "YES_NO",
    "AllocationForm",
    "AllowedForm",
    "AnswerForm",
    "AssessmentForm",
    "AuthoriseForm",
    "BreakGlassForm",
    "ChildDetailsForm",
    "CloseReferralForm",
    "ClosureDayForm",
    "ContactDetailsForm",
    "ContactForm",
    "ContactProposalsForm",
    "DutyManagerForm",
    "FeedbackForm",
    "FindPersonForm",
    "HouseholdForm",
    "InformationRequestForm",
    "LadoOutcomeForm",
    "LevelOfNeedForm",
    "LiftForm",
    "NextStepsForm",
    "PartnerReferralForm",
    "ProposeDecisionForm",
    "RestrictForm",
    "ScreeningNotesForm",
    "SiblingsReviewForm",
    "TeamForm",
    "child_field",
    "kept_children",
]
