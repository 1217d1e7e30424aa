"""Run one job of a build in a second process while this one does another: the machine has two cores.

The child is forked, so it starts with the loaded corpus and no pickling; it writes its own files
(the quote index, in its own folder) and reports only whether it succeeded. Without fork (not
Linux or macOS), or when the build runs inside a process that must not fork, the job runs inline.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import traceback
from contextlib import contextmanager
from typing import Callable, Iterator

FORK = "fork" in multiprocessing.get_all_start_methods() and os.environ.get("CONFARCHIVE_BUILD_PROCESSES", "2") != "1"


class JobFailed(RuntimeError):
    """The job in the second process raised; the message is its error."""


@contextmanager
def alongside(job: Callable, *args) -> Iterator[None]:
    """Run job(*args) in a forked process during the block; wait for it after; raise JobFailed if it failed."""
    if not FORK:
        yield
        job(*args)
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_run, args=(send, job, args, os.getpid()), daemon=True)
    process.start()
    send.close()
    try:
        yield
    except BaseException:
        process.kill()
        process.join()
        raise
    error = receive.recv() if receive.poll(None) else "the process ended without a word"
    process.join()
    if error or process.exitcode:
        raise JobFailed(f"{getattr(job, '__name__', 'job')} failed in the second process: "
                        f"{error or f'exit code {process.exitcode}'}")


def _run(send, job: Callable, args: tuple, parent: int) -> None:
    _die_with(parent)
    try:
        job(*args)
        send.send("")
    except BaseException as exc:  # reported to the parent, which raises it as JobFailed
        send.send(f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=5)}")
    finally:
        send.close()


def _die_with(parent: int) -> None:
    """End this process when its parent ends: a killed build must not leave a child holding its build lock."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG (Linux)
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # the parent died before the line above took effect
        os._exit(1)
