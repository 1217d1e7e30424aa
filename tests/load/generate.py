"""Grow a copy of the shipped corpus with generated talks, so that a build takes a few seconds."""

from __future__ import annotations

import random
from pathlib import Path

CONFERENCE, SESSION, SPEAKER = "dngc-2025", "dngc-2025-s2", "james-buchanan"
FIRST_ORDER = 100  # the shipped talks use orders 1-10; generated ones never collide with them
WORDS = ("data sharing genomics consent registry patient cohort biobank privacy federated analysis "
         "interoperability standards infrastructure research hospital clinical trial precision medicine "
         "cancer diagnostics screening citizen trust governance health economics evaluation value "
         "secondary use legislation artificial intelligence model validation outcome quality nordic").split()

TALK = """---
id: {id}
conference: {conference}
session: {session}
kind: talk
order: {order}
title: {title}
speakers:
- {speaker}
source:
  section: Generated for load tests
  lines: "1-2"
---
{body}
"""


def add_talks(corpus: Path, count: int, seed: int = 7, tag: str = "gen") -> list[str]:
    """Write `count` valid talk files into the corpus copy; return their ids."""
    rng = random.Random(seed)
    talks = corpus / "conferences" / CONFERENCE / "talks"
    ids = []
    for number in range(count):
        ident = f"{SESSION}-{tag}-{number:05d}"
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        sentences = [" ".join(rng.choice(WORDS) for _ in range(14)).capitalize() + "." for _ in range(8)]
        text = TALK.format(id=ident, conference=CONFERENCE, session=SESSION, order=FIRST_ORDER + number,
                           title=title, speaker=SPEAKER, body=" ".join(sentences))
        (talks / f"{ident}.md").write_text(text, encoding="utf-8")
        ids.append(ident)
    return ids
