"""A second seeded synthetic corpus, with distributions the indexer was not tuned to.

Same file format as benchmarks/synthetic.py (it passes `confarchive validate`), but its own model:
- words: English function words, then the shipped corpus's content words in a *shuffled* rank order
  and a larger tail of generated words (other syllables), Zipf exponent 0.9 (flatter than 1.05);
- multi-word named entities ("European Health Data Space", generated institutes and programmes),
  Zipf-weighted, spliced into sentences with their capitals;
- texts from 20 to 2,000 words, log-normal with a heavy tail (median about 180), in paragraphs;
- 1-8 speakers per talk (panels of 3-8), a larger speaker pool with surnames of several words;
- many small conferences (3-30 talks) and a few big ones (150-600 talks), up to 40 sessions each;
- about 8 % of the talks in German or Danish (`language: de|da`, text mixed with that language's words).

    python -m benchmarks.synthetic_alt --talks 10000 --out /tmp/corpus-alt-10k
"""

from __future__ import annotations

import itertools
import math
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from random import Random

from . import synthetic
from .synthetic import (CITIES, COUNTRIES, ORG_KINDS, ROLES, SHIPPED_CORPUS, WORD, _ascii, _bodies, _q, _unique, _write,
                        load_themes, wait_for_taxonomy)

GENERATOR_VERSION = 1
ZIPF_EXPONENT = 0.9
FUNCTION_WORDS = ("the of and to in a for is that on with as are be this by we from it an at or not can "
                  "have has which will was more their but all also how they our these been should its "
                  "into other than about between when what who there would one new so such may most").split()
FUNCTION_SHARE = 0.38  # share of a text's words that are function words
SYLLABLES_ALT = [c + v for c in ("b", "br", "d", "f", "g", "gr", "k", "l", "m", "n", "p", "pr", "r", "s", "st",
                                 "t", "tr", "v", "w", "z") for v in ("a", "e", "i", "o", "u", "ae", "ei", "y")]
FIXED_ENTITIES = ["European Health Data Space", "World Health Organization", "General Data Protection Regulation",
                  "European Medicines Agency", "Danish Health Authority", "Robert Koch Institute", "Nordic Council",
                  "Horizon Europe", "Genome of Europe", "European Reference Networks", "Global Alliance for Genomics",
                  "National Health Service", "European Commission", "Innovative Health Initiative",
                  "Clinical Trials Regulation", "Artificial Intelligence Act", "European Parliament",
                  "United Nations", "Joint Research Centre", "Data Governance Act"]
ENTITY_KINDS = ["Institute", "Programme", "Consortium", "Network", "Initiative", "Registry", "Biobank", "Alliance"]
FOREIGN = {"de": "der die das und ist nicht mit für von zu den im auf ein eine auch werden sich dass wir".split(),
           "da": "og i at det er en til på med for af som den ikke vi har de skal kan sundhed data".split()}
FIRST_ALT = ["Astrid", "Bjørn", "Dagmar", "Ulrich", "Ines", "Matthias", "Sigrid", "Anders", "Birgit", "Klaus",
             "Lena", "Torben", "Jutta", "Pia", "Wolfgang", "Nanna", "Ole", "Greta", "Stefan", "Lone", "Carlos",
             "Zofia", "Pieter", "Margarethe", "Aleksander", "Yasmin", "Dimitris", "Siobhán", "Rui", "Katja"]
PARTICLES = ["", "", "", "", "van der ", "de la ", "von ", "af ", "Mac "]
SPEAKER_COUNTS = (1, 2, 3, 4, 5, 6, 7, 8)
SPEAKER_COUNT_WEIGHTS = (45, 20, 12, 9, 6, 4, 2, 2)


@dataclass
class AltVocabulary:
    function_words: list[str]
    content: list[str]
    content_cum: list[float]
    entities: list[str]
    entity_cum: list[float]


