"""A re-import's changes to the conference's speakers: their biographies (the persons' bios in the schedule,
by the three-way rule) and the sessions of their appearances when their talks move."""

from __future__ import annotations

from ..corpus import Corpus
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


def session_moves(corpus: Corpus, ident: str, plan: ImportPlan) -> dict[str, dict]:
    """Speaker id -> {old session: new session} for appearances whose session none of the speaker's talks is in
    once the update's moves (plan.moves) are made: the appearance moves with the talk, keeping its role,
    organisation and bio, rather than a second one being added."""
    final = {t.id: t.session for t in corpus.talks.values() if t.conference == ident}
    final.update({talk: new for talk, (_, new) in plan.moves.items()})
    moves: dict[str, dict] = {}
    for talk, (old, new) in plan.moves.items():
        for speaker in corpus.talks[talk].speakers:
            still = any(final[t] == old and speaker in corpus.talks[t].speakers for t in final)
            if not still and old not in moves.get(speaker, {}):
                moves.setdefault(speaker, {})[old] = new
                plan.report.append(f"updated: {speaker}: the appearance in {old or '(no session)'} moves to "
                                   f"{new or '(no session)'} with {talk}")
    return moves


def _kept(speaker: ImportedSpeaker, base) -> str:
    was = "the last import's is not on record" if base is None else f"it was {show(base)}"
    return (f"kept the librarian's edit: {speaker.id}: the biography here differs from the schedule's, which "
            f"changed too ({was})")
