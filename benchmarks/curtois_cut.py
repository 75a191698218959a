"""Make rostering instances of other sizes from the public Curtois & Qu ones (same format).

    .venv/bin/python benchmarks/curtois_cut.py benchmarks/curtois/Instance17.txt --days 28 --staff 30 \
        --out out/cut/Cut17-28d-30s.txt
    .venv/bin/python benchmarks/curtois_cut.py benchmarks/curtois/Instance7.txt --repeat 3 \
        --out out/cut/Rep7-84d.txt

`--first-day` / `--days` keep a window of the horizon (a whole number of weeks from a Monday,
so weekends stay weekends); `--repeat` chains the horizon that many times (the same cover,
requests and days off every period); `--staff` keeps the first N staff and scales every cover
requirement by N / all staff (rounded, at least 0), or with `--keep-cover` keeps the cover as it
was, so that fewer staff face it (cover that cannot be met). Every employee limit that counts over the
horizon (minimum and maximum minutes, maximum shifts of a type, maximum weekends) is scaled by
the new horizon / the old one: minimum minutes rounded down, maxima rounded up, so the cut keeps
the pace of the original. These instances have no best known value; they test the class of
problem (horizon length, staff, cover that cannot be met) against the engine's own before/after.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from optimizer.roster.curtois import CurtoisInstance, read_instance  # noqa: E402


def cut(instance: CurtoisInstance, *, first_day: int = 0, days: int | None = None, repeat: int = 1,
        staff: int | None = None, keep_cover: bool = False) -> str:
    """The instance text of the window `first_day` .. `first_day + days` repeated `repeat` times,
    with the first `staff` staff (see the module doc)."""
    days = instance.horizon - first_day if days is None else days
    if first_day % 7 or first_day < 0 or days <= 0 or first_day + days > instance.horizon:
        raise ValueError("the window must start on a Monday (a multiple of 7) and lie within the horizon")
    horizon = days * repeat
    ratio = horizon / instance.horizon
    members = instance.staff[:staff] if staff else instance.staff
    kept = {m.id for m in members}
    people = 1.0 if keep_cover else len(members) / len(instance.staff)

    def days_of(day: int) -> list[int]:
        """The new indexes of an original day (none outside the window)."""
        if not first_day <= day < first_day + days:
            return []
        return [day - first_day + k * days for k in range(repeat)]

    lines = ["SECTION_HORIZON", str(horizon), "", "SECTION_SHIFTS"]
    lines += [f"{s.id},{s.length_minutes},{'|'.join(s.cannot_follow)}" for s in instance.shifts]
    lines += ["", "SECTION_STAFF"]
    for m in members:
        limits = "|".join(f"{code}={min(horizon, math.ceil(limit * ratio))}" for code, limit in m.max_shifts)
        lines.append(f"{m.id},{limits},{math.ceil(m.max_total_minutes * ratio)},"
                     f"{math.floor(m.min_total_minutes * ratio)},{m.max_consecutive_shifts},"
                     f"{m.min_consecutive_shifts},{m.min_consecutive_days_off},"
                     f"{math.ceil(m.max_weekends * ratio)}")
    lines += ["", "SECTION_DAYS_OFF"]
    for who, off in instance.days_off:
        if who in kept:
            moved = sorted(d for day in off for d in days_of(day))
            lines.append(",".join([who, *map(str, moved)]))
    for section, requests in (("SECTION_SHIFT_ON_REQUESTS", instance.on_requests),
                              ("SECTION_SHIFT_OFF_REQUESTS", instance.off_requests)):
        lines += ["", section]
        lines += [f"{who},{d},{shift},{weight}" for who, day, shift, weight in requests if who in kept
                  for d in days_of(day)]
    lines += ["", "SECTION_COVER"]
    cover = [(d, shift, requirement, under, over) for day, shift, requirement, under, over in instance.cover
             for d in days_of(day)]
    lines += [f"{d},{shift},{max(0, round(requirement * people))},{under},{over}"
              for d, shift, requirement, under, over in sorted(cover, key=lambda c: c[0])]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instance", type=Path)
    parser.add_argument("--first-day", type=int, default=0)
    parser.add_argument("--days", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--staff", type=int, default=None)
    parser.add_argument("--keep-cover", action="store_true",
                        help="keep every cover requirement as it was (fewer staff face the same cover)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    text = cut(read_instance(args.instance), first_day=args.first_day, days=args.days, repeat=args.repeat,
               staff=args.staff, keep_cover=args.keep_cover)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
