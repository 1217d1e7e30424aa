"""Property-based tests: arbitrary queries, request parameters and corpus files never crash anything.

Hypothesis runs derandomized (a fixed seed per test) and without an example database, so CI sees the
same examples every run; set CONFARCHIVE_FUZZ_EXAMPLES to a larger number to explore more locally.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml
from hypothesis import example, given, settings, strategies as st

from archive import Problem, inspect_corpus, load_corpus
from archive.frontmatter import FrontMatterError, parse
from indexer import BadRequest, IndexStore, SearchRequest, Searcher, build_index
from indexer.query import MAX_QUERY_LENGTH, make_parser, parse_user_query
from indexer.schema import FACET_FIELDS
from indexer.search import MAX_PER_PAGE
from webapp import create_app

ROOT = Path(__file__).resolve().parent.parent
SHIPPED_CORPUS = ROOT / "corpus"
EXAMPLES = int(os.environ.get("CONFARCHIVE_FUZZ_EXAMPLES", "0")) or None
SEARCH_KEYS = ["query", "total", "page", "per_page", "sort", "results", "facets", "filters", "suggestion", "notices",
               "also_searched", "corrected_from", "match", "topic_mode", "unmatched", "matched_all", "matched_some",
               "remaining_query", "facet_notes"]
SHORTENED = f"Your query was shortened to its first {MAX_QUERY_LENGTH} characters."
SLOW_SEARCH = 10.0  # seconds; a search takes well under one even on a busy CI machine: this catches blow-ups only
PROBLEM_LINE = re.compile(r"^\S[^:]*:\d+: (error|warning): \S")


def fuzz(examples: int):
    """Hypothesis settings for this file: few examples, no deadline (CI machines vary), reproducible."""
    return settings(max_examples=EXAMPLES or examples, deadline=None, derandomize=True, database=None)


# --- strategies ----------------------------------------------------------------------------------

SYNTAX = ["AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "and", "(", ")", '"', "'", "*", "?", "~", "~1", "~2", "/2", "^",
          "^2", "^-1", "+", "-", ":", "speaker:", "topic:", "session:", "kind:", "title:", "body:", "id:", "payload:",
          "[", "]", "{", "}", "TO", "\\", "/", "<", ">", "&", "%", "\x00", "\n", "\t", "’", "“", "é", "ß", "İ",
          "ﬁ", "𝔘", "🙂", "\u200b", "\u202e"]
WORDS = ["data", "sharing", "genomics", "genomic", "consent", "registry", "health", "james", "buchanan",
         "denmark", "dngc-2025-s2", "talk", "panel", "qa", "q&a", "personalised", "personalized", "résumé"]
token = st.one_of(st.sampled_from(SYNTAX), st.sampled_from(WORDS), st.text(max_size=6))
query_text = st.one_of(
    st.text(max_size=60),
    st.lists(token, max_size=25).map(" ".join),
    st.lists(token, max_size=25).map("".join),
    st.text(min_size=MAX_QUERY_LENGTH - 5, max_size=MAX_QUERY_LENGTH + 300),
)

number = st.one_of(
    st.integers(min_value=-3, max_value=130).map(str),
    st.integers().map(str),
    st.integers(min_value=-10**40, max_value=10**40).map(str),
    st.sampled_from(["", " ", "1.5", "1e3", "0x10", "NaN", "inf", "-0", "٣", "１", "+5", " 7 ", "1_0", "10" * 30]),
    st.text(max_size=8),
)


# --- fixtures ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def index_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("fuzz-index")
    build_index(load_corpus(SHIPPED_CORPUS), root)
    return root


@pytest.fixture(scope="module")
def handle(index_root):
    return IndexStore(index_root).handle()


@pytest.fixture(scope="module")
def client(index_root):
    return create_app({"TESTING": True, "INDEX_DIR": str(index_root), "CORPUS_DIR": str(SHIPPED_CORPUS)}).test_client()


@pytest.fixture(scope="module")
def facet_values(handle) -> dict[str, list[str]]:
    """Real facet values, so that some fuzzed filters select something."""
    return {name: sorted(handle.facets.postings.get(name, {}))[:8] for name in FACET_FIELDS}


KEPT_TALKS = ("dngc-2025-s2-james-buchanan", "dngc-2025-s2-bodil-orkild")
KEPT_SPEAKERS = ("james-buchanan", "bodil-orkild")


@pytest.fixture(scope="module")
def tiny_corpus(tmp_path_factory) -> Path:
    """The shipped corpus cut to two talks and their speakers (quick to inspect); tests overwrite its files."""
    target = tmp_path_factory.mktemp("fuzz-corpus") / "corpus"
    shutil.copytree(SHIPPED_CORPUS, target, ignore=shutil.ignore_patterns("*.md"))
    conference = SHIPPED_CORPUS / "conferences" / "dngc-2025"
    for source in [conference / "conference.md", *conference.glob("sessions/*.md"),
                   *(conference / "talks" / f"{t}.md" for t in KEPT_TALKS),
                   *(SHIPPED_CORPUS / "speakers" / f"{s}.md" for s in KEPT_SPEAKERS)]:
        shutil.copy(source, target / source.relative_to(SHIPPED_CORPUS))
    return target


# --- the query parser and the search service ----------------------------------------------------

@fuzz(100)
@given(text=query_text)
@example(text="a" * MAX_QUERY_LENGTH)
@example(text="(" * 300 + "data" + ")" * 300)
@example(text='"' * 501)
@example(text="NOT " * 200)
def test_parse_user_query_never_raises(handle, text):
    parsed = parse_user_query(make_parser(handle.index.schema), text)
    assert parsed.query is not None
    assert all(isinstance(n, str) for n in parsed.notices)


@fuzz(60)
@given(text=query_text, page=st.integers(min_value=1, max_value=6),
       per_page=st.integers(min_value=1, max_value=MAX_PER_PAGE))
@example(text="x" * 5000, page=1, per_page=MAX_PER_PAGE)
@example(text="speaker:\"<script>\" topic:zzz kind:q&a session:99", page=1, per_page=1)
def test_search_never_raises_and_respects_limits(handle, text, page, per_page):
    started = time.perf_counter()
    response = Searcher(handle).search(SearchRequest(q=text, page=page, per_page=per_page))
    assert time.perf_counter() - started < SLOW_SEARCH
    assert 0 <= len(response.results) <= per_page
    assert len(response.results) <= max(0, response.total - (page - 1) * per_page)
    if SHORTENED in response.notices:
        assert len(text.strip()) > MAX_QUERY_LENGTH
    elif not response.corrected_from:  # a spelling correction reports its own notice
        assert len(text.strip()) <= MAX_QUERY_LENGTH
    assert list(response.as_dict()) == SEARCH_KEYS


@fuzz(60)
@given(page=st.integers(), per_page=st.integers(), sort=st.text(max_size=12))
@example(page=0, per_page=20, sort="")
@example(page=1, per_page=MAX_PER_PAGE + 1, sort="")
@example(page=1, per_page=0, sort="")
@example(page=10**30, per_page=MAX_PER_PAGE, sort="programme")
def test_search_rejects_bad_paging_only_with_bad_request(handle, page, per_page, sort):
    request = SearchRequest(q="data", page=page, per_page=per_page, sort=sort)
    valid = page >= 1 and 1 <= per_page <= MAX_PER_PAGE and sort in ("", "relevance", "programme")
    if valid:
        assert len(Searcher(handle).search(request).results) <= per_page
    else:
        with pytest.raises(BadRequest):
            Searcher(handle).search(request)


def test_fuzzy_prefix_longer_than_the_word_is_not_an_error(handle, client):
    Searcher(handle).search(SearchRequest(q="a~/2"))
    assert client.get("/api/search", query_string={"q": "a~/2"}).status_code == 200


def test_fuzzy_edit_distance_is_capped(handle):
    parsed = parse_user_query(make_parser(handle.index.schema), "data~9 sharing~5")
    distances = [getattr(q, "maxdist", 0) for q in _leaves(parsed.query)]
    assert distances and max(distances) <= 2


def _leaves(q):
    children = list(q.children())
    if not children:
        yield q
    for child in children:
        yield from _leaves(child)


# --- every /api/search parameter, and the HTML search page ---------------------------------------

param_name = st.one_of(st.sampled_from(["q", "page", "per_page", "sort", "exact", "format", *FACET_FIELDS]),
                       st.sampled_from(["unknown", "Q", "page[]", "per-page", "limit", ""]), st.text(max_size=8))


@st.composite
def search_params(draw, facet_values: dict[str, list[str]]) -> list[tuple[str, str]]:
    """A query string: any known or unknown names, repeated or not, with hostile or real values."""
    pairs = []
    for name in draw(st.lists(param_name, max_size=6)):
        if name in ("page", "per_page"):
            value = draw(number)
        elif name in FACET_FIELDS:
            value = draw(st.one_of(st.sampled_from(facet_values[name] or ["x"]), st.text(max_size=20)))
        elif name == "sort":
            value = draw(st.one_of(st.sampled_from(["relevance", "programme", ""]), st.text(max_size=10)))
        else:
            value = draw(query_text)
        pairs.append((name, value))
    return pairs


def _check_json_search(response, pairs):
    assert response.status_code in (200, 400), (pairs, response.get_data(as_text=True)[:300])
    assert response.mimetype == "application/json"
    body = response.get_json()
    if response.status_code == 400:
        assert set(body) == {"error", "status"} and body["status"] == 400
        assert isinstance(body["error"], str) and body["error"]
        return body
    assert list(body) == SEARCH_KEYS
    assert 1 <= body["per_page"] <= MAX_PER_PAGE and body["page"] >= 1
    assert len(body["results"]) <= body["per_page"]
    return body


@fuzz(80)
@given(data=st.data())
def test_api_search_is_200_or_400_with_the_pinned_shape(client, facet_values, data):
    pairs = data.draw(search_params(facet_values))
    _check_json_search(client.get("/api/search", query_string=pairs), pairs)


@fuzz(40)
@given(data=st.data())
def test_html_search_is_200_or_400(client, facet_values, data):
    pairs = data.draw(search_params(facet_values))
    response = client.get("/search", query_string=pairs)
    if response.status_code == 302:  # only a page past the end redirects: to the last page
        assert dict(pairs).get("page"), pairs
        response = client.get(response.headers["Location"])
    # 404: a page past the end of a search that finds nothing
    assert response.status_code in (200, 400, 404), (pairs, response.status_code)
    assert response.mimetype == "text/html"


@pytest.mark.parametrize("pairs, message", [
    ([("per_page", "101")], f"per_page must be between 1 and {MAX_PER_PAGE}"),
    ([("per_page", "100000000000000000000")], f"per_page must be between 1 and {MAX_PER_PAGE}"),
    ([("per_page", "0")], f"per_page must be between 1 and {MAX_PER_PAGE}"),
    ([("page", "0")], "page must be 1 or more"),
    ([("page", "-5")], "page must be 1 or more"),
    ([("page", "two")], "page must be a whole number, not 'two'"),
    ([("per_page", "1.5")], "per_page must be a whole number, not '1.5'"),
    ([("sort", "date")], "sort must be one of: relevance, programme"),
    ([("colour", "red")], "unknown parameter 'colour'"),
])
def test_api_search_limits_are_400_with_a_message(client, pairs, message):
    body = _check_json_search(client.get("/api/search", query_string=pairs), pairs)
    assert body["status"] == 400 and body["error"].startswith(message)


def test_api_search_caps_the_query_length_and_the_page_size(client):
    body = _check_json_search(client.get("/api/search", query_string={"q": "data " * 1000, "per_page": "100"}), [])
    assert SHORTENED in body["notices"]
    assert body["per_page"] == MAX_PER_PAGE and len(body["results"]) <= MAX_PER_PAGE
    html = client.get("/search", query_string={"q": "data " * 1000})
    assert html.status_code == 200 and SHORTENED in html.get_data(as_text=True)


# --- every GET route, with arbitrary path segments and query strings ----------------------------

_ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")
segment = st.one_of(st.sampled_from(["dngc-2025-s2-james-buchanan", "james-buchanan", "dngc-2025-s2", "data-sharing",
                                     "..", "%2e%2e", "../../etc/passwd", "", "-", "a" * 300]), st.text(max_size=20))


def _get_rules(app) -> list[str]:
    return sorted(r.rule for r in app.url_map.iter_rules() if "GET" in r.methods)


@st.composite
def route_url(draw, rules: list[str]) -> str:
    rule = draw(st.sampled_from(rules))

    def fill(match: re.Match) -> str:
        converter, options = match.group(1), match.group(2)
        if converter == "any":
            return draw(st.sampled_from([o.strip().strip("'\"") for o in options.split(",")]))
        return quote(draw(segment), safe="" if converter != "path" else "/")

    return _ARGUMENT.sub(fill, rule)


@fuzz(80)
@given(data=st.data())
def test_no_get_route_answers_500(client, facet_values, data):
    url = data.draw(route_url(_get_rules(client.application)))
    pairs = data.draw(search_params(facet_values))
    response = client.get(url, query_string=pairs)
    assert response.status_code < 500, (url, pairs, response.get_data(as_text=True)[:300])
    if url.startswith("/api/") and response.status_code >= 400:
        assert set(response.get_json()) == {"error", "status"}


# --- the corpus loader ---------------------------------------------------------------------------

@fuzz(200)
@given(text=st.one_of(st.text(max_size=200), st.text(max_size=200).map(lambda t: "---\n" + t),
                      st.text(max_size=200).map(lambda t: f"---\n{t}\n---\nbody")))
@example(text="---\nid: [unclosed\n---\n")
@example(text="---\n!!python/object/apply:os.system ['true']\n---\n")
@example(text="---\ndate: 2025-02-30\n---\n")
@example(text="---\n? [a, b]\n: c\n---\n")
def test_frontmatter_parse_raises_only_front_matter_errors(text):
    try:
        doc = parse(text)
    except FrontMatterError as exc:
        assert 1 <= exc.line <= len(text.splitlines()) + 1 and exc.message
    else:
        assert isinstance(doc.meta, dict) and doc.body_line >= 2


yaml_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                        st.dates(), st.sampled_from(["dngc-2025", "dngc-2025-s2", "talk", "james-buchanan"]))


def _containers(inner):
    return st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4))


yaml_value = st.recursive(yaml_scalar, _containers, max_leaves=12)
TALK_FIELDS = ["id", "conference", "session", "kind", "order", "title", "title_editorial", "speakers", "byline",
               "question", "abstract", "topics", "notes", "source", "name", "appearances", "number", "date", "groups"]
front_matter = st.dictionaries(st.one_of(st.sampled_from(TALK_FIELDS), st.text(max_size=10)), yaml_value, max_size=10)
FILES = ["conferences/dngc-2025/talks/dngc-2025-s2-james-buchanan.md", "speakers/james-buchanan.md",
         "conferences/dngc-2025/sessions/dngc-2025-s2.md", "conferences/dngc-2025/conference.md",
         "taxonomy.yaml", "synonyms.yaml"]


def _as_file(target: str, meta: dict, body: str) -> str:
    dumped = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False)
    return dumped if target.endswith(".yaml") else f"---\n{dumped}---\n{body}\n"


@st.composite
def corpus_file(draw) -> tuple[str, str]:
    target = draw(st.sampled_from(FILES))
    text = draw(st.one_of(
        st.text(max_size=300),
        st.builds(lambda m, b: _as_file(target, m, b), front_matter, st.text(max_size=50)),
        st.builds(lambda t, b: f"---\n{t}\n---\n{b}", st.text(max_size=200), st.text(max_size=50)),
    ))
    return target, text


def _assert_reported(problems: list[Problem], corpus_root: Path) -> None:
    for problem in problems:
        assert isinstance(problem, Problem) and PROBLEM_LINE.match(str(problem)), str(problem)
        path = corpus_root.parent / problem.path
        if path.is_file():
            assert 1 <= problem.line <= len(path.read_text(encoding="utf-8", errors="replace").splitlines()) + 1


@fuzz(25)
@given(case=corpus_file())
def test_inspect_corpus_reports_problems_for_any_file(tiny_corpus, case):
    target, text = case
    path = tiny_corpus / target
    original = (SHIPPED_CORPUS / target).read_bytes()
    path.write_text(text, encoding="utf-8")
    try:
        _, problems = inspect_corpus(tiny_corpus)
        _assert_reported(problems, tiny_corpus)
    finally:
        path.write_bytes(original)


def test_inspect_corpus_reports_bytes_that_are_not_utf8(tiny_corpus):
    path = tiny_corpus / FILES[0]
    original = path.read_bytes()
    path.write_bytes(b"---\nid: \xff\xfe\n---\n\x80")
    try:
        _, problems = inspect_corpus(tiny_corpus)
    finally:
        path.write_bytes(original)
    assert [str(p) for p in problems if p.path.endswith(path.name)] == [
        f"corpus/{FILES[0]}:1: error: file is not UTF-8 text (invalid start byte) (save it as UTF-8)"]


@contextmanager
def time_limit(seconds: float):
    """Raise TimeoutError in this (main) thread if the block runs longer than `seconds`."""
    def expire(signum, frame):
        raise TimeoutError(f"took longer than {seconds}s")
    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_recursive_yaml_alias_is_a_problem_not_a_crash(tiny_corpus):
    path = tiny_corpus / FILES[0]
    original = path.read_bytes()
    path.write_text("---\nid: dngc-2025-s2-james-buchanan\nnotes: &x [*x]\n---\nBody.\n", encoding="utf-8")
    try:
        _, problems = inspect_corpus(tiny_corpus)
    finally:
        path.write_bytes(original)
    assert any(p.path.endswith(path.name) and p.line >= 1 for p in problems)


def test_nested_yaml_aliases_are_refused_quickly():
    """An alias bomb (9^8 values) is refused before it is expanded (archive/yamlguard.py), within the time limit."""
    levels = ["l0: &l0 [x, x, x, x, x, x, x, x, x]"]
    levels += [f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, 8)]
    with time_limit(2), pytest.raises(FrontMatterError, match="expands to more than 100,000 values"):
        parse("---\n" + "\n".join(levels) + "\n---\nBody.\n")


def test_hostile_yaml_tags_are_problems(tiny_corpus):
    path = tiny_corpus / FILES[0]
    original = path.read_bytes()
    path.write_text("---\nid: !!python/object/apply:os.system ['echo pwned']\n---\nBody.\n", encoding="utf-8")
    try:
        _, problems = inspect_corpus(tiny_corpus)
    finally:
        path.write_bytes(original)
    mine = [str(p) for p in problems if p.path.endswith(path.name)]
    assert mine and mine[0].startswith(f"corpus/{FILES[0]}:2: error: invalid YAML: could not determine a constructor")
    json.dumps(mine)  # plain data, nothing was constructed
