"""Bad input -> exit code 2, a message naming file, line and key, and no file that claims to be
complete. Points outside the model on a grid -> NaN and a status code, and the run goes on."""
import h5py
import numpy as np

from common import check, parse_args, run, workdir, write

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
                       [f("probs_not_summing") + ":", "parameters."])
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
