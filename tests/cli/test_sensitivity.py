"""[sensitivity] end to end (FORMAT.md, sensitivity/): the Ishigami function's closed-form Sobol
indices inside the file's intervals (from 8 replicates; and the row bootstrap's with one); the
indices bitwise the same for 1 and 2 threads, 2 shards merged, and a run killed then resumed;
shards never hold indices; a file whose design has another number of replicates is not resumed;
Bagwell-Staiger's P_protect has index 0 in a (spec invariance); `info` and the Python reader show
them; bad sections exit 2 naming file, line and key; the report shows the indices."""
import math
import os
import signal
import subprocess

import h5py
import numpy as np

from common import (check, expect_refused_run, parse_args, run, same_content, workdir,
                    write)

PI = repr(math.pi)
ISHIGAMI = f"""[experiment]
name = "ish"
model = "ishigami"
seed = 11
replications = 4
common_random_numbers = true
[sensitivity]
method = "sobol"
n = 512
ranges = {{ x1 = [-{PI}, {PI}], x2 = [-{PI}, {PI}], x3 = [-{PI}, {PI}] }}
replicates = 8
confidence = 0.99
"""
COLUMNS = ("first", "first_lo", "first_hi", "total", "total_lo", "total_hi")


def ishigami_indices(a=7.0, b=0.1):
    """The closed form (Sobol' and Levitan 1999): first and total indices of x1, x2, x3."""
    v1 = (1 + b * math.pi ** 4 / 5) ** 2 / 2
    v2 = a ** 2 / 8
    v13 = b ** 2 * math.pi ** 8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    return [v1 / v, v2 / v, 0.0], [(v1 + v13) / v, v2 / v, v13 / v]


def run_ok(b, *args, env=None):
    r = subprocess.run([b, *map(str, args)], capture_output=True, text=True,
                       env=dict(os.environ, **(env or {})))
    check(r.returncode == 0, f"{' '.join(map(str, args[:1]))} succeeds ({r.stderr.strip()[-300:]})")
    return r


def indices(path, experiment, output):
    with h5py.File(path, "r") as f:
        g = f[f"{experiment}/sensitivity"]
        return [x.decode() for x in g["inputs"][()]], {c: g[f"{output}/{c}"][()] for c in COLUMNS}


def analytic_inside(path):
    inputs, est = indices(path, "ish", "f")
    check(inputs == ["x1", "x2", "x3"], f"sensitivity/inputs names the inputs in order ({inputs})")
    first, total = ishigami_indices()
    for i, name in enumerate(inputs):
        check(est["first_lo"][i] <= first[i] <= est["first_hi"][i],
              f"S_{name} = {first[i]:.4f} inside [{est['first_lo'][i]:.4f}, {est['first_hi'][i]:.4f}]")
        check(est["total_lo"][i] <= total[i] <= est["total_hi"][i],
              f"ST_{name} = {total[i]:.4f} inside [{est['total_lo'][i]:.4f}, {est['total_hi'][i]:.4f}]")
    _, noisy = indices(path, "ish", "y")
    check(all(np.isfinite(noisy[c]).all() for c in COLUMNS), "y (point means) has finite indices")
    with h5py.File(path, "r") as f:
        g = f["ish/sensitivity"]
        check((int(g.attrs["replicates"]), g.attrs["interval"], int(g.attrs["bootstrap"])) ==
              (8, "student_t_over_replicates", 0),
              "sensitivity/ says its intervals come from 8 replicates (Student t), no bootstrap")
        check(int(g["f"].attrs["rows"]) == 512, "f's indices rest on all 512 rows")


def design_layout(single):
    """Point j (k + 2) + c is row j of A (c = 0), B (c = 1) or A_B^(i) (c = 2 + i)."""
    with h5py.File(single, "r") as f:
        x = np.stack([f[f"ish/points/x{i + 1}"][()] for i in range(3)], axis=1).reshape(-1, 5, 3)
    a, b_rows = x[:, 0, :], x[:, 1, :]
    for i in range(3):
        expected = a.copy()
        expected[:, i] = b_rows[:, i]
        check(np.array_equal(x[:, 2 + i, :], expected), f"A_B^({i + 1}) is A with column {i + 1} of B")
    check(len(np.unique(a[:, 0])) == len(a) and np.all(np.abs(x) <= math.pi),
          "the rows of A are distinct points inside the ranges")


