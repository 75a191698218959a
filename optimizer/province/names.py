"""Unit names as the sources write them, made comparable (matching rule 1).

The 2021 administrative list and the 2019 census spell the same unit differently: NFC or not,
upper or lower case, with or without its type prefix ("Phường", "Xã", "Huyện"), numbers with
leading zeros, and the tone mark on either vowel of a syllable ("Khánh Hoà" and "Khánh Hòa",
"Thuỵ" and "Thụy"). `name_key` maps all of these to one key.
"""

from __future__ import annotations

import re
import unicodedata


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


TONES = {"\u0300": "2", "\u0301": "1", "\u0303": "4", "\u0309": "3", "\u0323": "5"}
PREFIXES = {
    "province": r"thành phố|tỉnh|tp\.?",
    "district": r"quận|huyện|thị xã|thành phố",
    "commune": r"phường|xã|thị trấn",
}
DISTRICT_PREFIX = re.compile(r"^(quận|huyện|thị xã|thành phố) ", re.IGNORECASE)


def name_key(name: str, *, level: str, strip_prefix: bool = True) -> str:
    """Normalise a unit name for matching (rule 1): NFC, lower case, single spaces, numbers
    without leading zeros, the syllable's tone mark at its end, optionally no type prefix."""
    text = re.sub(r"\s+", " ", nfc(name).strip().lower())
    if strip_prefix:
        text = re.sub(rf"^({PREFIXES[level]}) ", "", text)
    words = []
    for word in re.split(r"[ \-]+", text):
        if word.isdigit():
            words.append(str(int(word)))
            continue
        tone, letters = "", []
        for ch in unicodedata.normalize("NFD", word):
            if ch in TONES:
                tone = TONES[ch]
            else:
                letters.append(ch)
        words.append(unicodedata.normalize("NFC", "".join(letters)) + tone)
    return " ".join(w for w in words if w)
