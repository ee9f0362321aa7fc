"""Bad input -> exit code 2, a message naming file, line and key, and no file that claims to be
complete. Points outside the model on a grid -> NaN and a status code, and the run goes on."""
import subprocess
import time

import h5py
import numpy as np

from common import FULL_DISK_EXPERIMENT, check, parse_args, run, small_disk, workdir, write

HEADER = '[experiment]\nname = "bad"\nmodel = "bagwell_staiger"\nseed = 1\nreplications = 4\n'


def expect_input_error(binary, wd, name, body, needles, *extra, output_flag=True):
    path = write(wd / f"{name}.toml", body)
    out = wd / f"{name}.h5"
    r = run(binary, "run", path, *(["-o", out] if output_flag else []), "--no-progress", *extra)
    check(r.returncode == 2, f"{name}: exit code 2 (got {r.returncode}; stderr: {r.stderr.strip()})")
    for needle in needles:
        check(needle in r.stderr, f"{name}: message names {needle!r} (stderr: {r.stderr.strip()})")
    if out.exists():
        with h5py.File(out, "r") as f:
            complete = [int(g.attrs.get("complete", 0)) for g in f.values()]
        check(not any(complete), f"{name}: no result file marked complete")
    else:
        check(True, f"{name}: no result file written")


def bad_output_paths(b, wd):
    """Output paths that cannot be a file (a folder, a name ending in '/', a path under a file) are
    refused before the run, beside the config's other problems; one HDF5 itself refuses (a
    pseudo-filesystem) as it is created: exit 2, not a crash, and no folder made."""
    a_file = write(wd / "a_file", "not a folder")
    for name, path, needle in (("output_is_a_directory", wd, "is a folder"),
                               ("output_ends_in_a_slash", f"{wd / 'no_such_folder'}/", "is a folder"),
                               ("output_under_a_file", a_file / "out.h5", "which is a file"),
                               ("output_in_sysfs", "/sys/out.h5", "writable path")):
        expect_input_error(b, wd, name, HEADER, ["--output", needle], "-o", path,
                           output_flag=False)
    check(not (wd / "no_such_folder").exists(), "a refused output path leaves no folder")
    # A config that cannot be read (a value out of range) and a folder as --output: both at once.
    expect_input_error(b, wd, "two_problems", HEADER.replace("replications = 4", "replications = 0"),
                       ["two_problems.toml:5", "experiment.replications", "--output: ", "is a folder"],
                       "-o", wd, output_flag=False)
    # A shard's file is named after [output] file, which must then name a file to merge into.
    expect_input_error(b, wd, "shard_of_a_folder", HEADER + f'[output]\nfile = "{wd}"\n',
                       ["shard_of_a_folder.toml:", "output.file", "is a folder"],
                       "--shard", "0/2", output_flag=False)


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    f = lambda name: f"{name}.toml"  # noqa: E731
    expect_input_error(b, wd, "unknown_key", HEADER + "colour = 1\n",
                       [f("unknown_key") + ":6", "experiment.colour", "unknown key"])
    expect_input_error(b, wd, "unknown_param", HEADER + "[parameters]\ndelt = 0.5\n",
                       [f("unknown_param") + ":7", "parameters.delt", "delta"])
    expect_input_error(b, wd, "wrong_type", HEADER + '[parameters]\ndelta = "high"\n',
                       [f("wrong_type") + ":7", "parameters.delta", "expected a real"])
    expect_input_error(b, wd, "out_of_range", HEADER + "[parameters]\ndelta = 1.0\n",
                       [f("out_of_range") + ":7", "parameters.delta", "[0, 1)"])
    expect_input_error(b, wd, "negative_slope", HEADER + "[parameters]\na = -2.0\n",
                       [f("negative_slope") + ":7", "parameters.a"])
    expect_input_error(b, wd, "unknown_model",
                       '[experiment]\nname = "bad"\nmodel = "bagwel"\nseed = 1\n',
                       [f("unknown_model") + ":3", "experiment.model", "bagwell_staiger"])
    expect_input_error(b, wd, "unknown_distribution", HEADER + '[parameters]\ndist = "gamma"\n',
                       [f("unknown_distribution") + ":7", "parameters.dist", "lognormal"])
    expect_input_error(b, wd, "malformed", HEADER + "[parameters\ndelta = 0.5\n",
                       [f("malformed") + ":6", "malformed TOML"])
    expect_input_error(b, wd, "probs_not_summing", HEADER +
                       '[parameters]\ndist = "discrete"\nvalues = [1.0, 2.0]\nprobs = [0.5, 0.4]\n',
                       [f("probs_not_summing") + ":9", "parameters.probs", "sum to 1"])
    # The message points at the parameter to fix, not at `dist`; defaults are called defaults.
    expect_input_error(b, wd, "uniform_reversed", HEADER +
                       '[parameters]\ndist = "uniform"\nlo = 2.0\nhi = 1.0\n',
                       [f("uniform_reversed") + ":9", "parameters.hi", "hi must be > lo"])
    expect_input_error(b, wd, "lo_above_default_hi", HEADER + '[parameters]\ndist = "uniform"\n',
                       ["--set", "parameters.lo", "hi must be > lo"], "--set", "lo=3")
    expect_input_error(b, wd, "default_probs", HEADER + '[parameters]\ndist = "discrete"\n'
                       'values = [1.0, 2.0, 3.0]\n',
                       [f("default_probs") + ":8", "parameters.values", "same length"])
    expect_input_error(b, wd, "truncnormal_underflow", HEADER +
                       '[parameters]\ndist = "truncnormal"\nmu = -60.0\nsigma = 1.0\n',
                       [f("truncnormal_underflow") + ":8", "parameters.mu", "Phi(mu/sigma)"])
    expect_input_error(b, wd, "unwritable_output",
                       HEADER + '[output]\nfile = "/proc/no/such/dir/out.h5"\n',
                       [f("unwritable_output") + ":7", "output.file", "writable"],
                       output_flag=False)
    expect_input_error(b, wd, "unwritable_output_flag", HEADER, ["--output", "writable"], "-o",
                       "/proc/no/such/dir/out.h5", output_flag=False)
    expect_input_error(b, wd, "bad_set", HEADER, ["--set", "parameters.delta"], "--set", "delta=2")
    expect_input_error(b, wd, "bad_threads", HEADER, ["--threads"], "--threads", "0")
    r = run(b, "run", wd / "does_not_exist.toml")
    check(r.returncode == 2 and "does_not_exist.toml" in r.stderr, "missing file: exit 2, named")
    r = run(b, "describe", "nope")
    check(r.returncode == 2 and "unknown model" in r.stderr, "describe unknown model: exit 2")
    r = run(b, "info", write(wd / "not_h5.h5", "plain text"))
    check(r.returncode == 2 and "not an HDF5 file" in r.stderr, "info on a non-HDF5 file: exit 2")

    bad_output_paths(b, wd)
    # Infinity is not a value of (0, inf) or [0, inf): rejected when fixed, a status on a grid.
    expect_input_error(b, wd, "infinite_slope", HEADER, ["--set", "parameters.a", "(0, inf)"],
                       "--set", "a=inf")
    expect_input_error(b, wd, "infinite_cost", HEADER + "[parameters]\nF = inf\n",
                       [f("infinite_cost") + ":7", "parameters.F", "[0, inf)"])
    inf_grid = write(wd / "inf_grid.toml", HEADER + "[parameters]\nperiods = 20\n"
                     "[grid]\na = [1.0, inf]\n")
    r = run(b, "run", inf_grid, "-o", wd / "inf_grid.h5", "--no-progress")
    check(r.returncode == 0, f"a grid with a = inf runs ({r.stderr.strip()[-300:]})")
    with h5py.File(wd / "inf_grid.h5", "r") as h:
        check(list(h["bad/results/status"][()]) == [0, 1], "a = inf on a grid: status 1")

    # A second run to the file a first run is writing is refused; the first run's file survives.
    # Several seconds long, so that the first run is still writing when the second starts.
    slow = write(wd / "slow.toml", HEADER.replace("replications = 4", "replications = 64") +
                 "[parameters]\nperiods = 200000\n"
                 "[grid]\ndelta = { linspace = [0.05, 0.95, 48] }\n")
    shared = wd / "shared.h5"
    first = subprocess.Popen([b, "run", str(slow), "-o", str(shared), "--threads", "1",
                              "--no-progress"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    deadline = time.time() + 30
    while time.time() < deadline and not shared.exists():
        time.sleep(0.02)
    time.sleep(0.2)
    r = run(b, "run", inf_grid, "-o", shared, "--no-progress")
    second_refused = r.returncode == 2 and "open in another process" in r.stderr
    out, err = first.communicate(timeout=600)
    check(first.returncode == 0, f"the first run finishes ({err.strip()[-300:]})")
    check(second_refused, f"a second run to a file being written: exit 2 ({r.returncode}, "
                          f"{r.stderr.strip()[-300:]})")
    with h5py.File(shared, "r") as h:
        check("bad" in h and int(h["bad"].attrs["complete"]) == 1 and
              h["bad/status/done"][()].all(), "the first run's file is whole and complete")

    # A point where the model fails unexpectedly (6aF overflows) gets status -2; the run goes on.
    overflow = write(wd / "overflow.toml", HEADER + "[parameters]\na = 10.0\nperiods = 20\n"
                     "[grid]\nF = [0.0, 1e308]\n")
    r = run(b, "run", overflow, "-o", wd / "overflow.h5", "--no-progress")
    check(r.returncode == 0 and "point 1: the model failed" in r.stderr,
          f"a model failure at one grid point is logged and the run goes on ({r.stderr[-300:]})")
    with h5py.File(wd / "overflow.h5", "r") as h:
        st = h["bad/results/status"]
        check(list(st[()]) == [0, -2] and -2 in list(st.attrs["codes"]) and
              int(h["bad"].attrs["complete"]) == 1, "status -2 at the failed point, documented")

    # A full disk is a runtime failure: exit 1 saying so, not a crash at exit.
    with small_disk() as disk:
        if disk is None:
            print("skipped: full-disk check (cannot mount a tmpfs here)")
        else:
            big = write(wd / "big.toml", FULL_DISK_EXPERIMENT)
            r = run(b, "run", big, "-o", disk / "w.h5", "--no-progress")
            check(r.returncode == 1 and "No space left on device" in r.stderr,
                  f"a full disk: exit 1 and the error ({r.returncode}, {r.stderr[-200:]})")
            with h5py.File(disk / "w.h5", "r") as h:
                check(int(h["big"].attrs["complete"]) == 0, "a file cut short by a full disk is "
                                                            "not complete")

    # Out-of-model points from a grid: NaN + status, the run goes on.
    grid = write(wd / "grid.toml", HEADER + "[parameters]\nperiods = 20\n"
                 "[grid]\ndelta = [0.5, 1.0]\n")
    out = wd / "grid.h5"
    r = run(b, "run", grid, "-o", out, "--no-progress")
    check(r.returncode == 0, f"grid with an out-of-range delta runs (stderr: {r.stderr.strip()})")
    with h5py.File(out, "r") as h:
        g = h["bad"]
        status = g["results/status"][()]
        check(list(status) == [0, 1], f"status codes [0, 1] (got {list(status)})")
        vbar = g["results/Vbar/mean"][()]
        check(np.isfinite(vbar[0]) and np.isnan(vbar[1]), "NaN outputs at the bad point only")
        check(int(g.attrs["complete"]) == 1, "the file is complete")
        check(1 in list(g["results/status"].attrs["codes"]), "status code 1 is documented")


if __name__ == "__main__":
    main()
