"""Cross-record checks: references that must resolve, duplicates, and quality warnings."""

from __future__ import annotations

import operator
from collections import defaultdict
from dataclasses import dataclass

from .corpus import Corpus
from .problems import WARNING, Problem
from .records import Speaker, Talk

TAXONOMY_PATH = "corpus/taxonomy.yaml"


@dataclass
class Checked:
    """What the cross-record checks found, kept by what each finding depends on, so that the check of a save
    can redo only what the saved records touch (`recheck`)."""

    own: dict[str, list[Problem]]  # per talk and speaker file: its references, a missing bio, no topic
    programme: list[Problem]  # talks sharing a place in a session's programme
    settled: list[Problem]  # what only sessions and conferences decide: sessions' references, provenance
    topic_use: dict[str, int]  # how many talks and speakers have each topic
    twins: list[Problem]  # speakers who may be one person
    unused: list[Problem]  # topics no record has (from topic_use)

    def problems(self) -> list[Problem]:
        return [*(p for found in self.own.values() for p in found), *self.programme, *self.settled, *self.twins,
                *self.unused]


def check_corpus(corpus: Corpus, locate, taxonomy_path: str = TAXONOMY_PATH) -> Checked:
    """Every cross-record check: references that must resolve, the programme, and the quality warnings.

    `locate(path, field)` gives the line where a field such as 'appearances.0.session' is written.
    """
    records = (*corpus.talks.values(), *corpus.speakers.values())
    settled = [_missing(session, "conference", "conference", session.conference, locate)
               for session in corpus.sessions.values() if session.conference not in corpus.conferences]
    topic_use: dict[str, int] = {}
    for record in records:
        for topic in set(record.topics):
            topic_use[topic] = topic_use.get(topic, 0) + 1
    return _completed(corpus, locate, taxonomy_path, {r.path: _own_problems(corpus, r, locate) for r in records},
                      check_programme(corpus, locate), settled + _missing_provenance(corpus, locate), topic_use,
                      _likely_duplicate_speakers(corpus))


def recheck(earlier: Checked, previous: Corpus, corpus: Corpus, saved: list, locate,
            taxonomy_path: str = TAXONOMY_PATH) -> Checked:
    """check_corpus(corpus) worked out from `earlier`, previous's findings, for a corpus that is previous with the
    `saved` records in place of their namesakes (same ids, same taxonomy: see archive/load.py's _derived).

    Only what the saved records touch is checked again: when they are talks and speakers none of which
    moved in the programme, the other records' own findings and the programme's clashes stay as they
    were. Anything else is checked whole. At 10,000 talks this takes a save's check from a tenth of a
    second to a few milliseconds.
    """
    talks = [r for r in saved if isinstance(r, Talk)]
    speakers = [r for r in saved if isinstance(r, Speaker)]
    if (len(talks) + len(speakers) != len(saved)
            or any(_place(previous.talks.get(t.id)) != _place(t) for t in talks)):
        return check_corpus(corpus, locate, taxonomy_path)
    paths = {r.path for r in saved}
    own = dict(earlier.own)
    own.update((r.path, _own_problems(corpus, r, locate)) for r in saved)
    programme = [p for p in earlier.programme if p.path not in paths]
    programme += [p for talk in talks for p in _programme_problems(_group(corpus, talk), locate) if p.path == talk.path]
    topic_use = dict(earlier.topic_use)
    for record in saved:
        before = (previous.talks if isinstance(record, Talk) else previous.speakers)[record.id]
        for topic, step in [*((t, -1) for t in set(before.topics)), *((t, 1) for t in set(record.topics))]:
            topic_use[topic] = topic_use.get(topic, 0) + step
    twins = _likely_duplicate_speakers(corpus) if speakers else earlier.twins
    return _completed(corpus, locate, taxonomy_path, own, programme, earlier.settled, topic_use, twins)


