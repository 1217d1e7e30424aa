"""The files of one part of a build (its scored postings, its vocabulary): a folder, or an update's part packed in one file.

Every update hard-links all of the build's files into a new build folder. The full build's parts
are folders of large arrays, memory-mapped. An update's part is small, and as a folder it cost each
later update a directory to create and a few dozen links (about a millisecond and a half per earlier
update, so each save was slower than the one before). Packed, it is one uncompressed zip of the same
files, read whole into memory when opened.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import zipfile
from pathlib import Path

import numpy as np

PACKED = ".zip"


def pack(folder: Path) -> Path:
    """Replace a part's folder with one file holding its files (written whole, then renamed into place)."""
    packed = folder.with_name(folder.name + PACKED)
    temporary = packed.with_name(packed.name + ".tmp")
    with zipfile.ZipFile(temporary, "w", compression=zipfile.ZIP_STORED, strict_timestamps=False) as out:
        for path in sorted(folder.iterdir()):
            out.write(path, path.name)
    os.replace(temporary, packed)
    shutil.rmtree(folder)
    return packed


def is_packed(path: Path) -> bool:
    """Is this part one packed file (an update's), not a folder (the full build's)?"""
    return path.name.endswith(PACKED)


def part_name(path: Path) -> str:
    """A part's name without the packed file's suffix (impacts-update-0003 for impacts-update-0003.zip)."""
    return path.name[:-len(PACKED)] if is_packed(path) else path.name


class PartFiles:
    """Arrays and JSON of one part by file name, from its folder (memory-mapped) or its packed file (in memory)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = part_name(self.path)
        self._packed: dict[str, bytes] | None = None
        if is_packed(self.path):
            try:
                with zipfile.ZipFile(self.path) as packed:
                    self._packed = {name: packed.read(name) for name in packed.namelist()}
            except (zipfile.BadZipFile, EOFError) as exc:  # damage reads as damage, as a bad .npy file does
                raise ValueError(f"{self.path.name} is damaged: {exc}") from None

    def array(self, name: str) -> np.ndarray:
        """The array of a .npy file; a plain ndarray (np.memmap's indexing runs Python code on every lookup)."""
        if self._packed is None:
            return np.load(self.path / name, mmap_mode="r").view(np.ndarray)
        return np.load(io.BytesIO(self._member(name)), allow_pickle=False)

    def json(self, name: str):
        if self._packed is None:
            return json.loads((self.path / name).read_text(encoding="utf-8"))
        return json.loads(self._member(name).decode("utf-8"))

    def _member(self, name: str) -> bytes:
        try:
            return self._packed[name]
        except KeyError:
            raise FileNotFoundError(f"{self.path.name} holds no {name}") from None
