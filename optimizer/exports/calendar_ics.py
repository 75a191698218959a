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
from collections.abc import Callable
from operator import itemgetter
from pathlib import Path

import icalendar
import pandas as pd

from ..scenario import Scenario
from .atomic import atomic_write_bytes
from .labels import check_language, label, role_name, shift_name
from .parallel import resolve_workers, run_tasks
from .roster_table import enrich_roster
from .safe_text import safe_filename

PRODID = "-//enrollment-planner//officer roster//VI"
UID_DOMAIN = "enrollment-planner"
FOLD_LIMIT = 75       # RFC 5545 folding: icalendar leaves a line shorter than this (octets) whole

# One event's data (a tuple; fields by position), from the enriched roster.
_FIELDS = ("start_at", "end_at", "ward_code", "role", "shift", "date", "ward_name",
           "district_name")
_START, _END, _WARD, _ROLE, _SHIFT, _DATE, _WARD_NAME, _DISTRICT_NAME = range(len(_FIELDS))
_EVENT_ORDER = itemgetter(_START, _WARD, _ROLE)     # an officer's events, as the calendar lists them


def write_officer_calendars(scenario: Scenario, roster: pd.DataFrame, folder: str | Path,
                            language: str = "vi", stamp: dt.datetime | None = None,
                            workers: int | None = 1) -> list[Path]:
    """Write `<folder>/ics/<officer_id>.ics` for every officer (scenario's and roster's).

    `stamp` is the events' DTSTAMP (UTC; default now): pass a fixed one for reproducible files.
    `workers` > 1 writes the files in that many forked processes (0: one per CPU); the files
    are the same whatever the number.
    """
    check_language(language)
    rows = enrich_roster(scenario, roster)
    stamp = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    officer_ids = rows["officer_id"].tolist()
    names = dict(zip(officer_ids, rows["display_name"].tolist()))
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
    out.mkdir(parents=True, exist_ok=True)
    events: dict[str, list[tuple]] = {}
    for officer_id, event in zip(officer_ids, _event_records(rows)):
        events.setdefault(officer_id, []).append(event)
    calendars = _CalendarBytes(scenario, language, stamp)
    order = sorted(names)
    paths = [out / f"{safe_filename(officer_id)}.ics" for officer_id in order]
    jobs = list(zip(order, paths))
    size = max(1, -(-len(jobs) // (4 * resolve_workers(workers))))   # a few batches per process
    batches = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    run_tasks(_write_calendars, (calendars, names, events), batches, workers)
    return paths


def _event_records(rows: pd.DataFrame) -> list[tuple]:
    """Enriched roster rows as event tuples (`_FIELDS`) with naive local start and end times."""
    columns = {name: rows[name].tolist() for name in _FIELDS if name not in ("start_at", "end_at")}
    for name in ("start_at", "end_at"):
        times = rows[name].tolist()
        local = {value: pd.Timestamp(value).to_pydatetime() for value in set(times)}
        columns[name] = [local[value] for value in times]
    return list(zip(*(columns[name] for name in _FIELDS)))


def _write_calendars(shared, batch: list[tuple[str, Path]]) -> int:
    calendars, names, events = shared
    for officer_id, path in batch:
        data = calendars.calendar(officer_id, names[officer_id], events.get(officer_id, []))
        atomic_write_bytes(path, data, durable=False)
    return len(batch)


class _CalendarBytes:
    """Officers' calendars serialised by icalendar, one distinct content line at a time.

    A calendar's text is its content lines in the order icalendar writes them; only a few of
    them differ between events (times, shift and role, ward) or between calendars (the name),
    so every distinct property value is serialised once, by icalendar (`Component.add` and
    `to_ical`: escaping, parameters, folding), and the calendars are joined from those lines.
    The VTIMEZONE is serialised once. A UID, unique to its event, is joined from its parts
    escaped by icalendar; one long enough to need folding is serialised whole.
    `officer_calendar` builds the same calendar as icalendar objects (the tests compare them).
    """

    def __init__(self, scenario: Scenario, language: str, stamp: dt.datetime,
                 timezone: icalendar.Timezone | None = None):
        self.scenario = scenario
        self.language = language
        self.stamp = stamp
        self.zone_name = scenario.settings.campaign.timezone
        self.zone = zoneinfo.ZoneInfo(self.zone_name)
        self.shifts = {s.code: s for s in scenario.shifts}
        self.campaign_key = _campaign_key(scenario)
        timezone = timezone or icalendar.Timezone.from_tzid(self.zone_name)
        self.timezone = timezone.to_ical()
        self._lines: dict[tuple, bytes] = {}
        self._texts: dict[str, bytes] = {}
        self._uid_heads: dict[str, bytes] = {}
        self._event_order = _property_order(icalendar.Event, _EVENT_PROPERTIES)
        self._calendar_order = _property_order(icalendar.Calendar, _CALENDAR_PROPERTIES)
        self._begin_event, self._end_event = _begin_end(icalendar.Event)
        self._begin_calendar, self._end_calendar = _begin_end(icalendar.Calendar)
        fixed = {"prodid": PRODID, "version": "2.0", "calscale": "GREGORIAN",
                 "method": "PUBLISH", "x-wr-timezone": self.zone_name}
        self._fixed = {name.upper(): self._line(icalendar.Calendar, name, value,
                                                lambda value=value: value)
                       for name, value in fixed.items()}
        self._stamp_line = self._line(icalendar.Event, "dtstamp", stamp, lambda: stamp)
        self._status_line = self._line(icalendar.Event, "status", "CONFIRMED", lambda: "CONFIRMED")

    def calendar(self, officer_id: str, display_name: str, events: list[tuple]) -> bytes:
        """The bytes `officer_calendar(...).to_ical()` gives for these events."""
        name = label("calendar_name", self.language, name=display_name)
        header = dict(self._fixed)
        header["X-WR-CALNAME"] = self._line(icalendar.Calendar, "x-wr-calname", name,
                                            lambda: icalendar.vText(name))   # X- properties
        # are not typed by icalendar: vText escapes line breaks, commas and semicolons
        parts = [self._begin_calendar]
        parts += [header[key] for key in self._calendar_order]
        parts.append(self.timezone)                       # before events
        seen: dict[tuple, int] = {}
        for event in sorted(events, key=_EVENT_ORDER):
            key = (event[_DATE], event[_SHIFT])
            seen[key] = count = seen.get(key, 0) + 1      # the same shift twice (an invalid
            parts.append(self._event(officer_id, event, count))   # roster): UIDs stay unique
        parts.append(self._end_calendar)
        return b"".join(parts)

    def _event(self, officer_id: str, event: tuple, count: int) -> bytes:
        shift_code = event[_SHIFT]
        shift = self.shifts[shift_code]
        role = event[_ROLE]
        language = self.language
        lines = {"UID": self._uid(officer_id, event[_DATE], shift_code, count),
                 "DTSTAMP": self._stamp_line, "STATUS": self._status_line}
        start, end = event[_START], event[_END]
        lines["DTSTART"] = self._line(icalendar.Event, "dtstart", start,
                                      lambda: start.replace(tzinfo=self.zone))
        lines["DTEND"] = self._line(icalendar.Event, "dtend", end,
                                    lambda: end.replace(tzinfo=self.zone))
        lines["SUMMARY"] = self._line(
            icalendar.Event, "summary", (shift_code, role),
            lambda: f"{shift_name(shift, language)} – {role_name(role, language)}")
        ward, district = event[_WARD_NAME], event[_DISTRICT_NAME]
        lines["LOCATION"] = self._line(icalendar.Event, "location", (ward, district),
                                       lambda: f"{ward}, {district}")
        lines["DESCRIPTION"] = self._line(
            icalendar.Event, "description", (shift_code, role, ward, district),
            lambda: label("event_description", language, campaign=self.scenario.name,
                          shift=shift_name(shift, language), start=shift.start, end=shift.end,
                          role=role_name(role, language), ward=ward, district=district))
        return b"".join([self._begin_event, *(lines[key] for key in self._event_order),
                         self._end_event])

    def _uid(self, officer_id: str, date: dt.date, shift: str, count: int) -> bytes:
        head = self._uid_heads.get(officer_id)
        if head is None:
            head = self._uid_heads[officer_id] = self._text(
                f"{self.campaign_key}-{officer_id}-")
        tail = f"{date:%Y%m%d}-{shift}" + (f"-{count}" if count > 1 else "") + f"@{UID_DOMAIN}"
        line = b"UID:" + head + self._text(tail)
        if len(line) < FOLD_LIMIT:        # a line this short is never folded
            return line + b"\r\n"
        uid = f"{self.campaign_key}-{officer_id}-{tail}"
        return self._line(icalendar.Event, "uid", uid, lambda: uid)

    def _text(self, text: str) -> bytes:
        """`text` escaped as an iCalendar TEXT value (icalendar's vText)."""
        escaped = self._texts.get(text)
        if escaped is None:
            escaped = self._texts[text] = icalendar.vText(text).to_ical()
        return escaped

    def _line(self, component: type, name: str, key, make_value: Callable[[], object]) -> bytes:
        """The content line icalendar writes (folded, with its line end) for property `name`
        of a `component` with the value `make_value()`; made once per `key`."""
        cache_key = (component.name, name, key)
        line = self._lines.get(cache_key)
        if line is None:
            single = component()
            single.add(name, make_value())
            text = single.to_ical()
            begin, end = _begin_end(component)
            if not (text.startswith(begin) and text.endswith(end)):
                raise RuntimeError(f"unexpected iCalendar text for {name}: {text!r}")
            line = self._lines[cache_key] = text[len(begin):len(text) - len(end)]
        return line


_EVENT_PROPERTIES = ("uid", "dtstamp", "dtstart", "dtend", "summary", "location", "description",
                     "status")
_CALENDAR_PROPERTIES = ("prodid", "version", "calscale", "method", "x-wr-calname",
                        "x-wr-timezone")


def _property_order(component: type, names: tuple[str, ...]) -> list[str]:
    """The order icalendar writes these properties of a component in (upper-case names)."""
    sample = component()
    for name in names:
        sample.add(name, "x", encode=False)
    return [name for name, _ in sample.property_items(recursive=False)][1:-1]


def _begin_end(component: type) -> tuple[bytes, bytes]:
    return (f"BEGIN:{component.name}\r\n".encode(), f"END:{component.name}\r\n".encode())


def _campaign_key(scenario: Scenario) -> str:
    return hashlib.sha256(
        f"{scenario.settings.campaign.province}|{scenario.name}|"
        f"{scenario.settings.campaign.start_date}".encode()).hexdigest()[:10]


def officer_calendar(scenario: Scenario, rows: pd.DataFrame, officer_id: str, display_name: str,
                     language: str, stamp: dt.datetime,
                     timezone: icalendar.Timezone | None = None) -> icalendar.Calendar:
    """One officer's calendar from enriched roster rows (`enrich_roster`).

    `timezone` is the campaign's VTIMEZONE (made from the tz database when not given).
    """
    zone_name = scenario.settings.campaign.timezone
    zone = zoneinfo.ZoneInfo(zone_name)
    shifts = {s.code: s for s in scenario.shifts}
    campaign_key = _campaign_key(scenario)
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", icalendar.vText(label("calendar_name", language, name=display_name)))
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
