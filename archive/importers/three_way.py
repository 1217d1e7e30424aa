"""The three-way rule of a re-import, shared by talks, the conference and speakers' biographies.

Three values of one field: what the last import wrote (base), what the archive holds now (ours, maybe a
librarian's edit) and what the new export says (theirs). Only the schedule changed it: update. Only the
librarian: keep, silently. Both, differently: keep the librarian's value and report it.
"""

from __future__ import annotations


def three_way(base, ours, theirs) -> str:
    """'keep' (nothing to do), 'update' (only the schedule changed it) or 'conflict' (both, differently)."""
    if theirs == base or theirs == ours:
        return "keep"
    return "update" if ours == base else "conflict"


def show(value) -> str:
    """A value in the report: repr, or '(none)'; long texts shortened."""
    if value in (None, "", []):
        return "(none)"
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "…'"


def merge_fields(record: str, names, base: dict, ours: dict, theirs: dict, report: list[str]) -> list[str]:
    """The names of the fields to update; each update and each kept edit is added to the report."""
    updated = []
    for name in names:
        outcome = three_way(base.get(name), ours.get(name), theirs.get(name))
        if outcome == "update":
            updated.append(name)
            report.append(f"updated: {record}: {name} {show(ours.get(name))} → {show(theirs.get(name))}")
        elif outcome == "conflict":
            report.append(f"kept the librarian's edit: {record}: {name} is {show(ours.get(name))} here; the schedule "
                          f"changed it from {show(base.get(name))} to {show(theirs.get(name))}")
    return updated
