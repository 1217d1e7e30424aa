"""Write corpus files safely: render front matter, keep comments, replace files atomically.

Every write goes to a temporary file in the target's folder, is flushed to disk with fsync and then
renamed over the target with `os.replace`, so a reader (or a crash) sees the old file or the new
one, never half of one. `apply_changes` does the same for several files at once and puts back
what it already replaced when a later step fails.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import yaml

from .frontmatter import DELIMITER, FrontMatterError, parse

WIDTH = 1_000_000  # never fold long lines: librarians edit one value per line
NEW_FILE_MODE = 0o644
_NO_HARD_LINKS = {errno.EPERM, errno.EOPNOTSUPP, errno.ENOTSUP, errno.ENOSYS, errno.EXDEV}


class WriteError(Exception):
    """A write was refused or could not be done; the message says which file and why."""


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing multi-line text as a `|` block a person can edit."""


def _represent_str(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _represent_str)


def dump_yaml(data: dict) -> str:
    """YAML text for a mapping, keys in the given order, Unicode kept, long lines unfolded."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=WIDTH,
                     default_flow_style=False)


def _clean_body(body: str) -> str:
    return body.replace("\r\n", "\n").strip("\n")


def render(meta: dict, body: str) -> str:
    """A whole corpus file: `---`, the front matter, `---`, the body; checked to parse back exactly."""
    body = _clean_body(body)
    text = f"{DELIMITER}\n{dump_yaml(meta)}{DELIMITER}\n" + (f"{body}\n" if body else "")
    check_round_trip(text, meta, body)
    return text


def check_round_trip(text: str, meta: dict, body: str) -> None:
    """Raise WriteError unless `text` parses back to exactly this metadata and body."""
    try:
        doc = parse(text)
    except FrontMatterError as exc:
        raise WriteError(f"the rendered file does not parse (line {exc.line}: {exc.message})") from None
    if doc.meta != meta or doc.body != _clean_body(body):
        raise WriteError("the rendered file does not read back as written; nothing was saved")


# --- Editing front matter in place, so a librarian's comments survive ------------------------------

def update_text(text: str, changes: dict, body: Optional[str] = None) -> str:
    """Set top-level front matter keys (and optionally the body) of a file's text, keeping its comments.

    Only the lines of the changed keys are rewritten; full-line comments inside them are kept
    above the key. Falls back to rendering the whole file when the front matter is not a plain
    block mapping.
    """
    doc = parse(text)
    meta = {**doc.meta, **changes}
    new_body = doc.body if body is None else body
    lines = text.splitlines(keepends=True)
    end = next(i for i in range(1, len(lines)) if lines[i].rstrip() == DELIMITER)
    node = yaml.compose("".join(lines[1:end]), Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode) or node.flow_style:
        return render(meta, new_body)
    yaml_lines = _replace_keys(lines[1:end], _key_spans(node, end - 1), _text_lines(node), changes, doc.meta)
    clean = _clean_body(new_body)
    result = "".join([lines[0], *yaml_lines, lines[end].rstrip("\r\n") + "\n"]) + (f"{clean}\n" if clean else "")
    check_round_trip(result, meta, new_body)
    return result


def _key_spans(node: yaml.MappingNode, line_count: int) -> dict:
    """{key: (first line, end line)} of each top-level key of the front matter."""
    starts = [(key.value, key.start_mark.line) for key, _ in node.value]
    ends = [line for _, line in starts[1:]] + [line_count]
    return {key: (start, end) for (key, start), end in zip(starts, ends)}


def _text_lines(node, seen: set | None = None) -> set:
    """Lines inside multi-line text values: a '#' there is text, not a comment (aliases visited once)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return set()
    seen.add(id(node))
    if isinstance(node, yaml.ScalarNode):
        end = node.end_mark.line + (1 if node.end_mark.column else 0)  # a block ends at column 0 of the next line
        return set(range(node.start_mark.line + 1, end))
    children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
    return set().union(*(_text_lines(child, seen) for child in children))


def _replace_keys(yaml_lines: list[str], spans: dict, text_lines: set, changes: dict, old: dict) -> list[str]:
    out = list(yaml_lines)
    for key, (start, end) in sorted(((k, spans[k]) for k in changes if k in spans), key=lambda kv: -kv[1][0]):
        comments = [i - start for i in range(start, end) if _is_comment(out[i]) and i not in text_lines]
        block = out[start:end]
        out[start:end] = (_extend_block(block, comments, key, old.get(key), changes[key])
                          or _rewrite_block(block, comments, key, changes[key]))
    appended = [dump_yaml({k: v}) for k, v in changes.items() if k not in spans]
    return out + [line for block in appended for line in block.splitlines(keepends=True)]


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _last_content(block: list[str], comments: list[int]) -> int:
    return max((i for i, line in enumerate(block) if line.strip() and i not in comments), default=0)


