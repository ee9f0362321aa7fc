"""The format check, in one place: the format name and the major version, read before anything
else (engine/FORMAT.md). The supported major is the one constant to change with the format."""
from __future__ import annotations

import numpy as np

from ._errors import FormatError

FORMAT = "tariffsim"

#: The format major version this package reads. Files of another major are refused.
SUPPORTED_MAJOR = 2

# Which release reads the files of an older major, for the refusal message.
READ_BY = {1: "tariffsim 0.1.0 (git commit 123c85f and earlier; "
               "its tools/python/tariffsim_reader.py)"}


def text(value) -> str:
    """An HDF5 string attribute or element (bytes or str) as str, NUL padding removed."""
    if isinstance(value, bytes):
        value = value.decode("utf-8")
    return str(value).rstrip("\x00")


def parse_version(value, path: str) -> tuple[int, int | None]:
    """(major, minor) from `format_version`: the integer of format 1 (minor None) or the
    [major, minor] integer pair of format 2 and later."""
    array = np.asarray(value)
    if not np.issubdtype(array.dtype, np.integer) or array.ndim > 1 or array.size not in (1, 2):
        raise FormatError(f"{path}: attribute 'format_version' is {value!r}: expected an integer "
                          "or a [major, minor] pair of integers")
    numbers = [int(v) for v in array.reshape(-1)]
    if array.ndim == 0:
        # Only format 1 wrote a single integer; from format 2 on it is always [major, minor].
        if numbers[0] != 1:
            raise FormatError(f"{path}: attribute 'format_version' is {numbers[0]}: a single "
                              "integer is format 1's; later formats write [major, minor]")
        return numbers[0], None
    if len(numbers) != 2:
        raise FormatError(f"{path}: attribute 'format_version' is {numbers}: expected "
                          "[major, minor]")
    return numbers[0], numbers[1]


def check_format(f, path: str) -> tuple[int, int | None]:
    """Refuses a file that is not tariffsim's or not of SUPPORTED_MAJOR; returns its version."""
    name = f.attrs.get("format")
    if name is None or text(name) != FORMAT:
        raise FormatError(f"{path}: not a tariffsim result file (format attribute is "
                          f"{None if name is None else text(name)!r})")
    if "format_version" not in f.attrs:
        raise FormatError(f"{path}: attribute 'format_version' is missing")
    major, minor = parse_version(f.attrs["format_version"], path)
    if major > SUPPORTED_MAJOR:
        raise FormatError(f"{path}: written by a newer tariffsim, format major {major}; this "
                          f"reader reads major {SUPPORTED_MAJOR}: update the tariffsim package")
    if major < SUPPORTED_MAJOR:
        reader = READ_BY.get(major)
        where = (f"read it with {reader}" if reader else
                 "no release of this package reads it")
        raise FormatError(f"{path}: written by an older tariffsim, format major {major}; this "
                          f"reader reads major {SUPPORTED_MAJOR}: {where}, or rerun the "
                          "experiment")
    return major, minor
