"""Curation commands for librarians: new records, import and export, speaker merges, topic review.

A thin layer over archive/: library errors become one clean message and a non-zero exit.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from archive import ERROR, Corpus, CorpusError, Problem, inspect_corpus, load_corpus
from archive.export import (SCHEDULE_FORMATS, ExportError, archive_tables, export_archive, export_schedule_text, to_csv,
                            untimed_talks)
from archive.importers import (GROUPINGS, MERGE_MODES, ImportOptions, ImportPlan, ImportRefused, ScheduleError,
                               apply_import, default_conference_id, plan_import, plan_update, read_schedule, recover,
                               source_name)
from archive.merge import MergeError, MergePlan, plan_merge
from archive.skeletons import (conference_skeleton, session_skeleton, speaker_skeleton, talk_skeleton,
                               write_skeleton)
from archive.records import TALK_KINDS
from archive.topic_review import ReviewError, compare, explain_record, retag, snapshot
from archive.writer import WriteError, apply_changes, write_file
from webapp.site import DEFAULT_BASE_URL

corpus_option = click.option("--corpus", type=click.Path(file_okay=False),
                             help="Corpus folder (default: the shipped corpus/).")
index_option = click.option("--index", "index_dir", type=click.Path(file_okay=False),
                            help="Index folder (default: instance/index).")


# --- Shared helpers ---------------------------------------------------------------------------------

def _defaults() -> tuple[Path, Path]:
    from .common import _paths

    return _paths(None, None)


def _corpus_dir(corpus: str | None) -> Path:
    """The --corpus folder, else the app's default (the shipped corpus)."""
    return Path(corpus) if corpus else Path(_defaults()[0])


def _index_dir(index: str | None) -> Path:
    """The --index folder, else the app's default (under the instance folder)."""
    return Path(index) if index else Path(_defaults()[1])


def _open_corpus(corpus_dir: Path) -> Corpus:
    """The corpus as it is, problems and all: curation must work on a corpus that is being fixed."""
    try:
        corpus, _ = inspect_corpus(corpus_dir)
    except CorpusError as exc:
        raise click.ClickException(str(exc.problems[0])) from None
    return corpus


def _strict_corpus(corpus_dir: Path) -> Corpus:
    """The corpus, refused with every error listed when it has any."""
    try:
        return load_corpus(corpus_dir)
    except CorpusError as exc:
        for problem in exc.problems:
            if problem.severity == ERROR:
                click.echo(str(problem), err=True)
        raise click.ClickException(str(exc)) from None


def _rel(corpus_dir: Path, path: Path) -> str:
    """A path as problems name it: relative to the corpus folder's parent."""
    try:
        return Path(path).resolve().relative_to(Path(corpus_dir).resolve().parent).as_posix()
    except ValueError:
        return str(path)


def _problems_in(corpus_dir: Path, paths) -> list[Problem]:
    """The validator's problems that concern the given files."""
    wanted = {_rel(corpus_dir, p) for p in paths}
    _, problems = inspect_corpus(corpus_dir)
    return [p for p in problems if p.path in wanted]


def _write_failed(exc: OSError) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    return f"writing failed{where}: {exc.strerror or exc}; the files were left as they were before"


def _echo_lines(heading: str, lines) -> None:
    lines = list(lines)
    if lines:
        click.echo(heading)
        for line in lines:
            click.echo(f"  - {line}")


