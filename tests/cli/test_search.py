"""[search] end to end: bad input exits 2 naming file, line and key; a search's file holds its
outputs as ordinary point-level outputs (info, the Python reader and plot read them) and is bitwise
identical for 1 and 2 threads, for shards merged, and for a noisy search killed and resumed."""
import os
import sys

import h5py

from common import (check, datasets, differing, expect_refused_run, parse_args, run,
                    same_content, workdir, write)

HEADER = '[experiment]\nname = "s"\nmodel = "bagwell_staiger"\nseed = 5\n'
SEARCH = ('[search]\nparameter = "delta"\nbracket = [0.05, 0.95]\n'
          'output = "free_trade_sustainable"\nlevel = 0.5\ntolerance = 1e-6\n')


def bad_inputs(b, wd):
    f = lambda name, line: f"{name}.toml:{line}"  # noqa: E731
    expect_refused_run(b, wd, "unknown_parameter", HEADER + SEARCH.replace('"delta"', '"delt"'),
                       [f("unknown_parameter", 6), "search.parameter", "delta"])
    expect_refused_run(b, wd, "unknown_output", HEADER + SEARCH.replace('"free_trade_sustainable"',
                                                                        '"free_trade"'),
                       [f("unknown_output", 8), "search.output", "free_trade_sustainable"])
    expect_refused_run(b, wd, "series_output", HEADER + SEARCH.replace('"free_trade_sustainable"',
                                                                       '"tariff"'),
                       [f("series_output", 8), "search.output", "is a series"])
    expect_refused_run(b, wd, "bracket_reversed", HEADER + SEARCH.replace("[0.05, 0.95]",
                                                                          "[0.9, 0.1]"),
                       [f("bracket_reversed", 7), "search.bracket", "lo < hi"])
    expect_refused_run(b, wd, "bracket_equal", HEADER + SEARCH.replace("[0.05, 0.95]",
                                                                       "[0.5, 0.5]"),
                       [f("bracket_equal", 7), "search.bracket", "lo < hi"])
    expect_refused_run(b, wd, "bracket_out_of_range", HEADER + SEARCH.replace("0.95]", "1.5]"),
                       [f("bracket_out_of_range", 7), "search.bracket", "[0, 1)"])
    expect_refused_run(b, wd, "on_grid", HEADER + "[grid]\ndelta = [0.2, 0.4]\n" + SEARCH,
                       [f("on_grid", 8), "search.parameter", "[grid] at", "on_grid.toml:6"])
    expect_refused_run(b, wd, "fixed_too", HEADER + "[parameters]\ndelta = 0.2\n" + SEARCH,
                       [f("fixed_too", 8), "search.parameter", "[parameters]"])
    for tol in ("0", "-1e-3"):
        name = "tolerance_" + ("zero" if tol == "0" else "negative")
        expect_refused_run(b, wd, name, HEADER + SEARCH.replace("1e-6", tol),
                           [f(name, 10), "search.tolerance", "positive"])
    expect_refused_run(b, wd, "enum_parameter", HEADER + SEARCH.replace('"delta"', '"dist"'),
                       [f("enum_parameter", 6), "search.parameter", "real or integer"])
    noisy = SEARCH.replace('"free_trade_sustainable"', '"sim_P_protect"')
    expect_refused_run(b, wd, "no_budget", HEADER + noisy, ["search.max_replications", "noisy"])
    for key, value in (("max_replications", "100000"), ("confidence", "0.95")):
        name = f"point_level_{key}"  # a deterministic search would ignore them
        expect_refused_run(b, wd, name, HEADER + SEARCH + f"{key} = {value}\n",
                           [f(name, 11), f"search.{key}", "replication-level outputs only",
                            "'free_trade_sustainable' is a point-level output"])
    expect_refused_run(b, wd, "unknown_key", HEADER + SEARCH + "levels = 2\n",
                       [f("unknown_key", 11), "search.levels", "level"])
    expect_refused_run(b, wd, "missing_level", HEADER + SEARCH.replace("level = 0.5\n", ""),
                       ["[search] level: missing"])
    expect_refused_run(b, wd, "with_replications", HEADER + "replications = 10\n" + SEARCH,
                       [f("with_replications", 5), "experiment.replications"])
    expect_refused_run(b, wd, "with_series", HEADER + SEARCH + '[output]\nseries = ["tariff"]\n',
                       ["output.series", "[search]"])


GOOD = HEADER + """[parameters]
dist = "uniform"
[grid]
lo = [0.0, 0.5]
hi = [1.0, 2.0, 4.0]
""" + SEARCH


