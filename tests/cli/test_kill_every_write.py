"""A run killed at any write resumes to the bits of an uninterrupted run (FORMAT.md, "Surviving a
kill"), including the writes HDF5 makes while it grows a chunk index of replications/ or series/,
where a kill used to leave an index that --resume could not read (exit 1) or that had lost done
points' chunks (NaN).

strace kills the run as it starts its N-th write (tests/cli/kill_sweep.py), so every moment is the
same on any machine. Killed at: every write that puts a chunk-index node where none was before (a
split) and the write after it; writes spread evenly over the run; and, for one file killed while
an index grew, its resume at writes spread over the resume (the rebuild of the file, then its
batches). tools/kill_sweep.py kills at every write (about 4,300: a figure, not a test).
Skipped (exit 77) where strace is absent or cannot trace."""
import sys

from common import check, parse_args
from kill_sweep import Sweep, new_index_nodes, strace_usable, summary

SPREAD = 48  # writes spread over the run
SPREAD_RESUME = 12  # writes spread over the resume of a file killed while an index grew


def spread(last, count):
    """`count` writes from 1 to last + 1 (one past the last: not killed at all), evenly apart."""
    return sorted({1 + (last * k) // (count - 1) for k in range(count)})


def all_resumed(outcomes, what):
    bad = [o for o in outcomes if o.kind != "resumed bitwise"]
    print("\n".join(summary(outcomes)))
    check(not bad, f"{what}: all {len(outcomes)} resumed bitwise "
                   f"({len(bad)} did not: {[(o.n, o.kind, o.detail) for o in bad[:3]]})")


def main():
    args = parse_args()
    why_not = strace_usable()
    if why_not:
        print(f"SKIP: {why_not}")
        sys.exit(77)
    sweep = Sweep(args.tariffsim)
    growing = new_index_nodes(sweep.trace)
    # The first new node is each index's root, written when the first batch fills it; the later
    # ones are splits as the indexes grow past 64 chunks.
    check(len(growing) >= 4, f"the run grows its chunk indexes by new nodes at writes {growing}")
    at = sorted({n + d for n in growing for d in (0, 1)} | set(spread(sweep.writes, SPREAD)))
    all_resumed(sweep.run_trials(sweep.trial, at),
                f"killed at {len(at)} of the run's {sweep.writes} writes")

    torn = growing[len(growing) // 2]
    writes = sweep.resume_writes(torn)
    twice = [(torn, m) for m in spread(writes, SPREAD_RESUME)]
    all_resumed(sweep.run_trials(sweep.trial_twice, twice),
                f"killed at write {torn}, then its resume at {len(twice)} of its {writes} writes")


if __name__ == "__main__":
    main()
