"""Names: fold them so that variants of one person compare equal."""

from __future__ import annotations

import re
import unicodedata

HONORIFICS = {"dr", "dame", "sir", "prof", "professor", "mr", "mrs", "ms"}
_SPECIAL = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "å": "a", "Å": "A", "ß": "ss",
                          "đ": "d", "ł": "l", "Ł": "L", "’": "'", "‘": "'"})


def fold(text: str) -> str:
    """Lowercase ASCII form of text: Løhde -> lohde, O’Cathaoir -> o'cathaoir."""
    text = text.translate(_SPECIAL)
    if text.isascii():  # nothing to decompose: the common case, and the cheap one
        return text.lower()
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


# Transliterations that fold to one form: Høyer/Hoeyer, Krogsgaard/Krogsgard, Müller/Mueller.
_TRANSLITERATIONS = (("oe", "o"), ("ae", "a"), ("aa", "a"), ("ue", "u"))


def name_key(name: str) -> str:
    """Folded name without honorifics or punctuation, for comparing name variants."""
    words = re.findall(r"[a-z0-9]+", fold(name).replace("'", ""))
    key = " ".join(w for w in words if w not in HONORIFICS)
    for written, folded in _TRANSLITERATIONS:
        key = key.replace(written, folded)
    return key


def slugify(text: str) -> str:
    """An id from a name: 'Sophie Løhde' -> 'sophie-lohde'."""
    return "-".join(re.findall(r"[a-z0-9]+", fold(text).replace("'", "")))
