#!/usr/bin/python3
"""Kills `tariffsim run` at every write system call of a small run that keeps per-replication
values and series, resumes each killed file with --resume, and compares it with an uninterrupted
run bit for bit (tests/cli/kill_sweep.py). A figure, not a test: the full sweep takes about 30
minutes on 2 cores; tests/cli/test_kill_every_write.py runs a strided subset of it.

    tools/kill_sweep.py --tariffsim build/tools/tariffsim [--stride K] [--first N] [--at LIST]
                        [--jobs J]

Prints how many of the kills resumed bitwise and, for the others, how they failed (exit code and
message, or the datasets that differ). Exits 1 if any did not resume bitwise. Needs strace."""
import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "cli"))

from kill_sweep import Sweep, ranges, strace_usable, summary  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--tariffsim", required=True)
    p.add_argument("--stride", type=int, default=1, help="kill at every K-th write")
    p.add_argument("--first", type=int, default=1, help="the first write to kill at")
    p.add_argument("--at", help="only these writes: e.g. 661-667,2210")
    p.add_argument("--jobs", type=int, default=2)
    args = p.parse_args()
    why_not = strace_usable()
    if why_not:
        sys.exit(f"kill_sweep: {why_not}")
    started = time.monotonic()
    sweep = Sweep(str(Path(args.tariffsim).resolve()))
    # One past the last write: the run is not killed, and --resume must leave its file as it is.
    ns = list(range(args.first, sweep.writes + 2, args.stride))
    if args.at:
        ns = sorted({n for part in args.at.split(",")
                     for n in range(int(part.split("-")[0]), int(part.split("-")[-1]) + 1)})
    print(f"an uninterrupted run makes {sweep.writes} writes (pwrite64); killing at {len(ns)} "
          f"of them: N = {ranges(ns)}", flush=True)
    outcomes = sweep.run_trials(sweep.trial, ns, args.jobs)
    good = sum(o.kind == "resumed bitwise" for o in outcomes)
    print(f"{good} of {len(outcomes)} kills resumed bitwise "
          f"({time.monotonic() - started:.0f} s, work folder {sweep.wd})")
    print("\n".join(summary(outcomes)))
    sys.exit(0 if good == len(outcomes) else 1)


if __name__ == "__main__":
    main()
