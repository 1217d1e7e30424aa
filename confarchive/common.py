"""What every command shares: default folders, the --corpus and --index options, building on demand."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archive import ERROR, CorpusError, load_corpus
from indexer import (BuildLocked, build_index, index_exists, pending, update_index, FACETS,
                     built_by_another_version)
from webapp import default_paths


def _paths(corpus: str | None, index: str | None) -> tuple[Path, Path]:
    """The corpus and index folders: the options, else the app's defaults (shipped corpus, instance folder)."""
    default_corpus, default_index = default_paths()
    return Path(corpus) if corpus else default_corpus, Path(index) if index else default_index


corpus_option = click.option("--corpus", type=click.Path(file_okay=False), help="Corpus folder (default: the shipped corpus/).")
index_option = click.option("--index", "index_dir", type=click.Path(file_okay=False), help="Index folder (default: instance/index).")


def run_build(corpus_dir: Path, index_dir: Path, quiet: bool = False) -> None:
    """Load, check and index the corpus; on any error the published index stays as it was."""
    try:
        corpus = load_corpus(corpus_dir)
    except CorpusError as exc:
        for problem in exc.problems:
            if problem.severity == ERROR:
                click.echo(str(problem), err=True)
        raise click.ClickException(f"{exc} The previous index (if any) is still being served.")
    with click.progressbar(length=len(corpus.talks) + len(corpus.speakers) + len(corpus.sessions),
                           label="Indexing", file=sys.stderr, show_pos=True,
                           hidden=quiet or not sys.stderr.isatty()) as bar:
        done = {"n": 0}

        def progress(n, total):
            bar.update(n - done["n"])
            done["n"] = n
        try:
            report = build_index(corpus, index_dir, progress=progress)
        except BuildLocked as exc:
            raise click.ClickException(str(exc))
        except OSError as exc:
            raise click.ClickException(f"cannot write the index in {index_dir}: {exc.strerror or exc}. "
                                       "Choose another folder with --index.")
    click.echo(f"Indexed {report.documents} documents in {report.seconds:.1f}s into {report.path}", err=True)
    caught_up = pending.pending(index_dir)
    if caught_up:
        pending.clear(index_dir)
        click.echo(f"This build includes {len(caught_up)} saved edit(s) that had not been indexed: "
                   + ", ".join(e["file"] for e in caught_up), err=True)


def update_after_writing(corpus_dir: Path, index_dir: Path, ids: list[str]) -> None:
    """Bring an existing index up to date with records just written (an import): an update of those
    records and their conference's, not a full build; without an index, say how to make one."""
    if not index_exists(index_dir):
        click.echo(f"No search index in {index_dir} yet: `confarchive build` makes one.", err=True)
        return
    try:
        report = update_index(load_corpus(corpus_dir), index_dir, ids)
    except CorpusError as exc:
        click.echo(f"The search index was not updated: {exc} Fix them, then run `confarchive build`.", err=True)
        return
    except BuildLocked as exc:
        raise click.ClickException(f"{exc} The files were written; run `confarchive build` after it.")
    # a full build when the index could not follow by an update (a taxonomy change, another program version, ...)
    done = "rebuilt in full" if report.full else "updated"
    click.echo(f"Search index {done}: {report.documents} documents indexed in {report.seconds:.1f}s.", err=True)


def warn_if_behind(index_dir: Path) -> None:
    """Say so when edits saved to the corpus never reached the index (indexer/pending.py)."""
    waiting = pending.pending(index_dir)
    if waiting:
        click.echo("Warning: " + pending.describe(waiting), err=True)


def ensure_index(corpus_dir: Path, index_dir: Path) -> None:
    """Build the index on first use, so a newcomer's first command just works."""
    if not index_exists(index_dir):
        click.echo(f"No index in {index_dir} yet; building it from {corpus_dir} …", err=True)
        run_build(corpus_dir, index_dir)
    elif built_by_another_version(index_dir):
        click.echo(f"The index in {index_dir} was built by another version of confarchive; rebuilding it from "
                   f"{corpus_dir} …", err=True)
        run_build(corpus_dir, index_dir)
    warn_if_behind(index_dir)


def match_options(command):
    """--match, --topic-mode and --exact, shared by `search` and `quotes` (the URL's match, topic_mode, exact)."""
    command = click.option("--exact", is_flag=True, help="Search the words as typed: no spelling correction's results.")(command)
    command = click.option("--topic-mode", type=click.Choice(["any", "all"]), default="any", show_default=True,
                           help="With several --topic: records on any of them, or on all.")(command)
    return click.option("--match", type=click.Choice(["any", "all"]), default="any", show_default=True,
                        help="all: only records that match every word of the query.")(command)


def facet_options(quotes: bool = False):
    """A repeatable --<facet> option per declared facet (indexer/facet_specs.py), or per facet quotes have."""
    declared = [f for f in FACETS if f.quote or not quotes]

    def decorate(command):
        for facet in reversed(declared):  # click lists options in the order the decorators are written
            command = click.option(f"--{facet.name}", multiple=True,
                                   help=(quotes and facet.quote_cli_help) or facet.cli_help)(command)
        return command
    return decorate


def facet_filters(options: dict) -> dict[str, list[str]]:
    """The filters given as --<facet> options, by facet name."""
    return {f.name: list(options[f.name]) for f in FACETS if options.get(f.name)}