def _emit(text: str, output: Path | None) -> None:
    """Write text to a file atomically, or to standard output."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        write_file(output, text)
    except OSError as exc:
        raise click.ClickException(_write_failed(exc)) from None
    click.echo(f"Wrote {output}", err=True)


# --- confarchive new ----------------------------------------------------------------------------------

@click.group("new")
def new():
    """Write a commented skeleton for a new record (never overwrites a file)."""


def _create(corpus: str | None, make) -> None:
    corpus_dir = _corpus_dir(corpus)
    try:
        skeleton = make(_open_corpus(corpus_dir))
        write_skeleton(skeleton)
    except WriteError as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(_write_failed(exc)) from None
    click.echo(f"Created {skeleton.path}")
    todo = _problems_in(corpus_dir, [skeleton.path])
    _echo_lines("Still to fill in (as `confarchive validate` reports it):", todo)
    if not todo:
        click.echo("It passes validation.")


date_type = click.DateTime(formats=["%Y-%m-%d"])


@new.command("conference")
@click.argument("ident", metavar="ID")
@click.option("--title", default="", help="The conference's title.")
@click.option("--date", type=date_type, help="The day it took place (YYYY-MM-DD).")
@corpus_option
def new_conference(ident, title, date, corpus):
    """conferences/ID/conference.md."""
    _create(corpus, lambda c: conference_skeleton(c, ident, title, date.date() if date else ""))


@new.command("session")
@click.argument("ident", metavar="ID")
@click.option("--conference", required=True, help="The conference id.")
@click.option("--number", type=click.IntRange(min=0), help="Programme number (default: the next free one).")
@click.option("--title", default="", help="The session's title.")
@corpus_option
def new_session(ident, conference, number, title, corpus):
    """conferences/CONFERENCE/sessions/ID.md."""
    _create(corpus, lambda c: session_skeleton(c, ident, conference, title, number))


@new.command("talk")
@click.argument("ident", metavar="ID")
@click.option("--conference", required=True, help="The conference id.")
@click.option("--session", help="The session id (leave out for a talk outside the sessions).")
@click.option("--kind", type=click.Choice(TALK_KINDS), default="talk", show_default=True)
@click.option("--speaker", "speakers", multiple=True, help="A speaker id (repeatable).")
@click.option("--title", default="", help="The talk's title.")
@corpus_option
def new_talk(ident, conference, session, kind, speakers, title, corpus):
    """conferences/CONFERENCE/talks/ID.md, placed last in its session."""
    _create(corpus, lambda c: talk_skeleton(c, ident, conference, session, kind, speakers, title))


@new.command("speaker")
@click.argument("ident", metavar="ID")
@click.option("--conference", required=True, help="The conference of the speaker's first appearance.")
@click.option("--session", help="The session of that appearance.")
@click.option("--name", default="", help="The speaker's full name.")
@corpus_option
def new_speaker(ident, conference, session, name, corpus):
    """speakers/ID.md with one appearance."""
    _create(corpus, lambda c: speaker_skeleton(c, ident, conference, session, name))


# --- confarchive import -------------------------------------------------------------------------------

def _read_input(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise click.ClickException(f"{path}: not UTF-8 text; schedule exports are UTF-8") from None


@click.command("import")
@click.argument("schedule_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--organiser", default="", help="Who organised the conference (exports do not say); needed unless --update.")
@click.option("--id", "conference_id", help="Conference id (default: the schedule's acronym, with the year).")
@click.option("--sessions", "group_by", type=click.Choice(GROUPINGS), default="track", show_default=True,
              help="One session per track (events without a track stay outside the sessions), "
                   "or one per day and room.")
@click.option("--merge", type=click.Choice(MERGE_MODES), default="names", show_default=True,
              help="Persons who may be existing speakers: ask for each (with the evidence); merge full names "
                   "that match (names); merge only the same schedule id (ids); never merge.")
@click.option("--update", is_flag=True,
              help="Bring a conference imported before up to date from a newer export of it: changed events are "
                   "updated, new ones added, removed ones reported; fields a librarian edited are kept and reported.")
@click.option("--dry-run", is_flag=True, help="Show what would be written (for --update, the three-way report); "
                                              "write nothing.")
@corpus_option
@click.option("--index", "index_dir", type=click.Path(file_okay=False),
              help="Search index to update with the imported records, if it exists (default: instance/index).")
def import_schedule(schedule_file, organiser, conference_id, group_by, merge, update, dry_run, corpus, index_dir):
    """Import a pretalx or frab schedule export (schedule.json or schedule.xml) as a new conference."""
    if not update and not organiser:
        raise click.UsageError("Missing option '--organiser'.")
    corpus_dir = _corpus_dir(corpus)
    raw = _read_input(schedule_file)
    if not dry_run and recover(corpus_dir):
        click.echo("An earlier import was interrupted; it was undone, so the corpus is as it was before it.")
    try:
        schedule = read_schedule(raw)
        options = ImportOptions(conference_id or default_conference_id(schedule), organiser,
                                source_name(raw), group_by, merge, _ask_merge)
        plan = (plan_update if update else plan_import)(schedule, _open_corpus(corpus_dir), raw, options)
        if not dry_run:
            apply_import(plan, corpus_dir)
    except (ScheduleError, ImportRefused, WriteError) as exc:
        raise click.ClickException(f"{schedule_file}: {exc}") from None
    except OSError as exc:
        raise click.ClickException(_write_failed(exc)) from None
    _report_import(plan, schedule, corpus_dir, group_by, dry_run)
    if not dry_run and plan.changes:
        _update_index(corpus, index_dir, corpus_dir, [Path(c.path).stem for c in plan.changes])


def _update_index(corpus: str | None, index_dir: str | None, corpus_dir: Path, ids: list[str]) -> None:
    """Update the search index of this corpus: the one given, or the default one of the default corpus
    (another corpus's import must not reach the shipped corpus's index)."""
    from .common import _paths, update_after_writing

    if corpus and not index_dir:
        click.echo("The search index was not updated: pass --index with this corpus's index folder, "
                   "or run `confarchive build`.", err=True)
        return
    update_after_writing(corpus_dir, _paths(corpus, index_dir)[1], ids)


def _ask_merge(proposal) -> bool:
    """Ask the librarian about one proposed merge, showing the evidence."""
    return click.confirm(f"Merge {proposal.describe()}?", default=False, err=True)


def _report_import(plan: ImportPlan, schedule, corpus_dir: Path, group_by: str, dry_run: bool) -> None:
    verb = "Would write" if dry_run else "Wrote"
    click.echo(f"{verb} {len(plan.changes)} files for conference {plan.conference_id} "
               f"({schedule.title}, {schedule.format}):")
    if plan.is_update:
        counts = {kind: sum(1 for line in plan.report if line.startswith(kind)) for kind in
                  ("updated", "new:", "removed", "kept")}
        click.echo(f"  update: {counts['updated']} field(s) updated, {counts['new:']} new talk(s), {counts['removed']} "
                   f"event(s) gone from the schedule, {counts['kept']} librarian edit(s) kept; "
                   f"{len(plan.new_speakers)} new speaker(s)" + ("" if plan.report else "; nothing to update"))
    else:
        click.echo(f"  1 conference, {plan.sessions} session(s) (one per {'track' if group_by == 'track' else 'day and room'}),"
                   f" {plan.talks} talk(s), {len(plan.new_speakers)} new speaker(s), "
                   f"{len(plan.updated_speakers)} existing speaker(s) with new appearances")
    for change in plan.changes:
        click.echo(f"  {'+' if change.is_new else '~'} {_rel(corpus_dir, change.path)}")
    _echo_lines("Three-way update (last import, the archive now, the new export):", plan.report)
    _echo_lines("Same person as an existing speaker:", plan.merged)
    _echo_lines("Possibly an existing speaker, not merged:", plan.declined)
    _echo_lines("Could not map:", plan.unmapped)
    _echo_lines("To finish by hand:", plan.todo)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    _report_validation(corpus_dir, [c.path for c in plan.changes], "the imported files")


def _report_validation(corpus_dir: Path, paths, what: str) -> None:
    problems = _problems_in(corpus_dir, paths)
    errors = [p for p in problems if p.severity == ERROR]
    click.echo(f"Validation of {what}: {len(errors)} error(s), {len(problems) - len(errors)} warning(s)")
    for problem in problems:
        click.echo(f"  {problem}")
    if errors:
        raise click.ClickException(f"{what} have errors: fix them before `confarchive build`")


# --- confarchive export -------------------------------------------------------------------------------

@click.group("export")
def export():
    """Export the archive: one conference as schedule JSON, or everything as JSON or CSV."""


@export.command("schedule")
@click.argument("conference_id")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="File (default: standard output).")
@click.option("--format", "fmt", type=click.Choice(list(SCHEDULE_FORMATS)), default="json", show_default=True,
              help="Schedule JSON, or frab's schedule.xml; both valid against the c3voc schemas.")
@click.option("--base-url", envvar="CONFARCHIVE_BASE_URL", default=DEFAULT_BASE_URL, show_default=True,
              help="The archive's public address, for the events' links (default: CONFARCHIVE_BASE_URL).")
@corpus_option
def export_schedule_command(conference_id, output, fmt, base_url, corpus):
    """A conference as schedule JSON or schedule.xml (the formats pretalx and frab publish; `confarchive import` reads both)."""
    archive = _strict_corpus(_corpus_dir(corpus))
    try:
        text = export_schedule_text(archive, conference_id, fmt, base_url)
    except ExportError as exc:
        raise click.ClickException(str(exc)) from None
    _emit(text, output)
    left_out = untimed_talks(archive, conference_id)
    if left_out:
        click.echo(f"Left out {len(left_out)} talk(s) without a start time (both schedule formats require one for "
                   f"every event; add `start` to include them): {', '.join(left_out)}", err=True)


@export.command("archive")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path),
              help="JSON: a file (default: standard output). CSV: a folder for conferences.csv, sessions.csv, "
                   "talks.csv, speakers.csv and appearances.csv.")
@corpus_option
def export_archive_command(fmt, output, corpus):
    """Every conference, session, talk, speaker and topic."""
    archive = _strict_corpus(_corpus_dir(corpus))
    if fmt == "json":
        _emit(json.dumps(export_archive(archive), indent=2, ensure_ascii=False) + "\n", output)
        return
    if output is None or output.is_file():
        raise click.ClickException("CSV export writes one file per table: pass --output with a folder")
    for name, rows in archive_tables(archive).items():
        _emit(to_csv(rows), output / f"{name}.csv")


# --- confarchive speakers merge -----------------------------------------------------------------------

@click.group("speakers")
def speakers():
    """Curate speaker identities."""


@speakers.command("merge")
@click.argument("keep")
@click.argument("drop")
@click.option("--dry-run", is_flag=True, help="Show every change as a diff; write nothing.")
@corpus_option
def merge_speakers(keep, drop, dry_run, corpus):
    """Merge speaker DROP into KEEP: talks list KEEP, DROP's names become aliases, DROP's file goes."""
    corpus_dir = _corpus_dir(corpus)
    try:
        plan = plan_merge(_strict_corpus(corpus_dir), keep, drop)
        if dry_run:
            click.echo(plan.diff(corpus_dir), nl=False)
        else:
            apply_changes(plan.changes)
    except (MergeError, WriteError) as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as exc:
        raise click.ClickException(_write_failed(exc)) from None
    _report_merge(plan, corpus_dir, dry_run)


def _report_merge(plan: MergePlan, corpus_dir: Path, dry_run: bool) -> None:
    click.echo(f"{'Would merge' if dry_run else 'Merged'} speaker '{plan.drop}' into '{plan.keep}':")
    click.echo(f"  {len(plan.talks)} talk(s) now list {plan.keep}" + (": " + ", ".join(plan.talks) if plan.talks else ""))
    click.echo(f"  {plan.drop}'s names and appearances move to {_rel(corpus_dir, plan.changes[-2].path)}")
    click.echo(f"  {_rel(corpus_dir, plan.changes[-1].path)} is removed")
    _echo_lines("Still mentioned as text (check by hand):", plan.mentions)
    if dry_run:
        click.echo("Dry run: nothing was written.")
        return
    _report_validation(corpus_dir, [c.path for c in plan.changes if c.text is not None], "the changed files")


# --- confarchive topics -------------------------------------------------------------------------------

@click.group("topics")
def topics():
    """Review topics: why a record has each one, and which records a taxonomy change affects."""


@topics.command("explain")
@click.argument("record_id")
@click.option("--all", "show_all", is_flag=True, help="Also list the topics no rule matched.")
@click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
@click.option("--sentences", is_flag=True, help="Also each sentence's own topics and the words behind them, and "
                                                 "the topics the record only mentions.")
@corpus_option
def topics_explain(record_id, show_all, as_json, sentences, corpus):
    """Each topic's score for a talk or speaker: the rules that matched, the words, the overrides."""
    try:
        explanation = explain_record(_open_corpus(_corpus_dir(corpus)), record_id)
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    if as_json:
        click.echo(json.dumps(explanation.as_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{explanation.id} ({explanation.kind}): {explanation.title}")
    click.echo(f"Topics: {', '.join(explanation.topics) or 'none'}")
    quiet = []
    for reason in explanation.reasons:
        if reason.hits or reason.added or reason.removed or show_all:
            _echo_reason(reason)
        else:
            quiet.append(reason.id)
    if quiet:
        click.echo(f"\nNo rule matched: {', '.join(quiet)}")
    _echo_lines("\nNotes:", explanation.notes)
    if explanation.mentions and sentences:
        click.echo(f"\nMentions (named in a sentence, not what it is about): {', '.join(explanation.mentions)}")
    if explanation.sentences and sentences:
        click.echo("\nSentence by sentence (the topics each sentence is on by itself, and why):")
    for sentence in explanation.sentences if sentences else []:
        why = "; ".join(f"{t} ({', '.join(words)})" for t, words in sentence.evidence.items()) or "no topic"
        click.echo(f"  {sentence.id}: {why}\n    {sentence.text}")


def _echo_reason(reason) -> None:
    click.echo(f"\n{reason.id} ({reason.label}): {reason.verdict}")
    for hit in reason.hits:
        rule = "; ".join(p for p in (f"terms {', '.join(hit.terms)}" if hit.terms else "",
                                     f"phrases {', '.join(hit.phrases)}" if hit.phrases else "") if p)
        found = ", ".join(f"{word} ×{count}" for word, count in hit.words.items())
        click.echo(f"  +{hit.contribution:g}  [{rule}] weight {hit.weight:g}: {found}")


@topics.command("changes")
@click.option("--before", type=click.Path(exists=True, path_type=Path),
              help="What to compare with: an index folder, a corpus folder (e.g. a copy made before editing) "
                   "or a taxonomy file. Default: the published index.")
@click.option("--json", "as_json", is_flag=True, help="Print the changes as JSON.")
@corpus_option
@index_option
def topics_changes(before, as_json, corpus, index_dir):
    """Which talks and speakers gain or lose topics: BEFORE against a fresh tagging of the corpus."""
    corpus_dir, index_path = _corpus_dir(corpus), _index_dir(index_dir)
    current = _open_corpus(corpus_dir)
    label, old = _before_snapshot(before or index_path, current)
    changes = compare(old, snapshot(current))
    if as_json:
        click.echo(json.dumps({"before": label, "after": str(corpus_dir), "changes": [
            {"id": c.id, "kind": c.kind, "before": c.before, "after": c.after, "added": c.added,
             "removed": c.removed} for c in changes]}, indent=2, ensure_ascii=False))
        return
    click.echo(f"Before: {label}\nAfter: the corpus in {corpus_dir}, tagged now")
    click.echo(f"{len(changes)} record(s) changed topics" + (":" if changes else "."))
    for change in changes:
        click.echo(f"  {change.kind:<8} {change.id}: {change.describe()}")


def _before_snapshot(path: Path, current: Corpus):
    """(label, snapshot) for an index folder, a corpus folder or a taxonomy file."""
    try:
        if path.is_file():
            return f"the corpus tagged with {path}", retag(current, path)
    except ReviewError as exc:
        raise click.ClickException(str(exc)) from None
    if (path / "conferences").is_dir():
        return f"the corpus in {path}", snapshot(_open_corpus(path))
    return f"the published index in {path}", _index_snapshot(path)


def _index_snapshot(index_dir: Path) -> dict:
    """Topics of every talk and speaker as stored in the published index."""
    from indexer import IndexStore, IndexUnavailable, stored_topics

    try:
        return stored_topics(IndexStore(index_dir).handle())
    except IndexUnavailable as exc:
        raise click.ClickException(str(exc)) from None


COMMANDS: list[click.Command] = [new, import_schedule, export, speakers, topics]
