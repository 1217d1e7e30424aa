"""The HTML pages: search with facets and removable chips, shareable URLs, record pages, 404/503, a11y, safety."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from archive import load_corpus
from indexer import build_index

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCK = {"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "section", "article", "br", "td", "th"}
SECURITY_HEADERS = {
    "Content-Security-Policy": ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
}
S2_TALKS = ["dngc-2025-s2-laura-anne-whelan", "dngc-2025-s2-james-buchanan", "dngc-2025-s2-bodil-orkild",
            "dngc-2025-s2-qa", "dngc-2025-s2-henrik-ullum", "dngc-2025-s2-aarno-palotie", "dngc-2025-s2-tine-jess",
            "dngc-2025-s2-fulvia-raffaelli", "dngc-2025-s2-peter-goodhand", "dngc-2025-s2-saila-rinne",
            "dngc-2025-s2-serena-scollen", "dngc-2025-s2-troels-tvedegaard-rasmussen",
            "dngc-2025-s2-diana-arsovic-nielsen", "dngc-2025-s2-panel-interoperability"]


class Element:
    def __init__(self, tag: str, attrs: dict, ancestors: list["Element"]):
        self.tag, self.attrs, self.ancestors, self.text = tag, attrs, ancestors, ""

    @property
    def classes(self) -> set[str]:
        return set((self.attrs.get("class") or "").split())

    def within(self, tag: str | None = None, cls: str | None = None) -> bool:
        return any((tag is None or a.tag == tag) and (cls is None or cls in a.classes) for a in self.ancestors)

    @property
    def clean_text(self) -> str:
        return " ".join(self.text.split())


class Page(HTMLParser):
    """A parsed HTML page: every element with its attributes, text and ancestors."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self._open: list[Element] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in BLOCK:
            self.handle_data(" ")
        element = Element(tag, dict(attrs), list(self._open))
        self.elements.append(element)
        if tag not in VOID:
            self._open.append(element)

    def handle_endtag(self, tag):
        if tag in BLOCK:
            self.handle_data(" ")
        for i in range(len(self._open) - 1, -1, -1):
            if self._open[i].tag == tag:
                del self._open[i:]
                break

    def handle_data(self, data):
        for element in self._open:
            element.text += data

    def find(self, tag: str, cls: str | None = None, within: tuple | None = None) -> list[Element]:
        found = [e for e in self.elements if e.tag == tag and (cls is None or cls in e.classes)]
        return [e for e in found if within is None or e.within(*within)]

    def one(self, tag: str, cls: str | None = None, within: tuple | None = None) -> Element:
        found = self.find(tag, cls, within)
        assert len(found) == 1, f"{len(found)} <{tag} class={cls}> found"
        return found[0]


def load(client, url: str, status: int = 200) -> Page:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    assert response.mimetype == "text/html"
    return Page(response.get_data(as_text=True))


def state(url: str) -> list[tuple[str, str]]:
    return parse_qsl(urlsplit(url).query)


def chips(page: Page) -> list[tuple[str, str]]:
    return [(a.clean_text.rstrip(" ×"), a.attrs["href"]) for a in page.find("a", "chip") if "clear" not in a.classes]


def buckets(page: Page, facet: str) -> list[tuple[str, int, bool]]:
    section = [s for s in page.find("section", "facet") if s.attrs.get("aria-labelledby") == f"facet-{facet}"]
    assert len(section) == 1, facet
    links = [a for a in page.find("a") if section[0] in a.ancestors and a.within("li", None)]
    result = []
    for a in links:
        [count] = [e for e in page.find("span", "count") if a in e.ancestors]
        [label] = [e.clean_text for e in page.find("span", "label") if a in e.ancestors]
        result.append((label, int(count.clean_text), "selected" in a.classes))
    return result


def bucket_link(page: Page, facet: str, label: str) -> str:
    section = [s for s in page.find("section", "facet") if s.attrs.get("aria-labelledby") == f"facet-{facet}"][0]
    for a in page.find("a"):
        if section in a.ancestors and label in a.clean_text:
            return a.attrs["href"]
    raise AssertionError(f"no {facet} bucket {label!r}")


