"""The checker's report: every broken rule, where and what, and the recomputed KPIs."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

# --- report -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Violation:
    """One broken rule: which rule, where (ward/district, date, shift or file), what exactly."""

    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


@dataclass
class CheckReport:
    """Every violation found, and the KPIs recomputed from the plan's decisions."""

    violations: list[Violation] = field(default_factory=list)
    kpis: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations

    def rules(self) -> Counter:
        """Violations counted by rule."""
        return Counter(v.rule for v in self.violations)

    def add(self, rule: str, where: str, detail: str) -> None:
        self.violations.append(Violation(rule, where, detail))


def format_report(report: CheckReport, max_per_rule: int | None = None) -> str:
    """One line per violation (at most `max_per_rule` per rule if given), then a line of counts."""
    lines = []
    shown: Counter = Counter()
    for violation in report.violations:
        shown[violation.rule] += 1
        if max_per_rule is None or shown[violation.rule] <= max_per_rule:
            lines.append(str(violation))
    counts = report.rules()
    if max_per_rule is not None:
        for rule, count in counts.items():
            if count > max_per_rule:
                lines.append(f"[{rule}] ... and {count - max_per_rule} more")
    kpis = report.kpis
    if kpis.get("enrolled") is not None:
        tail = (f"recomputed enrolled {kpis['enrolled']} of target {kpis['target']} "
                f"(coverage {kpis['coverage']:.2%})")
    else:
        tail = f"target {kpis.get('target', '?')}, enrolled not recomputed"
    if report.ok:
        lines.append(f"OK: 0 violations; {tail}")
    else:
        by_rule = ", ".join(f"{rule} {count}" for rule, count in sorted(counts.items()))
        lines.append(f"FAILED: {len(report.violations)} violation(s) ({by_rule}); {tail}")
    return "\n".join(lines)
