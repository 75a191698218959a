"""Officers' calendars: `ics/<officer_id>.ics`, one event per shift worked, in local time
(Asia/Ho_Chi_Minh by default, with its VTIMEZONE) so phones show the right hour anywhere.

Event UIDs are derived from campaign, officer, date and shift only, so a re-published roster
updates an officer's existing events (a moved ward or role changes the event, not its identity).
Every officer of the scenario gets a file, an empty calendar when they have no shifts, so a
subscribed calendar drops shifts that a re-plan removed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import zoneinfo
from pathlib import Path

import icalendar
import pandas as pd

from ..scenario import Scenario
from .atomic import atomic_path
from .labels import check_language, label, role_name, shift_name
from .roster_table import enrich_roster
from .safe_text import safe_filename

PRODID = "-//enrollment-planner//officer roster//VI"
UID_DOMAIN = "enrollment-planner"


def write_officer_calendars(scenario: Scenario, roster: pd.DataFrame, folder: str | Path,
                            language: str = "vi", stamp: dt.datetime | None = None) -> list[Path]:
    """Write `<folder>/ics/<officer_id>.ics` for every officer (scenario's and roster's).

    `stamp` is the events' DTSTAMP (UTC; default now): pass a fixed one for reproducible files.
    """
    check_language(language)
    rows = enrich_roster(scenario, roster)
    stamp = (stamp or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc)
    names = dict(zip(rows["officer_id"], rows["display_name"]))
    if scenario.officers is not None:
        for officer_id, name in scenario.officers["display_name"].items():
            names.setdefault(str(officer_id), str(name))
    stems: dict[str, str] = {}
    for officer_id in sorted(names):
        stem = safe_filename(officer_id)
        if stem.casefold() in stems:       # file shares on Windows ignore case
            raise ValueError(f"officers '{stems[stem.casefold()]}' and '{officer_id}' would share "
                             f"the file {stem}.ics")
        stems[stem.casefold()] = officer_id
    out = Path(folder) / "ics"
    paths = []
    by_officer = dict(tuple(rows.groupby("officer_id", sort=False)))
    timezone = icalendar.Timezone.from_tzid(scenario.settings.campaign.timezone)  # built once
    for officer_id in sorted(names):
        stem = safe_filename(officer_id)
        calendar = officer_calendar(scenario, by_officer.get(officer_id, rows.iloc[0:0]),
                                    officer_id, names[officer_id], language, stamp, timezone)
        path = out / f"{stem}.ics"
        with atomic_path(path, durable=False) as temp:
            temp.write_bytes(calendar.to_ical())
        paths.append(path)
    return paths


def officer_calendar(scenario: Scenario, rows: pd.DataFrame, officer_id: str, display_name: str,
                     language: str, stamp: dt.datetime,
                     timezone: icalendar.Timezone | None = None) -> icalendar.Calendar:
    """One officer's calendar from enriched roster rows (`enrich_roster`).

    `timezone` is the campaign's VTIMEZONE (made from the tz database when not given).
    """
    zone_name = scenario.settings.campaign.timezone
    zone = zoneinfo.ZoneInfo(zone_name)
    shifts = {s.code: s for s in scenario.shifts}
    campaign_key = hashlib.sha256(
        f"{scenario.settings.campaign.province}|{scenario.name}|"
        f"{scenario.settings.campaign.start_date}".encode()).hexdigest()[:10]
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", label("calendar_name", language, name=display_name))
    calendar.add("x-wr-timezone", zone_name)
    calendar.add_component(timezone or icalendar.Timezone.from_tzid(zone_name))  # before events
    seen: dict[str, int] = {}
    for row in rows.sort_values(["start_at", "ward_code", "role"]).to_dict("records"):
        shift = shifts[row["shift"]]
        uid = f"{campaign_key}-{officer_id}-{row['date']:%Y%m%d}-{row['shift']}"
        seen[uid] = seen.get(uid, 0) + 1
        if seen[uid] > 1:            # the same shift twice (an invalid roster): keep UIDs unique
            uid += f"-{seen[uid]}"
        event = icalendar.Event()
        event.add("uid", f"{uid}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("dtstart", pd.Timestamp(row["start_at"]).to_pydatetime().replace(tzinfo=zone))
        event.add("dtend", pd.Timestamp(row["end_at"]).to_pydatetime().replace(tzinfo=zone))
        event.add("summary", f"{shift_name(shift, language)} – {role_name(row['role'], language)}")
        event.add("location", f"{row['ward_name']}, {row['district_name']}")
        event.add("description", label(
            "event_description", language, campaign=scenario.name,
            shift=shift_name(shift, language), start=shift.start, end=shift.end,
            role=role_name(row["role"], language), ward=row["ward_name"],
            district=row["district_name"]))
        event.add("status", "CONFIRMED")
        calendar.add_component(event)
    return calendar
