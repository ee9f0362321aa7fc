"""Scale-out contract (DESIGN.md §8): shards merged and a run killed with SIGKILL then resumed
give the file a single run writes, to the bit (Slurm arrays: test_slurm.py)."""
import h5py

from common import (SCALE_EXPERIMENT, SLOW_EXPERIMENT, check, kill_part_way, parse_args, run,
                    same_content, single_run, write)

# 40,000 points, one cheap replication each: columns large enough for shards to split them.
WIDE_GRID = """
[experiment]
name = "wide"
model = "bagwell_staiger"
seed = 5
[parameters]
dist = "lognormal"
periods = 1
[grid]
delta = { linspace = [0.05, 0.95, 200] }
sd = { linspace = [0.1, 0.5, 200] }
"""


def shard_files_take_their_share(b, wd):
    """A shard's file allocates the chunks around its own rows only: 8 shards together take about
    the single file's space (not 8 times it), and merge to it."""
    exp = write(wd / "wide.toml", WIDE_GRID)
    single = wd / "wide.h5"
    check(run(b, "run", exp, "-o", single, "--no-progress").returncode == 0, "the wide grid")
    shards = [wd / f"wide{i}.h5" for i in range(8)]
    for i, out in enumerate(shards):
        check(run(b, "run", exp, "-o", out, "--shard", f"{i}/8", "--no-progress").returncode == 0,
              f"wide shard {i}/8")
    total, whole = sum(s.stat().st_size for s in shards), single.stat().st_size
    check(total < 1.5 * whole, f"8 shard files take {total / 1e6:.0f} MB, the single file "
                               f"{whole / 1e6:.0f} MB")
    merged = wd / "wide_merged.h5"
    check(run(b, "merge", merged, *shards).returncode == 0, "the wide shards merge")
    same_content(single, merged, "8 wide shards merged")


# Half the points have probabilities that do not sum to 1: bagwell_staiger's own status 2.
MODEL_CODES = """
[experiment]
name = "codes"
model = "bagwell_staiger"
seed = 9
[parameters]
dist = "discrete"
values = [0.5, 1.5]
[grid]
probs = [[0.5, 0.5], [0.5, 0.6]]
delta = { linspace = [0.2, 0.9, 50] }
"""


def model_codes_are_results(b, wd):
    """Rows holding a model's own status code (2 and up) are results like any other: info reads
    the file, its shards merge to it, and a shard resumes."""
    exp = write(wd / "codes.toml", MODEL_CODES)
    single = wd / "codes.h5"
    check(run(b, "run", exp, "-o", single, "--no-progress").returncode == 0, "the codes grid")
    with h5py.File(single, "r") as f:
        check(sorted(set(f["codes/results/status"][()].tolist())) == [0, 2],
              "the codes grid holds statuses 0 and 2")
    r = run(b, "info", single)
    check(r.returncode == 0, f"info reads a file with status 2 ({r.stderr.strip()[-200:]})")
    shards = [wd / f"codes{i}.h5" for i in range(2)]
    for i, out in enumerate(shards):
        check(run(b, "run", exp, "-o", out, "--shard", f"{i}/2", "--no-progress").returncode == 0,
              f"codes shard {i}/2")
    r = run(b, "run", exp, "-o", shards[1], "--shard", "1/2", "--resume", "--no-progress")
    check(r.returncode == 0, f"a shard with status 2 resumes ({r.stderr.strip()[-200:]})")
    merged = wd / "codes_merged.h5"
    r = run(b, "merge", merged, *shards)
    check(r.returncode == 0, f"shards with status 2 merge ({r.stderr.strip()[-200:]})")
    same_content(single, merged, "the codes shards merged")


