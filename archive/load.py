"""Load a whole corpus folder: read every file, tag topics, check references, report all problems."""

from __future__ import annotations

from pathlib import Path

from . import checks, loader
from .corpus import Corpus
from .frontmatter import Document
from .problems import ERROR, CorpusError, Problem
from .records import Speaker, Talk
from .synonyms import load_synonyms
from .importers.staging import JOURNAL as IMPORT_JOURNAL
from .taxonomy import assign_topics, load_taxonomy


def inspect_corpus(root: Path | str) -> tuple[Corpus, list[Problem]]:
    """Load what can be loaded and return it with every problem found (errors and warnings)."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        raise CorpusError([Problem(str(root), 1, "corpus folder does not exist",
                                   hint="pass --corpus with the folder that holds conferences/ and speakers/")])
    docs: dict[str, Document] = {}
    corpus = Corpus(root=root)
    rel_root = root.name
    if (root / IMPORT_JOURNAL).exists():
        problems.append(Problem(f"{rel_root}/{IMPORT_JOURNAL}", 1, "an import into this corpus was stopped while "
                                "its files were being moved in, so the corpus is half imported",
                                hint="run `confarchive import` again: it first puts the corpus back as it was"))
    corpus.topics, taxonomy_doc = load_taxonomy(root / "taxonomy.yaml", f"{rel_root}/taxonomy.yaml", problems)
    if taxonomy_doc:
        docs[f"{rel_root}/taxonomy.yaml"] = taxonomy_doc
    corpus.synonyms = load_synonyms(root / "synonyms.yaml", f"{rel_root}/synonyms.yaml", problems)
    _read_all(root, corpus, problems, docs)
    corpus.reindex()
    tag_corpus(corpus)

    def locate(path: str, field_name: str) -> int:
        doc = docs.get(path)
        key = tuple(int(p) if p.isdigit() else p for p in field_name.split("."))
        return doc.line_of(*key) if doc else 1

    problems += checks.check_references(corpus, locate)
    problems += checks.check_programme(corpus, locate)
    problems += checks.quality_warnings(corpus, locate, taxonomy_path=f"{rel_root}/taxonomy.yaml")
    return corpus, sorted(set(problems))


def load_corpus(root: Path | str) -> Corpus:
    """Load a corpus that must be free of errors; raise CorpusError listing them all otherwise."""
    corpus, problems = inspect_corpus(root)
    if any(p.severity == ERROR for p in problems):
        raise CorpusError(problems)
    return corpus


def _read_all(root: Path, corpus: Corpus, problems: list, docs: dict) -> None:
    kinds = [("conferences/*/conference.md", loader.read_conference, corpus.conferences),
             ("conferences/*/sessions/*.md", loader.read_session, corpus.sessions),
             ("conferences/*/talks/*.md", loader.read_talk, corpus.talks),
             ("speakers/*.md", loader.read_speaker, corpus.speakers)]
    for pattern, read, table in kinds:
        for path in sorted(root.glob(pattern)):
            record = read(path, root, problems, docs)
            if record is None or not record.id:
                continue
            if record.id in table:
                problems.append(Problem(record.path, docs[record.path].line_of("id"),
                                        f"duplicate id '{record.id}': also used by {table[record.id].path}",
                                        field="id", hint="ids must be unique; rename one of them"))
                continue
            table[record.id] = record


def topic_text(record: Talk | Speaker) -> str:
    """The text the taxonomy rules read for a record."""
    if isinstance(record, Talk):
        return "\n".join((record.title, record.question, record.abstract, record.text))
    bios = [record.bio, *(a.bio for a in record.appearances), *(a.role for a in record.appearances)]
    return "\n".join(bios)


def record_topics(topics: dict, record: Talk | Speaker) -> list[str]:
    """A record's topics from the taxonomy and its own overrides; a talk must name the taxonomy's domain
    (taxonomy.in_domain), a speaker's biography need not (a data ethicist's may not say "health")."""
    return assign_topics(topics, topic_text(record), record.topic_overrides, domain=isinstance(record, Talk))


def tag_corpus(corpus: Corpus) -> None:
    """Give every talk and speaker its topics from the taxonomy and its own overrides."""
    for record in (*corpus.talks.values(), *corpus.speakers.values()):
        record.topics = record_topics(corpus.topics, record)
