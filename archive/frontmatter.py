"""Split a corpus file into YAML front matter and Markdown body, keeping line numbers."""

from __future__ import annotations

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


class Document:
    """A parsed file: its metadata, body, and the line of every metadata key.

    A record file's key lines are worked out when first asked for (a problem to report) from the
    front matter's text, which is kept: a corpus holds one Document per file, and the lines of every
    key as a dict of key paths took four times the text's memory (48 MB at 10,000 talks of the
    benchmarks' second corpus), memory every process the build forks then copies.
    """

    __slots__ = ("meta", "body", "body_line", "_lines", "_yaml", "_first_line")

    def __init__(self, meta: dict, body: str, body_line: int, lines: dict | None = None, yaml_text: str = "",
                 first_line: int = 1):
        self.meta, self.body, self.body_line = meta, body, body_line
        self._lines, self._yaml, self._first_line = lines, yaml_text, first_line

    @property
    def lines(self) -> dict:
        """Key path -> line number (taxonomy.py adds lines of its own)."""
        if self._lines is None:
            self._lines = key_lines(self._yaml, self._first_line)
            self._yaml = ""
        return self._lines

    def forget_content(self) -> None:
        """Drop the metadata and body once a record is made of them; the key lines can still be worked out."""
        self.meta, self.body = {}, ""

    def line_of(self, *key) -> int:
        """Return the line of a key path such as ('appearances', 0, 'session'), or its nearest parent."""
        lines = self.lines
        while key:
            if key in lines:
                return lines[key]
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
    meta, yaml_text = _read_yaml("".join(lines[1:end]), first_line=2)
    body = "".join(lines[end + 1:]).strip("\n")
    return Document(meta=meta, body=body, body_line=end + 2, yaml_text=yaml_text, first_line=2)


def key_lines(text: str, first_line: int) -> dict:
    """The line of every key path of YAML text that has been read before (_read_yaml checked it). Composed again:
    constructing the data rewrites `<<` merges in the nodes it reads."""
    lines: dict = {}
    node = yaml.compose(text, Loader=_COMPOSER) if text else None
    if node is not None:
        _collect_lines(node, (), first_line, lines, set())
    return lines


def load_yaml(text: str, first_line: int) -> tuple[dict, dict]:
    """safe_load with the line of every key; a date-like value that is no date stays text for its field to report."""
    meta, read = _read_yaml(text, first_line)
    return meta, key_lines(read, first_line)


def _read_yaml(text: str, first_line: int) -> tuple[dict, str]:
    """load_yaml's data, and the text it was read from (impossible dates quoted, so key_lines can read it)."""
    for _ in range(50):  # each pass quotes one impossible date such as 2025-13-08
        try:
            return _load_once(text, first_line), text
        except _ImpossibleDate as exc:
            text = text[:exc.start] + repr(exc.value) + text[exc.end:]
    raise FrontMatterError(first_line, "too many impossible dates in this file")


class _ImpossibleDate(Exception):
    def __init__(self, start: int, end: int, value: str):
        super().__init__(value)
        self.start, self.end, self.value = start, end, value


def _load_once(text: str, first_line: int) -> dict:
    node = None
    try:
        node = yaml.compose(text, Loader=_COMPOSER)  # nodes keep the line numbers
        if node is not None:
            problem = expansion_problem(node, text)  # before constructing: an alias bomb would hold the CPU for minutes
            if problem:
                raise FrontMatterError(first_line + node.start_mark.line, problem)
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
        return {}
    if not isinstance(meta, dict):
        raise FrontMatterError(first_line, "front matter must be a mapping of `key: value` lines")
    return meta


def _construct_safely(node):
    """Build Python values from composed nodes with the constructor `yaml.safe_load` uses, so the text is
    parsed once: plain mappings, lists and scalars only, never arbitrary objects."""
    if node is None:
        return None
    # the constructor alone: a whole SafeLoader holds itself in a reference cycle, which loading (the collector
    # paused, then frozen) would keep for good, about 2.7 KB a file
    return yaml.constructor.SafeConstructor().construct_document(node)


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
