"""The one module that uses Whoosh 2.7.4's private parts: block-level reading of postings, and small hooks.

The hooks: a stemmer's cache (`set_stemmer`), the terms a prefix or fuzzy query expands to
(`expansions`), the highlighter's merging of adjacent matched words (`merged_matches`), a segment's
field lengths read whole for the postings writer (`decoded_lengths`, used by whoosh_fixes.py), a reader
of the newest segment alone (`newest_segment_reader`), the status of a segment's open term file
(`term_file_status`), a document's stored fields and column values read straight from its segment
(`stored_record`, `column_bytes`, `column_value`), and a positions format read a block at a time (`PackedPositions`).

Whoosh's public matcher API moves one posting per Python call, and `skip_to` scans a block linearly.
Its block reader already holds a block's ids and weights as arrays; reading those whole (for the
build) and bisecting them (to reach one document) is many times faster. Whoosh is pinned to 2.7.4
(pyproject.toml), and tests/test_retrieval.py compares the results with Whoosh's public API.
"""

from __future__ import annotations

import mmap
import os
import struct

import numpy as np
from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield
from whoosh.compat import loads
from whoosh.fields import TEXT
from whoosh.formats import Positions
from whoosh.index import TOC
from whoosh.reading import SegmentReader
from whoosh.system import _INT_SIZE
from whoosh.util.numeric import byte_to_length


def field_postings(leaf, field: str):
    """Every term of a field in one segment, in term order: (term bytes, document frequency, ids, weights),
    the ids and weights as lists, for the caller to gather into one array per field."""
    for btext, info, matcher in _term_matchers(leaf, field):
        ids, weights = _blocks(matcher)  # always blocks: Whoosh 2.7.4 cannot inline postings (inlinelimit=1)
        yield btext, info.doc_frequency(), ids, weights


def _term_matchers(leaf, field: str):
    """(term bytes, term info, raw matcher) for every term of a field in one segment, in term order.

    Walks the segment's term file in order instead of looking each term up by hash, which is most of
    the cost of reading a whole field term by term.
    """
    terms = leaf._terms
    format_ = leaf.schema[field].format
    for (name, btext), info in terms.items_from(field, b""):
        if name != field:
            break
        yield bytes(btext), info, leaf._codec.postings_reader(terms._postfile, info, format_, term=(field, btext))


def _blocks(matcher) -> tuple[list[int], list[float]]:
    ids: list[int] = []
    weights: list[float] = []
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        ids.extend(matcher._ids)
        weights.extend(matcher._weights)
        matcher._next_block()
    return ids, weights


_DECODED_LENGTHS = np.array([np.nan] + [byte_to_length(code) for code in range(1, 256)])


def field_lengths(leaf, field: str) -> np.ndarray:
    """Each document's length in a field as Whoosh's scorer sees it (its one-byte code decoded); NaN for none."""
    count = leaf.doc_count_all()
    stored = _length_codes(leaf._perdoc, field)
    if stored is None:
        return np.ones(count)
    codes = np.zeros(count, dtype=np.uint8)
    stored = np.frombuffer(stored, dtype=np.uint8)[:count]
    codes[:len(stored)] = stored
    return _DECODED_LENGTHS[codes]


def _length_codes(perdoc, field: str) -> bytes | None:
    """The field's one-byte length codes of a segment's documents, in one read (documents past the end have none);
    None when the segment has no length column for the field."""
    column = perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    return None if column is None else column._dbfile.get(column._basepos, column._count)


def decoded_lengths(perdoc, field: str) -> list | None:
    """Each document's length in a field as `perdoc.doc_field_length` gives it (None for a length byte of 0), in one
    read of the field's length column; None when the segment has no such column (Whoosh then answers the default)."""
    stored = _length_codes(perdoc, field)
    if stored is None:
        return None
    return [_LENGTH_OF_BYTE[code] for code in stored] + [None] * (perdoc._doccount + 1 - len(stored))


_LENGTH_OF_BYTE = [None] + [byte_to_length(code) for code in range(1, 256)]


