"""Large stored values (a record's page, a quote's payload) kept as compressed JSON.

Whoosh pickles stored fields as they are; a quote's payload repeats its talk's citation, so the
quote index's stored fields were most of a build's size. Compressed JSON is a quarter of that and
costs tens of microseconds to read back, for the ten or so values a page shows.
"""

from __future__ import annotations

import json
import zlib
from typing import Any


def pack(value: Any) -> bytes:
    return zlib.compress(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"), 6)


def unpack(data: bytes) -> Any:
    return json.loads(zlib.decompress(data).decode("utf-8"))
