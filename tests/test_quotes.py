"""Quote search end to end: the index, the API, exports, the pages and the CLI, over the shipped corpus."""

from __future__ import annotations

import csv
import html
import io
import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import bibtexparser
import pytest
import rispy
from click.testing import CliRunner

from archive import load_corpus
from archive.formats import FORMATS
from archive.quotes import corpus_quotes
from confarchive.cli import main as cli_main
from indexer import IndexStore, IndexUnavailable, build_index
from indexer.facet_specs import QUOTE_NAMES
from indexer.layout import current_build
from indexer.quotes_index import QUOTES
from indexer.quote_search import QuoteRequest
from webapp import create_app
from indexer.quote_search import open_quotes

SHIPPED = Path(__file__).resolve().parent.parent / "corpus"
QA_ID = "dngc-2025-s1-qa"
BRITT = "dngc-2025-s1-britt-elmedal-laursen"


@pytest.fixture(scope="module")
def shipped():
    return load_corpus(SHIPPED)


@pytest.fixture(scope="module")
def quote_index(shipped, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("quote-index")
    build_index(shipped, root)
    return root


@pytest.fixture(scope="module")
def qclient(quote_index):
    return create_app({"TESTING": True, "INDEX_DIR": str(quote_index), "CORPUS_DIR": str(SHIPPED)}).test_client()


def api(client, url: str, status: int = 200):
    response = client.get(url)
    assert response.status_code == status, response.data[:300]
    return response.get_json()


def every_quote(client) -> list[dict]:
    """Every quote the API can return, paging through the browse order."""
    found, page = [], 1
    while True:
        data = api(client, f"/api/quotes?per_page=100&page={page}")
        found += data["results"]
        if page * 100 >= data["total"]:
            return found
        page += 1


# --- the whole archive -------------------------------------------------------------------------------------------

def test_every_quote_is_a_verbatim_sentence_of_its_summary_with_its_speakers(qclient, shipped):
    quotes = every_quote(qclient)
    assert len(quotes) == len(corpus_quotes(shipped)) >= 140
    assert len({q["id"] for q in quotes}) == len(quotes)
    talks = {}
    for quote in quotes:
        talk_id = quote["talk"]["id"]
        talk = talks.setdefault(talk_id, api(qclient, f"/api/talks/{talk_id}"))
        assert quote["text"] in talk["text"]
        assert quote["speakers"] == talk["speakers"]
        assert [s["id"] for s in quote["speakers"]] == shipped.talks[talk_id].speakers
        assert quote["url"] == f"/talks/{talk_id}#s-{quote['sentence']}"
        assert quote["session"] == (talk["session"] and {k: talk["session"][k] for k in ("id", "number", "title")})
        assert quote["talk_topics"] == talk["topics"]
        assert set(quote["topics"]) <= set(quote["topic_evidence"]) and set(quote["topic_evidence"]) <= set(quote["topics"])
        for neighbour in quote["context"].values():
            assert neighbour == "" or neighbour in talk["text"]
        assert "as summarised in" in quote["citation"]["text"]
        if talk["kind"] == "qa":
            assert quote["speakers"] == []
            assert f"— Q&A, Session {talk['session']['number']}, as summarised in" in quote["citation"]["text"]


def test_every_quote_is_anchored_on_its_talk_page(qclient, shipped):
    by_talk: dict[str, list[dict]] = {}
    for quote in every_quote(qclient):
        by_talk.setdefault(quote["talk"]["id"], []).append(quote)
    assert set(by_talk) == set(shipped.talks)
    for talk_id, quotes in by_talk.items():
        page = qclient.get(f"/talks/{talk_id}").get_data(as_text=True)
        spans = dict(re.findall(r'<span class="sentence" id="(s-\d+)">(.*?)</span>', page))
        assert len(spans) == len(quotes)
        for quote in quotes:
            assert html.unescape(spans[f"s-{quote['sentence']}"]) == quote["text"]


@pytest.mark.parametrize("query", ["trust", "data sharing", '"data sharing"', "genom*", "AI", "consent OR trust",
                                   "speaker:palotie", "Crohn’s", "résumé", "interoperable NOT panel"])
def test_searched_quotes_are_verbatim_too(qclient, query):
    data = api(qclient, "/api/quotes?per_page=100&q=" + query.replace("&", "%26"))
    for quote in data["results"]:
        assert quote["text"] in api(qclient, f"/api/talks/{quote['talk']['id']}")["text"]


# --- search, ranking, filters and facets ---------------------------------------------------------------------------

def test_results_are_ranked_and_highlighted(qclient):
    data = api(qclient, "/api/quotes?q=interoperability")
    assert data["sort"] == "relevance" and data["total"] >= 3
    assert all("interoperab" in q["text"].lower() for q in data["results"])
    assert data["results"][0]["id"] == "dngc-2025-s2-panel-interoperability.s1"
    scores_fall = [q["id"] for q in data["results"]] != [q["id"] for q in
                                                          api(qclient, "/api/quotes?q=interoperability&sort=programme")["results"]]
    assert scores_fall  # relevance order is not programme order here
    assert '<mark class="match term0">interoperability</mark>' in data["results"][0]["highlighted"]


def test_stemming_and_folding_match_the_main_search(qclient):
    assert api(qclient, "/api/quotes?q=sharing")["total"] == api(qclient, "/api/quotes?q=shared")["total"]
    assert api(qclient, "/api/quotes?q=Crohn")["results"][0]["id"] == "dngc-2025-s2-tine-jess.s2"
    assert api(qclient, "/api/quotes?q=organization")["total"] == api(qclient, "/api/quotes?q=organisation")["total"]


def test_browse_is_in_programme_order(qclient):
    data = api(qclient, "/api/quotes?per_page=3")
    assert data["sort"] == "programme" and data["query"] == ""
    assert [q["id"] for q in data["results"]] == [f"dngc-2025-opening-sophie-lohde.s{n}" for n in (1, 2, 3)]


def test_filters_combine_and_facets_count(qclient):
    data = api(qclient, "/api/quotes?q=data&topic=ethics&session=dngc-2025-s3&per_page=100")
    assert data["total"] == len(data["results"]) > 0
    assert all("ethics" in q["topics"] and q["session"]["id"] == "dngc-2025-s3" for q in data["results"])
    assert data["filters"] == {"topic": ["ethics"], "session": ["dngc-2025-s3"]}
    session = {b["value"]: b for b in data["facets"]["session"]}
    assert session["dngc-2025-s3"]["selected"] and session["dngc-2025-s3"]["count"] == data["total"]
    assert len(session) > 1  # a facet's own filter does not narrow its counts
    assert set(data["facets"]) == {"topic", "speaker", "session", "kind"}


def test_speakers_are_or_within_the_facet(qclient):
    one = api(qclient, "/api/quotes?speaker=kym-boycott")["total"]
    two = api(qclient, "/api/quotes?speaker=kym-boycott&speaker=bogi-eliasen")["total"]
    assert 0 < one < two
    data = api(qclient, "/api/quotes?speaker=britt-elmedal-laursen&per_page=100")
    assert {q["talk"]["id"] for q in data["results"]} == {BRITT}


def test_qa_quotes_have_no_speakers(qclient):
    data = api(qclient, "/api/quotes?kind=qa&per_page=100")
    assert data["total"] > 0 and all(q["speakers"] == [] for q in data["results"])
    first = data["results"][0]
    assert first["citation"]["reference"].startswith("Q&A, Session 1, as summarised in ")


def test_one_quote_by_id(qclient):
    quote = api(qclient, f"/api/quotes/{BRITT}.s1")
    assert quote["text"] == "Britt shared a clinical perspective on integrating genomic data into oncology practice."
    assert quote["speakers"] == [{"id": "britt-elmedal-laursen", "name": "Britt Elmedal Laursen"}]
    assert quote["talk"] == {"id": BRITT, "title": "A clinical perspective on integrating genomic data into oncology "
                                                   "practice", "url": f"/talks/{BRITT}", "kind": "talk"}
    assert quote["context"] == {"before": "", "after": quote["context"]["after"]}
    assert quote["citation"]["text"] == (
        "“Britt shared a clinical perspective on integrating genomic data into oncology practice.” — "
        "Britt Elmedal Laursen's talk, as summarised in \"Danish National Genome Center Conference 2025: "
        "Personalised medicine and beyond: Supporting a data-driven healthcare system\", Session 1, 8 September 2025. "
        f"confarchive: http://127.0.0.1:5000/talks/{BRITT}#s-1")
    assert quote["citation"]["csl"]["type"] == "speech"
    assert quote["citation"]["exports"]["ris"] == f"http://127.0.0.1:5000/api/quotes/export?ids={BRITT}.s1&format=ris"


# --- bad requests ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("query, message", [
    ("page=0", "page must be 1 or more"),
    ("page=abc", "page must be a whole number, not 'abc'"),
    ("per_page=0", "per_page must be between 1 and 100"),
    ("per_page=101", "per_page must be between 1 and 100"),
    ("sort=newest", "sort must be one of: relevance, programme"),
    ("organisation=x", "unknown parameter 'organisation'; known: " + ", ".join(sorted(
        ["exact", "match", "page", "per_page", "q", "sort", "style", "topic_mode", *QUOTE_NAMES]))),
])
def test_bad_parameters_are_400_json(qclient, query, message):
    assert api(qclient, f"/api/quotes?{query}", 400) == {"error": message, "status": 400}