def result_ids(client, url: str) -> list[str]:
    page = load(client, url)
    return [a.attrs["href"] for a in page.find("a", within=("h2", None)) if a.within("li", "result")]


# --- the search page ------------------------------------------------------------------------------

def test_browse_page_shows_every_record_and_a_facet_sidebar(client):
    page = load(client, "/search")
    assert page.one("h1").clean_text == "68 records in the archive"
    assert page.one("aside", "facets").attrs["aria-label"] == "Filter results"
    titles = [h.clean_text for h in page.find("h3", within=("aside", "facets"))]
    assert titles == ["Topic", "Session", "Speaker", "Kind", "Organisation", "Affiliation country"]
    assert buckets(page, "kind") == [("Speaker", 33, False), ("Talk", 25, False), ("Panel", 4, False),
                                     ("Session", 4, False), ("Q&A", 2, False)]
    assert buckets(page, "topic")[0] == ("Genomics", 32, False)
    assert len(page.find("li", "result")) == 20


def test_root_is_a_first_page_that_orients(client):
    page = load(client, "/")
    assert page.one("h1").clean_text == "confarchive: who said what about health data, and where"
    text = page.one("main").clean_text
    assert "summaries written about the talks, not transcripts" in text
    [conference] = page.find("li", within=("ul", "conference-list"))
    assert conference.clean_text.startswith("Danish National Genome Center Conference 2025")
    assert "2025-09-08 · Radisson Blu Scandinavia Hotel, Copenhagen, Denmark and online · 31 talks" in conference.clean_text
    core = [(a.clean_text, a.attrs["href"]) for a in page.find("a", within=("ul", "entry-points"))]
    assert core[0] == ("Genomics 32 records", "/topics/genomics") and len(core) == 4
    assert [a.attrs["href"] for a in page.find("a", within=("ul", "example-searches"))][0] == \
        "/search?q=European+Health+Data+Space"
    assert any(a.attrs.get("href") == "/quotes" for a in page.find("a", within=("main", None)))


def test_facet_links_are_shareable_states(client, app):
    panel_url = bucket_link(load(client, "/search"), "kind", "Panel")
    assert state(panel_url) == [("kind", "panel")]
    page = load(client, panel_url)
    assert page.one("h1").clean_text == "4 records with filters"
    assert chips(page) == [("Kind: Panel", "/search")]
    assert ("Panel", 4, True) in buckets(page, "kind")
    assert ("Talk", 25, False) in buckets(page, "kind")  # multi-select: other kinds keep their counts
    qa_url = bucket_link(page, "kind", "Q&A")
    assert state(qa_url) == [("kind", "panel"), ("kind", "qa")]
    assert load(client, qa_url).one("h1").clean_text == "6 records with filters"


def test_active_filters_are_chips_that_remove_exactly_that_filter(client):
    page = load(client, "/search?q=data&topic=genomics&speaker=aarno-palotie")
    assert page.one("h1").clean_text == "5 results for “data”"
    assert chips(page) == [("Topic: Genomics", "/search?q=data&speaker=aarno-palotie"),
                           ("Speaker: Aarno Palotie", "/search?q=data&topic=genomics")]
    [clear] = [a for a in page.find("a", "chip") if "clear" in a.classes]
    assert clear.attrs["href"] == "/search?q=data"
    after = load(client, "/search?q=data&speaker=aarno-palotie")
    assert chips(after) == [("Speaker: Aarno Palotie", "/search?q=data")]
    labels = [a.attrs["aria-label"] for a in page.find("a", "chip") if "clear" not in a.classes]
    assert labels == ["Remove filter Topic: Genomics", "Remove filter Speaker: Aarno Palotie"]


