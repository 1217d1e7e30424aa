"""Each corpus folder's entries, listed again only after the kernel says something in it changed.

Every save checks the whole corpus for changes other programs made (archive/load.py): at 10,000
talks that is 18,000 stat calls, 0.15-0.2 s of every save and every edit page on this machine, and
ten times that at 100,000. With an inotify watch on each folder listed, a folder is listed again
only once an event names it (a file in it created, written, renamed, removed or its status
changed); the others keep the entries and stat signatures of their last listing.

Events are read synchronously at the start of each listing (inotify_simple, a thin wrapper of the
Linux calls; no observer thread), so a change finished before a listing begins is always seen by
it. Where the kernel cannot be trusted to report every change, folders are listed every time, as
before: off Linux, on filesystems other programs may change from another machine (network and
FUSE mounts raise no events for those changes), when the kernel refuses a watch (the per-user
limit), in a forked child (events belong to the process that asked for them), and after the event
queue overflowed (everything is listed once again). One change it cannot see, as inotify cannot: a
record file written through a hard link that lives in another folder (no corpus tool makes those).
"""

from __future__ import annotations

import os
import threading
from typing import NamedTuple

try:
    from inotify_simple import INotify, flags
except ImportError:  # not Linux: no watch, every listing reads the folders
    INotify = flags = None

# Filesystems whose every change goes through this machine's kernel (so inotify hears of it).
LOCAL_FILESYSTEMS = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "ramfs", "f2fs", "zfs",
                               "jfs", "reiserfs", "bcachefs", "overlay"})


class Entry(NamedTuple):
    name: str
    path: str
    is_dir: bool
    signature: tuple | None  # (inode, size, mtime_ns, ctime_ns); None for a folder, or a file gone while listed


def signature_of(stat: os.stat_result) -> tuple:
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def scan(folder: str) -> list[Entry] | None:
    """The folder's entries not starting with a dot, by name; None when it is not a readable folder."""
    try:
        with os.scandir(folder) as listing:
            found = [entry for entry in listing if entry.name[0] != "."]
    except OSError:
        return None
    found.sort(key=lambda entry: entry.name)
    entries = []
    for entry in found:  # a folder's own status changes with what is in it, which its parent is not told of
        is_dir = _is_dir(entry)
        entries.append(Entry(entry.name, entry.path, is_dir, None if is_dir else _signature(entry)))
    return entries


def _is_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def _signature(entry: os.DirEntry) -> tuple | None:
    try:
        return signature_of(entry.stat())
    except OSError:
        return None


