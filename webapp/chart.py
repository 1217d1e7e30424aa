"""The sessions-by-topics overview as plain data for a server-rendered SVG heat map."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

CELL_W, CELL_H = 92, 34
LEFT, TOP = 250, 120


@dataclass
class Cell:
    x: int
    y: int
    count: int
    url: str
    fill: str
    ink: str
    label: str


def _fill(count: int, top: int) -> tuple[str, str]:
    """A blue ramp from white; dark cells get white text so contrast stays above 4.5:1."""
    if count == 0:
        return "#f4f6f8", "#4a5560"
    share = count / top
    lightness = int(92 - share * 62)
    if 47 <= lightness <= 56:  # neither white nor dark text reaches 4.5:1 on these shades: skip them
        lightness = 46 if lightness < 52 else 57
    return f"hsl(212, 70%, {lightness}%)", "#ffffff" if lightness < 52 else "#1b1f24"


def search_link(session: str, topic: str) -> str:
    """The faceted search a cell counts: that session's records about that topic (only those two filters)."""
    return "/search?" + urlencode([("session", session), ("topic", topic)])


def session_topic_counts(table, catalogue: dict, limit: int | None = None
                         ) -> tuple[list[str], list[str], dict[tuple[str, str], int]]:
    """Records of each session (talks, panels, Q&As, the session, its speakers) about each topic, in display order;
    the first `limit` sessions only, when given (the page must stay small on a large archive)."""
    sessions = [s["id"] for s in catalogue.get("sessions", [])][:limit]
    topics = [t["id"] for t in catalogue.get("topics", [])]
    counts = {}
    for session in sessions:
        in_session = table.selection("session", [session])
        for topic in topics:
            counts[(session, topic)] = len(in_session & table.selection("topic", [topic]))
    return sessions, topics, counts


def overview_chart(sessions: list[str], topics: list[str], matrix: dict, labels) -> dict:
    """Cells, axis labels and size of the heat map; every cell but an empty one links to its faceted search."""
    top = max(matrix.values(), default=0) or 1
    cells = []
    for row, session in enumerate(sessions):
        for col, topic in enumerate(topics):
            count = matrix[(session, topic)]
            fill, ink = _fill(count, top)
            label = f"{labels.label('session', session)} — {labels.label('topic', topic)}: {count}"
            cells.append(Cell(LEFT + col * CELL_W, TOP + row * CELL_H, count,
                              search_link(session, topic), fill, ink, label))
    return {"cells": cells, "width": LEFT + len(topics) * CELL_W + 10, "height": TOP + len(sessions) * CELL_H + 10,
            "rows": [(TOP + i * CELL_H, labels.label("session", s), s) for i, s in enumerate(sessions)],
            "cols": [(LEFT + i * CELL_W, labels.label("topic", t), t) for i, t in enumerate(topics)],
            "cell_w": CELL_W, "cell_h": CELL_H, "sessions": sessions, "topics": topics, "matrix": matrix,
            "labels": labels, "link": search_link}