def test_following_a_chip_reproduces_the_state(client):
    page = load(client, "/search?q=genomes&kind=talk&kind=panel&topic=ethics")
    chip_urls = dict(chips(page))
    remaining = load(client, chip_urls["Kind: Talk"])
    assert chips(remaining) == [("Topic: Ethics, law and trust", "/search?q=genomes&kind=panel"),
                                ("Kind: Panel", "/search?q=genomes&topic=ethics")]
    api = client.get("/api/search?" + urlsplit(chip_urls["Kind: Talk"]).query).get_json()
    assert remaining.one("h1").clean_text == f"{api['total']} results for “genomes”"


def test_pager_links_keep_the_state(client):
    page = load(client, "/search?q=genomes&kind=speaker&per_page=5&sort=programme")
    [next_link] = [a for a in page.find("a") if a.attrs.get("rel") == "next"]
    assert state(next_link.attrs["href"]) == [("q", "genomes"), ("kind", "speaker"), ("sort", "programme"),
                                             ("per_page", "5"), ("page", "2")]
    page_2 = load(client, next_link.attrs["href"])
    api = client.get("/api/search?q=genomes&kind=speaker&per_page=5&sort=programme&page=2").get_json()
    shown = [a.attrs["href"] for a in page_2.find("a", within=("h2", None)) if a.within("li", "result")]
    assert shown == [r["url"] for r in api["results"]]
    assert "Page 2 of 4" in page_2.one("nav", "pager").clean_text


def test_sort_links(client):
    page = load(client, "/search?q=genomes")
    [link] = [a for a in page.find("a", within=("p", "sorting"))]
    assert link.attrs["href"] == "/search?q=genomes&sort=programme"
    shown = result_ids(client, link.attrs["href"])
    assert shown[0] == "/talks/dngc-2025-opening-sophie-lohde"


def test_result_shows_snippet_kind_session_speakers_and_topics(client):
    page = load(client, "/search?q=pharmaceutical+companies&kind=panel")
    [result] = page.find("li", "result")
    inside = [e for e in page.elements if result in e.ancestors]
    link = [e for e in inside if e.tag == "a" and e.within("h2")][0]
    assert (link.attrs["href"], link.clean_text) == ("/talks/dngc-2025-s3-dilemma-2",
                                                     "Dilemma two: private access to public genetic data")
    hrefs = [e.attrs["href"] for e in inside if e.tag == "a" and e.within("p", "meta")]
    assert hrefs == ["/sessions/dngc-2025-s3", "/speakers/ida-sofie-jensen", "/speakers/aarno-palotie",
                     "/speakers/katharina-ocathaoir"]
    assert [e.clean_text for e in inside if e.tag == "span" and "kind" in e.classes] == ["Panel"]
    snippet = [e for e in inside if e.tag == "p" and "snippet" in e.classes][0]
    assert [e.tag for e in inside if snippet in e.ancestors][:1] == ["mark"]
    tags = [e.clean_text for e in inside if e.tag == "a" and "tag" in e.classes]
    assert {"Genomics", "Ethics, law and trust"} <= set(tags)


def test_export_and_api_links_carry_the_query_and_filters(client):
    page = load(client, "/search?q=genomes&topic=ethics&kind=talk")
    links = {a.clean_text: a.attrs["href"] for a in page.find("a", within=("p", "api-link"))}
    assert links["API"] == "/api/search?q=genomes&topic=ethics&kind=talk"
    assert state(links["API"]) == state(links["JSON"]) == state(links["CSV"])
    api = client.get(links["API"]).get_json()
    assert page.one("h1").clean_text == f"{api['total']} results for “genomes”"


def test_nothing_found_keeps_the_chips(client):
    page = load(client, "/search?q=Crohn&topic=ai")
    assert page.one("h1").clean_text == "0 results for “Crohn”"
    assert chips(page) == [("Topic: Artificial intelligence", "/search?q=Crohn")]
    assert "Nothing matches with these filters" in page.one("p", "empty").clean_text


