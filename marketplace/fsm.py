"""A small declarative state machine: each concept declares its moves in one table."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from marketplace.errors import InvalidTransition


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str


def move(name: str, sources: Iterable[str] | str, target: str) -> Transition:
    return Transition(name, frozenset([sources] if isinstance(sources, str) else sources), target)


class StateMachine:
    """The allowed moves of one concept. `check` raises InvalidTransition with a readable reason."""

    def __init__(
        self,
        concept: str | Promise,
        labels: dict[str, str | Promise],
        transitions: Iterable[Transition],
    ) -> None:
        self.concept = concept
        self.labels = labels
        self.transitions = {t.name: t for t in transitions}
        for t in self.transitions.values():
            unknown = (t.sources | {t.target}) - labels.keys()
            if unknown:
                raise ValueError(f"{t.name} uses unknown states {sorted(unknown)}")

    def can(self, current: str, name: str) -> bool:
        return current in self.transitions[name].sources

    def check(self, current: str, name: str) -> str:
        """Return the target state of `name` from `current`, or raise InvalidTransition."""
        transition = self.transitions[name]
        if current not in transition.sources:
            raise InvalidTransition(
                _("This %(concept)s is “%(state)s” and cannot become “%(target)s”.")
                % {
                    "concept": self.concept,
                    "state": self.labels.get(current, current),
                    "target": self.labels.get(transition.target, transition.target),
                },
                code="invalid_state",
            )
        return transition.target

    def allowed(self, current: str) -> list[str]:
        return [t.name for t in self.transitions.values() if current in t.sources]
