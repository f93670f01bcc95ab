"""Shared schema pieces: strict input models, the one rule for text input, and pages."""

import re
from datetime import datetime
from typing import Annotated, Any, ClassVar, Generic, Self, TypeVar

from fastapi import Path, Query
from pydantic import AfterValidator, AwareDatetime, BaseModel, ConfigDict, EmailStr, Field, model_validator
from pydantic.fields import FieldInfo

T = TypeVar("T")

MAX_PAGE_SIZE = 100
# Row ids are the databases' INTEGER (32 bits on PostgreSQL; SQLite refuses a Python int past 64 bits): a
# larger number cannot name a row, and handed to the database it fails with a 500 instead of a 422.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


# Text input, one rule for every field, query parameter and imported file: no control characters (PostgreSQL
# refuses NUL in text, and the others end up in other people's vCards, CSVs and notifications) and no lone
# surrogates (no database can encode them). Multi-line text (a report's details, a message, an abstract, a
# note) may hold tabs and line breaks; everything else is one line. Each field also gets a max_length no longer
# than its column (tests/test_input_bounds.py checks both, for every input).
_NOT_IN_A_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_NOT_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def control_character_problem(value: str, *, multiline: bool = False) -> str | None:
    """What is wrong with `value` as text input, or None (for parsers, which report problems their own way)."""
    found = (_NOT_IN_TEXT if multiline else _NOT_IN_A_LINE).search(value)
    if found is None:
        return None
    allowed = " (tabs and line breaks are fine)" if multiline else ""
    return f"must not contain control characters such as U+{ord(found.group()):04X}{allowed}"


def _one_line(value: str | None) -> str | None:
    if value is not None and (problem := control_character_problem(value)):
        raise ValueError(problem)
    return value


def _multiline(value: str) -> str:
    if problem := control_character_problem(value, multiline=True):
        raise ValueError(problem)
    return value


# The rule for a query parameter: `Annotated[str | None, Query(max_length=...), OneLine]`.
OneLine = AfterValidator(_one_line)


def _with_rule(field: FieldInfo, rule: AfterValidator) -> FieldInfo:
    # Pydantic applies a field's metadata in order: its length constraints, then the rule.
    field.metadata.append(rule)
    return field


def line(max_length: int, *, min_length: int | None = None, **field: Any) -> FieldInfo:
    """One line of text input, at most `max_length` characters (no longer than its column):
    `Annotated[str, line(80)]`."""
    return _with_rule(Field(min_length=min_length, max_length=max_length, **field), OneLine)


def text(max_length: int, **field: Any) -> FieldInfo:
    """Text input that may hold tabs and line breaks, at most `max_length` characters:
    `Annotated[str, text(2000)]`."""
    return _with_rule(Field(max_length=max_length, **field), AfterValidator(_multiline))


# The years a conference's times fall in. Far-off ones fail later, not here: year 1 at +14:00 has no UTC time,
# and 9999-12-31 plus a talk's duration has no year.
FIRST_YEAR, LAST_YEAR = 2000, 2099


def moment_problem(value: datetime) -> str | None:
    if FIRST_YEAR <= value.year <= LAST_YEAR:
        return None
    return f"out of range: a date and time between {FIRST_YEAR} and {LAST_YEAR}"


def _sane_moment(value: datetime) -> datetime:
    if problem := moment_problem(value):
        raise ValueError(problem)
    return value


# Every date and time of a request body: with its offset, within the years above.
Moment = Annotated[AwareDatetime, AfterValidator(_sane_moment)]

# email-validator's own limit is 254 characters: the columns' length, said here so the schema shows it.
Email = Annotated[EmailStr, Field(max_length=254)]


def unique_items(values: list[T]) -> list[T]:
    if len(set(values)) != len(values):
        raise ValueError("items must be unique")
    return values


class InputModel(BaseModel):
    """Every request body: unknown fields are refused (no mass assignment)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class UpdateModel(InputModel):
    """A partial update: absent fields stay as they are; null is refused unless the field may be empty."""

    nullable_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="after")
    def _no_null_for_required(self) -> Self:
        for name in self.model_fields_set - self.nullable_fields:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict[str, Any]:
        return self.model_dump(exclude_unset=True)


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int
    limit: int
    offset: int


class PageParams(BaseModel):
    limit: int
    offset: int


def page_params(
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> PageParams:
    return PageParams(limit=limit, offset=offset)