def test_search_form_works_without_javascript(client):
    page = load(client, "/search")
    form = page.one("form", "search-form")
    assert (form.attrs["method"], form.attrs["action"], form.attrs["role"]) == ("get", "/search", "search")
    [field] = page.find("input")
    assert (field.attrs["name"], field.attrs["id"], field.attrs["type"]) == ("q", "q", "search")
    assert page.one("label").attrs["for"] == "q"
    assert page.one("label").clean_text


def test_query_is_kept_in_the_search_box(client):
    page = load(client, "/search?q=%22data+sharing%22")
    assert page.find("input")[0].attrs["value"] == '"data sharing"'


def test_bad_search_parameter_is_a_400_page(client):
    page = load(client, "/search?page=0", 400)
    assert page.one("h1").clean_text == "Bad request"
    assert page.one("p", "error-message").clean_text == "page must be 1 or more"


# --- record pages ---------------------------------------------------------------------------------

def test_talk_page(client, corpus):
    page = load(client, "/talks/dngc-2025-s3-dilemma-2")
    assert page.one("h1").clean_text == "Dilemma two: private access to public genetic data"
    assert page.one("p", "speakers").clean_text == ("Panellists: Ida Sofie Jensen, Aarno Palotie, "
                                                    "Katharina O’Cathaoir")
    assert page.one("p", "question").clean_text == ("The question: Should private pharmaceutical companies be able "
                                                    "to buy access to national genomic databases?")
    assert page.one("div", "summary").clean_text == " ".join(corpus.talks["dngc-2025-s3-dilemma-2"].text.split())
    breadcrumb = [a.attrs["href"] for a in page.find("a", within=("p", "breadcrumb"))]
    assert breadcrumb == ["/sessions/dngc-2025-s3"]
    tags = [a.attrs["href"] for a in page.find("a", "tag")]
    assert {"/topics/genomics", "/topics/ethics"} <= set(tags)
    assert "Session 3 Summary" in page.one("p", "source").clean_text
    assert "lines 483-489" in page.one("p", "source").clean_text


def test_opening_talk_page(client):
    page = load(client, "/talks/dngc-2025-opening-sophie-lohde")
    assert "Conference opening" in page.one("p", "breadcrumb").clean_text
    assert page.one("p", "speakers").clean_text == "Speaker: Sophie Løhde"


def test_speaker_page_shows_bio_affiliations_and_every_appearance(client, corpus):
    ida = corpus.speakers["ida-sofie-jensen"]
    page = load(client, "/speakers/ida-sofie-jensen")
    assert page.one("h1").clean_text == "Ida Sofie Jensen"
    assert page.one("p", "orgs").clean_text == "Danish Association of the Pharmaceutical Industry — Denmark"
    assert page.find("div", "bio")[0].clean_text == ida.bio
    appearances = page.find("li", within=("ol", "appearances"))
    assert len(appearances) == 2
    sessions = [[a.attrs["href"] for a in page.find("a") if li in a.ancestors] for li in appearances]
    assert sessions == [["/sessions/dngc-2025-s1"], ["/sessions/dngc-2025-s3"]]
    third = [e for e in page.find("div", "bio") if appearances[1] in e.ancestors]
    assert [e.clean_text for e in third] == ["Biography as listed for this session: " + ida.appearances[1].bio]
    assert not [e for e in page.find("div", "bio") if appearances[0] in e.ancestors]
    talks = [a.attrs["href"] for a in page.find("a", within=("ul", "talk-list"))
             if a.attrs["href"].startswith("/talks")]
    assert talks == ["/talks/dngc-2025-s1-ida-sofie-jensen", "/talks/dngc-2025-s3-dilemma-2"]


def test_speaker_page_shows_aliases(client):
    page = load(client, "/speakers/britt-elmedal-laursen")
    assert page.one("p", "aliases").clean_text == "Also listed as: Britt Elmedal"


def test_speaker_without_talk(client):
    page = load(client, "/speakers/klaus-hoeyer")
    assert len(page.find("li", within=("ol", "appearances"))) == 2
    assert not page.find("ul", "talk-list")


