"""Turn user text into a Whoosh query with a deliberate, whitelisted syntax that never errors."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from whoosh import qparser, query as wq

from archive.names import fold

from . import limits
from .analysis import LANGUAGE_FIELDS, thread_safe_schema
from .facet_specs import BY_NAME, FACETS
from .facets import FacetTable
from .limits import MAX_FUZZY_DISTANCE, MAX_QUERY_LENGTH, MAX_QUERY_WORDS

SEARCH_FIELDS = ("title", "body", "names", "affiliation", "topics_text",
                 *(field for field, _ in LANGUAGE_FIELDS.values()))  # body_de, body_da: talks in those languages
FIELD_FILTERS = tuple(f.name for f in FACETS if f.in_query)  # `topic:ai` in the query text
_FIELD = re.compile(r'\b(' + "|".join(FIELD_FILTERS) + r'):(?:"([^"]*)"|(\S+))', re.I)


@dataclass
class ParsedQuery:
    query: wq.Query
    text: str
    notices: list[str] = field(default_factory=list)

    @property
    def is_browse(self) -> bool:
        return isinstance(self.query, wq.Every)


class QueryParser(qparser.QueryParser):
    """Whoosh's parser, remembering what each of its analyzers made of a typed word (for plain_query)."""

    WORDS = 50_000  # words remembered per parser; then forgotten at once and refilled

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.word_terms: dict[tuple[int, str], tuple[str, ...]] = {}

    def analysed(self, name: str, word: str) -> tuple[str, ...]:
        """The terms field `name`'s analyzer makes of the word (stop words removed), as the parser would."""
        field = self.schema[name]
        key = (id(field.analyzer), word)  # the schema, and so its analyzers, live as long as the parser
        found = self.word_terms.get(key)
        if found is None:
            if len(self.word_terms) >= self.WORDS:
                self.word_terms.clear()
            found = self.word_terms[key] = tuple(field.process_text(word, mode="query", tokenize=True,
                                                                     removestops=True))
        return found


def make_parser(schema) -> QueryParser:
    """Phrases, groups, AND/OR/NOT, prefix* (no ? wildcard: questions end in ?), fuzzy~ and boosts; no field: syntax."""
    return QueryParser(None, thread_safe_schema(schema), plugins=[
        qparser.WhitespacePlugin(), qparser.PhrasePlugin(), qparser.GroupPlugin(), qparser.OperatorsPlugin(),
        qparser.PrefixPlugin(), qparser.FuzzyTermPlugin(), qparser.BoostPlugin(),
        qparser.MultifieldPlugin(SEARCH_FIELDS),
    ], group=qparser.OrGroup)  # no coordination scale: it zeroes single-word scores; search.coordinate reranks


