"""Problems found in corpus files, reported as `path:line: message`."""

from __future__ import annotations

from dataclasses import dataclass, asdict

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    message: str
    field: str = ""
    hint: str = ""
    severity: str = ERROR

    def __str__(self) -> str:
        text = f"{self.path}:{self.line}: {self.severity}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text

    def as_dict(self) -> dict:
        return asdict(self)


class CorpusError(Exception):
    """The corpus has errors; `problems` lists every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = sorted(problems)
        errors = [p for p in self.problems if p.severity == ERROR]
        super().__init__(f"{len(errors)} error(s) in the corpus; run `confarchive validate` to see them.")
