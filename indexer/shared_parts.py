"""Parts of a build (folders written once, never rewritten), opened once per process and shared by every build
that links them in."""

from __future__ import annotations

import os
import threading
import weakref
from pathlib import Path
from typing import Callable, Generic, TypeVar

from .part_files import is_packed

PACKED_TAIL = 4096  # bytes: a packed part's central directory, with every member's CRC, fits in them

Part = TypeVar("Part")


class SharedParts(Generic[Part]):
    """Opened parts known by the identity of one of their files, not by their path: each update's build
    hard-links the earlier parts in under a new folder, and opening every part again cost each update
    and each newly published build a few milliseconds per part. Parts are kept only while an open build
    holds them (a weak cache), so a replaced build's memory maps, and its deleted files, go with it."""

    def __init__(self, opener: Callable[[Path], Part], marker: str):
        self._opener, self._marker = opener, marker  # marker: a file every part has
        self._open: "weakref.WeakValueDictionary[tuple, Part]" = weakref.WeakValueDictionary()
        self._lock = threading.Lock()

    def open(self, folder: Path, key: tuple | None = None) -> Part:
        """The part in folder, or in a packed part's one file (part_files.py), opened once while something holds it;
        `key`: its key(folder), when the caller has it already."""
        key = key or self.key(folder)
        with self._lock:
            found = self._open.get(key)
            if found is None:
                found = self._open[key] = self._opener(folder)
        return found

    def key(self, folder: Path) -> tuple:
        """What identifies a part's content while it exists: hard links share it, a new build's part has its own."""
        if not is_packed(folder):
            stat = (folder / self._marker).stat()
            return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns)
        # A packed part is read whole and its file closed, so once deleted its inode may be reused while the part is
        # still open here: the zip's central directory (each member's CRC, in the file's last bytes) goes in the key.
        with open(folder, "rb") as packed:
            stat = os.fstat(packed.fileno())
            packed.seek(max(0, stat.st_size - PACKED_TAIL))
            tail = packed.read()
        return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, tail)
