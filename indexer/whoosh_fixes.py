"""Replacements for Whoosh 2.7.4 methods: FileStorage.create without the reference cycle it makes at every
index writer, SegmentWriter._flush_segment reading field lengths whole (see _DecodedLengths), the
posting pool's sorted runs written and read a chunk at a time (see _write_run), and a term table's
directory read in one call when a segment is opened (see _open_hash_table).

Whoosh gives each writer temporary storage under a fixed name ("MAIN.tmp" in the system's temp
folder), so the folder is usually there already; FileStorage.create then catches os.makedirs's
FileExistsError and keeps it in a local variable (`e = sys.exc_info()[1]`). The exception's
traceback holds that frame, and the frame holds the exception: a cycle, and through each frame's
link to its caller, every frame of the writer's call stack with all its locals. Only the garbage
collector's cycle detection frees them, and a server runs it seldom (confarchive.cli.collect_less_often;
updates pause it), so after each save the update's working set (the documents, the programme
ranks, the replaced facet table, the readers and the writer) stayed in memory until a later pass
(two such cycles per update, one per index). Same behaviour otherwise: the folder is made when
missing, and a path that is not a folder is refused with ENOTDIR as Whoosh does.
"""

from __future__ import annotations

import errno
import os
import pickle
from itertools import islice

from whoosh.filedb import filetables
from whoosh.filedb.filestore import FileStorage
from whoosh.writing import PostingPool, SegmentWriter

from .postings import decoded_lengths


def _create(self):
    dirpath = os.path.abspath(self.folder)
    if not os.path.isdir(dirpath):
        try:
            os.makedirs(dirpath)
        except FileExistsError:  # made meanwhile, or not a folder (refused below); not kept: no cycle
            pass
    if not os.path.isdir(dirpath):
        e = IOError("%r is not a directory" % dirpath)
        e.errno = errno.ENOTDIR
        raise e
    return self


_create.__doc__ = FileStorage.create.__doc__


FileStorage.create = _create  # installed on import: indexer/__init__.py imports this module first


class _DecodedLengths:
    """A new segment's field lengths for Whoosh's postings writer, which asks for one at every posting: each
    field's length column is read whole on first use (about a tenth of a build's CPU went to asking one by one)."""

    def __init__(self, perdoc):
        self.perdoc = perdoc
        self.fields: dict[str, list | None] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0):
        if fieldname not in self.fields:
            self.fields[fieldname] = decoded_lengths(self.perdoc, fieldname)
        lengths = self.fields[fieldname]
        if lengths is None:
            return default
        if docnum >= len(lengths):  # as Whoosh: a document past the segment's count is an error
            raise IndexError(f"Asked for docnum {docnum!r} of {len(lengths) - 1}")
        return lengths[docnum]


def _flush_segment(self):
    """SegmentWriter._flush_segment, handing the postings writer the segment's lengths read whole."""
    self.perdocwriter.close()
    lengths = self.per_document_reader() if self.codec.length_stats else None
    self.fieldwriter.add_postings(self.schema, _DecodedLengths(lengths) if lengths else None,
                                  self.pool.iter_postings())
    self.fieldwriter.close()
    if lengths:
        lengths.close()


SegmentWriter._flush_segment = _flush_segment


RUN_CHUNK = 128  # postings pickled together in a posting pool's sorted run (a merge holds one chunk per run)


def _add(self, item):
    """PostingPool.add without its type assertions, with the same size estimate (so the same runs)."""
    fieldname, tbytes, _, _, vbytes = item
    self.fieldnames.add(fieldname)
    self.currentsize += 150 + len(fieldname) + 2 * len(tbytes) + (len(vbytes) if vbytes else 0)
    if self.currentsize > self.limit:
        self.save()
    self.current.append(item)


def _write_run(self, f, items):
    """Write a sorted run as pickled lists of postings; Whoosh pickles each posting alone.

    A build's postings all pass through these runs (the pool is kept small for memory), and one
    pickle call per posting, written and read back, was about a tenth of a build's time.
    """
    items = iter(items)
    try:
        while chunk := list(islice(items, RUN_CHUNK)):
            pickle.dump(chunk, f, pickle.HIGHEST_PROTOCOL)
    finally:
        f.close()


def _read_run(self, path):
    """A run written by _write_run, a chunk in memory at a time; the file is removed when read (as Whoosh's)."""
    f = self._open_run(path)
    try:
        while True:
            try:
                chunk = pickle.load(f)
            except EOFError:
                return
            yield from chunk
    finally:
        f.close()
        self._remove_run(path)


WHOOSH_POOL_METHODS = {name: getattr(PostingPool, name) for name in ("add", "_write_run", "_read_run")}  # for tests
PostingPool.add = _add
PostingPool._write_run = _write_run
PostingPool._read_run = _read_run


def _open_hash_table(self, dbfile, length=None, magic=b"HSH3", startoffset=0):
    """HashReader.__init__ reading the 256-entry directory of hash tables in one call, not one call per entry.

    Every segment reader opens its term table this way, and an update's build has a segment per
    earlier update: the update, the reopened build and each server thread's searcher open them all
    again, so the per-entry reads made each save a little slower than the one before it.
    """
    self.dbfile, self.startoffset, self.is_closed = dbfile, startoffset, False
    if length is None:
        dbfile.seek(0, os.SEEK_END)
        length = dbfile.tell() - startoffset
    dbfile.seek(startoffset)
    found = dbfile.read(4)
    if found != magic:
        raise filetables.FileFormatError("Unknown file header %r" % found)
    self.hashtype = dbfile.read_byte()
    self.hashfn = filetables._hash_functions[self.hashtype]
    dbfile.read_int()  # two unused header fields
    dbfile.read_int()
    self.startofdata = dbfile.tell()
    extras_end = startoffset + length - filetables._INT_SIZE
    extras_start = extras_end - dbfile.get_int(extras_end)
    dbfile.seek(extras_start)
    self._read_extras()
    dbfile.seek(extras_start - filetables._directory_size)
    directory = dbfile.read(filetables._directory_size)
    self.tables = list(filetables._dir_entry.iter_unpack(directory))  # (position, number of slots) per table
    self.endofdata = self.tables[0][0]


WHOOSH_HASH_INIT = filetables.HashReader.__init__  # for tests
filetables.HashReader.__init__ = _open_hash_table
