"""A timed load test against the real server: 8 clients send the most expensive requests while 300 sockets
sit idle or trickle; a normal client's requests must all be answered, within a second (p95).

About 40 s: a corpus of the shipped talks plus 500 generated ones is built, then loaded for 15 s.
The 10,000-talk figures in docs/security.md come from `python -m tests.load.hostile` (see there).
"""

from __future__ import annotations

import pytest

from .harness import prepare
from .hostile import IDLE_SOCKETS, MAX_BYTES, run

pytestmark = pytest.mark.server
SECONDS = 15.0


def test_normal_requests_are_answered_under_the_hostile_mix(tmp_path):
    corpus, index, _ = prepare(tmp_path, extra_talks=500)
    figures = run(corpus, index, tmp_path / "serve.log", SECONDS)
    print(figures)
    assert figures["failures"] == [] and figures["server errors"] == []
    assert figures["normal requests"] >= SECONDS  # a request at least every second: nothing stalled
    assert figures["expensive requests"] >= 50
    assert figures["normal p95 s"] <= 1.0
    assert figures["normal max s"] <= 2.0  # the machine is shared; the 10k run in docs/security.md stays under 1 s
    assert figures["idle sockets still open at the end"] == IDLE_SOCKETS  # held, not dropped, and not in the way
    assert figures["alone: slowest (s, status, bytes, path)"][0][0] <= 1.0  # each costly request on its own
    assert figures["alone: largest bytes"] <= MAX_BYTES