class FolderWatch:
    """Folder listings kept while inotify reports no change in them; one per process (see `folder_watch`)."""

    EVENTS = ("CREATE", "DELETE", "MODIFY", "ATTRIB", "CLOSE_WRITE", "MOVED_FROM", "MOVED_TO",
              "DELETE_SELF", "MOVE_SELF")

    def __init__(self):
        self._lock = threading.Lock()
        self._pid = os.getpid()
        self._inotify = _open_inotify()
        self._mask = 0 if flags is None else sum(getattr(flags, name) for name in self.EVENTS) | flags.ONLYDIR
        self._folder_of: dict[int, str] = {}  # watch descriptor -> folder
        self._watch_of: dict[str, int] = {}
        self._kept: dict[str, list[Entry]] = {}
        self._changes: dict[str, int] = {}  # events seen per folder: a listing made across one is not kept
        self._overflows = 0
        self._local: dict[int, bool] = {}  # device number -> whether its filesystem is local
        self._budget = _watch_budget()

    @property
    def active(self) -> bool:
        return self._inotify is not None and os.getpid() == self._pid

    def refresh(self) -> None:
        """Forget the listing of every folder an event named since the last call (call before a listing)."""
        if not self.active:
            return
        with self._lock:
            try:
                events = self._inotify.read(timeout=0)
            except OSError:
                events = None
            if events is None:  # unreadable: as if events were lost
                self._kept.clear()
                self._overflows += 1
                return
            for event in events:
                self._note(event)

    def entries(self, folder: str) -> list[Entry] | None:
        """The folder's entries (see `scan`), from its last listing when nothing changed in it since."""
        if not self.active:
            return scan(folder)
        with self._lock:
            kept, changes = self._kept.get(folder), (self._overflows, self._changes.get(folder, 0))
        if kept is not None:
            return kept
        watched = self._watch(folder)  # before listing: a change made during the listing is reported
        found = scan(folder)
        if watched and found is not None:
            with self._lock:  # kept unless another thread's refresh saw a change in it meanwhile
                if folder in self._watch_of and (self._overflows, self._changes.get(folder, 0)) == changes:
                    self._kept[folder] = found
        return found

    def close(self) -> None:
        """Stop watching (the process's own watch lives as long as the process)."""
        with self._lock:
            if self._inotify is not None:
                self._inotify.close()
                self._inotify = None
            self._kept.clear()

    def _note(self, event) -> None:
        if event.mask & flags.Q_OVERFLOW:
            self._kept.clear()  # some events were lost: list everything again
            self._overflows += 1
            return
        folder = self._folder_of.get(event.wd)
        if folder is None:
            return
        self._kept.pop(folder, None)
        self._changes[folder] = self._changes.get(folder, 0) + 1
        if event.mask & (flags.IGNORED | flags.DELETE_SELF | flags.MOVE_SELF):
            self._forget(event.wd, folder, remove=not event.mask & flags.IGNORED)

    def _forget(self, wd: int, folder: str, remove: bool) -> None:
        self._folder_of.pop(wd, None)
        if self._watch_of.get(folder) == wd:
            del self._watch_of[folder]
            self._changes.pop(folder, None)
        if remove:  # a moved folder's watch follows it elsewhere: stop it
            try:
                self._inotify.rm_watch(wd)
            except OSError:
                pass

    def _watch(self, folder: str) -> bool:
        """Whether changes in the folder are reported from now on (a watch is added when it has none)."""
        with self._lock:
            if folder in self._watch_of:
                return True
            if len(self._watch_of) >= self._budget:  # leave the user's other programs their watches
                return False
            try:
                if not self._is_local(os.stat(folder).st_dev):
                    return False
                wd = self._inotify.add_watch(folder, self._mask)
            except OSError:  # not a folder, gone, or the kernel's watch limit reached
                return False
            old = self._folder_of.get(wd)
            if old is not None and old != folder:  # the same folder reached by another path
                self._watch_of.pop(old, None)
                self._kept.pop(old, None)
            self._folder_of[wd], self._watch_of[folder] = folder, wd
            return True

    def _is_local(self, device: int) -> bool:
        if device not in self._local:
            self._local[device] = _filesystem_type(device) in LOCAL_FILESYSTEMS
        return self._local[device]


def _watch_budget() -> int:
    """At most half the watches the kernel allows this user (other programs, editors among them, need theirs)."""
    try:
        with open("/proc/sys/fs/inotify/max_user_watches", encoding="ascii") as limit:
            return int(limit.read()) // 2
    except (OSError, ValueError):
        return 4096


def _open_inotify():
    if INotify is None:
        return None
    try:
        return INotify()
    except OSError:  # the per-user instance limit
        return None


def _filesystem_type(device: int) -> str | None:
    """The type of the filesystem mounted from `device`, read from /proc/self/mountinfo."""
    wanted = f"{os.major(device)}:{os.minor(device)}"
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as lines:
            for line in lines:
                fields = line.split()
                if len(fields) > 2 and fields[2] == wanted and " - " in line:
                    return line.split(" - ", 1)[1].split()[0]
    except OSError:
        return None
    return None


_watch: FolderWatch | None = None
_watch_guard = threading.Lock()


def folder_watch() -> FolderWatch:
    """The process's one watch (one inotify instance whatever the number of corpora: the kernel allows few)."""
    global _watch
    with _watch_guard:
        if _watch is None or _watch._pid != os.getpid():
            _watch = FolderWatch()
        return _watch