def outputs_and_threads(b, wd):
    exp = write(wd / "good.toml", GOOD)
    for threads in (1, 2):
        r = run(b, "run", exp, "-o", wd / f"t{threads}.h5", "--threads", threads, "--no-progress")
        check(r.returncode == 0, f"search runs on {threads} threads ({r.stderr.strip()[-300:]})")
    diff = differing(datasets(wd / "t1.h5"), wd / "t2.h5")
    check(not diff, f"1 and 2 threads: bitwise identical files (differs: {diff[:6]})")
    with h5py.File(wd / "t1.h5", "r") as f:
        names = set(f["s/results"].keys())
        star = f["s/results/delta_star/mean"][()]
        lo, hi = f["s/points/lo"][()], f["s/points/hi"][()]
    want = {f"delta_{n}" for n in ("star", "star_lo", "star_hi", "evaluations", "replications",
                                   "status")}
    check(want <= names, f"the file holds the search's outputs ({sorted(names)})")
    second = (hi**3 - lo**3) / (3 * (hi - lo))
    truth = 4 * hi**2 / (4 * hi**2 + 3 * second)
    check(abs(star - truth).max() <= 1e-6, f"free-trade thresholds of the spec ({star} vs {truth})")
    r = run(b, "info", wd / "t1.h5")
    check(r.returncode == 0 and "delta_star" in r.stdout, "info describes the search's file")
    check("search delta in [0.05, 0.95] where free_trade_sustainable crosses 0.5, to a width of "
          "1e-06: deterministic (TOMS 748)" in r.stdout, f"info shows the search:\n{r.stdout}")
    shows_setup(b, wd / "t1.h5", [("searched parameter", "delta"), ("bracket", "[0.05, 0.95]"),
                                  ("output", "free_trade_sustainable"), ("level", "0.5"),
                                  ("tolerance", "1e-06"), ("search", "deterministic")],
                ["max_replications", "confidence"])
    import tariffsim
    df = tariffsim.open(wd / "t1.h5").results()
    check(df["delta_star"].to_numpy().tobytes() == star.tobytes(),
          "the Python reader reads the thresholds as ordinary outputs")
    r = run(b, "plot", wd / "t1.h5", "-o", wd / "figures")
    check(r.returncode == 0 and (wd / "figures" / "s_delta_star.png").exists(),
          f"plot draws the threshold figure ({r.stderr.strip()[-300:]})")
    for i, shard in enumerate(("0/2", "1/2")):
        r = run(b, "run", exp, "--shard", shard, "-o", wd / f"shard{i}.h5", "--no-progress")
        check(r.returncode == 0, f"shard {shard} runs ({r.stderr.strip()[-300:]})")
    r = run(b, "merge", wd / "merged.h5", wd / "shard0.h5", wd / "shard1.h5")
    check(r.returncode == 0, f"the shards merge ({r.stderr.strip()[-300:]})")
    with h5py.File(wd / "merged.h5", "r") as f:
        merged = f["s/results/delta_star/mean"][()]
    check(merged.tobytes() == star.tobytes(), "merged shards give the single run's thresholds")


def shows_setup(b, path, rows, absent):
    """The report's search table has each (what, value) row and none of the `absent` rows."""
    page = path.with_suffix(".html")
    r = run(b, "report", path, "-o", page)
    check(r.returncode == 0, f"report of {path.name} ({r.stderr.strip()[-300:]})")
    table = page.read_text().split('<table id="search">')[-1].split("</table>")[0]
    for what, value in rows:
        check(f"<tr><th>{what}</th><td>{value}" in table,
              f"the report's search table: {what} = {value} ({table})")
    for what in absent:
        check(f"<th>{what}</th>" not in table, f"the report's search table has no {what}")


# A noisy search slow enough on one thread (a few seconds) to be killed part way.
SLOW_NOISY = HEADER + """[parameters]
periods = 100
[grid]
delta = { linspace = [0.58, 0.70, 48] }
[search]
parameter = "sd"
bracket = [0.001, 0.5]
output = "sim_P_protect"
level = 0.1
tolerance = 0.005
max_replications = 400000
"""