@pytest.mark.parametrize("url, status, message", [
    ("/api/quotes.xml", 400, "format must be one of: " + ", ".join(FORMATS)),
    ("/api/quotes.csv?page=2", 400, "unknown parameter 'page'; known: " + ", ".join(sorted(
        ["exact", "match", "q", "sort", "style", "topic_mode", *QUOTE_NAMES]))),
    ("/api/quotes/export?format=ris", 400, "ids is required: one or more quote ids, comma-separated or repeated"),
    (f"/api/quotes/export?ids={BRITT}.s1&format=zip", 400, "format must be one of: " + ", ".join(FORMATS)),
    (f"/api/quotes/export?ids={BRITT}.s1&x=1", 400, "unknown parameter 'x'; known: format, ids, style"),
    (f"/api/quotes/export?ids={BRITT}.s1,{BRITT}.s99", 404, f"no quote with id '{BRITT}.s99'"),
    ("/api/quotes/nope", 404, "no quote with id 'nope'"),
    (f"/api/quotes/export?ids={BRITT}.s1&format=docx&style=mla", 400,
     "style must be one of: apa, chicago-author-date, harvard-cite-them-right, american-medical-association"),
    ("/api/quotes.docx?q=trust&style=x", 400,
     "style must be one of: apa, chicago-author-date, harvard-cite-them-right, american-medical-association"),
])
def test_bad_exports(qclient, url, status, message):
    assert api(qclient, url, status) == {"error": message, "status": status}


