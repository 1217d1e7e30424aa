"""A one-dimensional .npy file written piece by piece, so a build never holds the whole array twice.

np.save needs the finished array; the build's postings and word positions would then exist once as
pieces and again as their concatenation, the build's peak of memory. This writer appends the
pieces to the file instead and writes the header, whose length does not depend on the count,
once the count is known. np.load reads the file like any other.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

FLUSH_ITEMS = 1 << 20  # pieces are gathered up to about a million values per write


class NpyWriter:
    """Append arrays of one dtype to a .npy file; use as a context manager."""

    def __init__(self, path: Path, dtype):
        self.path = Path(path)
        self.dtype = np.dtype(dtype)
        self.length = 0  # values appended so far: where the next one will be
        self._written = 0
        self._pending: list[np.ndarray] = []
        self._pending_items = 0
        self._file = open(self.path, "wb")
        self._file.write(self._header(0))

    def append(self, values: np.ndarray) -> None:
        if len(values):
            self.length += len(values)
            self._pending.append(values)
            self._pending_items += len(values)
            if self._pending_items >= FLUSH_ITEMS:
                self._flush()

    def close(self) -> None:
        """Write what is pending, then the header with the final count."""
        self._flush()
        header = self._header(self._written)
        self._file.seek(0)
        if len(header) != len(self._header(0)):  # numpy pads its header to a fixed size; guard the assumption
            raise RuntimeError(f"{self.path.name}: the .npy header changed length; the file was not finished")
        self._file.write(header)
        self._file.close()

    def _flush(self) -> None:
        if not self._pending:
            return
        block = np.concatenate(self._pending).astype(self.dtype, copy=False)
        self._file.write(memoryview(np.ascontiguousarray(block)).cast("B"))
        self._written += len(block)
        self._pending, self._pending_items = [], 0

    def _header(self, count: int) -> bytes:
        buffer = io.BytesIO()
        np.lib.format.write_array_header_1_0(
            buffer, {"descr": np.lib.format.dtype_to_descr(self.dtype), "fortran_order": False, "shape": (count,)})
        return buffer.getvalue()

    def __enter__(self) -> "NpyWriter":
        return self

    def __exit__(self, kind, error, trace) -> None:
        if kind is None:
            self.close()
        else:
            self._file.close()
            self.path.unlink(missing_ok=True)