def _extend_block(block: list[str], comments: list[int], key: str, old, new) -> Optional[list[str]]:
    """When items were only appended to a block list, add just their lines: the rest stays byte for byte."""
    if not (isinstance(old, list) and old and isinstance(new, list) and new[:len(old)] == old):
        return None
    items = [line for i, line in enumerate(block[1:], 1) if i not in comments and line.lstrip().startswith("- ")]
    if not items or len(new) == len(old):
        return None if not items else block
    indent = " " * (len(items[0]) - len(items[0].lstrip()))
    extra = [indent + line for line in dump_yaml({key: new[len(old):]}).splitlines(keepends=True)[1:]]
    last = _last_content(block, comments)
    return [*block[:last + 1], *extra, *block[last + 1:]]


def _rewrite_block(block: list[str], comments: list[int], key: str, value) -> list[str]:
    """New lines for one key; its comment lines stay: those inside above the key, trailing ones after."""
    last = _last_content(block, comments)
    inner = [_as_line(block[i].lstrip()) for i in comments if i <= last]
    return inner + dump_yaml({key: value}).splitlines(keepends=True) + block[last + 1:]


def _as_line(line: str) -> str:
    return line if line.endswith("\n") else line + "\n"


# --- Atomic file replacement -----------------------------------------------------------------------

@dataclass
class Change:
    """One file to write (`text`) or delete (`text` None).

    `expected` is the content the file must still have when the change is applied (None: the file
    must not exist yet), so that a change planned from an old reading never overwrites newer work.
    """

    path: Path
    text: Optional[str]
    expected: Optional[str] = None

    @property
    def is_new(self) -> bool:
        return self.expected is None


def write_file(path: Path | str, text: str, *, create: bool = False) -> None:
    """Write text to path atomically; with create, refuse if the file already exists."""
    path = Path(path)
    if create and path.exists():
        raise WriteError(f"{path} already exists; it was not overwritten")
    tmp = _stage(path, text.encode("utf-8"))
    try:
        _commit_new(tmp, path) if create else os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _stage(path: Path, data: bytes) -> Path:
    """Write data to a synced temporary file beside path (same folder, so the rename is atomic)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
        os.chmod(name, mode)
    except BaseException:
        os.unlink(name)
        raise
    return Path(name)


def _commit_new(tmp: Path, path: Path) -> None:
    """Move tmp to path only if path does not exist: a hard link fails instead of clobbering."""
    try:
        os.link(tmp, path)
    except FileExistsError:
        raise WriteError(f"{path} already exists; it was not overwritten") from None
    except OSError as exc:
        if exc.errno not in _NO_HARD_LINKS:
            raise
        if path.exists():  # a file system without hard links: check, then rename
            raise WriteError(f"{path} already exists; it was not overwritten") from None
        os.replace(tmp, path)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def apply_changes(changes: list[Change]) -> None:
    """Apply every change or none: check, stage all temp files, then rename; on failure put back the old files."""
    _count_write()
    check_unchanged(changes)
    staged = _stage_all(changes)
    done: list[Change] = []
    try:
        for change, tmp in staged:
            _apply_one(change, tmp)
            done.append(change)
    except BaseException:
        _restore(done)
        raise
    finally:
        for _, tmp in staged:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
    for folder in {c.path.parent for c in changes if c.path.parent.exists()}:
        _fsync_dir(folder)


_WRITES = [0]
_WRITES_LOCK = threading.Lock()


def _count_write() -> None:
    with _WRITES_LOCK:
        _WRITES[0] += 1


def writes_so_far() -> int:
    """How many times this process has called apply_changes: a loader that remembers a corpus as written
    can tell that nothing else in the process has written since (archive/load.py, remember_written)."""
    return _WRITES[0]


def read_text(path: Path | str) -> str:
    """A file's exact text (line endings untouched), as changes compare and restore it."""
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


def check_unchanged(changes: list[Change]) -> None:
    """Raise WriteError unless every file still holds the text its change expects (None: does not exist)."""
    for change in changes:
        current = read_text(change.path) if change.path.exists() else None
        if current != change.expected:
            what = "already exists" if change.expected is None else "was changed by someone else meanwhile"
            raise WriteError(f"{change.path} {what}; nothing was written. Run the command again.")


def _stage_all(changes: list[Change]) -> list[tuple[Change, Optional[Path]]]:
    staged: list[tuple[Change, Optional[Path]]] = []
    try:
        for change in changes:
            staged.append((change, None if change.text is None else _stage(change.path, change.text.encode("utf-8"))))
    except BaseException:
        for _, tmp in staged:
            if tmp is not None:
                tmp.unlink(missing_ok=True)
        raise
    return staged


def _apply_one(change: Change, tmp: Optional[Path]) -> None:
    if tmp is None:
        change.path.unlink()
    elif change.is_new:
        _commit_new(tmp, change.path)
    else:
        os.replace(tmp, change.path)


def _restore(done: list[Change]) -> None:
    """Undo applied changes in reverse order: old content back, new files removed."""
    for change in reversed(done):
        if change.expected is None:
            change.path.unlink(missing_ok=True)
        else:
            write_file(change.path, change.expected)
