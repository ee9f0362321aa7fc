"""What `tariffsim plot` and `tariffsim report` share: opening the file with errors as messages
and exit codes (0 done, 1 failure while drawing or writing, 2 bad input)."""
from __future__ import annotations

import sys

from ._errors import INCOMPLETE_HINT, FormatError, NotFoundError

EXIT_RUNTIME = 1
EXIT_INPUT = 2


class InputProblem(Exception):
    """Bad input, reported as one line on stderr and exit code 2."""


CLI_INCOMPLETE_HINT = "pass --allow-incomplete"


def add_allow_incomplete(parser) -> None:
    parser.add_argument("--allow-incomplete", action="store_true",
                        help="read a running or stopped file: its finished points only")


def open_for_figures(path: str, experiment: str | None, allow_incomplete: bool = False):
    """The open result file, or InputProblem with the reader's message (its advice for an
    incomplete file worded for the command line: the flag, not the API's argument)."""
    from ._file import open as open_file
    try:
        return open_file(path, experiment=experiment, allow_incomplete=allow_incomplete)
    except FileNotFoundError:
        raise InputProblem(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputProblem(f"{path}: a directory, not a result file") from None
    except (FormatError, NotFoundError, OSError) as e:
        raise InputProblem(str(e).replace(INCOMPLETE_HINT, CLI_INCOMPLETE_HINT)) from None


def figures_or_explain(rf) -> list:
    """The file's figures, or InputProblem saying which experiments have figures."""
    from . import figures
    if not figures.figure_functions(rf):
        raise InputProblem(f"{rf.path}: experiment '{rf.experiment}' (model {rf.model}) declares "
                           f"no figure. Figures exist for: {figures.known()}")
    drawn = figures.draw(rf)
    if not drawn:
        raise InputProblem(f"{rf.path}: experiment '{rf.experiment}' does not hold what its "
                           "figures need (see the docstrings in tariffsim.figures)")
    return drawn


def run(prog: str, body) -> int:
    """Runs body() and turns failures into a message and an exit code."""
    try:
        return body()
    except InputProblem as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_INPUT
    except OSError as e:
        print(f"{prog}: error: {e}", file=sys.stderr)
        return EXIT_RUNTIME
