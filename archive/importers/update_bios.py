"""A re-import's three-way update of speakers' biographies at the conference (the persons' bios in the schedule)."""

from __future__ import annotations

from .mapping import ImportPlan
from .people import ImportedSpeaker, PeopleMatcher
from .state import plain_bio
from .three_way import show, three_way


def bio_updates(ident: str, people: PeopleMatcher, base: dict, plan: ImportPlan) -> dict[str, str]:
    """Speaker id -> the new biography, for speakers of the conference whose bio only the schedule changed;
    updates and kept edits are reported. Speakers new to the conference get theirs with their appearance."""
    updates = {}
    for speaker in people.people.values():
        here = [a for a in (speaker.existing.appearances if speaker.existing else []) if a.conference == ident]
        if not here or not speaker.listings:
            continue
        ours, theirs = plain_bio(speaker.existing.bio_for(here[0])), plain_bio((speaker.bios() or [""])[0])
        outcome = three_way(base.get(speaker.id), ours, theirs)
        if outcome == "update":
            updates[speaker.id] = theirs
            plan.report.append(f"updated: {speaker.id}: biography {show(ours)} → {show(theirs)}")
        elif outcome == "conflict":
            plan.report.append(_kept(speaker, base.get(speaker.id)))
    return updates


def _kept(speaker: ImportedSpeaker, base) -> str:
    was = "the last import's is not on record" if base is None else f"it was {show(base)}"
    return (f"kept the librarian's edit: {speaker.id}: the biography here differs from the schedule's, which "
            f"changed too ({was})")