def main():
    args = parse_args()
    b = args.tariffsim
    wd, exp, single = single_run(b)
    shard_files_take_their_share(b, wd)
    model_codes_are_results(b, wd)

    shards = []
    for i, threads in ((0, 1), (1, 2), (2, 4)):
        out = wd / f"s{i}.h5"
        r = run(b, "run", exp, "-o", out, "--shard", f"{i}/3", "--threads", threads,
                "--no-progress")
        check(r.returncode == 0, f"shard {i}/3 on {threads} threads ({r.stderr.strip()[-200:]})")
        with h5py.File(out, "r") as f:
            check(int(f["scale"].attrs["complete"]) == 0, f"shard {i}: not marked complete")
        shards.append(out)
    merged = wd / "merged.h5"
    r = run(b, "merge", merged, *shards)
    check(r.returncode == 0, f"merge ({r.stderr.strip()[-300:]})")
    same_content(single, merged, "3 shards merged")

    r = run(b, "merge", wd / "bad.h5", shards[0], shards[2])
    check(r.returncode == 2 and "in no shard" in r.stderr, "merge with a shard missing: exit 2")
    r = run(b, "merge", wd / "bad.h5", *shards, shards[1])
    check(r.returncode == 2 and "in both" in r.stderr, "merge with a shard twice: exit 2")
    other = write(wd / "other.toml", SCALE_EXPERIMENT.replace("seed = 31", "seed = 32"))
    check(run(b, "run", other, "-o", wd / "o1.h5", "--shard", "1/3", "--no-progress").returncode
          == 0, "a shard of another config")
    r = run(b, "merge", wd / "bad.h5", shards[0], wd / "o1.h5", shards[2])
    check(r.returncode == 2 and "different config" in r.stderr, "merge across configs: exit 2")
    # A shard that happens to hold every point is still a shard: complete = 0 until merged.
    one = write(wd / "one.toml", SCALE_EXPERIMENT.split("[grid]")[0])
    r = run(b, "run", one, "-o", wd / "one_shard.h5", "--shard", "0/2", "--no-progress")
    with h5py.File(wd / "one_shard.h5", "r") as h:
        check(r.returncode == 0 and h["scale/status/done"][()].all() and
              int(h["scale"].attrs["complete"]) == 0, "a shard holding every point is not complete")

    # Shards whose kernels took another vector code path, or from another model version, do not mix.
    for attr, where, value in (("kernel_isa", "/", "other-isa"),
                               ("model_version", "scale", "0.0.1")):
        odd = wd / f"odd_{attr}.h5"
        odd.write_bytes(shards[1].read_bytes())
        with h5py.File(odd, "r+") as h:
            h[where].attrs[attr] = value
        r = run(b, "merge", wd / "bad.h5", shards[0], odd, shards[2])
        check(r.returncode == 2 and value in r.stderr, f"merge refuses a shard with another {attr}"
                                                       f" ({r.stderr.strip()[-200:]})")
    # Shards of another model version, all alike, are refused too: the layout is this build's.
    olds = []
    for k, shard in enumerate(shards):
        olds.append(wd / f"old{k}.h5")
        olds[-1].write_bytes(shard.read_bytes())
        with h5py.File(olds[-1], "r+") as h:
            h["scale"].attrs["model_version"] = "0.9.0"
    r = run(b, "merge", wd / "bad.h5", *olds)
    check(r.returncode == 2 and "0.9.0" in r.stderr and "this build" in r.stderr,
          f"merge refuses shards of another model version ({r.stderr.strip()[-200:]})")
    # A shard file resumes only as the same shard.
    for extra, label in (([], "as the whole run"), (["--shard", "0/3"], "as another shard")):
        again = wd / "again.h5"
        again.write_bytes(shards[1].read_bytes())
        r = run(b, "run", exp, "-o", again, "--resume", "--no-progress", *extra)
        check(r.returncode == 2 and "holds shard 1/3" in r.stderr,
              f"resuming shard 1/3 {label} is refused ({r.stderr.strip()[-200:]})")
    with h5py.File(merged, "r") as h, h5py.File(shards[0], "r") as s0:
        check(h.attrs["kernel_isa"] == s0.attrs["kernel_isa"], "the merged file names the shards' "
                                                               "kernel_isa")
    r = run(b, "run", exp, "--shard", "3/3")
    check(r.returncode == 2 and "--shard" in r.stderr, "--shard 3/3 is bad input")

    # Kill a run at an arbitrary moment, then resume it.
    slow = write(wd / "slow.toml", SLOW_EXPERIMENT)
    ref = wd / "slow_ref.h5"
    check(run(b, "run", slow, "-o", ref, "--no-progress").returncode == 0, "uninterrupted run")
    killed = wd / "slow_killed.h5"
    done = kill_part_way([b, "run", str(slow), "-o", str(killed), "--threads", "1",
                          "--no-progress"], b, killed)
    check(done > 0, f"the run was killed part way ({done} of 64 points done)")
    with h5py.File(killed, "r") as f:
        check(int(f["slow"].attrs["complete"]) == 0, "a killed run's file is not complete")
    r = run(b, "run", slow, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 0, f"--resume ({r.stderr.strip()[-300:]})")
    check("of 64 points" in r.stdout, f"resume reports what it computed ({r.stdout.strip()})")
    same_content(ref, killed, "killed and resumed")
    r = run(b, "run", slow, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 0 and "wrote" in r.stdout and " 0 of 64" in r.stdout,
          "resuming a complete file computes nothing")
    with h5py.File(killed, "r+") as h:
        h.attrs["kernel_isa"] = "other-isa"
    r = run(b, "run", slow, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 2 and "other-isa" in r.stderr,
          f"resume refuses a file whose kernels took another code path ({r.stderr.strip()[-200:]})")
    reseeded = write(wd / "reseeded.toml", SLOW_EXPERIMENT.replace("seed = 2", "seed = 3"))
    r = run(b, "run", reseeded, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 2 and "different config" in r.stderr, "resume with another config: exit 2")
    r = run(b, "run", exp, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 2 and "no experiment 'scale'" in r.stderr,
          "resume into another experiment's file: exit 2")


if __name__ == "__main__":
    main()
