"""Whoosh 2.7.4's FileStorage.create without the reference cycle it makes at every index writer.

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

from whoosh.filedb.filestore import FileStorage


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