@pytest.mark.parametrize("query", ['q="unbalanced', "q=((", "q=AND", "q=" + "x" * 2000, "q=*", "q=%00", "q=~",
                                   "topic=unknown", "speaker=", "q=<script>alert(1)</script>", "page=50",
                                   "q=the", "q=speaker:nobody"])
def test_odd_input_never_fails(qclient, query):
    data = api(qclient, f"/api/quotes?{query}")
    assert data["total"] >= 0 and isinstance(data["results"], list)
    assert qclient.get(f"/quotes?{query}", follow_redirects=True).status_code == 200  # page=999: to the last page


def test_unknown_filter_value_lists_nothing_but_keeps_the_filter(qclient):
    data = api(qclient, "/api/quotes?topic=unknown")
    assert data["total"] == 0 and data["filters"] == {"topic": ["unknown"]}
    assert {"value": "unknown", "label": "unknown", "count": 0, "selected": True} in data["facets"]["topic"]


# --- exports -----------------------------------------------------------------------------------------------------

def test_result_set_exports_parse(qclient):
    total = api(qclient, "/api/quotes?q=trust")["total"]
    ris = qclient.get("/api/quotes.ris?q=trust")
    assert ris.mimetype == "application/x-research-info-systems"
    assert ris.headers["Content-Disposition"] == 'attachment; filename="quotes.ris"'
    records = rispy.loads(ris.get_data(as_text=True))
    assert len(records) == total and all(r["type_of_reference"] == "CPAPER" for r in records)
    assert all("trust" in r["notes"][1].lower() and r["notes"][0].startswith("Summary of ") for r in records)
    library = bibtexparser.parse_string(qclient.get("/api/quotes.bib?q=trust").get_data(as_text=True))
    assert len(library.entries) == total and not library.failed_blocks
    csl = json.loads(qclient.get("/api/quotes.csl?q=trust").get_data(as_text=True))
    assert len(csl) == total and {c["type"] for c in csl} == {"speech"}
    rows = list(csv.DictReader(io.StringIO(qclient.get("/api/quotes.csv?q=trust").get_data(as_text=True))))
    assert len(rows) == total and all("as summarised in" in r["citation"] for r in rows)
    data = json.loads(qclient.get("/api/quotes.json?q=trust").get_data(as_text=True))
    assert data["total"] == total and [q["id"] for q in data["results"]] == [r["id"] for r in rows]
    markdown = qclient.get("/api/quotes.md?q=trust").get_data(as_text=True)
    assert markdown.count("\n> — ") == total


