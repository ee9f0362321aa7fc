"""The two errors the package raises, and the "what exists / did you mean" text of a lookup."""
from __future__ import annotations

import difflib


class FormatError(ValueError):
    """The file is not a tariffsim result file this package can read: foreign, of another format
    major version, damaged, truncated, of the wrong layout, or incomplete without
    ``allow_incomplete=True``. The message names the file and what is wrong."""


class MissingFileError(FormatError, FileNotFoundError):
    """No file at the path: a FormatError as every unreadable file is (the README's promise), and
    a FileNotFoundError too, so ``except FileNotFoundError`` keeps working."""


# The advice in a refusal of an incomplete file: the API's words; the CLI swaps in its flag's.
INCOMPLETE_HINT = "pass allow_incomplete=True"


class NotFoundError(KeyError):
    """A metric, series, statistic or experiment that the file does not hold. The message lists
    what it does hold and, for a near miss, suggests the closest name."""

    def __str__(self) -> str:  # KeyError would print the message quoted, as a repr
        return str(self.args[0]) if self.args else ""


def not_found(path: str, kind: str, name: str, existing, hint: str = "") -> NotFoundError:
    """NotFoundError for `name`, saying which `kind`s the file has and the closest one."""
    existing = list(existing)
    message = f"{path}: no {kind} {name!r}; "
    message += (f"it has {', '.join(map(repr, existing))}" if existing else f"it has no {kind}")
    close = difflib.get_close_matches(str(name), [str(e) for e in existing], n=1)
    if close:
        message += f"; did you mean {close[0]!r}?"
    if hint:
        message += f" ({hint})"
    return NotFoundError(message)