def build_vocabulary(talks: int, seed: int, source: Path = SHIPPED_CORPUS) -> AltVocabulary:
    """Function words; shuffled real content words plus generated ones, Zipf 0.9; named entities."""
    rng = Random(seed * 7919 + 1)
    counts = Counter(w.lower() for _, body in _bodies(source) for w in WORD.findall(body))
    real = sorted(w for w in counts if w not in FUNCTION_WORDS and len(w) > 2)
    rng.shuffle(real)  # ranks unrelated to the shipped corpus's frequencies
    tail_size = int(12000 * math.sqrt(max(talks, 50) / 1000))
    seen, generated = set(real) | set(FUNCTION_WORDS), []
    while len(generated) < tail_size:
        word = "".join(rng.choice(SYLLABLES_ALT) for _ in range(rng.randint(1, 4)))
        if len(word) > 2 and word not in seen:
            seen.add(word)
            generated.append(word)
    content = real + generated
    weights = (1.0 / (rank + 1.5) ** ZIPF_EXPONENT for rank in range(len(content)))
    n_entities = 60 + talks // 20
    entities = list(FIXED_ENTITIES)
    while len(entities) < n_entities:
        words = [rng.choice(content[:3000]).capitalize() for _ in range(rng.randint(1, 3))]
        entities.append(" ".join(words + [rng.choice(ENTITY_KINDS)]))
    entity_weights = (1.0 / (rank + 1) ** 1.1 for rank in range(len(entities)))
    return AltVocabulary(FUNCTION_WORDS, content, list(itertools.accumulate(weights)), entities,
                         list(itertools.accumulate(entity_weights)))