def test_whole_archive_exports_every_quote(qclient, shipped):
    rows = list(csv.DictReader(io.StringIO(qclient.get("/api/quotes.csv").get_data(as_text=True))))
    assert len(rows) == len(corpus_quotes(shipped))


def test_export_by_ids_keeps_their_order(qclient):
    ids = [f"{QA_ID}.s2", f"{BRITT}.s3", f"{QA_ID}.s1"]
    response = qclient.get("/api/quotes/export?format=ris&ids=" + ",".join(ids))
    records = rispy.loads(response.get_data(as_text=True))
    assert [r["id"] for r in records] == ids
    assert "authors" not in records[0] and records[1]["authors"] == ["Laursen, Britt Elmedal"]
    repeated = qclient.get(f"/api/quotes/export?format=csv&ids={ids[0]}&ids={ids[1]}").get_data(as_text=True)
    assert [r["id"] for r in csv.DictReader(io.StringIO(repeated))] == ids[:2]
    data = json.loads(qclient.get(f"/api/quotes/export?ids={ids[1]}").get_data(as_text=True))
    assert data["total"] == 1 and data["results"][0]["id"] == ids[1]


@pytest.mark.parametrize("talk_id", [BRITT, QA_ID, "dngc-2025-s3-dilemma-3", "dngc-2025-s2-panel-interoperability",
                                     "dngc-2025-opening-sophie-lohde"])
def test_talk_citation_exports_parse(qclient, shipped, talk_id):
    talk = shipped.talks[talk_id]
    names = [shipped.speakers[s].name for s in talk.speakers]
    record = rispy.loads(qclient.get(f"/talks/{talk_id}/cite.ris").get_data(as_text=True))[0]
    assert record["type_of_reference"] == "CPAPER" and talk.title in record["title"]
    assert record["title"].endswith("summary]") and record["secondary_title"] == "Danish National Genome Center Conference 2025"
    assert len(record.get("authors", [])) == len(names)
    assert record["urls"] == [f"http://127.0.0.1:5000/talks/{talk_id}"]  # the configured default, not the Host
    entry = bibtexparser.parse_string(qclient.get(f"/talks/{talk_id}/cite.bib").get_data(as_text=True)).entries[0]
    assert entry.entry_type == "misc" and entry.key == talk_id and "howpublished" in entry.fields_dict
    csl = json.loads(qclient.get(f"/talks/{talk_id}/cite.json").get_data(as_text=True))[0]
    assert csl["type"] == "speech" and csl["event-date"] == {"date-parts": [[2025, 9, 8]]}
    assert [a.get("literal") or f"{a['given']} {a['family']}" for a in csl.get("author", [])] == (
        names or [talk_id and "Danish National Genome Center"])
    assert "as summarised in" in qclient.get(f"/talks/{talk_id}/cite.txt").get_data(as_text=True)


def test_unknown_talk_citation_is_404(qclient):
    assert qclient.get("/talks/nope/cite.ris").status_code == 404


def test_search_results_export(qclient):
    total = api(qclient, "/api/search?q=trust")["total"]
    rows = list(csv.DictReader(io.StringIO(qclient.get("/api/search.csv?q=trust").get_data(as_text=True))))
    assert len(rows) == total and list(rows[0]) == ["id", "kind", "title", "url", "session", "speakers", "topics"]
    data = json.loads(qclient.get("/api/search.json?kind=speaker").get_data(as_text=True))
    assert data["total"] == api(qclient, "/api/search?kind=speaker")["total"] == len(data["results"]) > 20
    assert api(qclient, "/api/search.csv?sort=bad", 400)["error"] == "sort must be one of: relevance, programme"


# --- pages -------------------------------------------------------------------------------------------------------

class _Collect(HTMLParser):
    """The tags of a page with their attributes, and the text of <script> elements."""

    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script = dict(attrs)
            self.scripts.append((self._script, ""))

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None


def parse(page: str) -> _Collect:
    collector = _Collect()
    collector.feed(page)
    return collector