def invariances(b, wd, exp, single):
    two = wd / "t2.h5"
    run_ok(b, "run", exp, "-o", two, "--threads", 2, "--no-progress")
    same_content(single, two, "2 threads")
    shards = [wd / f"s{i}.h5" for i in range(2)]
    for i, out in enumerate(shards):
        run_ok(b, "run", exp, "-o", out, "--shard", f"{i}/2", "--no-progress")
        _, est = indices(out, "ish", "f")
        check(np.isnan(est["first"]).all(), f"shard {i}/2 holds no indices (NaN until merged)")
    merged = wd / "merged.h5"
    run_ok(b, "merge", merged, *shards)
    same_content(single, merged, "2 shards merged: the indices computed by merge")
    for moment in ("batch-done:0", "before-complete"):
        out = wd / f"killed_{moment.split(':')[0]}.h5"
        r = subprocess.run([b, "run", str(exp), "-o", str(out), "--threads", "1", "--no-progress"],
                           capture_output=True, text=True,
                           env=dict(os.environ, TARIFFSIM_TEST_SIGNAL_AT=moment))
        check(r.returncode == -signal.SIGKILL, f"killed at {moment}")
        with h5py.File(out, "r") as f:
            check(int(f["ish"].attrs["complete"]) == 0, f"killed at {moment}: not complete")
        run_ok(b, "run", exp, "-o", out, "--resume", "--no-progress")
        same_content(single, out, f"killed at {moment}, resumed")


def readers(b, single):
    r = run_ok(b, "info", single)
    check("sensitivity" in r.stdout and "x3" in r.stdout, f"info shows the indices:\n{r.stdout}")
    page = single.with_suffix(".html")
    run_ok(b, "report", single, "-o", page)
    check("Sobol indices with 99% intervals from 8 independent replicates" in page.read_text(),
          "the report shows the indices and where their intervals come from")
    import tariffsim
    with tariffsim.open(single) as f:
        df = f.sensitivity()
    _, est = indices(single, "ish", "f")
    check(list(df.columns) == ["output", "input", *COLUMNS] and len(df) == 6,
          "Python .sensitivity(): one row per output and input")
    rows = df[df.output == "f"]
    check(all(np.array_equal(rows[c].to_numpy(), est[c]) for c in COLUMNS),
          "Python .sensitivity() holds the file's values")


def spec_invariance(b, wd):
    exp = write(wd / "bs.toml", """[experiment]
name = "bs"
model = "bagwell_staiger"
seed = 3
replications = 8
common_random_numbers = true
[parameters]
periods = 40
[sensitivity]
method = "sobol"
n = 64
ranges = { delta = [0.3, 0.9], mean = [0.5, 2.0], sd = [0.1, 0.6], a = [0.5, 2.0] }
outputs = ["P_protect", "sim_P_protect", "E_tau"]
bootstrap = 200
""")
    out = wd / "bs.h5"
    run_ok(b, "run", exp, "-o", out, "--no-progress")
    with h5py.File(out, "r") as f:
        g = f["bs/sensitivity"]
        check((int(g.attrs["replicates"]), g.attrs["interval"], int(g.attrs["bootstrap"])) ==
              (1, "percentile_bootstrap_over_rows", 200),
              "bootstrap given, replicates left out: one replicate and the row bootstrap")
    for output in ("P_protect", "sim_P_protect"):
        inputs, est = indices(out, "bs", output)
        a = inputs.index("a")
        check(all(est[c][a] == 0.0 for c in COLUMNS), f"{output}: every index of a is exactly 0")
        check(est["total"][inputs.index("delta")] > 0.05, f"{output}: delta matters")
    inputs, est = indices(out, "bs", "E_tau")
    check(est["total"][inputs.index("a")] > 0.01, "E_tau (which scales as 1/a): a matters")


def other_replicates_refused(b, wd, exp):
    """A file whose design has another number of replicates (a format 2.2 file has none: one) is
    another design: --resume refuses it, though the config text is the same."""
    out = wd / "other_replicates.h5"
    r = subprocess.run([b, "run", str(exp), "-o", str(out), "--threads", "1", "--no-progress"],
                       capture_output=True, text=True,
                       env=dict(os.environ, TARIFFSIM_TEST_SIGNAL_AT="batch-done:0"))
    check(r.returncode == -signal.SIGKILL, "killed after the first batch")
    with h5py.File(out, "r+") as f:
        del f["ish/sensitivity"].attrs["replicates"]
    r = run(b, "run", exp, "-o", out, "--resume", "--no-progress")
    check(r.returncode == 2 and "replicate" in r.stderr and "8" in r.stderr,
          f"--resume of a design with 1 replicate under 8 exits 2 naming them:\n{r.stderr}")


