"""Give memory the program has freed back to the system, where the C allocator keeps it otherwise.

A save makes a server parse a file, check the corpus, write an update and open the new build, and
drop the replaced build: tens of megabytes of short-lived objects at 10,000 talks, among which a few
last (the new build's tables, the remembered corpus). glibc's malloc keeps the freed space between
those in its arenas (one per thread that allocates, and waitress serves from several) and hands it
back to the system only from the top of an arena. Measured at 10,000 talks (default generator, 20
saves of one talk), with the objects' own memory flat from the first save (mallinfo2's bytes in
use 77 MB throughout): the free bytes kept in the arenas grew from 19 to 41 MB and the resident
memory from 293 to 331 MB (with a trim after each save, 296 to 307 MB). `malloc_trim(0)` returns the free pages inside the arenas as well, in
about a millisecond there. Elsewhere (another C library) nothing is done.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sys


def _trim_function():
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):  # not glibc (musl has no malloc_trim)
        return None
    trim.argtypes, trim.restype = [ctypes.c_size_t], ctypes.c_int
    return trim


_TRIM = _trim_function()


def give_back_free_memory() -> bool:
    """Return the C allocator's free pages to the system (glibc); whether it could be asked to."""
    if _TRIM is None:
        return False
    _TRIM(0)
    return True
