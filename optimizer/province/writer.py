"""Write a built scenario: campaign.toml, the four tables and the generated README, atomically
(each file through a temporary file and a rename), into a folder the builder owns."""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path

from .assumptions import Assumptions
from .resources import SHIFTS
from .sources import nfc

MARKER = "<!-- written by python -m optimizer build-scenario -->"
DISTRICT_COLUMNS = ["district_code", "district_name", "lat", "lon", "mobile_kits", "reserve_operator",
                    "reserve_verifier", "reserve_driver", "reserve_home_visit"]
WARD_COLUMNS = ["ward_code", "ward_name", "district_code", "population", "eligible", "already_enrolled",
                "cannot_enroll", "walk_in", "invited", "homebound", "institution", "fixed_kits", "working_groups"]
OFFICER_COLUMNS = ["officer_id", "display_name", "district_code", "home_ward", "roles", "leave_dates",
                   "max_shifts_per_day", "max_hours_per_week"]
REQUEST_COLUMNS = ["officer_id", "date", "shift", "kind", "weight"]
SCENARIO_FILES = ("campaign.toml", "districts.csv", "wards.csv", "officers.csv", "requests.csv", "README.md")


class OutputNotOurs(ValueError):
    """The output folder holds files this builder did not write."""


CAMPAIGN_TOML = """\
{header}
[campaign]
name = "{name}"
province = "{province}"
start_date = {start}
days = {days}
timezone = "Asia/Ho_Chi_Minh"
freeze_days = 2
{shifts}
[demand]
walk_in_turnout = {turnout}
turnout_curve = "front"
turnout_peak_day = {peak}
weekend_factor = {weekend}
shift_preference = {{ {preference} }}
invitation_show_up = 0.7
invitation_lead_days = 1
max_letters_per_ward_day = 300
give_up_share = 0.2
return_share = 0.6
return_after_days = 2
follow_up_after_days = 3
follow_up_show_up = 0.5
calls_per_group_day = {calls}

[throughput_per_kit_hour]
walk_in = {rate:.1f}
invited = {rate:.1f}
institution = 25.0

[crew_per_kit]
operator = 1
verifier = 1

[mobile_kit]
shifts = ["S", "C"]
crew = {{ operator = 1, verifier = 1, driver = 1 }}

[home_visit]
shift = "T"
people_per_team_hour = 2.0
crew = {{ home_visit = 2 }}

[officer_rules]
max_shifts_per_day = {max_shifts}
min_rest_hours = 9
max_consecutive_days = 6
min_days_off_per_7 = {days_off}
max_hours_per_week = {max_hours}
forbidden_successions = [["T", "S"]]

[objective]
enrolled = 1.0
shortfall_steps = [[0.05, 0.5], [0.10, 1.0]]
wait_per_person_shift = 0.01
officer_shift = 0.002
kit_move = 0.05
unstaffed_slot = 50.0
cross_ward = 0.2
reserve_use = 0.5
request = 1.0

[solver]
time_limit_seconds = 60
workers = 2
seed = 0
relative_gap = 0.002
"""


def campaign_toml(a: Assumptions, *, name: str, province: str, header: str) -> str:
    shifts = "".join(f'\n[[shifts]]\ncode = "{c}"\nname_vi = "{vi}"\nname_en = "{en}"\nstart = "{s}"\n'
                     f'end = "{e}"\n' for c, vi, en, s, e in SHIFTS)
    preference = ", ".join(f"{k} = {v:.2f}" for k, v in a.shift_preference.items())
    return CAMPAIGN_TOML.format(header=header, name=name, province=province, start=a.start_date.isoformat(),
                                days=a.days, shifts=shifts, turnout=a.walk_in_turnout, peak=a.turnout_peak_day,
                                weekend=a.weekend_factor, preference=preference, rate=a.throughput_per_kit_hour,
                                max_shifts=a.max_shifts_per_day, days_off=a.min_days_off_per_7,
                                max_hours=a.max_hours_per_week, calls=float(a.calls_per_group_day))


def csv_text(columns: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row[c] for c in columns])
    return nfc(buffer.getvalue())


def check_output_folder(folder: Path, *, owned_marker: str = MARKER) -> None:
    """Refuse a folder holding files the builder did not write (an empty or missing folder, or
    one whose README.md carries the builder's marker, is fine)."""
    if not folder.exists():
        return
    if not folder.is_dir():
        raise OutputNotOurs(f"{folder}: exists and is not a folder")
    entries = [p.name for p in folder.iterdir()]
    if not entries:
        return
    readme = folder / "README.md"
    if readme.is_file() and owned_marker in readme.read_text(encoding="utf-8", errors="replace"):
        strangers = sorted(set(entries) - set(SCENARIO_FILES))
        if not strangers:
            return
        raise OutputNotOurs(f"{folder}: holds {strangers[0]}, which build-scenario did not write; "
                            "choose another --out")
    raise OutputNotOurs(f"{folder}: not empty and not written by build-scenario; choose another --out")


def write_files(folder: Path, files: dict[str, str]) -> None:
    """Write each file through a temporary sibling and a rename (a reader never sees half a file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", dir=folder)
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(text.encode("utf-8"))
            os.replace(temporary, folder / name)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
