"""British and American spellings of one word, folded to one form at index and query time."""

from __future__ import annotations

import re
from functools import lru_cache

# Whole words whose variants no suffix rule below covers.
WORDS = {
    "programme": "program", "programmes": "programs", "paediatric": "pediatric", "paediatrics": "pediatrics",
    "haematological": "hematological", "haematology": "hematology", "haemoglobin": "hemoglobin",
    "oesophageal": "esophageal", "oestrogen": "estrogen", "anaemia": "anemia", "foetal": "fetal",
    "ageing": "aging", "judgement": "judgment", "grey": "gray", "defence": "defense", "licence": "license",
    "practise": "practice", "enrol": "enroll", "enrolment": "enrollment", "focussed": "focused",
    "catalogue": "catalog", "dialogue": "dialog", "analyse": "analyze", "analysed": "analyzed",
    "analysing": "analyzing", "travelled": "traveled", "modelling": "modeling", "labelling": "labeling",
}
# Suffix rules, applied in order to words not in WORDS: (British ending, American ending).
SUFFIXES = [
    (re.compile(r"(\w{3,})isation(s?)$"), r"\1ization\2"),
    (re.compile(r"(\w{3,})ise(s|d)?$"), r"\1ize\2"),
    (re.compile(r"(\w{3,})ising$"), r"\1izing"),
    (re.compile(r"(\w{2,})our(s|ed|ing)?$"), r"\1or\2"),
    (re.compile(r"(\w{2,})tre(s)?$"), r"\1ter\2"),
]
# Words that look British by their ending but are spelt the same on both sides.
KEEP = {"wise", "rise", "arise", "noise", "raise", "praise", "poise", "cruise", "premise", "promise", "exercise",
        "expertise", "advertise", "compromise", "surprise", "franchise", "merchandise", "otherwise", "likewise",
        "enterprise", "comprise", "concise", "precise", "devise", "revise", "supervise", "televise", "disguise",
        "demise", "despise", "excise", "chastise", "improvise", "incise", "surmise", "treatise", "clockwise",
        "four", "hour", "our", "your", "tour", "pour", "sour", "flour", "detour", "contour", "amour", "velour",
        "troubadour", "devour", "ours", "yours", "hours", "tours", "fours", "centre", "metre", "theatre",
        "fibre", "litre", "spectre", "sombre", "acre", "massacre", "mediocre", "genre", "lucre", "ogre",
        "timbre", "calibre"}
KEEP_REWRITE = {"centre": "center", "metre": "meter", "theatre": "theater", "fibre": "fiber", "litre": "liter",
                "spectre": "specter", "sombre": "somber", "calibre": "caliber", "centres": "centers"}


@lru_cache(maxsize=65536)  # every token of every build and query passes here; the words repeat
def normalise_spelling(word: str) -> str:
    """American form of a lowercase word: 'organisation' -> 'organization', 'tumour' -> 'tumor'."""
    if word in WORDS:
        return WORDS[word]
    if word in KEEP_REWRITE:
        return KEEP_REWRITE[word]
    if word in KEEP or len(word) < 5:
        return word
    for pattern, replacement in SUFFIXES:
        if pattern.match(word):
            return pattern.sub(replacement, word)
    return word
