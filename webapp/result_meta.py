"""What a catalogue shows beside each result: conference and date, and each speaker's affiliation at that session."""

from __future__ import annotations

from indexer import get_record

from .index import get_handle


def affiliation(speaker: dict | None, session_id: str | None) -> str:
    """The speaker's organisation as listed for that session (else their first listing), with its country."""
    listings = (speaker or {}).get("appearances") or (speaker or {}).get("affiliations", [])
    chosen = next((a for a in listings if (a.get("session") or {}).get("id") == session_id), None)
    chosen = chosen or next(iter(listings), None)
    if not chosen or not chosen.get("organisation"):
        return ""
    country = chosen.get("country")
    return chosen["organisation"] + (f" — {country}" if country else "")


def results_meta(results: list[dict], catalogue: dict) -> dict[str, dict]:
    """Result id -> {conference, date, speakers: [{id, name, affiliation}]} for one page of results."""
    conferences = {c["id"]: c for c in catalogue.get("conferences", [])}
    speakers: dict[str, dict | None] = {}
    meta = {}
    for hit in results:
        session_id = (hit.get("session") or {}).get("id")
        for ref in hit.get("speakers", []):
            if ref["id"] not in speakers:
                speakers[ref["id"]] = get_record(get_handle(), ref["id"], ("speaker",))
        conference = conferences.get(hit.get("conference"), {})
        meta[hit["id"]] = {"conference": conference.get("name", ""), "date": conference.get("date", ""),
                           "speakers": [{**ref, "affiliation": affiliation(speakers[ref["id"]], session_id)}
                                        for ref in hit.get("speakers", [])]}
    return meta
