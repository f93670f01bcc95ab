"""Shared schema pieces: strict input models and pages."""

from typing import Annotated, ClassVar, Generic, TypeVar

from fastapi import Path, Query
from pydantic import BaseModel, ConfigDict, Field, model_validator

T = TypeVar("T")

MAX_PAGE_SIZE = 100
# Row ids are the databases' INTEGER (32 bits on PostgreSQL; SQLite refuses a Python int past 64 bits): a
# larger number cannot name a row, and handed to the database it fails with a 500 instead of a 422.
MAX_ID = 2**31 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]


def unique_items(values: list) -> list:
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
    def _no_null_for_required(self):
        for name in self.model_fields_set - self.nullable_fields:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be null")
        return self

    def changes(self) -> dict:
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
