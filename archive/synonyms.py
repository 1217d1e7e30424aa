"""Synonym groups from synonyms.yaml: acronyms, spelling variants and demonyms that mean the same."""

from __future__ import annotations

from pathlib import Path

from .frontmatter import FrontMatterError, load_yaml
from .problems import Problem


def load_synonyms(path: Path, rel: str, problems: list) -> list[list[str]]:
    """Read `groups:`, a list of lists of equivalent words or phrases; a missing file means none."""
    if not path.exists():
        return []
    try:
        meta, lines = load_yaml(path.read_text(encoding="utf-8"), first_line=1)
    except FrontMatterError as exc:
        problems.append(Problem(rel, exc.line, exc.message))
        return []
    except (UnicodeDecodeError, OSError) as exc:
        problems.append(Problem(rel, 1, f"cannot read the synonyms file: {exc}", hint="save it as UTF-8 text"))
        return []
    groups = meta.get("groups", [])
    if not isinstance(groups, list):
        problems.append(Problem(rel, lines.get(("groups",), 1), "`groups` must be a list of lists"))
        return []
    result = []
    for index, group in enumerate(groups):
        if not isinstance(group, list) or len(group) < 2 or not all(isinstance(g, str) and g.strip() for g in group):
            problems.append(Problem(rel, lines.get(("groups", index), 1),
                                    "each synonym group must list two or more words or phrases",
                                    hint="write it as [EHDS, European Health Data Space]"))
            continue
        result.append([g.strip() for g in group])
    return result
