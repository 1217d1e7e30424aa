"""An import is all or nothing: killed at random points, it leaves the corpus as it was, and the next run works.
Planning takes linear time in the number of events."""

from __future__ import annotations

import json
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from archive import load_corpus
from archive.importers import ImportOptions, plan_import, read_schedule, recover
from archive.importers.staging import JOURNAL, STAGING
from benchmarks.schedules import generated_schedule

SHIPPED_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
COMMAND = [sys.executable, "-c", "from confarchive.cli import main; main()", "import"]


def _tree(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def _export(folder: Path, events: int) -> Path:
    """A generated export whose persons include two of the archive's speakers, so existing files change too."""
    data = generated_schedule(events, seed="kill")
    first_day = data["schedule"]["conference"]["days"][0]["rooms"]
    room = next(iter(first_day.values()))
    room[0]["persons"].append({"code": "BEL3QP", "name": "Britt Elmedal"})
    room[1]["persons"].append({"code": "SSC9TT", "name": "Serena Scollen"})
    path = folder / "schedule.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _run(export: Path, corpus: Path) -> subprocess.Popen:
    return subprocess.Popen([*COMMAND, str(export), "--organiser", "O", "--corpus", str(corpus)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_import_leaves_the_corpus_as_it_was(tmp_path):
    export = _export(tmp_path, 400)
    reference = tmp_path / "reference" / "corpus"
    shutil.copytree(SHIPPED_CORPUS, reference)
    began = time.perf_counter()
    assert _run(export, reference).wait() == 0
    full = time.perf_counter() - began
    after = _tree(reference)
    corpus = tmp_path / "corpus" / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    before = _tree(corpus)
    assert after != before
    rng, interrupted = random.Random(13), 0
    for attempt in range(6):
        process = _run(export, corpus)
        if attempt % 2:
            time.sleep(full * rng.uniform(0.1, 1.0))
        else:  # at a random point while it writes: after the staging folder appears
            _wait_for(corpus / STAGING, process, full)
            time.sleep(rng.uniform(0, 0.15))
        process.send_signal(signal.SIGKILL)
        process.wait()
        left_over = (corpus / STAGING).exists() or (corpus / JOURNAL).exists()
        interrupted += left_over
        recover(corpus)  # what the next `confarchive import` does first
        state = _tree(corpus)
        assert state in (before, after), f"attempt {attempt}: a killed import left a half-written corpus"
        assert not [p for p in corpus.rglob("*") if p.name.endswith(".tmp") or p.name in (STAGING, JOURNAL)]
        if state == after:  # the import had finished before the kill: start again from the old corpus
            shutil.rmtree(corpus)
            shutil.copytree(SHIPPED_CORPUS, corpus)
    assert interrupted >= 1, "no kill landed while the import was writing; the test proved nothing"
    assert _run(export, corpus).wait() == 0
    assert _tree(corpus) == after


def _wait_for(path: Path, process: subprocess.Popen, limit: float) -> None:
    deadline = time.perf_counter() + 3 * limit
    while not path.exists() and process.poll() is None and time.perf_counter() < deadline:
        time.sleep(0.002)


def _half_done(corpus: Path) -> None:
    """The corpus as a killed import leaves it: journal written, some moves done."""
    britt = corpus / "speakers" / "britt-elmedal-laursen.md"
    stage = corpus / STAGING / "run"
    (stage / "old" / "speakers").mkdir(parents=True)
    (stage / "old" / "speakers" / britt.name).write_bytes(britt.read_bytes())
    britt.write_text("half an import", encoding="utf-8")
    (corpus / "speakers" / "someone-new.md").write_text("new", encoding="utf-8")
    (corpus / "conferences" / "kill30-2030").mkdir()
    (corpus / JOURNAL).write_text(json.dumps({"stage": "run", "moves": [
        {"target": "conferences/kill30-2030", "folder": True, "replaces": False},
        {"target": "speakers/someone-new.md", "folder": False, "replaces": False},
        {"target": "speakers/britt-elmedal-laursen.md", "folder": False, "replaces": True}]}), encoding="utf-8")


def test_recovery_puts_back_what_a_killed_import_moved(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    before = _tree(corpus)
    _half_done(corpus)
    assert recover(corpus) is True
    assert _tree(corpus) == before
    assert not (corpus / "conferences" / "kill30-2030").exists() and not (corpus / STAGING).exists()
    assert recover(corpus) is False


def test_recovery_removes_a_journal_killed_while_it_was_written(tmp_path):
    """Killed between the journal's temporary file and its rename: no move had begun, and nothing may be left."""
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    before = _tree(corpus)
    (corpus / f".{JOURNAL}.k1ll3d.tmp").write_text('{"stage": "x", "moves": [', encoding="utf-8")
    assert recover(corpus) is False
    assert _tree(corpus) == before


def test_a_half_imported_corpus_is_refused_by_validate_and_build_until_the_import_runs_again(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    _half_done(corpus)
    for command in (["validate"], ["build", "--index", str(tmp_path / "index")]):
        result = subprocess.run([*COMMAND[:-1], *command, "--corpus", str(corpus)], capture_output=True, text=True)
        assert result.returncode == 1 and "Traceback" not in result.stderr, result.stdout + result.stderr
        assert "the corpus is half imported" in result.stdout + result.stderr
    assert not (tmp_path / "index").exists()
    recover(corpus)
    assert load_corpus(corpus).talks  # once undone, the corpus loads as before


def test_the_next_run_undoes_an_interrupted_one_and_works(tmp_path):
    export = _export(tmp_path, 30)
    reference = tmp_path / "reference"
    shutil.copytree(SHIPPED_CORPUS, reference)
    assert _run(export, reference).wait() == 0
    corpus = tmp_path / "corpus"
    shutil.copytree(SHIPPED_CORPUS, corpus)
    _half_done(corpus)
    result = subprocess.run([*COMMAND, str(export), "--organiser", "O", "--corpus", str(corpus)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("An earlier import was interrupted; it was undone, so the corpus is as it was "
                                    "before it.\n")
    assert _tree(corpus) == _tree(reference)


def _plan_seconds(events: int) -> float:
    corpus = load_corpus(SHIPPED_CORPUS)
    raw = json.dumps(generated_schedule(events, seed="lin"))
    began = time.process_time()
    plan_import(read_schedule(raw), corpus, raw, ImportOptions("lin-2030", "O", "schedule.json"))
    return time.process_time() - began


def test_planning_takes_linear_time():
    """Four times the events take about four times as long (quadratic planning took sixteen times)."""
    _plan_seconds(50)  # warm caches
    small, large = _plan_seconds(250), _plan_seconds(1000)
    assert large < 7 * small, (small, large)


def test_a_killed_update_leaves_the_corpus_as_it_was(tmp_path):
    """`--update` replaces files that exist (talks, speakers, the state): killed at random points, the corpus is
    either as before the update or as after it, and the next run finishes it."""
    data = generated_schedule(300, seed="upd")
    first, newer = tmp_path / "first.json", tmp_path / "newer.json"
    first.write_text(json.dumps(data), encoding="utf-8")
    for day in data["schedule"]["conference"]["days"]:
        for events in day["rooms"].values():
            for event in events:
                event["title"] += " (revised)"
                event["persons"][0]["biography"] = "A biography the schedule added."
    newer.write_text(json.dumps(data), encoding="utf-8")
    base = tmp_path / "base" / "corpus"
    base.mkdir(parents=True)
    shutil.copy(SHIPPED_CORPUS / "taxonomy.yaml", base)
    assert _run(first, base).wait() == 0
    update = [*COMMAND, str(newer), "--update", "--corpus"]
    reference = tmp_path / "reference" / "corpus"
    shutil.copytree(base, reference)
    began = time.perf_counter()
    assert subprocess.run([*update, str(reference)], capture_output=True).returncode == 0
    full, after = time.perf_counter() - began, _tree(reference)
    corpus = tmp_path / "corpus" / "corpus"
    shutil.copytree(base, corpus)
    before = _tree(corpus)
    assert after != before
    rng, interrupted = random.Random(31), 0
    for attempt in range(5):
        process = subprocess.Popen([*update, str(corpus)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if attempt % 2:
            time.sleep(full * rng.uniform(0.1, 1.0))
        else:
            _wait_for(corpus / STAGING, process, full)
            time.sleep(rng.uniform(0, 0.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        interrupted += (corpus / STAGING).exists() or (corpus / JOURNAL).exists()
        recover(corpus)
        state = _tree(corpus)
        assert state in (before, after), f"attempt {attempt}: a killed update left a half-written corpus"
        if state == after:
            shutil.rmtree(corpus)
            shutil.copytree(base, corpus)
    assert interrupted >= 1, "no kill landed while the update was writing; the test proved nothing"
    assert subprocess.run([*update, str(corpus)], capture_output=True).returncode == 0
    assert _tree(corpus) == after
