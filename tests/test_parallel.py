"""The build's second process (indexer/parallel.py): its failures reach the first, and it runs inline without fork."""

from __future__ import annotations

import multiprocessing
import os

import pytest

from indexer import parallel
from indexer.parallel import JobFailed, alongside


def _writes(target):
    target.write_text(str(os.getpid()))


def _fails():
    raise ValueError("broken on purpose")


FORKS = "fork" in multiprocessing.get_all_start_methods() and os.environ.get("CONFARCHIVE_BUILD_PROCESSES") != "1"


@pytest.mark.skipif(not FORKS, reason="the second process is forked (not on this platform, or switched off)")
def test_the_job_runs_in_another_process_during_the_block(tmp_path):
    target = tmp_path / "out"
    with alongside(_writes, target):
        pass
    assert int(target.read_text()) != os.getpid()


FORKS = "fork" in multiprocessing.get_all_start_methods() and os.environ.get("CONFARCHIVE_BUILD_PROCESSES") != "1"


@pytest.mark.skipif(not FORKS, reason="the second process is forked (not on this platform, or switched off)")
def test_a_failing_job_fails_the_block_with_its_error():
    with pytest.raises(JobFailed, match="ValueError: broken on purpose"):
        with alongside(_fails):
            pass


def test_without_fork_the_job_runs_after_the_block(tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "FORK", False)
    target = tmp_path / "out"
    with alongside(_writes, target):
        assert not target.exists()
    assert int(target.read_text()) == os.getpid()
