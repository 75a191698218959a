"""Exports district offices print and officers receive: roster CSV, district XLSX workbooks,
officers' iCalendar files and the deployment table. Every writer is a function of its inputs
that writes its files atomically; every text cell passes one formula-injection guard
(`safe_text.cell_text`); every printed word comes from one translation table (`labels`)."""

from .calendar_ics import write_officer_calendars
from .deployment import deployment_table, write_deployment_csv
from .roster_csv import write_roster_csv
from .roster_xlsx import write_district_workbooks

__all__ = ["write_roster_csv", "write_district_workbooks", "write_officer_calendars",
           "write_deployment_csv", "deployment_table"]
