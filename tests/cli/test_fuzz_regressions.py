"""Inputs the experiment-loader fuzzer found (tests/fuzz/regressions/*.toml), each through the CLI:
`tariffsim validate` gives the exit code and message that the file's first line states
(`# expect exit N: text`), never a crash, a hang (a minute is the guard) or an exit other than
0 or 2."""
import subprocess
from pathlib import Path

from common import check, parse_args


def expectation(path):
    first = path.read_text().splitlines()[0]
    head, _, text = first.partition(":")
    code = int(head.removeprefix("# expect exit "))
    return code, text.strip()


def main():
    args = parse_args()
    inputs = sorted((Path(args.source) / "tests" / "fuzz" / "regressions").glob("*.toml"))
    check(len(inputs) > 0, f"regression inputs found ({len(inputs)})")
    for path in inputs:
        code, text = expectation(path)
        check(code in (0, 2), f"{path.name}: states exit 0 or 2 ({code})")
        r = subprocess.run([args.tariffsim, "validate", str(path)], capture_output=True, text=True,
                           timeout=60)
        check(r.returncode == code and text in r.stdout + r.stderr,
              f"{path.name}: exit {code} naming '{text}' ({r.returncode}: {r.stderr.strip()[-300:]})")


if __name__ == "__main__":
    main()
