"""The journey's domain errors and the words the pages show for them."""

from __future__ import annotations

CHANGED_BY_SOMEONE_ELSE = (
    "This record was changed by someone else while you were working on it. Their change is "
    "shown below; what you typed is still in the form."
)
RECORD_CHANGED = (
    "This record was changed by someone else while you were working on it. Read it again "
    "before you go on."
)
ENQUIRY_CHANGED = (
    "This enquiry was changed by someone else while you were working on it. The page now "
    "shows what they did."
)


class RuleBroken(Exception):
    """A rule of the journey was broken; the message names it in plain words."""


class ChangedBySomeoneElse(RuleBroken):
    """The record changed since the form was shown; `current` is what the other person saved."""

    def __init__(self, current) -> None:
        self.current = current
        super().__init__("This record was changed by someone else while you were working on it")


class RecordsChanged(RuleBroken):
    """Some of the records reviewed together changed since the page was shown; nothing was
    done. `record_ids` names them, so the page can say which (names never in the message)."""

    def __init__(self, record_ids: list[int]) -> None:
        self.record_ids = record_ids
        super().__init__(
            "Nothing was signed off or returned: a record was changed by someone else while "
            "you were working on it"
        )


class RefusedFor(RuleBroken):
    """A rule refused the action for one of several records done together; `record_id` is
    which, the message is the rule's own words."""

    def __init__(self, record_id: int, message: str) -> None:
        self.record_id = record_id
        super().__init__(message)
