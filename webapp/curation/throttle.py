"""Slow down password guessing: after a few failed sign-ins, a name is locked from that address for a while.

Kept in memory, per process: a restart forgets it, and each server process counts on its own
(`confarchive serve` runs one process). The delay doubles with each further failure, up to a cap.
A password check is booked (`begin`) before it runs, under the same lock as the count, so parallel
attempts cannot all pass the check before the first failure is counted: at most `max_failures`
passwords are ever checked before a lock-out.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last: float = 0.0
    checking: int = 0  # password checks booked and not yet finished


class LoginThrottle:
    """Count failed sign-ins per (account name, client address) and lock out after `max_failures`."""

    FORGET_AFTER = 24 * 3600.0

    def __init__(self, max_failures: int = 5, base_delay: float = 60.0, max_delay: float = 3600.0,
                 clock=time.monotonic):
        self.max_failures, self.base_delay, self.max_delay, self.clock = max_failures, base_delay, max_delay, clock
        self._records: dict[tuple[str, str], _Record] = {}
        self._lock = threading.Lock()

    def begin(self, name: str, address: str) -> int:
        """Book one password check: 0 when it may run now (then call failed or succeeded), else seconds to wait."""
        now = self.clock()
        with self._lock:
            self._forget_old(now)
            record = self._records.setdefault((name.lower(), address), _Record())
            if record.locked_until > now:
                return max(1, int(record.locked_until - now + 0.999))
            # under the limit, as many checks as failures are left; after a lock-out, one at a time
            room = self.max_failures - record.failures if record.failures < self.max_failures else 1
            if record.checking >= room:
                return 1  # the checks already running decide whether a lock-out starts
            record.checking += 1
            record.last = now
            return 0

    def failed(self, name: str, address: str) -> int:
        """Count a failure; return the lock-out in seconds it starts (0 while under the limit)."""
        now = self.clock()
        with self._lock:
            self._forget_old(now)
            record = self._records.setdefault((name.lower(), address), _Record())
            record.checking = max(0, record.checking - 1)
            record.failures += 1
            record.last = now
            if record.failures < self.max_failures:
                return 0
            delay = min(self.max_delay, self.base_delay * 2 ** (record.failures - self.max_failures))
            record.locked_until = now + delay
            return int(delay)

    def cancel(self, name: str, address: str) -> None:
        """A booked check that could not run (the account file could not be read): free it, count nothing."""
        with self._lock:
            record = self._records.get((name.lower(), address))
            if record:
                record.checking = max(0, record.checking - 1)

    def succeeded(self, name: str, address: str) -> None:
        """A right password: forget the failures (and the booked check)."""
        with self._lock:
            self._records.pop((name.lower(), address), None)

    def _forget_old(self, now: float) -> None:
        if len(self._records) > 10_000:
            for key in [k for k, r in self._records.items() if now - r.last > self.FORGET_AFTER]:
                del self._records[key]