def _completed(corpus: Corpus, locate, taxonomy_path: str, own: dict, programme: list, settled: list,
               topic_use: dict, twins: list) -> Checked:
    """A Checked with the topics no record uses worked out from topic_use."""
    unused = [Problem(taxonomy_path, locate(taxonomy_path, f"topics.{topic_id}"),
                      f"topic '{topic_id}' is used by no record", severity=WARNING)
              for topic_id in corpus.topics if not topic_use.get(topic_id)]
    return Checked(own, programme, settled, topic_use, twins, unused)


def _missing(record, field_name: str, kind: str, value: str, locate, hint: str = "") -> Problem:
    return Problem(record.path, locate(record.path, field_name), f"{field_name} refers to unknown {kind} '{value}'",
                   field=field_name, hint=hint)


def _own_problems(corpus: Corpus, record, locate) -> list[Problem]:
    """A talk's or a speaker's findings that depend on it alone and on which ids exist: its references that do
    not resolve, a speaker without a bio, a talk without a topic."""
    problems: list[Problem] = []

    def missing(field_name, kind, value, hint=""):
        problems.append(_missing(record, field_name, kind, value, locate, hint))

    if isinstance(record, Talk):
        _check_talk_refs(corpus, record, missing)
        if not record.topics:
            problems.append(Problem(record.path, 1, "talk has no topic", field="topics", severity=WARNING,
                                    hint="add one with `topics: {add: [...]}` or a taxonomy rule"))
        return problems
    for i, appearance in enumerate(record.appearances):
        if appearance.conference not in corpus.conferences:
            missing(f"appearances.{i}.conference", "conference", appearance.conference)
        if appearance.session and appearance.session not in corpus.sessions:
            missing(f"appearances.{i}.session", "session", appearance.session)
    _check_overrides(corpus, record, missing)
    if not record.bio.strip():
        problems.append(Problem(record.path, 1, f"speaker '{record.name}' has no bio",
                                field="body", severity=WARNING, hint="add the bio below the front matter"))
    return problems


def _check_talk_refs(corpus: Corpus, talk, missing) -> None:
    if talk.conference not in corpus.conferences:
        missing("conference", "conference", talk.conference)
    session = corpus.sessions.get(talk.session or "")
    if talk.session and session is None:
        missing("session", "session", talk.session)
    elif session and session.conference != talk.conference:
        missing("session", f"session of conference '{talk.conference}'", talk.session)
    for speaker_id in talk.speakers:
        if speaker_id not in corpus.speakers:
            missing("speakers", "speaker", speaker_id, hint="create speakers/" + speaker_id + ".md")
    _check_overrides(corpus, talk, missing)


def _check_overrides(corpus: Corpus, record, missing) -> None:
    overrides = record.topic_overrides
    for topic_id in (*overrides.add, *overrides.remove):
        if topic_id not in corpus.topics:
            missing("topics", "topic", topic_id, hint="topics are defined in taxonomy.yaml")


def check_programme(corpus: Corpus, locate) -> list[Problem]:
    """Two talks may not share one place in a session's programme."""
    places = defaultdict(list)
    for talk in corpus.talks.values():
        places[_place(talk)].append(talk)
    return [p for talks in places.values() for p in _programme_problems(talks, locate)]


def _place(talk) -> tuple | None:
    return None if talk is None else (talk.conference, talk.session, talk.order)


def _group(corpus: Corpus, talk) -> list:
    """The talks that share the talk's place in the programme (itself included)."""
    return [t for t in corpus.talks_in_session(talk.session or "") if _place(t) == _place(talk)]


def _programme_problems(talks: list, locate) -> list[Problem]:
    """Each talk of one place but the first (by file) takes a place already taken."""
    talks = sorted(talks, key=lambda t: t.path)
    return [Problem(talk.path, locate(talk.path, "order"),
                    f"order {talk.order} is already taken in session '{talk.session}' by {talks[0].path}",
                    field="order", severity=WARNING) for talk in talks[1:]]


def _missing_provenance(corpus: Corpus, locate) -> list[Problem]:
    """A conference should say where its text came from and on what terms it is reproduced."""
    problems = []
    for conference in corpus.conferences.values():
        missing = conference.provenance.missing()
        if missing:
            problems.append(Problem(conference.path, locate(conference.path, "provenance"),
                                    "provenance is missing " + ", ".join(missing), field="provenance",
                                    severity=WARNING, hint="record each under `provenance:`; write 'unknown' "
                                    "when it cannot be found out (see corpus/README.md)"))
    return problems