def bad_sections(b, wd):
    head = '[experiment]\nname = "bad"\nmodel = "ishigami"\nseed = 1\n[sensitivity]\n'
    ok_ranges = "ranges = { x1 = [0.0, 1.0], x2 = [0.0, 1.0] }\n"
    cases = {
        "method": ('method = "morris"\nn = 8\n' + ok_ranges, [":6", "sensitivity.method", "sobol"]),
        "n_not_power": ('method = "sobol"\nn = 12\n' + ok_ranges,
                        [":7", "sensitivity.n", "power of two"]),
        "n_one": ('method = "sobol"\nn = 1\n' + ok_ranges, [":7", "sensitivity.n", "[2, 2^26]"]),
        "n_too_large": ('method = "sobol"\nn = 1099511627776\n' + ok_ranges,
                        [":7", "sensitivity.n", "[2, 2^26]"]),
        "unknown_input": ('method = "sobol"\nn = 8\nranges = { x9 = [0.0, 1.0] }\n',
                          [":8", "sensitivity.ranges.x9", "unknown parameter"]),
        "lo_not_below_hi": ('method = "sobol"\nn = 8\nranges = { x1 = [1.0, 1.0] }\n',
                            [":8", "sensitivity.ranges.x1", "lo < hi"]),
        "unknown_output": ('method = "sobol"\nn = 8\n' + ok_ranges + 'outputs = ["g"]\n',
                           [":9", "sensitivity.outputs[0]", "scalar output"]),
        "duplicate_output": ('method = "sobol"\nn = 8\n' + ok_ranges + 'outputs = ["f", "f"]\n',
                             [":9", "sensitivity.outputs[1]", "each output named once"]),
        "bootstrap": ('method = "sobol"\nn = 8\nreplicates = 1\n' + ok_ranges + "bootstrap = 0\n",
                      [":10", "sensitivity.bootstrap", "[1, 1000000]"]),
        "bootstrap_with_replicates": ('method = "sobol"\nn = 8\nreplicates = 4\n' + ok_ranges +
                                      "bootstrap = 50\n",
                                      [":10", "sensitivity.bootstrap", "replicates = 4",
                                       "row bootstrap"]),
        "outputs_empty": ('method = "sobol"\nn = 8\n' + ok_ranges + "outputs = []\n",
                          [":9", "sensitivity.outputs", "non-empty", "leave outputs out"]),
        "replicates_not_power": ('method = "sobol"\nn = 8\n' + ok_ranges + "replicates = 3\n",
                                 [":9", "sensitivity.replicates", "power of two in [1, 4]"]),
        "replicates_too_many": ('method = "sobol"\nn = 8\n' + ok_ranges + "replicates = 8\n",
                                [":9", "sensitivity.replicates", "got 8"]),
        "confidence": ('method = "sobol"\nn = 8\n' + ok_ranges + "confidence = 1.5\n",
                       [":9", "sensitivity.confidence", "(0, 1)"]),
        "missing_n": ('method = "sobol"\n' + ok_ranges, ["sensitivity", "n", "power of two"]),
        "on_grid_too": ('method = "sobol"\nn = 8\n' + ok_ranges + "[grid]\nx1 = [0.0, 0.5]\n",
                        ["sensitivity.ranges.x1", "also in [grid]",
                         "expected no [grid] with [sensitivity]"]),
        "with_sample": ('method = "sobol"\nn = 8\n' + ok_ranges +
                        '[sample]\nmethod = "lhs"\nn = 4\nranges = { a = [1.0, 2.0] }\n',
                        ["expected no [sample] with [sensitivity]"]),
    }
    for name, (body, needles) in cases.items():
        expect_refused_run(b, wd, name, head + body, [f"{name}.toml" + needles[0]] + needles[1:]
                           if needles[0].startswith(":") else needles)
    series = ('[experiment]\nname = "bad"\nmodel = "bagwell_staiger"\nseed = 1\n[sensitivity]\n'
              'method = "sobol"\nn = 8\nranges = { delta = [0.1, 0.9] }\noutputs = ["tariff"]\n')
    expect_refused_run(b, wd, "series_output", series,
                       ["series_output.toml:9", "sensitivity.outputs[0]", "a series"])
    outside = ('[experiment]\nname = "bad"\nmodel = "bagwell_staiger"\nseed = 1\n[sensitivity]\n'
               'method = "sobol"\nn = 8\nranges = { delta = [0.3, 1.5] }\n')
    expect_refused_run(b, wd, "range_outside", outside,
                       ["range_outside.toml:8", "sensitivity.ranges.delta", "both ends in",
                        "the range of 'delta'", "[0.3, 1.5]"])


def noise_warning(b, wd):
    """A simulated output analysed without common random numbers: the run says what that costs."""
    exp = write(wd / "nocrn.toml", '[experiment]\nname = "ish"\nmodel = "ishigami"\nseed = 1\n'
                'replications = 2\n[sensitivity]\nmethod = "sobol"\nn = 8\n'
                'ranges = { x1 = [-3.0, 3.0], x2 = [-3.0, 3.0] }\n')
    r = run_ok(b, "run", exp, "-o", wd / "nocrn.h5", "--no-progress")
    check("y simulated without common_random_numbers" in r.stderr and
          "f simulated" not in r.stderr,
          f"the run warns of y's independent noise (f is a closed form):\n{r.stderr}")


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    exp = write(wd / "ish.toml", ISHIGAMI)
    single = wd / "t1.h5"
    run_ok(b, "run", exp, "-o", single, "--threads", 1, "--no-progress")
    analytic_inside(single)
    design_layout(single)
    readers(b, single)
    invariances(b, wd, exp, single)
    other_replicates_refused(b, wd, exp)
    spec_invariance(b, wd)
    noise_warning(b, wd)
    bad_sections(b, wd)
    for name in ("ishigami_sobol", "bs_sobol", "deremer_sobol"):
        r = run(b, "validate", f"{args.source}/experiments/{name}.toml")
        check(r.returncode == 0, f"experiments/{name}.toml is valid ({r.stderr.strip()[-200:]})")


if __name__ == "__main__":
    main()
