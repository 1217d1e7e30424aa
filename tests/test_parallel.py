"""The build's second process (indexer/parallel.py): its failures reach the first, and it runs inline without fork."""

from __future__ import annotations

import os

import pytest

from indexer import parallel
from indexer.parallel import JobFailed, alongside


def _writes(target):
    target.write_text(str(os.getpid()))


def _fails():
    raise ValueError("broken on purpose")


@pytest.mark.skipif(not parallel.FORK, reason="the second process is forked")
def test_the_job_runs_in_another_process_during_the_block(tmp_path):
    target = tmp_path / "out"
    with alongside(_writes, target):
        pass
    assert int(target.read_text()) != os.getpid()


@pytest.mark.skipif(not parallel.FORK, reason="the second process is forked")
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
