"""What a roster solve returns: the status, the roster itself and what it costs, rule by rule."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from .problem import RosterProblem


class RosterStatus(Enum):
    """How a solve ended."""

    OPTIMAL = "optimal"                          # proven best roster
    FEASIBLE = "feasible"                        # a roster, not proven best
    INFEASIBLE = "infeasible"                    # no roster satisfies the hard rules (see explanation)
    NO_SOLUTION_IN_TIME = "no_solution_in_time"  # the budget ran out before any roster was found


class Assignment(NamedTuple):
    """Employee `employee` works shift `shift` on day `day` at `site` in `role`."""

    employee: str
    day: int
    shift: str
    site: str | None = None
    role: str | None = None


@dataclass(frozen=True)
class Violation:
    """One named soft cost: e.g. rule `understaffed`, label
    `understaffed(site=00001, day=3, shift=S, role=operator)`, amount 1 (person), cost 50.0."""

    rule: str
    label: str
    amount: float
    cost: float


@dataclass(frozen=True)
class RosterResult:
    """The outcome of `solve`.

    `objective` is the roster's cost (None without a roster), `bound` a proven lower bound on
    any roster's cost (None if none was proven), `violations` every soft cost by name,
    `seconds` the wall-clock time, `explanation` why the problem is infeasible (or empty),
    `stats` search statistics (phases, iterations, stop reason, work units used), `problem`
    the problem solved (for reports such as `officers.roster_to_frame`)."""

    status: RosterStatus
    objective: float | None
    bound: float | None
    assignments: tuple[Assignment, ...]
    violations: tuple[Violation, ...]
    seconds: float
    explanation: str = ""
    stats: Mapping[str, object] = field(default_factory=dict)
    problem: RosterProblem | None = field(default=None, compare=False, repr=False)

    @property
    def has_roster(self) -> bool:
        return self.status in (RosterStatus.OPTIMAL, RosterStatus.FEASIBLE)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0 when proven optimal)."""
        if self.objective is None or self.bound is None:
            return None
        if self.objective == 0:
            return 0.0
        return max(0.0, (self.objective - self.bound) / abs(self.objective))

    def cost_by_rule(self) -> dict[str, float]:
        """Total soft cost per rule name."""
        totals: dict[str, float] = {}
        for violation in self.violations:
            totals[violation.rule] = totals.get(violation.rule, 0.0) + violation.cost
        return totals
