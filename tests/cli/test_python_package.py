"""The Python package tools/python/tariffsim (issue 11, item 1) on files the engine wrote: points,
results, quantiles, series and per-replication values equal to what h5py reads; units,
descriptions and enum categories equal to what the model declares (`tariffsim describe`);
statistics discovered per metric; the format version in both encodings, a newer major refused;
the finished points of a file still being written; errors that list what exists; and the package
installed offline into a venv with pip.

Shared with tests/cli/test_r_package.py: the experiments and the engine-made files."""
import os
import re
import shutil
import signal
import subprocess
import sys

import h5py
import numpy as np

from common import check, parse_args, run, wait_until_done, workdir, write

# Every kind of parameter but bool (enum over all its choices, lists, an integer), point- and
# replication-level metrics, quantiles, series and per-replication values.
BS_EXPERIMENT = """
[experiment]
name = "pkg"
model = "bagwell_staiger"
seed = 7
replications = 12
[parameters]
periods = 15
values = [0.4, 1.6]
[grid]
delta = [0.5, 0.9]
dist = ["degenerate", "discrete", "uniform", "lognormal", "truncnormal"]
[output]
replications = true
series = ["tariff", "volume"]
quantiles = [0.1, 0.5, 0.9]
"""

# Bool parameters, no quantiles, no series.
DR_EXPERIMENT = """
[experiment]
name = "dr"
model = "deremer"
seed = 1
replications = 1
[parameters]
n_curve = 5
n_path = 5
[grid]
symmetric = [true, false]
reciprocity = ["tot", "volume"]
"""

# Run on one thread with the engine's test hook, it stops itself after its second batch (of 3
# points each) and waits, its file open for writing: a running file at a fixed moment.
RUNNING_EXPERIMENT = """
[experiment]
name = "run"
model = "bagwell_staiger"
seed = 3
replications = 8
[parameters]
periods = 10
[grid]
delta = { linspace = [0.1, 0.9, 24] }
[output]
series = ["tariff"]
quantiles = [0.5]
"""
RUNNING_DONE = 6

# The statistics of format 1 and 2, in the order the packages list them.
STATS = ("mean", "sd", "se", "n", "min", "max", "q")
HOOK = {"TARIFFSIM_TEST_SIGNAL_AT": f"batch-done:1 {int(signal.SIGTERM)} wait"}


def engine_files(b, wd):
    """The complete files of BS_EXPERIMENT and DR_EXPERIMENT."""
    files = {}
    for name, text in (("bs", BS_EXPERIMENT), ("dr", DR_EXPERIMENT)):
        exp = write(wd / f"{name}.toml", text)
        r = run(b, "run", exp, "-o", wd / f"{name}.h5", "--no-progress")
        check(r.returncode == 0, f"the engine writes {name}.h5 ({r.stderr.strip()[-300:]})")
        files[name] = wd / f"{name}.h5"
    return files


