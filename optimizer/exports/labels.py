"""Every word the exports print, in Vietnamese (default) and English, from one table."""

from __future__ import annotations

import datetime as dt

LANGUAGES = ("vi", "en")

LABELS: dict[str, tuple[str, str]] = {   # key: (Vietnamese, English)
    "roster_title": ("Lịch trực: {ward}, {district}", "Duty roster: {ward}, {district}"),
    "summary_title": ("Tổng hợp lịch trực: {district}", "Roster summary: {district}"),
    "summary_sheet": ("Tổng hợp", "Summary"),
    "key": ("Ký hiệu ca", "Shift key"),
    "officer_id": ("Mã cán bộ", "Officer ID"),
    "display_name": ("Họ và tên", "Name"),
    "home_unit": ("Đơn vị", "Home unit"),
    "roles": ("Nhiệm vụ", "Roles"),
    "shifts": ("Số ca", "Shifts"),
    "hours": ("Số giờ", "Hours"),
    "day_total": ("Tổng lượt ca", "Officer-shifts"),
    "ward_code": ("Mã phường/xã", "Ward code"),
    "ward_name": ("Phường/xã", "Ward"),
    "officers": ("Số cán bộ", "Officers"),
    "officer_shifts": ("Tổng lượt ca", "Officer-shifts"),
    "total": ("Tổng cộng", "Total"),
    "district_reserve": ("Dự bị quận/huyện", "District reserve"),
    "page": ("Trang &P/&N", "Page &P of &N"),
    "calendar_name": ("Lịch trực: {name}", "Duty roster: {name}"),
    "event_description": ("{campaign}\n{shift} ({start}–{end}), {role}\n{ward}, {district}",
                          "{campaign}\n{shift} ({start}–{end}), {role}\n{ward}, {district}"),
    # roles
    "role_operator": ("Vận hành máy", "Kit operator"),
    "role_verifier": ("Tiếp nhận, xác minh", "Receptionist/verifier"),
    "role_driver": ("Lái xe", "Driver"),
    "role_home_visit": ("Thu nhận tại nhà", "Home visit"),
}

WEEKDAYS = {"vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
            "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}


def check_language(language: str) -> str:
    """Return `language` if supported, else raise ValueError."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    return language


def label(key: str, language: str = "vi", **values) -> str:
    """The text for `key` in `language`, with `{placeholders}` filled from `values`."""
    text = LABELS[key][LANGUAGES.index(check_language(language))]
    return text.format(**values) if values else text


def role_name(role: str, language: str = "vi") -> str:
    """A role's printed name; an unknown role prints as its code."""
    key = f"role_{role}"
    return label(key, language) if key in LABELS else role


def shift_name(shift, language: str = "vi") -> str:
    """A scenario shift's name (`ShiftSettings.name_vi` / `name_en`)."""
    return shift.name_vi if check_language(language) == "vi" else shift.name_en


def day_header(date: dt.date, language: str = "vi") -> str:
    """A day column's heading on two lines, e.g. 'T2\\n25/07' or 'Mon\\n25/07'."""
    return f"{WEEKDAYS[check_language(language)][date.weekday()]}\n{date:%d/%m}"
