"""Turn user text into a Whoosh query with a deliberate, whitelisted syntax that never errors."""

from __future__ import annotations

from dataclasses import dataclass, field

from whoosh import qparser, query as wq

MAX_QUERY_LENGTH = 500
SEARCH_FIELDS = ("title", "body", "names", "affiliation", "topics_text")


@dataclass
class ParsedQuery:
    query: wq.Query
    text: str
    notices: list[str] = field(default_factory=list)

    @property
    def is_browse(self) -> bool:
        return isinstance(self.query, wq.Every)


def make_parser(schema) -> qparser.QueryParser:
    """Phrases, groups, AND/OR/NOT, prefix* and fuzzy~ over the text fields; no arbitrary field: syntax."""
    parser = qparser.QueryParser(None, schema, plugins=[
        qparser.WhitespacePlugin(), qparser.SingleQuotePlugin(), qparser.PhrasePlugin(), qparser.GroupPlugin(),
        qparser.OperatorsPlugin(), qparser.WildcardPlugin(), qparser.FuzzyTermPlugin(),
        qparser.PlusMinusPlugin(), qparser.MultifieldPlugin(SEARCH_FIELDS),
    ], group=qparser.OrGroup.factory(0.9))
    return parser


def parse_user_query(parser: qparser.QueryParser, text: str) -> ParsedQuery:
    """Parse text; an empty text browses everything; broken syntax falls back to plain words."""
    text = (text or "").strip()
    notices = []
    if len(text) > MAX_QUERY_LENGTH:
        text = text[:MAX_QUERY_LENGTH]
        notices.append(f"Your query was shortened to its first {MAX_QUERY_LENGTH} characters.")
    if not text:
        return ParsedQuery(wq.Every(), "", notices)
    try:
        parsed = parser.parse(text)
    except Exception:  # Whoosh raises assorted errors on malformed syntax; any of them means: search plainly
        parsed = None
    if parsed is None or parsed is wq.NullQuery or _has_error(parsed):
        parsed = parser.parse(_plain(text))
        notices.append("Your query's syntax could not be read, so its words were searched plainly.")
    if parsed is wq.NullQuery:
        return ParsedQuery(wq.Every(), "", notices)
    return ParsedQuery(parsed, text, notices)


def _has_error(q: wq.Query) -> bool:
    return any(isinstance(sub, qparser.ErrorNode) or type(sub).__name__ == "ErrorQuery" for sub in _walk(q))


def _walk(q: wq.Query):
    yield q
    for child in q.children():
        yield from _walk(child)


def _plain(text: str) -> str:
    """Words only, every operator character removed, so the parser cannot misread it."""
    cleaned = "".join(c if c.isalnum() or c in " -'+" else " " for c in text)
    words = [w.strip("-+'") for w in cleaned.split()]
    return " ".join(w for w in words if w and w.upper() not in {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE"})