def test_session_page_lists_purpose_and_talks_in_programme_order(client, corpus):
    page = load(client, "/sessions/dngc-2025-s2")
    assert page.one("h1").clean_text == ("Session 2: Infrastructure requirements, data standards and competencies "
                                         "to support personalised medicine and a data-driven healthcare system")
    assert page.one("div", "purpose").clean_text == corpus.sessions["dngc-2025-s2"].purpose
    talks = [a.attrs["href"] for a in page.find("a", within=("ol", "programme"))
             if a.attrs["href"].startswith("/talks")]
    assert talks == [f"/talks/{t}" for t in S2_TALKS]


def test_topic_page(client):
    page = load(client, "/topics/ehds")
    assert page.one("h1").clean_text == "European Health Data Space"
    assert page.one("p", "lead").clean_text.startswith("The European Health Data Space and sharing health data")
    assert "16 records carry this topic." in page.one("main").clean_text
    listed = {a.attrs["href"] for a in page.find("a", within=("ul", "talk-list"))}
    assert {"/talks/dngc-2025-s2-fulvia-raffaelli", "/speakers/fulvia-raffaelli", "/sessions/dngc-2025-s2"} <= listed
    assert len(page.find("li", within=("ul", "talk-list"))) == 16


def test_topics_page_lists_the_required_topics(client):
    page = load(client, "/topics")
    hrefs = {a.attrs["href"] for a in page.find("a")}
    assert {"/topics/genomics", "/topics/ehds", "/topics/ai", "/topics/ethics"} <= hrefs


@pytest.mark.parametrize("url, message", [
    ("/talks/nope", "There is no talk with the id 'nope'."),
    ("/talks/sue-hill", "There is no talk with the id 'sue-hill'."),
    ("/speakers/nope", "There is no speaker with the id 'nope'."),
    ("/speakers/dngc-2025-s1-sue-hill", "There is no speaker with the id 'dngc-2025-s1-sue-hill'."),
    ("/sessions/nope", "There is no session with the id 'nope'."),
    ("/topics/nope", "There is no topic with the id 'nope'."),
])
def test_unknown_ids_are_404_pages(client, url, message):
    page = load(client, url, 404)
    assert page.one("h1").clean_text == "Not found"
    assert page.one("p", "error-message").clean_text == message


def test_unknown_path_is_a_404_page(client):
    assert load(client, "/no/such/page", 404).one("h1").clean_text == "Not found"


# --- accessibility and headers --------------------------------------------------------------------

