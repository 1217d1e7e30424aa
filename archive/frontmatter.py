"""Split a corpus file into YAML front matter and Markdown body, keeping line numbers."""

from __future__ import annotations

from dataclasses import dataclass, field

import yaml

from .yamlguard import expansion_problem

DELIMITER = "---"

TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
# libyaml's loader when PyYAML has it: composing nodes is half the cost of reading a file.
_COMPOSER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


@dataclass
class Document:
    """A parsed file: its metadata, body, and the line of every metadata key."""

    meta: dict
    body: str
    body_line: int
    lines: dict = field(default_factory=dict)

    def line_of(self, *key) -> int:
        """Return the line of a key path such as ('appearances', 0, 'session'), or its nearest parent."""
        while key:
            if key in self.lines:
                return self.lines[key]
            key = key[:-1]
        return 1


def parse(text: str) -> Document:
    """Parse `---` front matter and body; raise FrontMatterError with a line number."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != DELIMITER:
        raise FrontMatterError(1, "file must start with a '---' line opening the front matter")
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER), None)
    if end is None:
        raise FrontMatterError(1, "front matter is not closed by a second '---' line")
    yaml_text = "".join(lines[1:end])
    meta, key_lines = load_yaml(yaml_text, first_line=2)
    body = "".join(lines[end + 1:]).strip("\n")
    return Document(meta=meta, body=body, body_line=end + 2, lines=key_lines)


def load_yaml(text: str, first_line: int) -> tuple[dict, dict]:
    """safe_load with the line of every key; a date-like value that is no date stays text for its field to report."""
    for _ in range(50):  # each pass quotes one impossible date such as 2025-13-08
        try:
            return _load_once(text, first_line)
        except _ImpossibleDate as exc:
            text = text[:exc.start] + repr(exc.value) + text[exc.end:]
    raise FrontMatterError(first_line, "too many impossible dates in this file")


class _ImpossibleDate(Exception):
    def __init__(self, start: int, end: int, value: str):
        super().__init__(value)
        self.start, self.end, self.value = start, end, value


def _load_once(text: str, first_line: int) -> tuple[dict, dict]:
    node = None
    key_lines: dict = {}
    try:
        node = yaml.compose(text, Loader=_COMPOSER)  # nodes keep the line numbers
        if node is not None:
            problem = expansion_problem(node)  # before constructing: an alias bomb would hold the CPU for minutes
            if problem:
                raise FrontMatterError(first_line + node.start_mark.line, problem)
            _collect_lines(node, (), first_line, key_lines, set())  # before constructing, which rewrites `<<` merges
        meta = _construct_safely(node)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(line, f"invalid YAML: {problem}") from None
    except FrontMatterError:  # a ValueError too, but not a date's
        raise
    except ValueError:  # PyYAML raises this for a date-like value that is no date, such as 2025-13-08
        if node is None:  # the text itself could not be read (an unpaired surrogate, say)
            raise FrontMatterError(first_line, "the front matter holds characters YAML cannot read") from None
        raise _bad_date(node, first_line) from None
    if meta is None:
        return {}, {}
    if not isinstance(meta, dict):
        raise FrontMatterError(first_line, "front matter must be a mapping of `key: value` lines")
    return meta, key_lines


def _construct_safely(node):
    """Build Python values from composed nodes with the constructor `yaml.safe_load` uses, so the text is
    parsed once: plain mappings, lists and scalars only, never arbitrary objects."""
    if node is None:
        return None
    return yaml.SafeLoader("").construct_document(node)


def _bad_date(root, first_line: int) -> Exception:
    """Find the date-like value that is not a real date, so it can be read as text instead."""
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.ScalarNode) and node.tag == TIMESTAMP_TAG:
            try:
                yaml.safe_load(node.value)
            except ValueError:
                return _ImpossibleDate(node.start_mark.index, node.end_mark.index, node.value)
        elif isinstance(node, yaml.MappingNode):
            stack += [v for _, v in node.value]
        elif isinstance(node, yaml.SequenceNode):
            stack += node.value
    return FrontMatterError(first_line, "a value could not be read as YAML")


def _collect_lines(node, path: tuple, first_line: int, out: dict, seen: set) -> None:
    """Record the line of every key path; an alias is walked once, so recursive or nested aliases stay cheap."""
    out[path] = first_line + node.start_mark.line
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                continue  # a list or mapping as a key: constructing the data reports it
            child = path + (key_node.value,)
            _collect_lines(value_node, child, first_line, out, seen)
            out[child] = first_line + key_node.start_mark.line
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _collect_lines(item, path + (index,), first_line, out, seen)
