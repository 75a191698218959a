"""Pick any of the 63 provinces in the app: its scenario is built from public data on first use
(`optimizer.province`, well under a second) into a cache folder and reused after that."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from ..province import build_province, national, write_scenario

CACHE_ENV = "PLANNER_PROVINCE_CACHE"
TEXT = {
    "label": {"vi": "Hoặc một tỉnh/thành (dựng từ dữ liệu công khai)",
              "en": "Or any province (built from public data)"},
    "none": {"vi": "(không chọn)", "en": "(none)"},
    "help": {"vi": "Đơn vị hành chính 2021, Tổng điều tra dân số 2019 và dân số 2022; các giả định như Hà Nội "
                   "(xem README.md của kịch bản).",
             "en": "2021 administrative units, 2019 census and 2022 population; Hà Nội's assumptions "
                   "(see the scenario's README.md)."},
}


def cache_root() -> Path:
    """Where built provinces are kept: $PLANNER_PROVINCE_CACHE, else a folder in the temp dir."""
    return Path(os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / "cccd-province-scenarios")


def province_choices() -> list[tuple[str, str]]:
    """(code, name) of the 63 provinces in code order."""
    provinces, _ = national()
    return [(code, provinces[code].name) for code in sorted(provinces)]


def province_folder(code: str, root: Path | None = None) -> Path:
    """The province's scenario folder, built (or rebuilt when the builder's output changed)."""
    built = build_province(code)
    folder = (root or cache_root()) / built.folder_name
    current = all((folder / name).is_file() and (folder / name).read_text(encoding="utf-8") == text
                  for name, text in built.files.items())
    if not current:
        write_scenario(built, folder)
    return folder


def pick_province(lang: str, key: str = "province_pick") -> Path | None:
    """A sidebar selectbox of the 63 provinces; returns the chosen province's scenario folder."""
    import streamlit as st

    language = "en" if lang == "en" else "vi"
    names = dict(province_choices())
    code = st.selectbox(TEXT["label"][language], ["", *names], key=key, help=TEXT["help"][language],
                        format_func=lambda c: f"{c} {names[c]}" if c else TEXT["none"][language])
    if not code:
        return None
    try:
        folder = _built_once(code, str(cache_root()))
        return folder if (folder / "wards.csv").is_file() else province_folder(code)
    except (OSError, ValueError) as exc:   # e.g. the cache folder holds someone else's files
        st.error(f"{names[code]}: {exc}")
        return None


@functools.lru_cache(maxsize=64)
def _built_once(code: str, root: str) -> Path:
    """province_folder, once per code and process (the app reruns its script on every click)."""
    return province_folder(code, Path(root))
