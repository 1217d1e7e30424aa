"""The API's stable JSON objects, made from the page data and the quote records the index gives back."""

from __future__ import annotations

from archive.citations import Citable, citation_markdown, citation_text, csl_item, for_quote, note, reference_text
from archive.formats import offered
from archive.quotes import sentence_anchor
from archive.styles import DEFAULT_STYLE, formatted


def _topic_ids(record: dict) -> list[str]:
    return [t["id"] for t in record.get("topics", [])]


def _session(ref: dict | None) -> dict | None:
    return {"id": ref["id"], "number": ref["number"], "title": ref["title"]} if ref else None


def talk_json(record: dict) -> dict:
    conference = record.get("conference") or {}
    return {"id": record["id"], "kind": record["kind"], "title": record["title"],
            "title_editorial": record["title_editorial"], "url": record["url"],
            "conference": {"id": conference.get("id"), "name": conference.get("name"), "date": conference.get("date"),
                           "provenance": conference.get("provenance")},
            "session": _session(record["session"]), "order": record["order"], "date": record.get("date") or None,
            "schedule": {k: v or None for k, v in (record.get("schedule") or {}).items()},
            "speakers": record["speakers"],
            "byline": record["byline"], "topics": _topic_ids(record), "mentions": _mentions(record),
            "question": record["question"] or None,
            "abstract": record["abstract"] or None, "text": record["text"], "source": record["source"]}


def speaker_json(record: dict) -> dict:
    affiliations = [{"conference": a["conference"], "session": _session(a["session"]), "listed_name": a["listed_name"],
                     "role": a["role"], "organisation": a["organisation"], "organisations": a["organisations"],
                     "country": a["country"], "bio": a["bio"] or None,
                     "person_id": a.get("person_id") or None, "source": a["source"]}
                    for a in record["appearances"]]
    return {"id": record["id"], "name": record["name"], "display_name": record["display_name"],
            "honorific": record["honorific"] or None, "aliases": record["aliases"], "affiliations": affiliations,
            "organisations": record["organisations"], "countries": record["countries"], "bio": record["bio"],
            "topics": _topic_ids(record), "mentions": _mentions(record), "url": record["url"],
            "talks": [{"id": t["id"], "title": t["title"], "kind": t["kind"], "url": t["url"],
                       "session": _session(t["session"])} for t in record["talks"]]}


def session_json(record: dict) -> dict:
    conference = record.get("conference") or {}
    return {"id": record["id"], "number": record["number"], "title": record["title"], "url": record["url"],
            "conference": {"id": conference.get("id"), "name": conference.get("name"), "date": conference.get("date")},
            "purpose": record["purpose"], "recording": record["recording"], "speakers": record["speakers"],
            "talks": [{"id": t["id"], "title": t["title"], "kind": t["kind"], "url": t["url"],
                       "speakers": t["speakers"]} for t in record["talks"]],
            "source": record["source"]}


def _mentions(record: dict) -> list[dict]:
    """[{"topic", "sentences": [quote ids]}, ...]: topics the record names without being about them."""
    return [{k: v for k, v in m.items() if k != "label"} for m in record.get("mentions", [])]


def quotes_json(response, base_url: str = "", style: str = DEFAULT_STYLE) -> dict:
    """The JSON of /api/quotes from a QuoteResponse; citations carry absolute links when base_url is given."""
    return {**response.as_dict(), "results": [quote_json(r, base_url, style) for r in response.results]}


def quote_view(record: dict) -> dict:
    """A quote record (indexer.QuoteIndex) as the API shows it, less its citation: the sentence, its context, its
    talk, speakers and session, its topics and the talk's, and its link (the talk page at the sentence)."""
    talk = record["talk"]
    shown = {"id": record["id"], "text": record["text"], "context": {"before": record["before"], "after": record["after"]},
             "speakers": [dict(s) for s in talk["speakers"]],  # copies: `talk` is shared by every result of the build
             "talk": {"id": talk["id"], "title": talk["title"], "url": talk["url"], "kind": talk["kind"]},
             "session": _session(talk["session"]), "topics": record["topics"], "talk_topics": list(talk["topics"]),
             "topic_evidence": record["evidence"], "url": quote_url(record), "sentence": record["number"]}
    return {**shown, **({"highlighted": record["highlighted"]} if "highlighted" in record else {})}


def quote_url(record: dict) -> str:
    """The talk page at the quote's sentence."""
    return f"{record['talk']['url']}#{sentence_anchor(record['number'])}"


def quote_citable(record: dict) -> Citable:
    """What cites a quote: its talk's citation narrowed to the sentence."""
    return for_quote(Citable.from_dict(record["talk"]["citable"]), record["id"], record["text"], quote_url(record),
                     record["before"], record["after"])


def quote_json(record: dict, base_url: str = "", style: str = DEFAULT_STYLE) -> dict:
    """A quote record as the API shows it: quote_view, its citation (formatted in `style`) and its export links."""
    cite = quote_citable(record)
    base = base_url.rstrip("/")
    exports = {f.name: f"{base}/api/quotes/export?ids={record['id']}&format={f.name}"
               + (f"&style={style}" if f.styled else "") for f in offered("quote")}
    item = csl_item(cite, base_url)
    return {**quote_view(record),
            "citation": {"text": citation_text(cite, base_url), "markdown": citation_markdown(cite, base_url),
                         "reference": reference_text(cite, base_url), "note": note(cite),
                         "formatted": formatted(item, style), "csl": item, "exports": exports}}