def shorten(text: str, notices: list[str]) -> str:
    """The query within its length and word budget (indexer/limits.py), with a notice when it was cut."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        notices.append(f"Your query was shortened to its first {MAX_QUERY_LENGTH} characters.")
        text = text[:MAX_QUERY_LENGTH]
    words = text.split()
    if len(words) > MAX_QUERY_WORDS:
        notices.append(f"Your query was shortened to its first {MAX_QUERY_WORDS} words.")
        text = " ".join(words[:MAX_QUERY_WORDS])
    return text


def extract_field_filters(text: str, table: FacetTable, notices: list[str],
                          all_of: set[str] | None = None) -> tuple[str, dict[str, list[str]]]:
    """Take the field filters (`topic:`, `session:`, ... as FIELD_FILTERS lists) out of the text, as facet filters.

    `topic:ai AND topic:ethics` asks for records on both: the facet's name is added to `all_of`.
    """
    filters: dict[str, list[str]] = {}
    matches = list(_FIELD.finditer(text))
    for before, after in zip(matches, matches[1:]):
        same = before.group(1).lower() == after.group(1).lower()
        if same and all_of is not None and text[before.end():after.start()].split() == ["AND"]:
            all_of.add(before.group(1).lower())

    def take(match: re.Match) -> str:
        name, value = match.group(1).lower(), (match.group(2) or match.group(3) or "").strip()
        found = resolve_facet_value(table, name, value)
        room = limits.MAX_FILTER_VALUES - sum(map(len, filters.values()))
        if found and room <= 0:
            notices.append(f"At most {limits.MAX_FILTER_VALUES} filter values come from the query, "
                           f"so {name}:{value} was left out.")
        elif found:
            if len(found) > room:
                notices.append(f"“{name}:{value}” matches {len(found)} values; only the first {room} were used. "
                               "Be more specific.")
            filters.setdefault(name, []).extend(found[:room])
        else:
            notices.append(f"No {name} matches “{value}”, so that filter was left out.")
        return " "

    rest = _FIELD.sub(take, text).strip()
    return (_tidy_operators(rest) if matches else rest), filters


def _tidy_operators(text: str) -> str:
    """Drop the AND/OR left without a side once field filters are taken out ('topic:ai AND trust' -> 'trust')."""
    words: list[str] = []
    for word in text.split():
        if word in ("AND", "OR") and (not words or words[-1] in OPERATORS):
            continue
        words.append(word)
    while words and words[-1] in OPERATORS:
        words.pop()
    return " ".join(words)


def resolve_facet_value(table: FacetTable, facet: str, value: str) -> list[str]:
    """Facet values a user's word refers to: an exact id, else every label containing all its words."""
    postings = table.postings.get(facet, {})
    aliases = dict(BY_NAME[facet].aliases) if facet in BY_NAME else {}
    wanted = aliases.get(value.lower(), value.lower()) if aliases else value
    if wanted in postings:
        return [wanted]
    if facet == "session" and value.isdigit():
        return [v for v in postings if table.label(facet, v).startswith(f"Session {value}:")]
    words = fold(value).replace("-", " ").split()
    return [v for v in postings if words and all(w in fold(table.label(facet, v)).replace("-", " ") for w in words)]


def parse_user_query(parser: qparser.QueryParser, text: str) -> ParsedQuery:
    """Parse text; an empty text browses everything; broken syntax falls back to plain words."""
    notices: list[str] = []
    if not text.strip():
        return ParsedQuery(wq.Every(), "", notices)
    parsed = plain_query(parser, text)
    if parsed is not None:  # plain words and phrases: no fuzzy~, prefix*, negation or syntax error to see to
        return ParsedQuery(parsed, text, notices)
    if is_well_formed(text):
        try:
            parsed = parser.parse(text)
        except Exception:  # Whoosh raises assorted errors on malformed syntax; any of them means: search plainly
            parsed = None
    if parsed is None or _has_error(parsed):
        parsed = parser.parse(plain_words(text))
        notices.append("Your query's syntax could not be read, so its words were searched plainly.")
    if parsed is wq.NullQuery:
        return ParsedQuery(wq.NullQuery, text, notices)
    return ParsedQuery(exclude_negations(within_budget(parsed, text, notices)), text, notices)