class PackedPositions(Positions):
    """Whoosh's Positions format with each posting's positions packed as unsigned 32-bit integers after the count.

    Whoosh pickles a list of gaps per posting; a build wrote and read back every posting of every
    positioned field that way (one pickle call each way per posting). Packed, a block's positions
    are read with one numpy call. Whoosh's own phrase and span queries still work: they ask
    `decode_positions`, answered here.
    """

    def encode(self, poslist):
        return struct.pack(f"<{len(poslist) + 1}I", len(poslist), *poslist)  # little-endian on every machine

    def decode_positions(self, valuestring):
        return list(struct.unpack_from(f"<{len(valuestring) // _INT_SIZE - 1}I", valuestring, _INT_SIZE))

    def decode_frequency(self, valuestring):
        return int.from_bytes(valuestring[:_INT_SIZE], "little")


def positioned_text(**options) -> TEXT:
    """A TEXT field with positions (phrase=True), stored in the PackedPositions format."""
    field = TEXT(phrase=True, **options)
    field.format = PackedPositions(field_boost=field.format.field_boost)
    return field


def field_position_keys(leaf, field: str, offset: int, bits: int):
    """Per term of a field in one segment (term order): its occurrences as keys (offset + doc) << bits | position.

    PackedPositions values are read a block at a time with numpy; Whoosh's own Positions (a count,
    then pickled gaps) are decoded with one pickle load each, the gaps summed per term.
    """
    format_ = leaf.schema[field].format
    limit = (1 << bits) - 64  # a phrase subtracts its word's place from a key: keep clear of the next document
    read = _packed_keys if type(format_) is PackedPositions else _pickled_keys
    for btext, _, matcher in _term_matchers(leaf, field):
        docs, positions = read(matcher, format_)
        if len(positions) and positions.max() >= limit:
            raise ValueError(f"a document holds more than {limit} words in {field}")
        yield btext, ((docs + offset) << bits) | positions


def _value_blocks(matcher):
    """A matcher's postings a block at a time: (document ids, encoded values)."""
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_values()
        yield matcher._ids, matcher._values
        matcher._next_block()


