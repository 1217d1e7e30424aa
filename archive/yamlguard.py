"""Keep YAML small and plain: no alias bombs from corpus files, no anchors or aliases at all from web forms.

YAML aliases let a few lines stand for a huge (or endless) structure: nine levels of nine aliases
expand to 387 million values, and `- &x [*x]` to a list that contains itself. Corpus files may use
aliases (librarians rarely do) as long as the expanded front matter stays within MAX_EXPANDED_NODES;
text typed into a web form may use none, nor merge keys, and is limited in size and depth.
"""

from __future__ import annotations

import yaml

MAX_EXPANDED_NODES = 100_000   # values a file's front matter may expand to through aliases
MAX_FORM_YAML_CHARS = 50_000   # characters of YAML in one form field
MAX_FORM_YAML_DEPTH = 10       # nesting of lists and mappings in one form field
_OPENERS = (yaml.BlockMappingStartToken, yaml.BlockSequenceStartToken, yaml.FlowMappingStartToken,
            yaml.FlowSequenceStartToken)
_CLOSERS = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def expansion_problem(root, text: str | None = None) -> str | None:
    """Why a composed YAML node graph is unsafe to construct (a recursive alias, or too many values), or None.

    Given the YAML's `text`, a text without aliases (no '*') too short to write MAX_EXPANDED_NODES values out
    is passed without walking its nodes: every node takes a character but implicit nulls, which need an
    indicator ('?', ':', '-') each, so there are fewer than three nodes per character. The walk was a
    fifth of loading a corpus.
    """
    if text is not None and "*" not in text and 3 * len(text) + 1 < MAX_EXPANDED_NODES:
        return None
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_nodes.discard(key)
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            if sizes[key] > MAX_EXPANDED_NODES:
                return (f"the YAML expands to more than {MAX_EXPANDED_NODES:,} values through its aliases "
                        "(*name); write the values out instead")
            continue
        if key in sizes:
            continue
        if key in open_nodes:
            return "a YAML alias refers to the list or mapping it is part of (a recursive alias); remove it"
        open_nodes.add(key)
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node) if id(child) not in sizes)
    return None


def _children(node) -> list:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def form_yaml_problem(text: str) -> str | None:
    """Why YAML typed into a form is refused (anchors, aliases, merge keys, too long or too deep), or None."""
    if len(text) > MAX_FORM_YAML_CHARS:
        return f"the box holds more than {MAX_FORM_YAML_CHARS:,} characters"
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, (yaml.AnchorToken, yaml.AliasToken)):
            return (f"line {token.start_mark.line + 1} of the box: YAML anchors and aliases (&name, *name) are not "
                    "accepted here; write each value out")
        if isinstance(token, yaml.ScalarToken) and token.plain and token.value == "<<":
            return f"line {token.start_mark.line + 1} of the box: YAML merge keys (<<) are not accepted here"
        depth += isinstance(token, _OPENERS) - isinstance(token, _CLOSERS)
        if depth > MAX_FORM_YAML_DEPTH:
            return f"line {token.start_mark.line + 1} of the box: lists and mappings nest deeper than {MAX_FORM_YAML_DEPTH}"
    return None