def test_talk_page_anchors_cites_and_embeds_metadata(qclient):
    response = qclient.get(f"/talks/{BRITT}")
    page = response.get_data(as_text=True)
    parsed = parse(page)
    assert '<span class="sentence" id="s-1">Britt shared a clinical perspective' in page
    assert "Cite this" in page and "Britt Elmedal Laursen&#39;s talk, as summarised in" in page
    assert f'href="/talks/{BRITT}/cite.ris"' in page and f'href="/talks/{BRITT}/cite.bib"' in page
    meta = [(a.get("name"), a.get("content")) for t, a in parsed.tags if t == "meta" and a.get("name")]
    assert ("citation_author", "Laursen, Britt Elmedal") in meta
    assert ("citation_date", "2025/09/08") in meta
    assert ("citation_title",
            "[A clinical perspective on integrating genomic data into oncology practice] [Talk summary]") in meta
    assert ("citation_conference_title", "Danish National Genome Center Conference 2025") in meta
    abstract = dict(meta)["citation_abstract"]
    assert abstract.startswith("Britt shared a clinical perspective") and "as summarised" not in abstract
    assert dict(meta)["DC.rights"].startswith("Rights holder: Danish National Genome Center")
    assert ("canonical", f"http://127.0.0.1:5000/talks/{BRITT}") in [
        (a.get("rel"), a.get("href")) for t, a in parsed.tags if t == "link"]
    (ld_attrs, ld_text), = [(a, t) for a, t in parsed.scripts if a.get("type") == "application/ld+json"]
    data = json.loads(ld_text)
    assert data["@type"] == "CreativeWork" and data["about"]["performer"] == [
        {"@type": "Person", "name": "Britt Elmedal Laursen"}]
    inline = [t for a, t in parsed.scripts if "src" not in a and a.get("type") != "application/ld+json"]
    assert inline == []
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_quotes_page_without_javascript(qclient):
    page = qclient.get("/quotes?q=trust&topic=ethics").get_data(as_text=True)
    parsed = parse(page)
    assert "quotes for “trust”" in page
    assert page.count('class="quote"') == api(qclient, "/api/quotes?q=trust&topic=ethics")["total"]
    assert "as summarised in" in page and "Cite this quote" in page
    assert 'id="quote-export" action="/quotes"' in page and 'name="ids"' in page  # its Export redirects there
    assert 'href="/api/quotes.ris?q=trust&amp;topic=ethics"' in page
    assert 'href="/quotes?q=trust"' in page  # the chip that removes the topic filter
    assert any(t == "script" and a.get("src", "").endswith("/static/basket.js") for t, a in parsed.tags)
    assert [t for a, t in parsed.scripts if "src" not in a] == []
    items = [json.loads(a["data-quote"]) for t, a in parsed.tags if "data-quote" in a]
    assert items and set(items[0]) == {"id", "text", "url", "talk", "speakers", "citation", "markdown", "reference"}
    assert all("as summarised in" in i["citation"] for i in items)


def test_quotes_page_escapes_user_text(qclient):
    page = qclient.get("/quotes?q=%3Cscript%3Ealert(1)%3C/script%3E").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_quotes_nav_link_and_basket_script(qclient):
    assert '<a href="/quotes">Quotes</a>' in qclient.get("/about").get_data(as_text=True)
    script = qclient.get("/static/basket.js")
    assert script.status_code == 200 and b"localStorage" in script.data
    script.close()


def test_export_form_round_trip(qclient):
    """What the page's no-JavaScript form submits: repeated ids and a format."""
    response = qclient.get(f"/api/quotes/export?ids={BRITT}.s1&ids={QA_ID}.s2&format=md")
    assert response.status_code == 200 and response.get_data(as_text=True).count("\n> — ") == 2


# --- index handle and CLI ----------------------------------------------------------------------------------------

def test_quote_index_opens_once_per_handle(quote_index):
    handle = IndexStore(quote_index).handle()
    assert open_quotes(handle) is open_quotes(handle)
    assert open_quotes(handle).search(QuoteRequest(q="trust")).total > 0


