"""How a file's problems are told to the person who sent it.

A file refused as a whole is refused with every problem in it, each where it is (its line and
column), so that its sender fixes it in one go; the messages may show the sender's own cells
back to them, cut short so that no message carries a whole page of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from open_lrs.core.errors import FieldError

_SHOWN_LENGTH = 60


@dataclass(frozen=True, init=False)
class FileProblem(FieldError):
    """A reason the file was refused, where it is: ``field`` reads "line 12, column
    DateOfBirth" so that anything showing field errors shows these too."""

    line: int | None = None
    column: str | None = None

    def __init__(
        self, message: str, *, line: int | None = None, column: str | None = None, code: str
    ) -> None:
        where = [f"line {line}"] if line else []
        if column:
            where.append(f"column {column}")
        object.__setattr__(self, "field", ", ".join(where) or "file")
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "code", code)
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "line": self.line, "column": self.column}

    def __str__(self) -> str:
        return self.message if self.field == "file" else f"{self.field}: {self.message}"


def shown(value: str) -> str:
    """A cell as it may be echoed in a message: one line, and never a whole 10,000 characters."""
    value = "".join(ch if ch.isprintable() else "\ufffd" for ch in value[: _SHOWN_LENGTH + 1])
    return value if len(value) <= _SHOWN_LENGTH else value[: _SHOWN_LENGTH - 1] + "…"
