"""The sidebar's scenario pickers: a bundled scenario folder, a zipped scenario, or separate
wards and officers tables replacing those of the bundled scenario chosen."""

from __future__ import annotations

import hashlib

import streamlit as st

from ...errors import ScenarioError
from ...scenario import Scenario
from .. import province_picker, views
from ..i18n import scenario_error_text
from ..upload import MAX_UPLOAD_BYTES, Upload, UploadError, load_uploaded
from .cache import bundled_scenario
from .context import Page

UPLOAD_LIMIT_MB = MAX_UPLOAD_BYTES // 2**20     # the widget, the server (.streamlit/config.toml) and the check agree


def bundled_folders(page: Page) -> list[str]:
    """The bundled scenario folders (relative to the app), the default one first if not among them."""
    root, default = page.settings.root, page.settings.default_scenario
    folders = [str(p.relative_to(root)) for p in sorted(page.settings.scenarios_folder.iterdir())
               if (p / "campaign.toml").exists()]
    if default not in folders:
        folders.insert(0, default)
    return folders


def input_error(page: Page, exc: Exception) -> str:
    """The page's text for a refused upload or an invalid scenario (the CLI's one line)."""
    if isinstance(exc, UploadError):
        return page.t(f"upload_{exc.code}", **exc.values)
    return f"{page.t('invalid_input')}\n\n`{scenario_error_text(exc, page.lang)}`"


def uploaded(page: Page, widget_key: str) -> Upload | None:
    file = page.state.get(widget_key)
    return None if file is None else Upload(file.name, file.getvalue())


def choose_scenario(page: Page, messages: list) -> tuple[Scenario | None, str]:
    """The sidebar's scenario pickers; returns the scenario (None after an error) and its label.
    What the main page should say about it is appended to `messages` as (kind, text)."""
    T, ss, root = page.t, page.state, page.settings.root
    folders = bundled_folders(page)
    source_kind = page.choice(st.radio, T("scenario_source"), ["bundled", "upload"], "source_kind",
                              horizontal=True, format_func=lambda k: T(f"source_{k}"))
    folder = st.selectbox(T("bundled_scenario"), folders, key="bundled",
                          index=folders.index(page.settings.default_scenario), help=T("bundled_help"))
    picked = province_picker.pick_province(page.lang)   # any of the 63 provinces, built on first use
    folder = str(picked) if picked is not None else folder
    if source_kind == "upload":
        st.file_uploader(T("upload_zip"), type=["zip"], key="up_zip", max_upload_size=UPLOAD_LIMIT_MB)
        st.caption(T("upload_tables_replace", folder=folder))
        st.file_uploader(T("upload_wards"), type=["csv", "xlsx"], key="up_wards", max_upload_size=UPLOAD_LIMIT_MB)
        st.file_uploader(T("upload_officers"), type=["csv", "xlsx"], key="up_officers",
                         max_upload_size=UPLOAD_LIMIT_MB)
        st.caption(T("upload_limit", mb=UPLOAD_LIMIT_MB))
        files = {k: uploaded(page, k) for k in ("up_zip", "up_wards", "up_officers")}
        if any(files.values()):
            hasher = hashlib.sha256(folder.encode())
            for key, file in files.items():
                hasher.update(f"|{key}|{file.name if file else ''}|".encode())
                hasher.update(file.data if file else b"")
            digest = hasher.hexdigest()
            if digest not in ss["uploads"]:
                try:
                    ss["uploads"][digest] = load_uploaded(
                        base_folder=None if files["up_zip"] else root / folder,
                        scenario_zip=files["up_zip"], wards=files["up_wards"], officers=files["up_officers"])
                except (UploadError, ScenarioError) as exc:
                    ss["uploads"][digest] = exc
            loaded = ss["uploads"][digest]
            if isinstance(loaded, Exception):
                messages.append(("error", input_error(page, loaded)))
                for key, table in (("up_wards", "wards.csv"), ("up_officers", "officers.csv")):
                    upload = files[key]
                    if upload is not None and isinstance(loaded, ScenarioError) and loaded.file == table:
                        messages.append(("caption", T("upload_mapping", file=upload.name, table=table)))
                return None, ""
            scenario, notes = loaded
            messages.extend(("info", T(f"note_{note}")) for note in notes)
            if not files["up_zip"]:
                replaced = [T(f"table_{k}") for k in ("up_wards", "up_officers") if files[k] is not None]
                messages.append(("info", T("upload_replaced", tables=", ".join(replaced), folder=folder)))
            missing = views.districts_without_coordinates(scenario)
            if missing:
                messages.append(("warning", T("upload_no_coordinates", n=len(missing),
                                              districts=len(scenario.districts))))
            messages.append(("success", T("upload_ok", name=scenario.name)))
            return scenario, str(scenario.path)
        messages.append(("info", T("upload_hint")))
    try:
        return bundled_scenario(str(root / folder)), folder
    except ScenarioError as exc:
        messages.append(("error", input_error(page, exc)))
        return None, ""