def killed_and_resumed(b, wd):
    exp = write(wd / "slow.toml", SLOW_NOISY)
    ref = wd / "slow_ref.h5"
    r = run(b, "run", exp, "-o", ref, "--no-progress")
    check(r.returncode == 0, f"the noisy search runs ({r.stderr.strip()[-300:]})")
    killed = wd / "slow_killed.h5"
    # SIGKILL from the engine's test hook after the first batch is written: part way whatever
    # the machine's speed.
    r = run(b, "run", exp, "-o", killed, "--threads", "1", "--no-progress",
            env=dict(os.environ, TARIFFSIM_TEST_SIGNAL_AT="batch-done:0"))
    with h5py.File(killed, "r") as f:
        done = int(f["s/status/done"][()].sum())
    check(r.returncode != 0 and 0 < done < 48,
          f"the search was killed part way ({done} of 48 points done, exit {r.returncode})")
    r = run(b, "run", exp, "-o", killed, "--resume", "--no-progress")
    check(r.returncode == 0, f"--resume continues it ({r.stderr.strip()[-300:]})")
    same_content(ref, killed, "killed and resumed noisy search")
    r = run(b, "info", ref)
    check("search sd in [0.001, 0.5] where sim_P_protect crosses 0.1, to a width of 0.005: noisy "
          "(per replication), 0.95 interval (default), at most 400000 replications per point"
          in r.stdout, f"info shows the noisy search:\n{r.stdout}")
    shows_setup(b, ref, [("searched parameter", "sd"), ("output", "sim_P_protect"),
                         ("search", "noisy"), ("max_replications", "400000"),
                         ("confidence", "0.95 (default)")], [])


def delta_star_figures(b, src, wd):
    """bs_delta_star(_discrete): the figure shows delta* against the CV of V_f (not lo or the
    atoms): x the CV of each point's distribution in closed form, y the file's delta*, which is
    the spec's delta_FT = 4 s^2 / (4 s^2 + 3 E[Vf^2]) to the tolerance."""
    import numpy as np
    import tariffsim
    from tariffsim import figures
    for name in ("bs_delta_star", "bs_delta_star_discrete"):
        path = wd / f"{name}.h5"
        r = run(b, "run", f"{src}/experiments/{name}.toml", "-o", path, "--no-progress", "-q")
        check(r.returncode == 0, f"{name} runs ({r.stderr.strip()[-300:]})")
        with h5py.File(path, "r") as f:
            star = f[f"{name}/results/delta_star/mean"][()]
            if name == "bs_delta_star":  # uniform on [lo, 1]
                lo = f[f"{name}/points/lo"][()]
                cv = (1 - lo) / (np.sqrt(3) * (1 + lo))
                s, second = 1.0, (1 - lo**3) / (3 * (1 - lo))
            else:  # two atoms 1 - c, 1 + c with probability 1/2: CV = c
                c = np.array([float(v.decode().rstrip("\x00").strip("[]").split(",")[1]) - 1
                              for v in f[f"{name}/points/values"][()]])
                cv, s, second = c, 1 + c, 1 + c**2
        check(np.abs(star - 4 * s**2 / (4 * s**2 + 3 * second)).max() <= 1e-9,
              f"{name}: delta* is the spec's delta_FT to 1e-9")
        with tariffsim.open(path) as rf:
            drawn = figures.draw(rf)
        check([stem for stem, _ in drawn] == [f"{name}_delta_star_cv"], f"{name}: one figure")
        ax = drawn[0][1].axes[0]
        lines = [ln for ln in ax.get_lines() if ln.get_gid() is not None]
        order = np.argsort(cv)
        check(len(lines) == 1 and "coefficient of variation" in ax.get_xlabel() and
              np.allclose(lines[0].get_xdata(), cv[order], rtol=1e-12, atol=0) and
              np.array_equal(lines[0].get_ydata(), star[order]),
              f"{name}: the figure is delta* against the CV of V_f")
        r = run(b, "plot", path, "-o", wd / "figures")
        check(r.returncode == 0 and (wd / "figures" / f"{name}_delta_star_cv.png").exists(),
              f"plot {name} writes the figure ({r.stderr.strip()[-300:]})")


EXPERIMENTS = ("bs_delta_star", "bs_delta_star_discrete", "bs_sd_star", "bs_sd_star_sim",
               "bc_power_sectors")


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    for name in EXPERIMENTS:
        r = run(b, "validate", f"{args.source}/experiments/{name}.toml")
        check(r.returncode == 0 and "  search " in r.stdout,
              f"experiments/{name}.toml is valid, and validate says what it searches "
              f"({r.stderr.strip()[-300:]})")
        # Its outputs are point-level, but a noisy search replicates its model at every point.
        check("no replications run" not in r.stdout,
              f"experiments/{name}.toml: not said to run no replications ({r.stdout.strip()})")
    bad_inputs(b, wd)
    outputs_and_threads(b, wd)
    delta_star_figures(b, args.source, wd)
    killed_and_resumed(b, wd)


if __name__ == "__main__":
    sys.exit(main())
