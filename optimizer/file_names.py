"""File names derived from codes (district codes, officer IDs): safe and collision-free.

A code made only of ASCII letters, digits, dot, dash and underscore is its own file stem. Any
other code (Vietnamese letters, '/', spaces) has its unsafe characters replaced by '_' and a
short hash of the exact code appended, so `BĐ` and `BĂ`, or `A/1` and `A_1`, get different
files. File shares on Windows and macOS ignore case, so two codes whose stems differ only in
case would still share a file: `stem_collisions` finds them and the scenario loader refuses
them (for officer IDs it also refuses look-alikes such as `A/1` and `A_1`).
"""

from __future__ import annotations

import hashlib
import re

_UNSAFE = re.compile(r"[^0-9A-Za-z._-]")


def file_stem(code: str) -> str:
    """A file name stem for `code`: ASCII letters, digits, dot, dash, underscore only;
    a code that is not already such a stem gets `-<8 hex digits of its hash>` appended."""
    text = str(code)
    stem = _UNSAFE.sub("_", text).strip(".")
    if stem == text and stem:
        return stem
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]
    return f"{stem or '_'}-{digest}"


def plain_stem(code: str) -> str:
    """`code` with every character a file name may not hold replaced by '_' (no hash)."""
    return _UNSAFE.sub("_", str(code)).strip(".") or "_"


def stem_collisions(codes, *, lookalike: bool = False) -> tuple[str, str] | None:
    """The first two distinct codes whose file stems are equal ignoring case, or None.

    With `lookalike`, codes that differ only in case or in characters a file name cannot hold
    (`A/1` and `A_1`) count as colliding too, even though their hashed stems differ."""
    seen: dict[str, str] = {}
    for code in codes:
        key = (plain_stem(code) if lookalike else file_stem(code)).casefold()
        if key in seen and seen[key] != code:
            return seen[key], code
        seen.setdefault(key, code)
    return None
