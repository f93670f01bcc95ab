"""Aggregate figures shown about people: a count below the threshold is never given exactly.

One place, so every screen (attendees' zone counts, "where to go", the organizers' dashboard) masks
the same way: with fewer than three people, a number could single someone out.
"""

from typing import Final, Literal

MIN_SHOWN_COUNT = 3
FEWER_THAN_MIN: Final = "fewer than 3"

# In JSON: an integer of at least 3, or the string "fewer than 3".
MaskedCount = int | Literal["fewer than 3"]


def masked_count(count: int) -> MaskedCount:
    """The count if it is at least MIN_SHOWN_COUNT, else "fewer than 3" (zero included)."""
    return count if count >= MIN_SHOWN_COUNT else FEWER_THAN_MIN


def masked_sort_key(count: int) -> int:
    """Order by what is shown: every masked count ties, so an ordering cannot reveal 1 against 2."""
    return count if count >= MIN_SHOWN_COUNT else 0
