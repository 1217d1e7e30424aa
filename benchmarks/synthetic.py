"""A seeded synthetic corpus in the real corpus format, with realistic term statistics, at any size.

Words follow a Zipf law over a vocabulary ranked like the shipped corpus (its own words in their
real frequency order, stop words included) followed by a long tail of generated words; talk lengths
are drawn from the shipped summaries. Each talk gets one or two "themes": a few terms or phrases of
a taxonomy topic, so the taxonomy rules tag it the way real talks are tagged. Speakers are shared
across conferences (a few prolific ones appear everywhere), each listing is an appearance.

    python -m benchmarks.synthetic --talks 10000 --out /tmp/corpus-10k
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import re
import shutil
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from random import Random

import yaml

GENERATOR_VERSION = 1
ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
WORD = re.compile(r"[A-Za-z][a-z]+(?:-[a-z]+)?")
SYLLABLES = [c + v for c in "bcdfghklmnprstvz" for v in ("a", "e", "i", "o", "u", "ia", "ou")]
COUNTRIES = ["Denmark", "Sweden", "Norway", "Finland", "Iceland", "Germany", "France", "Spain", "Italy",
             "Netherlands", "Belgium", "Austria", "Switzerland", "Poland", "Estonia", "Ireland",
             "United Kingdom", "Portugal", "Greece", "Czechia", "Canada", "United States", "Australia", "Japan"]
CITIES = ["Copenhagen", "Aarhus", "Stockholm", "Oslo", "Helsinki", "Reykjavík", "Berlin", "Paris", "Madrid",
          "Rome", "Amsterdam", "Brussels", "Vienna", "Zürich", "Warsaw", "Tallinn", "Dublin", "London", "Lisbon"]
ROLES = ["Professor", "Associate Professor", "Consultant", "Chief Physician", "Research Director",
         "Head of Department", "Senior Researcher", "Postdoc", "CEO", "Policy Officer", "Data Scientist",
         "Patient Advocate", "Director General", "Programme Manager", "Clinical Geneticist"]
ORG_KINDS = ["University", "University Hospital", "Institute", "Agency", "Foundation", "Centre", "Ministry"]
FIRST = ["Anna", "Lars", "Mette", "Søren", "Ingrid", "Jonas", "Elena", "José", "Marie", "Peter", "Sofia",
         "Henrik", "Karin", "Mikkel", "Aoife", "Jan", "Eva", "Niels", "Laura", "Tomás", "Hanna", "Oskar",
         "Ida", "Frederik", "Camille", "Luca", "Maja", "Emil", "Freja", "Rasmus", "Chloé", "Kasper"]
THEME_WEIGHTS = (2, 4)  # a talk's theme contributes this many terms or phrases (min, max)


@dataclass
class Vocabulary:
    words: list[str]
    cum_weights: list[float]
    real_words: list[str]
    lengths: list[int]  # word counts of the shipped talk summaries

    def sample(self, rng: Random, k: int) -> list[str]:
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)


@dataclass
class Plan:
    """Counts and pools that follow from the number of talks."""

    talks: int
    conferences: list[dict] = field(default_factory=list)
    speakers: list[dict] = field(default_factory=list)
    organisations: list[tuple[str, str]] = field(default_factory=list)


def _bodies(root: Path) -> list[tuple[str, str]]:
    """(kind, body) for every Markdown file of the shipped corpus."""
    out = []
    for path in sorted(root.rglob("*.md")):
        if path.name == "README.md":
            continue
        text = path.read_text(encoding="utf-8")
        parts = text.split("\n---\n", 1)
        kind = "talk" if path.parent.name == "talks" else "other"
        out.append((kind, parts[1] if len(parts) == 2 else text))
    return out


def build_vocabulary(talks: int, seed: int, source: Path = SHIPPED_CORPUS) -> Vocabulary:
    """Real words in real frequency order, then generated words; Zipf weights over the ranks."""
    bodies = _bodies(source)
    counts = Counter(w.lower() for _, body in bodies for w in WORD.findall(body))
    real = [w for w, _ in counts.most_common()]
    lengths = [len(WORD.findall(body)) for kind, body in bodies if kind == "talk"] or [120]
    rng = Random(seed)
    tail_size = int(8000 * math.sqrt(max(talks, 50) / 1000))
    seen, generated = set(real), []
    while len(generated) < tail_size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
        if word not in seen:
            seen.add(word)
            generated.append(word)
    words = real + generated
    weights = [1.0 / (rank + 2.7) ** 1.05 for rank in range(len(words))]
    return Vocabulary(words, list(itertools.accumulate(weights)), real, lengths)


def load_themes(taxonomy: Path, vocab: Vocabulary) -> list[tuple[str, list[str]]]:
    """(topic id, phrases that push a text toward it) for every taxonomy topic."""
    data = yaml.safe_load(taxonomy.read_text(encoding="utf-8")) or {}
    themes = []
    for topic in data.get("topics", []):
        phrases = []
        for rule in topic.get("rules", []):
            if float(rule.get("weight", 1.0)) < 1.0:
                continue
            phrases += list(rule.get("phrases", []))
            for term in rule.get("terms", []):
                phrases.append(_expand(str(term), vocab.real_words))
        if phrases:
            themes.append((topic["id"], phrases))
    return themes


def _expand(term: str, real_words: list[str]) -> str:
    if not term.endswith("*"):
        return term
    stem = term[:-1]
    return next((w for w in real_words if w.startswith(stem) and len(w) > len(stem)), stem + "s")


class TextMaker:
    """Sentences from the Zipfian vocabulary, with theme phrases spliced in."""

    def __init__(self, vocab: Vocabulary, themes: list[tuple[str, list[str]]], rng: Random):
        self.vocab, self.themes, self.rng = vocab, themes, rng
        self.content = [w for w in vocab.real_words if len(w) > 4][:1500]

    def pick_themes(self) -> list[tuple[str, list[str]]]:
        if not self.themes:
            return []
        return self.rng.sample(self.themes, 2 if self.rng.random() < 0.3 and len(self.themes) > 1 else 1)

    def paragraph(self, n_words: int, themes) -> str:
        words = self.vocab.sample(self.rng, max(n_words, 5))
        for _, phrases in themes:
            for _ in range(self.rng.randint(*THEME_WEIGHTS)):
                words.insert(self.rng.randrange(len(words)), self.rng.choice(phrases))
        sentences, i = [], 0
        while i < len(words):
            n = self.rng.randint(8, 24)
            chunk = words[i:i + n]
            sentences.append(chunk[0][:1].upper() + chunk[0][1:] + " " + " ".join(chunk[1:]) + ".")
            i += n
        return " ".join(sentences)

    def summary(self, themes, scale: float = 1.0) -> str:
        n = int(self.rng.choice(self.vocab.lengths) * self.rng.uniform(0.7, 1.3) * scale)
        return self.paragraph(n, themes)

    def title(self, themes) -> str:
        words = [self.rng.choice(self.content) for _ in range(self.rng.randint(3, 7))]
        if themes:
            words.insert(self.rng.randrange(len(words)), self.rng.choice(themes[0][1]))
        return " ".join(words).capitalize()

    def name(self) -> tuple[str, str]:
        first = self.rng.choice(FIRST)
        last = "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 3))).capitalize()
        return first, last


def _q(value) -> str:
    """A YAML scalar: JSON strings are valid double-quoted YAML."""
    return json.dumps(value, ensure_ascii=False)


def _ascii(text: str) -> str:
    from archive.names import slugify
    return slugify(text)


def plan_corpus(talks: int, maker: TextMaker, rng: Random) -> Plan:
    """Conferences, sessions and talks with speakers drawn from a shared, Zipf-weighted pool."""
    plan = Plan(talks)
    n_orgs = 40 + talks // 25
    for _ in range(n_orgs):
        plan.organisations.append((f"{maker.name()[1]} {rng.choice(ORG_KINDS)}", rng.choice(COUNTRIES)))
    pool = max(5, int(talks * 0.35))
    speaker_weights = list(itertools.accumulate(1.0 / (r + 1) ** 0.75 for r in range(pool)))
    used_ids: set[str] = set()
    speakers = [_new_speaker(maker, rng, plan, used_ids) for _ in range(pool)]
    made = 0
    number = 0
    while made < talks:
        number += 1
        size = min(rng.randint(20, 80), talks - made)
        plan.conferences.append(_plan_conference(number, size, maker, rng, speakers, speaker_weights))
        made += size
    plan.speakers = [s for s in speakers if s["appearances"]]
    return plan


def _new_speaker(maker: TextMaker, rng: Random, plan: Plan, used: set) -> dict:
    first, last = maker.name()
    base = _ascii(f"{first} {last}")
    ident, n = base, 1
    while ident in used:
        n += 1
        ident = f"{base}-{n}"
    used.add(ident)
    org, country = rng.choice(plan.organisations)
    return {"id": ident, "name": f"{first} {last}", "role": rng.choice(ROLES), "org": org, "country": country,
            "themes": maker.pick_themes(), "appearances": []}


def _plan_conference(number: int, size: int, maker: TextMaker, rng: Random, speakers, weights) -> dict:
    year = rng.randint(1996, 2025)
    ident = f"conf-{year}-{number:05d}"
    n_sessions = max(1, min(8, size // 8))
    conference = {"id": ident, "number": number, "year": year, "month": rng.randint(1, 12),
                  "day": rng.randint(1, 28), "city": rng.choice(CITIES), "country": rng.choice(COUNTRIES),
                  "themes": maker.pick_themes(), "sessions": []}
    per_session = [size // n_sessions + (1 if i < size % n_sessions else 0) for i in range(n_sessions)]
    for s, count in enumerate(per_session, start=1):
        session = {"id": f"{ident}-s{s}", "number": s, "themes": maker.pick_themes(), "talks": []}
        for order in range(1, count + 1):
            kind = "qa" if order == count and count > 3 else ("panel" if rng.random() < 0.08 else "talk")
            n_speakers = {"talk": 1, "panel": rng.randint(3, 4), "qa": 0}[kind]
            chosen = _unique(rng.choices(speakers, cum_weights=weights, k=n_speakers * 2))[:n_speakers]
            talk = {"id": f"{session['id']}-t{order}", "kind": kind, "order": order, "speakers": chosen}
            session["talks"].append(talk)
            for speaker in chosen:
                listing = (ident, session["id"])
                if listing not in [(a[0], a[1]) for a in speaker["appearances"]]:
                    speaker["appearances"].append((ident, session["id"], s))
        conference["sessions"].append(session)
    return conference


def _unique(items: list) -> list:
    seen, out = set(), []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def write_corpus(plan: Plan, maker: TextMaker, rng: Random, out: Path, taxonomy: Path) -> None:
    """Write every file of the planned corpus under out/."""
    (out / "speakers").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(taxonomy, out / "taxonomy.yaml")
    synonyms = taxonomy.parent / "synonyms.yaml"
    if synonyms.is_file():
        shutil.copyfile(synonyms, out / "synonyms.yaml")
    topic_ids = [t for t, _ in maker.themes]
    for conference in plan.conferences:
        _write_conference(conference, maker, rng, out, topic_ids)
    for speaker in plan.speakers:
        _write_speaker(speaker, maker, out)


def _write_conference(conf: dict, maker: TextMaker, rng: Random, out: Path, topic_ids: list[str]) -> None:
    folder = out / "conferences" / conf["id"]
    (folder / "sessions").mkdir(parents=True)
    (folder / "talks").mkdir()
    (folder / "source.txt").write_text("Synthetic conference page for benchmarks.\n", encoding="utf-8")
    title = maker.title(conf["themes"])
    _write(folder / "conference.md", [
        f"id: {conf['id']}", f"title: {_q(title)}", f"name: {_q('Synthetic Conference ' + str(conf['number']))}",
        f"organiser: {_q('Synthetic ' + conf['country'] + ' Health Network')}",
        f"date: {conf['year']}-{conf['month']:02d}-{conf['day']:02d}", f"city: {_q(conf['city'])}",
        f"country: {_q(conf['country'])}", "online: false",
        "source: {document: source.txt, section: Introduction, lines: \"1-1\"}",
    ], maker.summary(conf["themes"], 0.6))
    for session in conf["sessions"]:
        _write(folder / "sessions" / f"{session['id']}.md", [
            f"id: {session['id']}", f"conference: {conf['id']}", f"number: {session['number']}",
            f"title: {_q(maker.title(session['themes']))}", "recording: true",
            f"source: {{section: \"Session {session['number']}\", lines: \"1-1\"}}",
        ], maker.summary(session["themes"], 0.4))
        for talk in session["talks"]:
            _write_talk(conf, session, talk, maker, rng, folder, topic_ids)


def _write_talk(conf, session, talk, maker: TextMaker, rng: Random, folder: Path, topic_ids) -> None:
    themes = (talk["speakers"][0]["themes"] if talk["speakers"] and rng.random() < 0.5 else []) or \
        maker.pick_themes()
    title = maker.title(themes)
    if talk["kind"] == "panel":
        title = "Panel: " + title
    elif talk["kind"] == "qa":
        title = "Q&A: " + title
    byline = [line for s in talk["speakers"][:1] for line in (s["name"], f"{s['role']}, {s['org']}, {s['country']}")]
    lines = [f"id: {talk['id']}", f"conference: {conf['id']}", f"session: {session['id']}",
             f"kind: {talk['kind']}", f"order: {talk['order']}", f"title: {_q(title)}", "title_editorial: true",
             f"speakers: [{', '.join(s['id'] for s in talk['speakers'])}]", f"byline: {_q(byline)}"]
    if talk["kind"] == "panel":
        lines.append(f"question: {_q(maker.title(themes) + '?')}")
    if topic_ids and rng.random() < 0.02:
        lines.append(f"topics: {{add: [{rng.choice(topic_ids)}], remove: []}}")
    lines.append(f"source: {{section: \"Session {session['number']} Summary\", lines: \"{talk['order']}-{talk['order']}\"}}")
    _write(folder / "talks" / f"{talk['id']}.md", lines, maker.summary(themes))


def _write_speaker(speaker: dict, maker: TextMaker, out: Path) -> None:
    lines = [f"id: {speaker['id']}", f"name: {_q(speaker['name'])}", "aliases: []", "appearances:"]
    for conference, session, number in speaker["appearances"]:
        lines += [f"- conference: {conference}", f"  session: {session}",
                  f"  listed_name: {_q(speaker['name'])}", f"  role: {_q(speaker['role'])}",
                  f"  organisation: {_q(speaker['org'])}", f"  organisations: [{_q(speaker['org'])}]",
                  f"  country: {_q(speaker['country'])}",
                  f"  source: {{section: \"Session {number} / Meet the speakers\", lines: \"1-1\"}}"]
    _write(out / "speakers" / f"{speaker['id']}.md", lines, maker.summary(speaker["themes"], 0.5))


def _write(path: Path, front: list[str], body: str) -> None:
    path.write_text("---\n" + "\n".join(front) + "\n---\n" + body + "\n", encoding="utf-8")


def generate(talks: int, out: Path | str, seed: int = 1, taxonomy: Path | str | None = None) -> Path:
    """Write a corpus of `talks` talks to out/ (replacing it); the same seed gives the same files."""
    out = Path(out)
    taxonomy = Path(taxonomy) if taxonomy else wait_for_taxonomy()
    if out.exists():
        shutil.rmtree(out)
    vocab = build_vocabulary(talks, seed)
    rng = Random(seed)
    maker = TextMaker(vocab, load_themes(taxonomy, vocab), rng)
    plan = plan_corpus(talks, maker, rng)
    write_corpus(plan, maker, rng, out, taxonomy)
    return out


def cached_corpus(talks: int, cache: Path, seed: int = 1) -> Path:
    """The generated corpus for (talks, seed) in cache/, generating it on first use."""
    return cached(generate, f"corpus-{talks}-seed{seed}-v{GENERATOR_VERSION}", talks, cache, seed)


def cached(make, name: str, talks: int, cache: Path, seed: int) -> Path:
    """cache/name, made by make(talks, out, seed, taxonomy) unless it is there for the current taxonomy."""
    out = cache / name
    marker = out / ".complete"
    taxonomy = wait_for_taxonomy()
    if marker.is_file() and marker.read_text() == taxonomy.read_text(encoding="utf-8"):
        return out
    make(talks, out, seed, taxonomy)
    marker.write_text(taxonomy.read_text(encoding="utf-8"))
    return out


def wait_for_taxonomy(path: Path = SHIPPED_CORPUS / "taxonomy.yaml", timeout: float = 600.0) -> Path:
    """The shipped taxonomy; another helper may still be writing it, so wait a bounded time for it."""
    deadline = time.monotonic() + timeout
    while not path.is_file():
        if time.monotonic() > deadline:
            raise FileNotFoundError(f"{path} is missing; topics cannot be assigned without it")
        time.sleep(10)
    return path


def main(argv: list[str] | None = None, make=None, description: str = __doc__) -> None:
    """`python -m benchmarks.synthetic --talks N --out DIR` (the second generator passes its own make)."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--talks", type=int, required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    started = time.perf_counter()
    (make or generate)(args.talks, args.out, args.seed)
    print(f"wrote {args.talks} talks to {args.out} in {time.perf_counter() - started:.1f}s")


if __name__ == "__main__":
    main()