def _likely_duplicate_speakers(corpus: Corpus) -> list[Problem]:
    """Pairs of speakers whose names fold to one, or where one name extends the other (shared first name).

    Worked out again only when some speaker's id, name, aliases, file or organisations changed: a
    save of a talk (most saves) changes none, and the comparison cost a tenth of a second per save
    at 10,000 talks, where reading what it depends on costs a fifth of that.
    """
    records = list(corpus.speakers.values())
    last = _DUPLICATES.get("last")  # one read: another thread may replace it meanwhile
    if last is not None and len(last[0]) == len(records) and all(map(operator.is_, last[0], records)):
        return list(last[2])  # the very same records (a save's check shares every unchanged one): nothing to read
    speakers = sorted(records, key=lambda s: s.id)
    depends_on = tuple((s.id, s.name, tuple(s.aliases), s.path, tuple(s.organisations)) for s in speakers)
    found = _compare_speakers(speakers) if last is None or last[1] != depends_on else last[2]
    _DUPLICATES["last"] = (records, depends_on, found)
    return list(found)


# "last" -> (the speaker records last compared, held so that none is freed and its id reused; what the
# comparison depended on; what it found). Loaded records are never changed (archive/load.py).
_DUPLICATES: dict[str, tuple] = {}


def _compare_speakers(speakers: list) -> list[Problem]:
    from .names import name_key

    keys = [{name_key(n) for n in (s.name, *s.aliases)} - {""} for s in speakers]
    problems = []
    for i, j in _candidate_pairs(keys):
        first, other = speakers[i], speakers[j]
        reason = _same_person_reason(keys[i], keys[j], first, other)
        if reason:
            problems.append(Problem(other.path, 1, f"speaker may be the same person as '{first.id}' ({reason})",
                                    severity=WARNING,
                                    hint=f"merge them with `confarchive speakers merge {first.id} {other.id}`"))
    return problems


def _candidate_pairs(keys: list[set]) -> list[tuple[int, int]]:
    """Pairs (i < j) that could give `_same_person_reason` a reason, so the others are never compared.

    Every reason needs the same first word and either the same name, a later word in common, or (names
    such as "anna maria anna") a last word equal to the first; a name of one repeated word is compared
    with every name starting with that word.
    """
    buckets: dict[tuple, set[int]] = {}
    repeated: list[tuple[int, str]] = []
    for index, names in enumerate(keys):
        for name in names:
            words = name.split()
            first = words[0]
            shared = {("name", name), ("first", first), *(("pair", first, w) for w in words[1:] if w != first)}
            if words[-1] == first:
                shared.add(("ends", first))
            if len(words) > 1 and set(words) == {first}:
                repeated.append((index, first))
            for bucket in shared:
                buckets.setdefault(bucket, set()).add(index)
    groups = [members for bucket, members in buckets.items() if bucket[0] != "first"]
    pairs = {(a, b) for members in groups for a in members for b in members if a < b}
    for index, first in repeated:
        pairs |= {(min(index, other), max(index, other)) for other in buckets[("first", first)] if other != index}
    return sorted(pairs)


def _same_person_reason(keys_a: set, keys_b: set, a, b) -> str:
    shared = keys_a & keys_b
    if shared:
        return f"both are called '{sorted(shared)[0]}'"
    for ka in keys_a:
        for kb in keys_b:
            wa, wb = ka.split(), kb.split()
            short, long_ = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
            if len(short) >= 2 and short[0] == long_[0] and set(short) <= set(long_):
                return f"'{' '.join(short)}' is part of '{' '.join(long_)}'"
            if wa[0] == wb[0] and wa[-1] == wb[-1] and set(a.organisations) & set(b.organisations):
                return f"same first and last name and a shared organisation ({sorted(set(a.organisations) & set(b.organisations))[0]})"
    return ""
