"""Cross-record checks: references that must resolve, duplicates, and quality warnings."""

from __future__ import annotations

import operator
from collections import defaultdict

from .corpus import Corpus
from .problems import WARNING, Problem

TAXONOMY_PATH = "corpus/taxonomy.yaml"


def check_references(corpus: Corpus, locate) -> list[Problem]:
    """Report every reference to a conference, session, speaker or topic that does not exist.

    `locate(path, field)` gives the line where a field such as 'appearances.0.session' is written.
    """
    problems = []

    def missing(record, field_name, kind, value, hint=""):
        line = locate(record.path, field_name)
        problems.append(Problem(record.path, line, f"{field_name} refers to unknown {kind} '{value}'",
                                field=field_name, hint=hint))

    for session in corpus.sessions.values():
        if session.conference not in corpus.conferences:
            missing(session, "conference", "conference", session.conference)
    for talk in corpus.talks.values():
        _check_talk_refs(corpus, talk, missing)
    for speaker in corpus.speakers.values():
        for i, appearance in enumerate(speaker.appearances):
            if appearance.conference not in corpus.conferences:
                missing(speaker, f"appearances.{i}.conference", "conference", appearance.conference)
            if appearance.session and appearance.session not in corpus.sessions:
                missing(speaker, f"appearances.{i}.session", "session", appearance.session)
        _check_overrides(corpus, speaker, missing)
    return problems


def _check_talk_refs(corpus: Corpus, talk, missing) -> None:
    if talk.conference not in corpus.conferences:
        missing(talk, "conference", "conference", talk.conference)
    session = corpus.sessions.get(talk.session or "")
    if talk.session and session is None:
        missing(talk, "session", "session", talk.session)
    elif session and session.conference != talk.conference:
        missing(talk, "session", f"session of conference '{talk.conference}'", talk.session)
    for speaker_id in talk.speakers:
        if speaker_id not in corpus.speakers:
            missing(talk, "speakers", "speaker", speaker_id, hint="create speakers/" + speaker_id + ".md")
    _check_overrides(corpus, talk, missing)


def _check_overrides(corpus: Corpus, record, missing) -> None:
    overrides = record.topic_overrides
    for topic_id in (*overrides.add, *overrides.remove):
        if topic_id not in corpus.topics:
            missing(record, "topics", "topic", topic_id, hint="topics are defined in taxonomy.yaml")


def check_programme(corpus: Corpus, locate) -> list[Problem]:
    """Two talks may not share one place in a session's programme."""
    problems = []
    places = defaultdict(list)
    for talk in corpus.talks.values():
        places[(talk.conference, talk.session, talk.order)].append(talk)
    for (_, session, order), talks in places.items():
        for talk in sorted(talks, key=lambda t: t.path)[1:]:
            problems.append(Problem(talk.path, locate(talk.path, "order"),
                                    f"order {order} is already taken in session '{session}' by {talks[0].path}",
                                    field="order", severity=WARNING))
    return problems


def quality_warnings(corpus: Corpus, locate, taxonomy_path: str = TAXONOMY_PATH) -> list[Problem]:
    """Warnings a librarian should look at: missing bios, untagged talks, unused topics, twin speakers."""
    problems = []
    for speaker in corpus.speakers.values():
        if not speaker.bio.strip():
            problems.append(Problem(speaker.path, 1, f"speaker '{speaker.name}' has no bio",
                                    field="body", severity=WARNING, hint="add the bio below the front matter"))
    for talk in corpus.talks.values():
        if not talk.topics:
            problems.append(Problem(talk.path, 1, "talk has no topic", field="topics", severity=WARNING,
                                    hint="add one with `topics: {add: [...]}` or a taxonomy rule"))
    used = {t for r in (*corpus.talks.values(), *corpus.speakers.values()) for t in r.topics}
    for topic_id in corpus.topics:
        if topic_id not in used:
            problems.append(Problem(taxonomy_path, locate(taxonomy_path, f"topics.{topic_id}"),
                                    f"topic '{topic_id}' is used by no record", severity=WARNING))
    problems.extend(_likely_duplicate_speakers(corpus))
    problems.extend(_missing_provenance(corpus, locate))
    return problems


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
