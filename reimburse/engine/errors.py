"""What the engine raises when a case cannot be evaluated, as domain facts.

Every interface maps these once: ``simulate`` (command and API) answers an input error naming
the field; the pages, the quota API and Needs attention show what the rules do cover and say
which dates they do not (``reimburse.engine.evaluate_known``). They all derive from
``EngineError`` (a ``ValueError``), so nothing else needs catching.
"""

from __future__ import annotations

from datetime import date


class EngineError(ValueError):
    """A case the rules cannot evaluate."""


class RulesNotInForce(EngineError):
    """No dated rule table entry covers ``day``, so no rule can be applied to it.

    ``covered_from`` is the first day the table covers, when ``day`` lies before it: every
    day before that is uncovered too (of ``episode``'s sessions, when the table is one
    episode's, else of every session).
    """

    def __init__(
        self,
        day: date,
        what: str,
        *,
        covered_from: date | None = None,
        episode: str | None = None,
    ) -> None:
        self.day = day
        self.what = what
        self.episode = episode
        before = covered_from is not None and day < covered_from
        self.covered_from = covered_from if before else None
        since = f" (they start on {covered_from.isoformat()})" if covered_from and before else ""
        super().__init__(f"no {what} known for {day.isoformat()}{since}")


class UnknownValue(EngineError):
    """A fact names something the rules do not know: ``kind`` ``value`` (of ``owner``)."""

    kind = "value"

    def __init__(self, value: object, *, owner: str = "") -> None:
        self.value = value
        self.owner = owner
        where = f"{owner}: " if owner else ""
        super().__init__(f"{where}unknown {self.kind.replace('_', ' ')} {value!r}")


class UnknownCountry(UnknownValue):
    """A case names a country the engine has no rules for."""

    kind = "country"


class UnknownCategory(UnknownValue):
    """An episode has a category the country's rules do not know."""

    kind = "category"


class UnknownEpisode(UnknownValue):
    """A session names an episode the case does not contain."""

    kind = "episode"


class UnknownCondition(UnknownValue):
    """A Dutch chronic episode names no condition of the chronic list (Bijlage 1)."""

    kind = "condition"