def _packed_keys(matcher, format_) -> tuple[np.ndarray, np.ndarray]:
    """A term's documents (one per occurrence) and positions, from PackedPositions blocks."""
    counts: list[int] = []
    docs: list[int] = []
    packed: list[bytes] = []
    for ids, values in _value_blocks(matcher):
        docs.extend(ids)
        counts.extend(len(v) // _INT_SIZE - 1 for v in values)
        packed.append(b"".join(v[_INT_SIZE:] for v in values))
    positions = np.frombuffer(b"".join(packed), dtype="<u4").astype(np.int64)
    return np.repeat(np.asarray(docs, dtype=np.int64), counts), positions


def _pickled_keys(matcher, format_) -> tuple[np.ndarray, np.ndarray]:
    """A term's documents (one per occurrence) and positions, from Whoosh's Positions (or any format's) values."""
    exact = type(format_) is Positions
    docs: list[int] = []
    counts: list[int] = []
    gaps: list[int] = []
    for ids, values in _value_blocks(matcher):
        for docnum, value in zip(ids, values):
            found = _gaps(value) if exact else _as_gaps(format_.decode_positions(value))
            docs.append(docnum)
            counts.append(len(found))
            gaps.extend(found)
    steps = np.asarray(gaps, dtype=np.int64)
    totals = np.cumsum(steps)
    counts_array = np.asarray(counts, dtype=np.int64)
    starts = np.cumsum(counts_array) - counts_array  # each document's first gap
    positions = totals - np.repeat(totals[starts] - steps[starts], counts_array)
    return np.repeat(np.asarray(docs, dtype=np.int64), counts_array), positions


def _gaps(value: bytes) -> list[int]:
    return loads(value[_INT_SIZE:] + (b"" if value.endswith(b".") else b"."))


def _as_gaps(positions: list[int]) -> list[int]:
    return [b - a for a, b in zip([0, *positions], positions)]


def set_stemmer(stem_filter, stem) -> None:
    """Make a StemFilter call `stem` (a thread-safe cached stemmer) instead of its own LFU cache."""
    stem_filter._stem = stem


def expansions(q, reader):
    """The index terms (bytes) a prefix*, wildcard or fuzzy~ query stands for, in term order."""
    return q._btexts(reader)


def merged_matches(highlighter, tokens):
    """Adjacent matched tokens merged into one, as Whoosh's own highlighter does before fragmenting."""
    return highlighter._merge_matched_tokens(tokens)


def term_file_status(leaf) -> os.stat_result | None:
    """os.fstat of a segment reader's open term file, or None when it has none of its own (a compound segment).
    The open file keeps its inode from being reused, and answers after its folder is deleted."""
    try:
        return os.fstat(leaf._terms._dbfile.file.fileno())
    except (AttributeError, OSError, ValueError):  # a compound segment's terms are a part of a buffer
        return None


def stored_record(reader, docnum: int) -> dict:
    """A document's stored fields, as `reader.stored_fields` gives them for a build's own schema.

    Whoosh's own call also drops stored names no longer in the schema (fields removed since the document was
    written); a build's documents are all written with its schema (a schema change is a full build), and that
    check was half the time of reading a short record. A multi-segment reader's document is read from its
    segment; a closed reader or a negative number raises ValueError (Whoosh: ReaderClosed, AssertionError)."""
    reader, docnum = _in_segment(reader, docnum)
    return reader._perdoc.stored_fields(docnum) or {}


def column_bytes(reader, field: str, column, docnum: int) -> bytes:
    """A document's value in a bytes column (whoosh.columns.VarBytesColumn), as `reader.column_reader(field)[docnum]`
    gives it, read through the segment's cached column reader.

    Whoosh's public call opens the column and reads its offsets again on every call (0.6 ms at 10,000 talks);
    the segment's per-document reader keeps one open until the segment is closed. Same refusals as
    `stored_record`; a segment without the column raises KeyError."""
    reader, docnum = _in_segment(reader, docnum)
    perdoc = reader._perdoc
    mapped = perdoc._readers.get((_MAPPED, field))
    if mapped is None:
        mapped = perdoc._readers[(_MAPPED, field)] = _MappedBytes.of(_column(perdoc, field, column))
        if isinstance(mapped, _MappedBytes):  # unmapped when the segment's reader closes, with its files
            perdoc._colfiles[(_MAPPED, field)] = (mapped.buffer, 0, 0)
    return mapped[docnum]


def column_value(reader, field: str, docnum: int):
    """`reader.column_reader(field)[docnum]` for a COLUMN field (its values need no translation), through the
    segment's cached reader: Whoosh's public call opens the column again each time (0.6 ms for the page data
    at 10,000 talks). Same refusals as `column_bytes`."""
    reader, docnum = _in_segment(reader, docnum)
    return _column(reader._perdoc, field, reader.schema[field].column_type)[docnum]


def _in_segment(reader, docnum: int):
    """The segment reader holding a document and its number there; ValueError for a closed reader or a negative
    number (without the check, -1 would read the segment's last document)."""
    if not isinstance(reader, SegmentReader):
        segment, docnum = reader._segment_and_docnum(docnum)
        reader = reader.readers[segment]
    if reader.is_closed or docnum < 0:
        raise ValueError(f"no document {docnum} in a closed reader or before the first")
    return reader, docnum


def _column(perdoc, field: str, column):
    """The segment's cached reader of a column; KeyError when the segment has none."""
    values = perdoc._cached_reader(field, column)
    if values is None:
        raise KeyError(f"the segment has no column {field!r}")
    return values


_MAPPED = "confarchive-mapped"  # the key of a column's memory-mapped reader among the segment's cached readers


class _MappedBytes:
    """A segment's bytes column read through a memory map of its file: a slice per document. Whoosh's reader
    seeks and reads its file object for each value (two thirds of the time of reading a search result), and a
    file object is one position shared by whoever reads it."""

    def __init__(self, buffer: mmap.mmap, base: int, offsets, lengths):
        self.buffer, self._base, self._offsets, self._lengths = buffer, base, offsets, lengths

    @classmethod
    def of(cls, values):
        """For a VarBytesColumn reader: mapped when its file is a real one, else Whoosh's reader itself."""
        dbfile = values._dbfile
        try:
            buffer = mmap.mmap(dbfile.fileno(), 0, access=mmap.ACCESS_READ)
        except (AttributeError, OSError, ValueError):  # a compound segment's part of a buffer
            return values
        return cls(buffer, values._basepos, values._offsets, values._lengths)

    def __getitem__(self, docnum: int) -> bytes:
        length = self._lengths[docnum]
        if not length:
            return b""
        start = self._base + self._offsets[docnum]
        return self.buffer[start:start + length]


def newest_segment_reader(ix):
    """A reader of the index's last segment alone (the one a writer's commit without merging just added): opening
    every segment again after each update's commit cost a few milliseconds per segment."""
    toc = TOC.read(ix.storage, ix.indexname)
    return SegmentReader(ix.storage, toc.schema, toc.segments[-1], generation=toc.generation)