def test_a_quote_stores_only_its_sentence_and_its_talk_s_id(quote_index, qclient):
    """The talk's title, speakers, session and citation are its page data, read per result, not copied into every
    sentence; what the API shows of a talk is then what the talk's own API says."""
    from whoosh import index

    from indexer.quotes_index import SENTENCE_FACTS

    ix = index.open_dir(str(current_build(quote_index) / QUOTES))
    try:
        with ix.reader() as reader:
            stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
    finally:
        ix.close()
    assert len(stored) > 100
    assert {frozenset(fields) for fields in stored} == {frozenset({"id", "talk", "text", "sentence"})}
    assert {frozenset(fields["sentence"]) for fields in stored} == {frozenset(SENTENCE_FACTS)}
    for quote in api(qclient, "/api/quotes?q=data&per_page=50")["results"]:
        talk = api(qclient, f"/api/talks/{quote['talk']['id']}")
        assert (quote["talk"]["title"], quote["talk"]["kind"], quote["talk"]["url"]) == (talk["title"], talk["kind"],
                                                                                        talk["url"])
        assert (quote["speakers"], quote["session"], quote["talk_topics"]) == (talk["speakers"], talk["session"],
                                                                               talk["topics"])


def test_a_request_keeps_its_build_when_a_save_publishes_another(shipped, tmp_path):
    """Quote results read their talks from the main index of the build they came from: a request that opened the
    quotes keeps that build while a newer one is published (a librarian's save) and the store lets go of it."""
    import gc

    from webapp.index import get_handle

    root = tmp_path / "index"
    build_index(shipped, root)
    app = create_app({"TESTING": True, "INDEX_DIR": str(root), "CORPUS_DIR": str(SHIPPED)})
    with app.test_request_context("/api/quotes?q=trust"):
        quotes = open_quotes(get_handle())
        build_index(shipped, root)  # another build published
        assert get_handle().path != quotes.path.parent  # the store hands out the new one
        gc.collect()
        found = quotes.search(QuoteRequest(q="trust"))
    assert found.total > 0 and all(r["talk"]["title"] for r in found.results)


def test_a_build_without_quotes_is_503(quote_index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(quote_index, copy)
    shutil.rmtree(current_build(copy) / QUOTES)
    with pytest.raises(IndexUnavailable, match="has no quote index"):
        open_quotes(IndexStore(copy).handle())
    client = create_app({"TESTING": True, "INDEX_DIR": str(copy)}).test_client()
    assert api(client, "/api/quotes", 503)["error"].endswith("Rebuild it with `confarchive build`.")


def run(*args: str):
    return CliRunner().invoke(cli_main, ["quotes", *args])


def test_cli_text(quote_index, qclient):
    result = run("trust", "--index", str(quote_index), "--per-page", "2")
    assert result.exit_code == 0, result.output
    total = api(qclient, "/api/quotes?q=trust")["total"]
    assert result.output.startswith(f"{total} quote(s) for \"trust\" — page 1 of {-(-total // 2)}\n\n1. “")
    assert "as summarised in" in result.output and "Cite: " in result.output


def test_cli_json_is_the_api_json(quote_index, qclient):
    result = run("trust", "--index", str(quote_index), "--topic", "ethics", "--format", "json",
                 "--base-url", "http://127.0.0.1:5000")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == api(qclient, "/api/quotes?q=trust&topic=ethics&per_page=10")


@pytest.mark.parametrize("fmt", ["csv", "ris", "bib", "csl", "markdown"])
def test_cli_exports_parse(quote_index, fmt):
    result = run("consent", "--index", str(quote_index), "--all", "--format", fmt)
    assert result.exit_code == 0, result.output
    counts = {"csv": lambda t: len(list(csv.DictReader(io.StringIO(t)))), "ris": lambda t: len(rispy.loads(t)),
              "bib": lambda t: len(bibtexparser.parse_string(t).entries), "csl": lambda t: len(json.loads(t)),
              "markdown": lambda t: t.count("\n> — ")}
    handle = IndexStore(quote_index).handle()  # kept while its quotes are read
    total = open_quotes(handle).search(QuoteRequest(q="consent")).total
    assert counts[fmt](result.output) == total > 0


def test_cli_filters(quote_index):
    result = run("--index", str(quote_index), "--speaker", "kym-boycott", "--format", "csv", "--all")
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert rows and {r["speakers"] for r in rows} == {"Kym Boycott"}
    qa = run("--index", str(quote_index), "--session", "dngc-2025-s1", "--kind", "qa", "--per-page", "1")
    assert "Q&A, Session 1 · " in qa.output


@pytest.mark.parametrize("args, message", [
    (["--per-page", "0"], "Error: per_page must be between 1 and 100"),
    (["--page", "0"], "Error: page must be 1 or more"),
])
def test_cli_bad_options(quote_index, args, message):
    result = run("--index", str(quote_index), *args)
    assert result.exit_code == 1 and message in result.output