class AltTextMaker:
    """Paragraphs of sentences: function words, Zipfian content words, entities and theme phrases."""

    def __init__(self, vocab: AltVocabulary, themes: list[tuple[str, list[str]]], rng: Random):
        self.vocab, self.themes, self.rng = vocab, themes, rng

    def length(self, scale: float = 1.0) -> int:
        return max(20, min(2000, int(self.rng.lognormvariate(math.log(180), 0.85) * scale)))

    def pick_themes(self) -> list[tuple[str, list[str]]]:
        if not self.themes:
            return []
        k = self.rng.choice((1, 1, 1, 2, 3))
        return self.rng.sample(self.themes, min(k, len(self.themes)))

    def words(self, n: int, language: str = "") -> list[str]:
        rng, v = self.rng, self.vocab
        n_function = sum(1 for _ in range(n) if rng.random() < FUNCTION_SHARE)
        out = rng.choices(v.content, cum_weights=v.content_cum, k=n - n_function)
        out += rng.choices(v.function_words, k=n_function)
        if language in FOREIGN:
            out += rng.choices(FOREIGN[language], k=n // 2)
        rng.shuffle(out)
        for _ in range(max(0, n // 60) + (1 if rng.random() < 0.5 else 0)):
            out.insert(rng.randrange(len(out) + 1), rng.choices(v.entities, cum_weights=v.entity_cum)[0])
        return out

    def text(self, n_words: int, themes, language: str = "") -> str:
        words = self.words(n_words, language)
        for _, phrases in themes:
            for _ in range(self.rng.randint(1, 3) + n_words // 400):
                words.insert(self.rng.randrange(len(words) + 1), self.rng.choice(phrases))
        paragraphs, sentences, i, budget = [], [], 0, self.rng.randint(50, 160)
        while i < len(words):
            n = self.rng.randint(5, 32)
            chunk = words[i:i + n]
            sentences.append(chunk[0][:1].upper() + chunk[0][1:] + (" " if len(chunk) > 1 else "")
                             + " ".join(chunk[1:]) + self.rng.choice((".", ".", ".", ".", "?")))
            i += n
            budget -= n
            if budget <= 0 or i >= len(words):
                paragraphs.append(" ".join(sentences))
                sentences, budget = [], self.rng.randint(50, 160)
        return "\n\n".join(paragraphs)

    def title(self, themes) -> str:
        words = [w for w in self.words(self.rng.randint(2, 9)) if w not in FUNCTION_WORDS or self.rng.random() < 0.3]
        words = words or [self.rng.choice(self.vocab.content[:500])]
        if themes and self.rng.random() < 0.7:
            words.insert(self.rng.randrange(len(words) + 1), self.rng.choice(themes[0][1]))
        text = " ".join(words)
        return text[:1].upper() + text[1:]

    def name(self) -> tuple[str, str]:
        first = self.rng.choice(FIRST_ALT)
        last = " ".join("".join(self.rng.choice(SYLLABLES_ALT) for _ in range(self.rng.randint(2, 3))).capitalize()
                        for _ in range(1 if self.rng.random() < 0.85 else 2))
        return first, self.rng.choice(PARTICLES) + last


def conference_sizes(talks: int, rng: Random) -> list[int]:
    """Many small conferences and a few big ones, summing to talks."""
    sizes, made = [], 0
    while made < talks:
        size = rng.randint(150, 600) if rng.random() < 0.04 else rng.randint(3, 30)
        size = min(size, talks - made)
        sizes.append(size)
        made += size
    return sizes


def plan(talks: int, maker: AltTextMaker, rng: Random) -> tuple[list[dict], list[dict]]:
    """Conferences (with sessions and talks) and the speakers who appear in them."""
    orgs = [(f"{maker.name()[1]} {rng.choice(ORG_KINDS)}", rng.choice(COUNTRIES)) for _ in range(60 + talks // 15)]
    pool_size = max(10, int(talks * 0.8))
    weights = list(itertools.accumulate(1.0 / (r + 1) ** 0.6 for r in range(pool_size)))
    used: set[str] = set()
    pool = [_speaker(maker, rng, orgs, used) for _ in range(pool_size)]
    conferences = []
    for number, size in enumerate(conference_sizes(talks, rng), start=1):
        conferences.append(_conference(number, size, maker, rng, pool, weights))
    return conferences, [s for s in pool if s["appearances"]]


def _speaker(maker: AltTextMaker, rng: Random, orgs, used: set) -> dict:
    first, last = maker.name()
    base = _ascii(f"{first} {last}")
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    used.add(ident)
    org, country = rng.choice(orgs)
    return {"id": ident, "name": f"{first} {last}", "role": rng.choice(ROLES), "org": org, "country": country,
            "themes": maker.pick_themes(), "appearances": []}


def _conference(number: int, size: int, maker: AltTextMaker, rng: Random, pool, weights) -> dict:
    year = rng.randint(1990, 2026)
    ident = f"alt-{year}-{number:05d}"
    n_sessions = max(1, min(40, size // rng.randint(4, 15)))
    conf = {"id": ident, "number": number, "year": year, "month": rng.randint(1, 12), "day": rng.randint(1, 28),
            "city": rng.choice(CITIES), "country": rng.choice(COUNTRIES), "themes": maker.pick_themes(),
            "sessions": [], "language": rng.choice(("de", "da")) if rng.random() < 0.08 else ""}
    counts = [size // n_sessions + (1 if i < size % n_sessions else 0) for i in range(n_sessions)]
    for s, count in enumerate(counts, start=1):
        session = {"id": f"{ident}-s{s}", "number": s, "themes": maker.pick_themes(), "talks": []}
        for order in range(1, count + 1):
            n_speakers = rng.choices(SPEAKER_COUNTS, weights=SPEAKER_COUNT_WEIGHTS)[0]
            kind = "qa" if order == count and count > 5 and rng.random() < 0.5 else (
                "panel" if n_speakers >= 3 else "talk")
            if kind == "qa":
                n_speakers = 0
            chosen = _unique(rng.choices(pool, cum_weights=weights, k=n_speakers * 3))[:n_speakers]
            language = conf["language"] or (rng.choice(("de", "da")) if rng.random() < 0.02 else "")
            session["talks"].append({"id": f"{session['id']}-t{order}", "kind": kind, "order": order,
                                     "speakers": chosen, "language": language})
            for speaker in chosen:
                if all(a[1] != session["id"] for a in speaker["appearances"]):
                    speaker["appearances"].append((ident, session["id"], s))
        conf["sessions"].append(session)
    return conf


def write(conferences: list[dict], speakers: list[dict], maker: AltTextMaker, rng: Random, out: Path,
          taxonomy: Path) -> None:
    (out / "speakers").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(taxonomy, out / "taxonomy.yaml")
    if (taxonomy.parent / "synonyms.yaml").is_file():
        shutil.copyfile(taxonomy.parent / "synonyms.yaml", out / "synonyms.yaml")
    topic_ids = [t for t, _ in maker.themes]
    for conf in conferences:
        _write_conference(conf, maker, rng, out, topic_ids)
    for speaker in speakers:
        lines = [f"id: {speaker['id']}", f"name: {_q(speaker['name'])}", "aliases: []", "appearances:"]
        for conference, session, number in speaker["appearances"]:
            lines += [f"- conference: {conference}", f"  session: {session}",
                      f"  listed_name: {_q(speaker['name'])}", f"  role: {_q(speaker['role'])}",
                      f"  organisation: {_q(speaker['org'])}", f"  organisations: [{_q(speaker['org'])}]",
                      f"  country: {_q(speaker['country'])}",
                      f"  source: {{section: \"Session {number} / Speakers\", lines: \"1-1\"}}"]
        _write(out / "speakers" / f"{speaker['id']}.md", lines, maker.text(maker.length(0.4), speaker["themes"]))


def _write_conference(conf: dict, maker: AltTextMaker, rng: Random, out: Path, topic_ids: list[str]) -> None:
    folder = out / "conferences" / conf["id"]
    (folder / "sessions").mkdir(parents=True)
    (folder / "talks").mkdir()
    (folder / "source.txt").write_text("Synthetic conference page (alternative generator).\n", encoding="utf-8")
    _write(folder / "conference.md", [
        f"id: {conf['id']}", f"title: {_q(maker.title(conf['themes']))}",
        f"name: {_q('Alt Meeting ' + str(conf['number']))}",
        f"organiser: {_q(maker.vocab.entities[conf['number'] % len(maker.vocab.entities)])}",
        f"date: {conf['year']}-{conf['month']:02d}-{conf['day']:02d}", f"city: {_q(conf['city'])}",
        f"country: {_q(conf['country'])}", f"online: {'true' if rng.random() < 0.15 else 'false'}",
        "source: {document: source.txt, section: Programme, lines: \"1-1\"}",
    ], maker.text(maker.length(0.5), conf["themes"], conf["language"]))
    for session in conf["sessions"]:
        _write(folder / "sessions" / f"{session['id']}.md", [
            f"id: {session['id']}", f"conference: {conf['id']}", f"number: {session['number']}",
            f"title: {_q(maker.title(session['themes']))}", f"recording: {'true' if rng.random() < 0.5 else 'false'}",
            f"source: {{section: \"Session {session['number']}\", lines: \"1-1\"}}",
        ], maker.text(maker.length(0.3), session["themes"], conf["language"]))
        for talk in session["talks"]:
            _write_talk(conf, session, talk, maker, rng, folder, topic_ids)


def _write_talk(conf, session, talk, maker: AltTextMaker, rng: Random, folder: Path, topic_ids) -> None:
    lead = talk["speakers"][0] if talk["speakers"] else None
    themes = (lead["themes"] if lead and rng.random() < 0.4 else []) or maker.pick_themes()
    title = maker.title(themes)
    title = {"panel": "Panel: ", "qa": "Questions: "}.get(talk["kind"], "") + title
    byline = [line for s in talk["speakers"][:3] for line in (s["name"], f"{s['role']}, {s['org']}")]
    lines = [f"id: {talk['id']}", f"conference: {conf['id']}", f"session: {session['id']}",
             f"kind: {talk['kind']}", f"order: {talk['order']}", f"title: {_q(title)}",
             f"title_editorial: {'true' if rng.random() < 0.5 else 'false'}",
             f"speakers: [{', '.join(s['id'] for s in talk['speakers'])}]", f"byline: {_q(byline)}"]
    if talk["kind"] == "panel":
        lines.append(f"question: {_q(maker.title(themes) + '?')}")
    if talk["language"]:
        lines.append(f"language: {talk['language']}")
    if rng.random() < 0.3:
        lines.append(f"start: \"{rng.randint(8, 18):02d}:{rng.choice((0, 15, 30, 45)):02d}\"")
        lines.append(f"duration: \"00:{rng.choice((15, 20, 30, 45)):02d}\"")
    if topic_ids and rng.random() < 0.03:
        lines.append(f"topics: {{add: [{rng.choice(topic_ids)}], remove: []}}")
    lines.append(f"source: {{section: \"Session {session['number']}\", lines: \"{talk['order']}-{talk['order']}\"}}")
    _write(folder / "talks" / f"{talk['id']}.md", lines, maker.text(maker.length(), themes, talk["language"]))


def generate(talks: int, out: Path | str, seed: int = 1, taxonomy: Path | str | None = None) -> Path:
    """Write a corpus of `talks` talks to out/ (replacing it); the same seed gives the same files."""
    out = Path(out)
    taxonomy = Path(taxonomy) if taxonomy else wait_for_taxonomy()
    if out.exists():
        shutil.rmtree(out)
    vocab = build_vocabulary(talks, seed)
    rng = Random(seed)
    from .synthetic import Vocabulary
    theme_vocab = Vocabulary(vocab.content, vocab.content_cum, [w for w in vocab.content if w.isalpha()], [100])
    maker = AltTextMaker(vocab, load_themes(taxonomy, theme_vocab), rng)
    conferences, speakers = plan(talks, maker, rng)
    write(conferences, speakers, maker, rng, out, taxonomy)
    return out


def cached_corpus(talks: int, cache: Path, seed: int = 1) -> Path:
    """The generated corpus for (talks, seed) in cache/, generating it on first use."""
    return synthetic.cached(generate, f"corpus-alt-{talks}-seed{seed}-v{GENERATOR_VERSION}", talks, cache, seed)


def main(argv: list[str] | None = None) -> None:
    synthetic.main(argv, generate, __doc__)


if __name__ == "__main__":
    main()
