"""The front door's records, one module per concept; Django finds every model here."""

from referrals.models.children import (
    Allocation,
    Child,
    Household,
    NamedRecord,
    Person,
    Relationship,
)
from referrals.models.contacts import (
    Contact,
    ContactChild,
    ContactDecision,
    LevelOfNeed,
    ScreeningNotesVersion,
)
from referrals.models.episodes import Assessment, Referral, ReferralDecision
from referrals.models.information_requests import InformationRequest
from referrals.models.lado import LadoOutcome, LadoReferral, LadoState
from referrals.models.local_data import ClosureDay, DutyManager, Team
from referrals.models.partner_referrals import PartnerReferral, PartnerReferralChild
from referrals.models.restrictions import BreakGlass, Restriction

__all__ = [
    "Allocation",
    "Assessment",
    "BreakGlass",
    "Child",
    "ClosureDay",
    "Contact",
    "ContactChild",
    "ContactDecision",
    "DutyManager",
    "Household",
    "InformationRequest",
    "LadoOutcome",
    "LadoReferral",
    "LadoState",
    "LevelOfNeed",
    "NamedRecord",
    "PartnerReferral",
    "PartnerReferralChild",
    "Person",
    "Referral",
    "ReferralDecision",
    "Relationship",
    "Restriction",
    "ScreeningNotesVersion",
    "Team",
]