PAGES = ["/", "/search?q=genomes&topic=genomics", "/talks/dngc-2025-s1-qa", "/speakers/sue-hill",
         "/sessions/dngc-2025-s4", "/topics", "/topics/ai", "/about", "/talks/nope", "/search?page=0"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_has_one_h1_a_language_and_a_labelled_search_box(client, url):
    response = client.get(url)
    page = Page(response.get_data(as_text=True))
    assert len(page.find("h1")) == 1
    assert page.one("html").attrs["lang"] == "en"
    assert [t.clean_text for t in page.find("title") if not t.within("svg")][0].endswith(" · confarchive")
    assert page.one("main").attrs["id"] == "main"
    assert [label.attrs["for"] for label in page.find("label")][:1] == ["q"]


@pytest.mark.parametrize("url", PAGES)
def test_security_headers_on_pages(client, url):
    response = client.get(url)
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value, name


# --- hostile text ---------------------------------------------------------------------------------

HOSTILE_TITLE = "Evil </script><script>alert('title')</script> talk"
HOSTILE_BODY = ("Zebrafish <script>alert('body')</script> and <img src=x onerror=alert('img')> "
                "and [a link](javascript:alert('link')) and `<b onclick=alert(1)>code</b>`.")


@pytest.fixture(scope="module")
def hostile_client(copy_small, app_for, tmp_path_factory):
    """An app over a small corpus whose title, summary, bio and purpose hold script, handlers and a javascript: link."""
    corpus_dir = copy_small()
    path = corpus_dir / "conferences/dngc-2025/talks/dngc-2025-s2-tine-jess.md"
    text = path.read_text(encoding="utf-8")
    text = text.replace("title: 'Bridging data silos: PREDICT and disease trajectories in inflammatory bowel disease'",
                        f'title: "{HOSTILE_TITLE}"')
    text = text.rstrip("\n") + "\n\n" + HOSTILE_BODY + "\n"
    path.write_text(text, encoding="utf-8")
    for rel in ("speakers/tine-jess.md", "conferences/dngc-2025/sessions/dngc-2025-s2.md"):  # rendered as Markdown
        other = corpus_dir / rel
        other.write_text(other.read_text(encoding="utf-8").rstrip("\n") + "\n\n" + HOSTILE_BODY + "\n",
                         encoding="utf-8")
    index = tmp_path_factory.mktemp("hostile-pages-index")
    build_index(load_corpus(corpus_dir), index)
    return app_for(index, corpus_dir).test_client()


def _assert_inert(html: str) -> None:
    """No script, event handler or javascript: URL from the corpus made it into the page as markup."""
    assert "<script>alert" not in html
    page = Page(html)
    for script in page.find("script"):
        assert script.attrs.get("src", "").startswith("/static/") or script.attrs.get("type") == "application/ld+json"
        assert "<" not in script.text
    for element in page.elements:
        assert not [name for name in element.attrs if name.startswith("on")], (element.tag, element.attrs)
        for name in ("href", "src", "action"):
            assert not (element.attrs.get(name) or "").strip().lower().startswith("javascript:"), element.attrs
    assert not page.find("img")


@pytest.mark.parametrize("url", ["/talks/dngc-2025-s2-tine-jess", "/search?q=zebrafish", "/search?q=evil",
                                 "/speakers/tine-jess", "/sessions/dngc-2025-s2", "/topics/prevention"])
def test_hostile_corpus_text_is_escaped_or_sanitised(hostile_client, url):
    response = hostile_client.get(url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    _assert_inert(html)


def test_markdown_keeps_safe_links_and_drops_unsafe_ones(hostile_client):
    page = Page(hostile_client.get("/speakers/tine-jess").get_data(as_text=True))
    bio = page.find("div", "bio")[0]
    assert "Zebrafish" in bio.clean_text and "a link" in bio.clean_text
    anchors = [a for a in page.find("a") if bio in a.ancestors]
    assert [a.attrs.get("href") for a in anchors] == [None]  # the javascript: link lost its href


def test_hostile_title_is_shown_escaped(hostile_client):
    html = hostile_client.get("/talks/dngc-2025-s2-tine-jess").get_data(as_text=True)
    page = Page(html)
    assert page.one("h1").clean_text == HOSTILE_TITLE
    assert "&lt;/script&gt;&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;" in html


def test_hostile_text_in_snippets_is_escaped(hostile_client):
    data = hostile_client.get("/api/search?q=zebrafish").get_json()
    assert {r["id"] for r in data["results"]} == {"dngc-2025-s2-tine-jess", "tine-jess", "dngc-2025-s2"}
    for hit in data["results"]:
        assert "<mark" in hit["snippet"]
        assert "&lt;" in hit["snippet"]  # the markup-like text is there, escaped
        assert "<" not in re.sub(r'<mark class="[a-z0-9 ]+">|</mark>', "", hit["snippet"])


def test_hostile_query_is_escaped(client):
    response = client.get("/search?q=%3Cscript%3Ealert(1)%3C/script%3E%22%3E")
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert Page(html).find("input")[0].attrs["value"] == '<script>alert(1)</script>">'


# --- no index -------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/", "/search?q=genomes", "/talks/dngc-2025-s2-qa", "/topics"])
def test_missing_index_is_a_503_page(app_for, tmp_path, url):
    client = app_for(tmp_path / "no-index").test_client()
    page = load(client, url, 503)
    assert page.one("h1").clean_text == "Search is not available"
    assert page.one("p", "error-message").clean_text == (
        f"No index in {tmp_path / 'no-index'}. Build it with `confarchive build --index {tmp_path / 'no-index'}`.")
