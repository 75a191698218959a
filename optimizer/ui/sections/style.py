"""The page's style sheet: Streamlit's own English words replaced in Vietnamese, numbers that fit."""

from __future__ import annotations

import streamlit as st

from ..upload import MAX_UPLOAD_BYTES
from .context import Page


def page_style(page: Page) -> None:
    """Metric values small enough for a date or "Không đạt" in a quarter of a 1280 px page; in
    Vietnamese, the upload widgets' "Upload" / "20MB per file" and a form's "Press Enter to submit
    form" (the browser draws them in English) replaced by the page's words or hidden."""
    rules = ['[data-testid="stMetricValue"] { font-size: 1.75rem; }']
    if page.lang != "en":
        button = page.t("upload_button").replace('"', "'")
        limit = page.t("upload_widget_limit", mb=MAX_UPLOAD_BYTES // 2**20).replace('"', "'")
        rules += [
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p { font-size: 0; }',
            '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after '
            f'{{ content: "{button}"; font-size: 0.875rem; }}',
            '[data-testid="stFileUploaderDropzoneInstructions"] span { font-size: 0; }',
            '[data-testid="stFileUploaderDropzoneInstructions"] span::after '
            f'{{ content: "{limit}"; font-size: 0.75rem; }}',
            '[data-testid="InputInstructions"] { display: none; }',
        ]
    st.html("<style>\n" + "\n".join(rules) + "\n</style>")