def start_running(b, wd):
    """(process, file): a run paused with RUNNING_DONE points done, holding its file open."""
    exp = write(wd / "running.toml", RUNNING_EXPERIMENT)
    out = wd / "running.h5"
    proc = subprocess.Popen([b, "run", str(exp), "-o", str(out), "--threads", "1",
                             "--no-progress"], env=dict(os.environ, **HOOK),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    done = wait_until_done(proc, b, out, RUNNING_DONE, timeout=120)
    check(done == RUNNING_DONE and proc.poll() is None,
          f"the run waits with {RUNNING_DONE} points done, still running ({done})")
    return proc, out


def stop(proc):
    """Ends a run paused by the hook: its second signal stops it at once."""
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def describe_tables(text):
    """{section: [row as {column: cell}]} of `tariffsim describe`: each table is cut at the
    columns its header line starts (a bool parameter's `valid` cell is blank)."""
    tables, section, columns = {}, None, None
    for line in text.splitlines():
        if line and not line.startswith(" "):
            section, columns = line.split(" ")[0].rstrip(":"), None
            tables[section] = []
        elif section and columns is None and line.strip().startswith("name"):
            columns = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
        elif section and columns and line.strip():
            ends = [start for _, start in columns[1:]] + [len(line)]
            tables[section].append({name: line[start:end].strip()
                                    for (name, start), end in zip(columns, ends)})
    return tables


def declared(b, model):
    """What `tariffsim describe MODEL` declares: {"parameters": {name: (type, unit, choices,
    description)}, "outputs": {name: (level, unit)}, "series": {name: unit}}, unit '' for
    '[-]' (none)."""
    tables = describe_tables(run(b, "describe", model).stdout)

    def unit(cell):
        return "" if cell == "[-]" else cell[1:-1]
    return {"parameters": {r["name"]: (r["type"], unit(r["unit"]),
                                       r["valid"].split("|") if r["type"] == "enum" else None,
                                       r["description"]) for r in tables["parameters"]},
            "outputs": {r["name"]: (r["level"], unit(r["unit"])) for r in tables["outputs"]},
            "series": {r["name"]: unit(r["unit"]) for r in tables.get("series", [])}}


def no_unit(major):
    """The unit a file gives a quantity declared without one: none in format 1, '1' after."""
    return "" if major < 2 else "1"


def same(a, b):
    """Equal to the bit, NaN equal to NaN."""
    a, b = np.asarray(a), np.asarray(b)
    return a.shape == b.shape and np.array_equal(a, b, equal_nan=a.dtype.kind == "f")


def texts(ds):
    return [x.decode().rstrip("\x00") if isinstance(x, bytes) else x for x in ds[()]]


def check_points(ts, files, b):
    decl = declared(b, "bagwell_staiger")["parameters"]
    with ts.open(files["bs"]) as f, h5py.File(files["bs"], "r") as h:
        g = h["pkg"]
        df = f.points()
        major = f.format_version[0]
        check(list(df.columns) == ["point"] + [k for k in g["points"] if k != "index"],
              "points(): column point, then every parameter")
        check(same(df["point"], g["points/index"][()]), "points(): point = points/index")
        for name, (typ, unit, choices, desc) in decl.items():
            col = df[name]
            check(df.attrs["units"][name] == (unit or no_unit(major)),
                  f"points(): unit of {name} = the declared {unit!r}")
            check(df.attrs["descriptions"][name] == desc == g["points"][name].attrs["description"],
                  f"points(): description of {name} as declared")
            if typ == "real":
                check(col.dtype == np.float64 and same(col, g["points"][name][()]),
                      f"points(): {name} float64, as stored")
            elif typ == "integer":
                check(col.dtype == np.int64 and same(col, g["points"][name][()]),
                      f"points(): {name} int64, as stored")
            elif typ == "enum":
                check(str(col.dtype) == "category" and set(col.cat.categories) == set(choices),
                      f"points(): {name} categorical, categories = the declared choices {choices}")
                check(list(col.astype(str)) == texts(g["points"][name]),
                      f"points(): {name} values as stored")
            elif typ == "list of reals":
                stored = [[float(x) for x in t.strip("[]").split(",")]
                          for t in texts(g["points"][name])]
                check(all(isinstance(v, list) for v in col) and list(col) == stored,
                      f"points(): {name} as lists of floats, as stored")
        check(list(df["values"]) == [[0.4, 1.6]] * len(df), "points(): a list as configured")
    with ts.open(files["dr"]) as f, h5py.File(files["dr"], "r") as h:
        df = f.points()
        check(df["symmetric"].dtype == bool and
              same(df["symmetric"], h["dr/points/symmetric"][()] == 1), "points(): bools as bool")
        ddecl = declared(b, "deremer")["parameters"]
        check(set(df["reciprocity"].cat.categories) == set(ddecl["reciprocity"][2]),
              "points(): enum categories = the declared choices (deremer)")


def check_results(ts, files, b):
    decl = declared(b, "bagwell_staiger")["outputs"]
    with ts.open(files["bs"]) as f, h5py.File(files["bs"], "r") as h:
        g = h["pkg/results"]
        check(sorted(f.metrics) == sorted(decl), "metrics: every declared output")
        df = f.results(stat=["mean", "se", "n"])
        for m, (level, unit) in decl.items():
            stats = [s for s in ("se", "n") if s in g[m]]  # format 2: a point output's value only
            check(f.statistics(m) == [s for s in STATS if s in g[m]],
                  f"statistics({m}): those stored ({f.statistics(m)})")
            check(same(df[m], g[m]["mean"][()]) and
                  all(same(df[f"{m}_{s}"], g[m][s][()]) for s in stats) and
                  all(f"{m}_{s}" not in df for s in ("se", "n") if s not in stats),
                  f"results(): {m} mean, {stats} as stored")
            check(df.attrs["units"][m] == (unit or no_unit(f.format_version[0])) and
                  ("se" not in stats or df.attrs["units"][f"{m}_se"] == df.attrs["units"][m]),
                  f"results(): unit of {m} as declared")
            check(df.attrs["descriptions"][m] == g[m].attrs["description"],
                  f"results(): description of {m}")
        check(same(df["status"], g["status"][()]) and df.attrs["status_codes"][0] == "ok",
              "results(): status and its codes")
        design = list(f.points().columns)
        check(list(df.columns[:len(design)]) == design, "results(): point and parameters first")
        check(list(f.results(parameters=False).columns) == ["point", *f.metrics, "status"],
              "results(parameters=False): point, the metrics, status")


def check_quantiles(ts, files):
    with ts.open(files["bs"]) as f, h5py.File(files["bs"], "r") as h:
        g = h["pkg"]
        kept = [m for m in f.metrics if "q" in g["results"][m]]
        check(kept, "some metrics keep quantiles")
        for m in set(f.metrics) - set(kept):
            expect_not_found(ts, lambda: f.quantiles(m), "metric with stored quantiles")
        for m in kept:
            stored = g["results"][m]["q"]
            q = f.quantiles(m)
            check(list(q.columns) == ["point", "q0.1", "q0.5", "q0.9"] and
                  list(q.attrs["probs"].values()) == list(stored.attrs["probs"]),
                  f"quantiles({m}): one column per stored probability")
            check(same(q[["q0.1", "q0.5", "q0.9"]].to_numpy(), stored[()]),
                  f"quantiles({m}): as stored")
            long = f.quantiles(m, long=True)
            check(same(long["value"], stored[()].reshape(-1)) and
                  list(long["prob"][:3]) == [0.1, 0.5, 0.9], f"quantiles({m}, long=True)")
        # The stored quantiles are those of the stored replications (NumPy's default method).
        reps = g["replications/sim_E_tau"][()]
        check(np.allclose(f.quantiles("sim_E_tau")[["q0.1", "q0.5", "q0.9"]].to_numpy(),
                          np.quantile(reps, [0.1, 0.5, 0.9], axis=1).T, rtol=1e-12, atol=0),
              "quantiles: rows and columns line up with the replications")
    with ts.open(files["dr"]) as f:
        expect_not_found(ts, lambda: f.quantiles("G_N"), "metric with stored quantiles",
                         "keep them with [output] quantiles")


def check_series(ts, files, b):
    with ts.open(files["bs"]) as f, h5py.File(files["bs"], "r") as h:
        g = h["pkg"]
        ran = g["status/replications"][()]
        stored = g["series/tariff"]
        s = f.series("tariff")
        check(s.dims == ("point", "replication", "period") and s.shape == stored.shape,
              f"series: named axes and shape ({s.dims}, {s.shape})")
        check(s.unit == declared(b, "bagwell_staiger")["series"]["tariff"] == "price",
              "series: the declared unit")
        check(same(s[2, 3:5, ::2], stored[2, 3:5, ::2]), "series: a slice reads as stored")
        check(same(s.sel(point=[4, 1], period=3), stored[()][[4, 1], :, 3]),
              "series: sel() by axis name, points in the order asked")
        check(same(s[...], stored[()]), "series: [...] reads it whole")
        x = s.to_xarray()
        check(x.dims == s.dims and same(x.values, stored[()]) and
              same(x["point"], g["points/index"][()]) and x.attrs["units"] == "price",
              "to_xarray(): named axes, point coordinates, unit, values as stored")
        frame = s.to_frame()
        check(len(frame) == int(ran.sum()) * stored.shape[2] and
              same(frame["value"], stored[()][frame["point"], frame["replication"],
                                              frame["period"]]),
              "to_frame(): one row per value of the replications run")
        reps = f.replications("sim_E_tau")
        check(reps.dims == ("point", "replication") and
              same(reps[...], g["replications/sim_E_tau"][()]), "replications(): as stored")
        check(np.allclose(np.mean(reps[...], axis=1), g["results/sim_E_tau/mean"][()],
                          rtol=1e-12, atol=0), "replications(): their means are the results")


def expect_not_found(ts, call, *fragments):
    try:
        call()
    except ts.NotFoundError as e:
        check(all(x in str(e) for x in fragments), f"NotFoundError says {fragments}: {e}")
        return
    check(False, f"NotFoundError expected ({fragments})")


def expect_format_error(ts, path, *fragments, **kw):
    try:
        ts.open(path, **kw).close()
    except ts.FormatError as e:
        check(all(x in str(e) for x in fragments), f"FormatError says {fragments}: {e}")
        return
    check(False, f"{path} is refused ({fragments})")


def check_errors_and_info(ts, files):
    with ts.open(files["bs"]) as f:
        expect_not_found(ts, lambda: f.series("tarif"), "'tariff', 'volume'",
                         "did you mean 'tariff'")
        expect_not_found(ts, lambda: f.results(metrics=["Vbr"]), "'Vbar'", "did you mean 'Vbar'")
        expect_not_found(ts, lambda: f.results(stat="median"), "'mean', 'sd', 'se'")
        expect_not_found(ts, lambda: f.replications("sim_E_ta"), "did you mean 'sim_E_tau'")
        expect_not_found(ts, lambda: f.unit("delt"), "did you mean 'delta'")
        check(f.unit("delta") == "1" and f.unit("sim_E_tau") == "price",
              "unit(): of a parameter and a metric")
        cols = f.columns()
        check(set(cols["name"]) == set(f.parameters + f.metrics + f.series_names) and
              cols.set_index("name").loc["Vbar", "unit"] == "volume",
              "columns(): every parameter, metric and series with its unit")
        info = f.info()
        check("bagwell_staiger" in info and "10 of 10 done" in info and
              all(m in info for m in f.metrics) and "series tariff [price]: 10 x 12 x 15" in info,
              "info(): model, points done, metrics, series")
    check(ts.column_info(ts.open(files["bs"]).results()).loc["E_tau", "unit"] == "price",
          "column_info(): units of a frame")
    # A missing file is unreadable, so a FormatError (the README's promise), and still the
    # FileNotFoundError that `except FileNotFoundError` expects.
    missing = os.path.join(os.path.dirname(str(files["bs"])), "no_such_file.h5")
    expect_format_error(ts, missing, "no such file")
    try:
        ts.open(missing)
    except FileNotFoundError as e:
        check(isinstance(e, ts.FormatError), "a missing file's error is both FileNotFoundError "
              "and FormatError")


def check_stats_discovered(ts, files, wd):
    """A file keeping only the value of a point-level output and some outputs (format 2's
    layout): what exists is read per metric."""
    path = wd / "subset.h5"
    shutil.copy(files["bs"], path)
    keep_value_only(path)
    with h5py.File(path, "r+") as h:
        del h["pkg/results/omega"]
        if "omega" in h["pkg/replications"]:
            del h["pkg/replications/omega"]
    with ts.open(path) as f, h5py.File(path, "r") as h:
        check(f.statistics("Vbar") == ["mean"] and "omega" not in f.metrics,
              "statistics found per metric; metrics as kept")
        check(same(f.results()["Vbar"], h["pkg/results/Vbar/mean"][()]),
              "results(): a point-level output's value")
        se = f.results(stat="se")
        check("Vbar_se" not in se.columns and "sim_E_tau_se" in se.columns,
              "results(stat='se'): metrics without se are left out")
        expect_not_found(ts, lambda: f.results(stat="se", metrics=["Vbar"]),
                         "no statistic of Vbar 'se'", "'mean'")


def keep_value_only(path):
    """Keeps only the value of the point-level output Vbar, as format 2 does."""
    with h5py.File(path, "r+") as h:
        for stat in ("sd", "se", "n", "min", "max", "q"):
            if stat in h["pkg/results/Vbar"]:
                del h["pkg/results/Vbar"][stat]


def without_value(src, dst):
    """A damaged copy: an output group without its value (every format keeps `mean`)."""
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as h:
        del h["pkg/results/Vbar/mean"]
    return dst


def file_major(path):
    """The format major a file says it is (for the units expected of it)."""
    with h5py.File(path, "r") as h:
        return int(np.asarray(h.attrs["format_version"]).reshape(-1)[0])


def with_version(src, dst, value):
    shutil.copy(src, dst)
    with h5py.File(dst, "r+") as h:
        h.attrs["format_version"] = value
    return dst


def check_versions(ts, files, wd):
    major = ts.SUPPORTED_MAJOR
    pair = with_version(files["bs"], wd / "pair.h5", np.array([major, 3], dtype=np.int64))
    with ts.open(pair) as f, ts.open(files["bs"]) as g:
        check(f.format_version == (major, 3) and f.results().equals(g.results()),
              f"format_version [{major}, 3] reads as the file does")
    newer = (f"written by a newer tariffsim, format major {major + 1}; this reader reads major "
             f"{major}")
    expect_format_error(ts, with_version(files["bs"], wd / "newer2.h5",
                                         np.array([major + 1, 0], dtype=np.int64)), newer)
    # Only format 1 wrote a single integer: any other is no version a tariffsim wrote.
    expect_format_error(ts, with_version(files["bs"], wd / "newer.h5", np.int64(major + 1)),
                        "a single integer is format 1's")
    from tariffsim._format import READ_BY
    older = with_version(files["bs"], wd / "older.h5", np.int64(major - 1))
    expect_format_error(ts, older, f"written by an older tariffsim, format major {major - 1}",
                        READ_BY.get(major - 1, "no release of this package reads it"))
    foreign = wd / "foreign.h5"
    shutil.copy(files["bs"], foreign)
    with h5py.File(foreign, "r+") as h:
        h.attrs["format"] = "netcdf"
    expect_format_error(ts, foreign, "not a tariffsim result file")
    expect_format_error(ts, without_value(files["bs"], wd / "no_value.h5"),
                        "dataset results/Vbar/mean is missing")


def check_running(ts, b, wd):
    proc, out = start_running(b, wd)
    try:
        expect_format_error(ts, out, "allow_incomplete=True")
        with ts.open(out, allow_incomplete=True) as f, h5py.File(out, "r", locking=False) as h:
            g = h["run"]
            done = np.flatnonzero(g["status/done"][()] == 1)
            check(list(done) == list(range(RUNNING_DONE)), "h5py sees the finished points")
            df = f.results()
            check(list(df["point"]) == list(done) and
                  same(df["Vbar"], g["results/Vbar/mean"][()][done]) and (df["status"] == 0).all(),
                  "a running file: results() of the finished points, as stored")
            check(same(f.quantiles("sim_E_tau")["q0.5"], g["results/sim_E_tau/q"][()][done, 0]),
                  "a running file: quantiles of the finished points")
            frame = f.series("tariff").to_frame()
            check(set(frame["point"]) == set(done) and
                  same(frame["value"], g["series/tariff"][()][frame["point"],
                                                              frame["replication"],
                                                              frame["period"]]),
                  "a running file: series of the finished points")
            expect_not_found(ts, lambda: f.series("tariff")[RUNNING_DONE + 1],
                             f"point(s) [{RUNNING_DONE + 1}] not done yet")
            check("INCOMPLETE" in f.info() and not f.complete, "info(): says incomplete")
    finally:
        stop(proc)


def check_pip_install(source, files, wd):
    """pip installs the package offline into a venv that sees Debian's h5py, numpy, pandas."""
    tree = wd / "python"
    shutil.copytree(os.path.join(source, "tools", "python"), tree,
                    ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    venv = wd / "venv"
    r = subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"python3 -m venv --system-site-packages ({r.stderr[-300:]})")
    env = dict(os.environ, PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    r = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-build-isolation",
                        "--no-deps", str(tree)], capture_output=True, text=True, env=env)
    check(r.returncode == 0, "pip install --no-build-isolation --no-deps tools/python" +
          ("" if r.returncode == 0 else f" ({r.stdout[-300:]} {r.stderr[-300:]})"))
    script = ("import importlib.util, tariffsim; "
              "print(tariffsim.__file__); "
              "print(importlib.util.find_spec('summarize') is None); "
              f"f = tariffsim.open({str(files['bs'])!r}); "
              "print(f.results()['Vbar'].to_numpy().tobytes().hex())")
    r = subprocess.run([str(venv / "bin" / "python"), "-c", script], capture_output=True,
                       text=True, cwd=str(wd))
    lines = r.stdout.split()
    check(r.returncode == 0 and len(lines) == 3, f"the installed package runs ({r.stderr[-300:]})")
    with h5py.File(files["bs"], "r") as h:
        vbar = h["pkg/results/Vbar/mean"][()].tobytes().hex()
    check(lines[0].startswith(str(venv)) and lines[1] == "True" and lines[2] == vbar,
          "installed into the venv (the package only), reads the file as h5py does")


def main():
    args = parse_args()
    import tariffsim as ts
    check(os.path.dirname(ts.__file__) == os.path.join(args.source, "tools", "python", "tariffsim"),
          "the package imports from the source folder")
    b, wd = args.tariffsim, workdir()
    files = engine_files(b, wd)
    check_points(ts, files, b)
    check_results(ts, files, b)
    check_quantiles(ts, files)
    check_series(ts, files, b)
    check_errors_and_info(ts, files)
    check_stats_discovered(ts, files, wd)
    check_versions(ts, files, wd)
    check_running(ts, b, wd)
    check_pip_install(args.source, files, wd)


if __name__ == "__main__":
    main()
