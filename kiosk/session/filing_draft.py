"""A remote-care filing request as the person builds it, one choice a screen: kind, province,
city, start, length, then a last look. Immutable, held in the View (kiosk.session.view)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import date, timedelta

from kiosk.domain import City, FilingType, Province

START_IN_DAYS = (0, 7, 30)  # today, in a week, in a month (the store takes up to 90)
# The lengths offered for each kind, in days: a long-term residence is filed for a year,
# a trip for weeks or months, a referral for one course of treatment.
LENGTHS: dict[FilingType, tuple[int, ...]] = {
    FilingType.LONG_TERM: (180, 365),
    FilingType.TEMPORARY: (30, 90, 180),
    FilingType.REFERRAL: (30, 90),
}


class FilingStep(enum.Enum):
    KIND = "kind"
    PROVINCE = "province"
    CITY = "city"
    START = "start"
    LENGTH = "length"
    CONFIRM = "confirm"


_ORDER = tuple(FilingStep)


@dataclass(frozen=True)
class FilingDraft:
    step: FilingStep
    destinations: tuple[Province, ...]
    today: date
    kind: FilingType | None = None
    province: Province | None = None
    city: City | None = None
    start: date | None = None
    days: int | None = None
    refused: str | None = None  # FilingRefused.reason, on the last look

    def choices(self) -> tuple[str, ...]:
        """The values the step on screen offers, as `choose` takes them."""
        step = self.step
        if step is FilingStep.KIND:
            return tuple(kind.value for kind in FilingType)
        if step is FilingStep.PROVINCE:
            return tuple(province.name for province in self.destinations)
        if step is FilingStep.CITY:
            return tuple(city.code for city in self.province.cities) if self.province else ()
        if step is FilingStep.START:
            return tuple(str(days) for days in START_IN_DAYS)
        if step is FilingStep.LENGTH:
            return tuple(str(days) for days in LENGTHS[self.kind]) if self.kind else ()
        return ()

    def chosen(self) -> tuple[str, str, date, int] | None:
        """Kind, city code, start and days, once the last look is reached."""
        if self.step is not FilingStep.CONFIRM:
            return None
        if self.kind is None or self.city is None or self.start is None or self.days is None:
            return None
        return self.kind.value, self.city.code, self.start, self.days

    @property
    def until(self) -> date | None:
        if self.start is None or self.days is None:
            return None
        return self.start + timedelta(days=self.days - 1)

    def with_choice(self, value: str) -> FilingDraft:
        """The draft with the step's choice made, on the next step."""
        step = self.step
        following = _ORDER[_ORDER.index(step) + 1]
        if step is FilingStep.KIND:
            return replace(self, kind=FilingType(value), days=None, step=following)
        if step is FilingStep.PROVINCE:
            province = next(p for p in self.destinations if p.name == value)
            return replace(self, province=province, city=None, step=following)
        if step is FilingStep.CITY:
            assert self.province is not None
            city = next(c for c in self.province.cities if c.code == value)
            return replace(self, city=city, step=following)
        if step is FilingStep.START:
            start = self.today + timedelta(days=int(value))
            return replace(self, start=start, step=following)
        return replace(self, days=int(value), step=following)

    def back(self) -> FilingDraft | None:
        """The step before (None: leave the request)."""
        index = _ORDER.index(self.step)
        return replace(self, step=_ORDER[index - 1], refused=None) if index else None
