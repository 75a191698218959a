"""Numbers, shares and dates as the page prints them.

Vietnamese (default): thousands separator '.', decimal comma, dates dd/mm/yyyy
('1.234.567', '91,5%', '25/07/2022'). English: '1,234,567', '91.5%', '25/07/2022'.
"""

from __future__ import annotations

import datetime as dt
import math

WEEKDAYS = {"vi": ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"),
            "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")}
SHORT_WEEKDAYS = {"vi": ("T2", "T3", "T4", "T5", "T6", "T7", "CN"),
                  "en": ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")}
MONTHS = {"vi": tuple(f"Tháng {m}" for m in range(1, 13)),
          "en": ("January", "February", "March", "April", "May", "June", "July", "August",
                 "September", "October", "November", "December")}
SHORT_MONTHS = {"vi": tuple(f"Th{m}" for m in range(1, 13)),
                "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")}
MISSING = "–"


def _separators(lang: str) -> tuple[str, str]:
    """(thousands, decimal) separators."""
    return (".", ",") if lang == "vi" else (",", ".")


def number(value, lang: str = "vi", digits: int = 0) -> str:
    """A number with thousands separators and `digits` decimals: 1.234.567 / 1.234,5 (vi)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    thousands, decimal = _separators(lang)
    text = f"{float(value):,.{digits}f}" if digits else f"{round(float(value)):,d}"
    if text in ("-0", f"-0.{'0' * digits}"):
        text = text[1:]
    return text.replace(",", "\0").replace(".", decimal).replace("\0", thousands)


def signed(value, lang: str = "vi", digits: int = 0) -> str:
    """A number with its sign: +1.234 / −56 (zero has no sign)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return MISSING
    text = number(abs(value), lang, digits)
    if round(float(value), digits) > 0:
        return "+" + text
    if round(float(value), digits) < 0:
        return "-" + text
    return text


def percent(share, lang: str = "vi", digits: int = 1) -> str:
    """A share as a percentage: 0.9152 -> '91,5%' (vi) / '91.5%' (en)."""
    if share is None or (isinstance(share, float) and not math.isfinite(share)):
        return MISSING
    return number(100 * float(share), lang, digits) + "%"


def points(delta_share, lang: str = "vi", digits: int = 1) -> str:
    """A change in a share, in percentage points: +1,2 điểm % / +1.2 pp."""
    unit = " điểm %" if lang == "vi" else " pp"
    return signed(100 * float(delta_share), lang, digits) + unit


def date_text(value: dt.date | str | None, lang: str = "vi") -> str:
    """dd/mm/yyyy (both languages: the planners' habit)."""
    if value is None:
        return MISSING
    if isinstance(value, str):
        value = dt.date.fromisoformat(value[:10])
    return f"{value:%d/%m/%Y}"


def weekday_date(value: dt.date, lang: str = "vi") -> str:
    """'Thứ Hai, 25/07/2022' / 'Monday, 25/07/2022'."""
    return f"{WEEKDAYS[lang][value.weekday()]}, {date_text(value, lang)}"


def day_header(value: dt.date, lang: str = "vi") -> str:
    """A roster grid's day column: 'T2 25/07' / 'Mon 25/07'."""
    return f"{SHORT_WEEKDAYS[lang][value.weekday()]} {value:%d/%m}"


def seconds(value: float, lang: str = "vi") -> str:
    """Elapsed time: '12,3 s'."""
    return number(value, lang, 1) + " s"


def vega_locale(lang: str = "vi") -> dict:
    """Vega's number and time locale, so chart axes print like the rest of the page."""
    thousands, decimal = _separators(lang)
    return {
        "number": {"decimal": decimal, "thousands": thousands, "grouping": [3],
                   "currency": ["", " ₫"] if lang == "vi" else ["", " VND"]},
        "time": {"dateTime": "%A, %d/%m/%Y %X", "date": "%d/%m/%Y", "time": "%H:%M:%S",
                 "periods": ["SA", "CH"] if lang == "vi" else ["AM", "PM"],
                 "days": [WEEKDAYS[lang][i] for i in (6, 0, 1, 2, 3, 4, 5)],
                 "shortDays": [SHORT_WEEKDAYS[lang][i] for i in (6, 0, 1, 2, 3, 4, 5)],
                 "months": list(MONTHS[lang]), "shortMonths": list(SHORT_MONTHS[lang])},
    }


def file_slug(name: str, default: str = "plan") -> str:
    """A name for a downloaded file: ASCII letters and digits joined by '-' ('Hoàn Kiếm ×1,5' ->
    'hoan-kiem-1-5'), so it survives every file share and e-mail client."""
    import re
    import unicodedata

    text = name.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or default