OPERATORS = frozenset({"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "REQUIRE"})  # as qparser.OperatorsPlugin tags them
_PLAIN_WORD = r'[^\s"()*~^]+'  # nothing the parser's plugins would tag: phrase, group, prefix, fuzzy, boost
_PLAIN_ITEM = re.compile(r'(?<!\S)(?:"(?P<phrase>[^"\n]*)"|(?P<word>' + _PLAIN_WORD + r'))(?!\S)')  # apart by spaces
_PLAIN_TEXT = re.compile(r'\s*(?:(?:"[^"\n]*"|' + _PLAIN_WORD + r')(?:\s+|$))*')


def plain_query(parser: qparser.QueryParser, text: str) -> wq.Query | None:
    """The query `parser.parse` returns for text of plain words and "quoted phrases", built directly; None for any
    other syntax.

    For such text the parser's tagging and filtering passes (with a deep copy of every node, and a phrase
    analysed once per field) come to an Or of each word and phrase in each field; building just those
    is several times faster (tests/test_query_fast_path.py checks the two agree, character ranges included).
    """
    fields = _multifield_names(parser)
    if fields is None or not text.strip() or not _PLAIN_TEXT.fullmatch(text):
        return None
    items = list(_PLAIN_ITEM.finditer(text))
    if any(item["word"] in OPERATORS for item in items):
        return None
    leaves: dict[wq.Query, None] = {}  # what normalize() would make: nested Ors flattened, duplicates dropped
    for item in items:
        if item["word"] is not None:
            queries = _word_queries(parser, fields, item["word"], item.span("word"))
        else:
            queries = _phrase_queries(parser, fields, item["phrase"], item.start("phrase"))
        for q in queries:
            for leaf in (q.subqueries if isinstance(q, wq.Or) and q.boost == 1 else [q] if q is not None else []):
                leaves.setdefault(leaf.normalize(), None)
    found = [leaf for leaf in leaves if leaf is not wq.NullQuery]
    if not found:
        return wq.NullQuery
    return found[0] if len(found) == 1 else wq.Or(found)


def _placed(q: wq.Query | None, span: tuple[int, int]) -> wq.Query | None:
    """The query marked with where its word is in the text, as the parser's `attach` marks it."""
    if q:
        q.startchar, q.endchar = span
    return q


def _word_queries(parser: qparser.QueryParser, fields: tuple[str, ...], word: str,
                  span: tuple[int, int]) -> list[wq.Query | None]:
    """The word in each field, as `parser.term_query` makes it; fields sharing an analyzer share one analysis."""
    remembered = isinstance(parser, QueryParser)
    analysed: dict[int, list[str]] = {}
    queries = []
    for name in fields:
        field = parser.schema[name]
        if field.self_parsing():
            queries.append(_placed(parser.term_query(name, word, parser.termclass), span))
            continue
        key = id(field.analyzer)
        if key not in analysed:
            analysed[key] = list(parser.analysed(name, word) if remembered else
                                 field.process_text(word, mode="query", tokenize=True, removestops=True))
        texts = analysed[key]
        if len(texts) > 1:
            q = parser.multitoken_query(field.multitoken_query, list(texts), name, parser.termclass, 1.0)
        else:
            q = parser.termclass(name, texts[0], boost=1.0) if texts else None
        queries.append(_placed(q, span))
    return queries


def _phrase_queries(parser: qparser.QueryParser, fields: tuple[str, ...], text: str, start: int) -> list[wq.Query]:
    """The phrase in each field, as PhrasePlugin makes it; fields sharing an analyzer share one analysis."""
    analysed: dict[int, tuple[list[str], list[tuple[int, int]]]] = {}
    queries = []
    for name in fields:
        analyzer = parser.schema[name].analyzer
        if id(analyzer) not in analysed:
            tokens = [(t.text, start + t.startchar, start + t.endchar)
                      for t in parser.schema[name].tokenize(text, mode="query", chars=True)]
            analysed[id(analyzer)] = ([word for word, _, _ in tokens], [(a, b) for _, a, b in tokens])
        words, ranges = analysed[id(analyzer)]
        queries.append(parser.phraseclass(name, list(words), slop=1, boost=1.0, char_ranges=list(ranges)))
    return queries


def _multifield_names(parser: qparser.QueryParser) -> tuple[str, ...] | None:
    plugins = [p for p in parser.plugins if isinstance(p, qparser.MultifieldPlugin)]
    if len(plugins) != 1 or plugins[0].boosts or parser.group is not qparser.OrGroup:
        return None
    return tuple(plugins[0].fieldnames)


def exclude_negations(q: wq.Query) -> wq.Query:
    """'AI NOT ethics' means AI without ethics; with OR between words, Whoosh would read 'AI or anything without ethics'."""
    if isinstance(q, wq.Or):
        subs = [exclude_negations(sub) for sub in q.subqueries]
        negated = [sub.query for sub in subs if isinstance(sub, wq.Not)]
        positive = [sub for sub in subs if not isinstance(sub, wq.Not)]
        if negated and positive:
            keep = positive[0] if len(positive) == 1 else wq.Or(positive, boost=q.boost)
            return wq.AndNot(keep, negated[0] if len(negated) == 1 else wq.Or(negated))
        return wq.Or(subs, boost=q.boost) if subs else q
    if isinstance(q, wq.And):
        return wq.And([exclude_negations(sub) for sub in q.subqueries], boost=q.boost)
    return q


def within_budget(q: wq.Query, text: str, notices: list[str]) -> wq.Query:
    """fuzzy~ and prefix* within the request budget (indexer/limits.py); the others become plain words.

    Each expands to every index term it matches, so their number, the fuzzy edit distance and the
    length of what must match exactly are capped; a notice says which words were searched plainly.
    """
    budget = {"fuzzy": set(), "prefix": set(), "plain": [], "text": text}
    q = _spend(q, budget)
    if budget["plain"]:
        words = ", ".join(dict.fromkeys(budget["plain"]))
        notices.append(f"Searched as plain words: {words} (a query may have {limits.MAX_FUZZY_TERMS} fuzzy~ words of "
                       f"{limits.MIN_FUZZY_LENGTH}+ letters and {limits.MAX_PREFIX_TERMS} prefix* words of "
                       f"{limits.MIN_PREFIX_LENGTH}+ letters).")
    return q


def _spend(q: wq.Query, budget: dict) -> wq.Query:
    if isinstance(q, wq.FuzzyTerm):
        return _fuzzy(q, budget)
    if isinstance(q, wq.Prefix):
        return _prefix(q, budget)
    return q.apply(lambda child: _spend(child, budget)) if q.children() else q


def _fuzzy(q: wq.FuzzyTerm, budget: dict) -> wq.Query:
    seen, word = budget["fuzzy"], _word_key(q)
    if len(q.text) < limits.MIN_FUZZY_LENGTH or (word not in seen and len(seen) >= limits.MAX_FUZZY_TERMS):
        budget["plain"].append(_typed(q, budget["text"], "~"))
        return wq.Term(q.fieldname, q.text, boost=q.boost)
    seen.add(word)
    q.maxdist = min(q.maxdist, MAX_FUZZY_DISTANCE)
    q.prefixlength = min(max(q.prefixlength, limits.FUZZY_PREFIX), len(q.text) - 1)
    return q


def _prefix(q: wq.Prefix, budget: dict) -> wq.Query:
    seen, word = budget["prefix"], _word_key(q)
    if len(q.text) < limits.MIN_PREFIX_LENGTH or (word not in seen and len(seen) >= limits.MAX_PREFIX_TERMS):
        budget["plain"].append(_typed(q, budget["text"], "*"))
        return wq.Term(q.fieldname, q.text, boost=q.boost)
    seen.add(word)
    return q


def _typed(q: wq.Query, text: str, mark: str) -> str:
    """The word as the user typed it, for the notice (the leaf holds it analysed: stemmed, folded)."""
    start, end = getattr(q, "startchar", None), getattr(q, "endchar", None)
    return text[start:end] if start is not None and end else f"{q.text}{mark}"


def _word_key(q: wq.Query):
    """The word of the query text a leaf comes from: one word gives a leaf per field, each analysed its own way."""
    start = getattr(q, "startchar", None)
    return start if start is not None else q.text


def is_well_formed(text: str) -> bool:
    """Balanced quotes and brackets, and no operator with a missing side."""
    if text.count('"') % 2 or text.count("(") != text.count(")"):
        return False
    depth = 0
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth < 0:
            return False
    words = text.replace("(", " ").replace(")", " ").split()
    return not words or (words[-1] not in OPERATORS and words[0] not in OPERATORS - {"NOT"})


def _has_error(q: wq.Query) -> bool:
    return any(type(sub).__name__ == "ErrorQuery" for sub in _walk(q))


def _walk(q: wq.Query):
    yield q
    for child in q.children():
        yield from _walk(child)


def plain_words(text: str) -> str:
    """Words only, every operator character removed, so the parser cannot misread it."""
    cleaned = "".join(c if c.isalnum() or c in " -'’+" else " " for c in text)
    words = [w.strip("-+'’") for w in cleaned.split()]
    return " ".join(w for w in words if w and w.upper() not in OPERATORS)
