"""The R package tools/R/tariffsim (issue 11, item 2): `R CMD build` and `R CMD check --no-manual`
pass with status OK (no error, warning or note), and the installed package reads files the
engine wrote as h5py does: points (typed: factors, logicals, integers, list columns), results,
quantiles, series and per-replication values as long frames, units and descriptions as the
model declares them, statistics per metric, both format_version encodings, a newer major
refused, the finished points of a file still being written, and the Sobol indices of a
[sensitivity] run (ts_sensitivity) as stored, or an error naming a file that has none.

R writes each frame it reads to files (doubles as raw binary, so values compare to the bit) and
this script compares them with h5py. Experiments and engine files: test_python_package.py."""
import csv
import os
import shutil
import subprocess
from pathlib import Path

import h5py
import numpy as np

from common import SMALL_SOBOL, SOBOL_COLUMNS, check, parse_args, run, workdir, write
from test_python_package import (RUNNING_DONE, STATS, declared, engine_files, file_major,
                                 keep_value_only, no_unit, same, start_running, stop, texts,
                                 with_version, without_value)

# Writes a data.frame as <prefix>.meta.tsv (name, class, units, description, levels) and one
# file per column: doubles (numbers, logicals) as raw binary, text (factors, strings) as lines,
# list columns as the binary of their concatenation and a file of lengths.
R_DUMP = r"""
dump_frame <- function(df, prefix) {
  one <- function(col, a) { v <- attr(col, a); if (is.null(v)) "" else v }
  meta <- vapply(names(df), function(n) {
    col <- df[[n]]
    paste(n, class(col)[1], one(col, "units"), one(col, "description"),
          if (is.factor(col)) paste(levels(col), collapse = "|") else "", sep = "\t")
  }, "")
  writeLines(c(nrow(df), meta), paste0(prefix, ".meta.tsv"))
  for (n in names(df)) {
    col <- df[[n]]
    base <- paste0(prefix, ".", n)
    if (is.factor(col) || is.character(col)) writeLines(as.character(col), paste0(base, ".txt"))
    else if (is.list(col)) {
      writeBin(as.double(unlist(col)), paste0(base, ".bin"))
      writeLines(as.character(lengths(col)), paste0(base, ".len"))
    } else writeBin(as.double(col), paste0(base, ".bin"))
  }
}
message_of <- function(expr) tryCatch({ expr; "OK" }, error = function(e) conditionMessage(e))
"""


def load_frame(prefix):
    """{column: (class, units, description, levels, values)} and the row count of a dump."""
    lines = Path(f"{prefix}.meta.tsv").read_text().splitlines()
    frame = {}
    for row in csv.reader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE):
        name, cls, units, desc, levels = row
        base = f"{prefix}.{name}"
        if os.path.exists(base + ".txt"):
            values = Path(base + ".txt").read_text().splitlines()
        else:
            values = np.fromfile(base + ".bin", dtype=np.float64)
            if os.path.exists(base + ".len"):
                ends = np.cumsum([int(n) for n in Path(base + ".len").read_text().split()])
                values = [list(v) for v in np.split(values, ends[:-1])]
        frame[name] = (cls, units, desc, levels.split("|") if levels else [], values)
    return frame, int(lines[0])


class R:
    """Runs R code with the package installed in `lib`, in folder `out`."""

    def __init__(self, lib, out):
        self.lib, self.out = lib, out

    def __call__(self, code, label, env=None):
        script = self.out / "script.R"
        script.write_text(f'.libPaths(c("{self.lib}", .libPaths()))\nlibrary(tariffsim)\n'
                          f"{R_DUMP}\n{code}\n")
        r = subprocess.run(["Rscript", str(script)], capture_output=True, text=True,
                           cwd=self.out, env=dict(os.environ, **(env or {})))
        check(r.returncode == 0, f"R: {label}" +
              ("" if r.returncode == 0 else f" ({r.stderr.strip()[-500:]})"))
        return r.stdout

    def frame(self, name):
        return load_frame(self.out / name)


def build_and_check(source, wd):
    """R CMD build, R CMD check --no-manual (status OK), R CMD INSTALL: the library folder."""
    pkg = os.path.join(source, "tools", "R", "tariffsim")
    build = wd / "rbuild"
    build.mkdir()
    r = subprocess.run(["R", "CMD", "build", pkg], capture_output=True, text=True, cwd=build)
    tarballs = sorted(build.glob("tariffsim_*.tar.gz"))
    check(r.returncode == 0 and len(tarballs) == 1,
          "R CMD build" + ("" if r.returncode == 0 else f" ({r.stderr.strip()[-300:]})"))
    r = subprocess.run(["R", "CMD", "check", "--no-manual", str(tarballs[0])],
                       capture_output=True, text=True, cwd=build)
    flagged = [line for line in r.stdout.splitlines()
               if line.rstrip().endswith(("WARNING", "ERROR", "NOTE"))]
    status = [line for line in r.stdout.splitlines() if line.startswith("Status:")]
    print("R CMD check: " + (status[0] if status else "no status line"))
    ok = r.returncode == 0 and status == ["Status: OK"] and not flagged
    check(ok, "R CMD check --no-manual: status OK, no error, warning or note" +
          ("" if ok else f" ({flagged} {status} {r.stdout.strip()[-1500:]})"))
    lib = wd / "rlib"
    lib.mkdir()
    r = subprocess.run(["R", "CMD", "INSTALL", "-l", str(lib), str(tarballs[0])],
                       capture_output=True, text=True)
    check(r.returncode == 0,
          "R CMD INSTALL" + ("" if r.returncode == 0 else f" ({r.stderr.strip()[-300:]})"))
    return lib


def check_points(r, files, b):
    r(f'dump_frame(ts_points(ts_open("{files["bs"]}")), "points")\n'
      f'dump_frame(ts_points("{files["dr"]}"), "dr_points")', "ts_points")
    frame, n = r.frame("points")
    decl = declared(b, "bagwell_staiger")["parameters"]
    with h5py.File(files["bs"], "r") as h:
        g = h["pkg/points"]
        check(list(frame) == ["point"] + [k for k in g if k != "index"] and n == len(g["index"]),
              "ts_points: column point, then every parameter, one row per point")
        check(frame["point"][0] == "integer" and same(frame["point"][4], g["index"][()]),
              "ts_points: point = points/index, integer")
        for name, (typ, unit, choices, desc) in decl.items():
            cls, units, description, levels, values = frame[name]
            check(units == (unit or no_unit(file_major(files["bs"]))) and description == desc,
                  f"ts_points: {name} has the declared unit {unit!r} and description")
            if typ in ("real", "integer"):
                want = "numeric" if typ == "real" else "integer"
                check(cls == want and same(values, g[name][()].astype(np.float64)),
                      f"ts_points: {name} {want}, as stored")
            elif typ == "enum":
                check(cls == "factor" and set(levels) == set(choices) and
                      values == texts(g[name]),
                      f"ts_points: {name} a factor whose levels are the declared choices")
            elif typ == "list of reals":
                stored = [[float(x) for x in t.strip("[]").split(",")] for t in texts(g[name])]
                check(cls == "AsIs" and values == stored,
                      f"ts_points: {name} a list column of numeric vectors, as stored")
    dr, _ = r.frame("dr_points")
    with h5py.File(files["dr"], "r") as h:
        check(dr["symmetric"][0] == "logical" and
              same(dr["symmetric"][4], (h["dr/points/symmetric"][()] == 1).astype(float)),
              "ts_points: bools as logical")
    check(set(dr["reciprocity"][3]) == set(declared(b, "deremer")["parameters"]["reciprocity"][2]),
          "ts_points: factor levels = the declared choices (deremer)")


def check_results(r, files, b):
    r(f'x <- ts_open("{files["bs"]}")\n'
      'dump_frame(ts_results(x, stat = c("mean", "se", "n")), "results")\n'
      'writeLines(ts_statistics(x, "Vbar"), "stats.txt")\n'
      'writeLines(as.character(tariffsim:::SUPPORTED_MAJOR), "major.txt")\n'
      'writeLines(capture.output(ts_info(x)), "info.txt")', "ts_results")
    frame, _ = r.frame("results")
    decl = declared(b, "bagwell_staiger")["outputs"]
    with h5py.File(files["bs"], "r") as h:
        g = h["pkg/results"]
        for m, (level, unit) in decl.items():
            stats = [s for s in ("se", "n") if s in g[m]]  # format 2: a point output's value only
            check(same(frame[m][4], g[m]["mean"][()]) and
                  all(same(frame[f"{m}_{s}"][4], g[m][s][()].astype(np.float64)) for s in stats)
                  and all(f"{m}_{s}" not in frame for s in ("se", "n") if s not in stats),
                  f"ts_results: {m} mean, {stats} as stored")
            check(frame[m][1] == (unit or no_unit(file_major(files["bs"]))) and
                  ("se" not in stats or frame[f"{m}_se"][1] == frame[m][1]) and
                  frame[m][2] == g[m].attrs["description"],
                  f"ts_results: {m} has the declared unit {unit!r} and its description")
        vbar_stats = [s for s in STATS if s in g["Vbar"]]
        check(same(frame["status"][4], g["status"][()].astype(np.float64)), "ts_results: status")
    check((r.out / "stats.txt").read_text().split() == vbar_stats,
          "ts_statistics: what the file stores")
    import tariffsim
    check(int((r.out / "major.txt").read_text()) == tariffsim.SUPPORTED_MAJOR,
          "R and Python read the same format major (SUPPORTED_MAJOR)")
    info = (r.out / "info.txt").read_text()
    check("10 of 10 done" in info and "series tariff [price]: 10 x 12 x 15" in info and
          f"Vbar [volume] (point): {', '.join(vbar_stats)}" in info,
          "ts_info: points done, metrics with units and statistics, series")


def check_quantiles(r, files):
    r(f'x <- ts_open("{files["bs"]}")\n'
      'dump_frame(ts_quantiles(x, "sim_E_tau"), "q_wide")\n'
      'dump_frame(ts_quantiles(x, "sim_E_tau", long = TRUE), "q_long")', "ts_quantiles")
    wide, _ = r.frame("q_wide")
    long, _ = r.frame("q_long")
    with h5py.File(files["bs"], "r") as h:
        q = h["pkg/results/sim_E_tau/q"][()]
    check(list(wide) == ["point", "q0.1", "q0.5", "q0.9"] and
          same(np.column_stack([wide[c][4] for c in ("q0.1", "q0.5", "q0.9")]), q) and
          wide["q0.5"][1] == "price", "ts_quantiles: one column per probability, as stored")
    check(same(long["value"][4], q.reshape(-1)) and same(long["prob"][4][:3], [0.1, 0.5, 0.9]),
          "ts_quantiles(long = TRUE): one row per point and probability")


def check_series(r, files):
    r(f'x <- ts_open("{files["bs"]}")\n'
      'dump_frame(ts_series(x, "tariff"), "series")\n'
      'dump_frame(ts_series(x, "tariff", points = c(4, 1), replications = c(2, 0),'
      ' periods = c(5, 1)), "series_sel")\n'
      'dump_frame(ts_replications(x, "sim_E_tau"), "reps")', "ts_series")
    with h5py.File(files["bs"], "r") as h:
        g = h["pkg"]
        stored, ran = g["series/tariff"][()], g["status/replications"][()]
        reps = g["replications/sim_E_tau"][()]
    full, n = r.frame("series")
    idx = [full[a][4].astype(int) for a in ("point", "replication", "period")]
    check(list(full) == ["point", "replication", "period", "value"] and
          n == int(ran.sum()) * stored.shape[2] and same(full["value"][4], stored[tuple(idx)]) and
          full["value"][1] == "price",
          "ts_series: a long frame of the replications run, each value where h5py has it")
    sel, _ = r.frame("series_sel")
    want = [(p, rep, t) for p in (4, 1) for rep in (2, 0) for t in (5, 1)]
    got = list(zip(*(sel[a][4].astype(int) for a in ("point", "replication", "period"))))
    check(got == want and same(sel["value"][4], [stored[w] for w in want]),
          "ts_series: points, replications and periods as asked, in that order")
    frame, _ = r.frame("reps")
    check(same(frame["value"][4], reps[frame["point"][4].astype(int),
                                       frame["replication"][4].astype(int)]) and
          len(frame["value"][4]) == int(ran.sum()), "ts_replications: as stored")


def check_errors_and_stats(r, files, wd):
    subset = wd / "subset_r.h5"
    shutil.copy(files["bs"], subset)
    keep_value_only(subset)
    out = r(f'x <- ts_open("{files["bs"]}"); s <- ts_open("{subset}")\n'
            'cat(message_of(ts_series(x, "tarif")), "\\n")\n'
            'cat(message_of(ts_results(x, metrics = "Vbr")), "\\n")\n'
            f'cat(message_of(ts_quantiles("{files["dr"]}", "G_N")), "\\n")\n'
            'cat(ts_statistics(s, "Vbar"), "\\n")\n'
            'cat("Vbar_se" %in% names(ts_results(s, stat = "se")), '
            '"sim_E_tau_se" %in% names(ts_results(s, stat = "se")), "\\n")\n'
            'cat(message_of(ts_results(s, stat = "se", metrics = "Vbar")), "\\n")',
            "errors and statistics").splitlines()
    check("it has 'tariff', 'volume'; did you mean 'tariff'?" in out[0],
          f"ts_series: a typo lists the series and suggests one ({out[0]})")
    check("did you mean 'Vbar'?" in out[1], f"ts_results: a typo suggests a metric ({out[1]})")
    check("keep them with [output] quantiles" in out[2], f"ts_quantiles: none kept ({out[2]})")
    check(out[3].split() == ["mean"], "ts_statistics: a point-level output's value only")
    check(out[4].split() == ["FALSE", "TRUE"],
          "ts_results(stat = 'se'): metrics without it left out")
    check("no statistic of Vbar 'se'; it has 'mean'" in out[5], f"named and missing: {out[5]}")


def check_versions(r, files, wd):
    import tariffsim
    major = tariffsim.SUPPORTED_MAJOR
    cases = {
        "pair": with_version(files["bs"], wd / "r_pair.h5", np.array([major, 3], dtype=np.int64)),
        "newer": with_version(files["bs"], wd / "r_newer.h5", np.int64(major + 1)),
        "newer2": with_version(files["bs"], wd / "r_newer2.h5",
                               np.array([major + 1, 0], dtype=np.int64)),
        "older": with_version(files["bs"], wd / "r_older.h5", np.int64(major - 1)),
        "no_value": without_value(files["bs"], wd / "r_no_value.h5"),
    }
    code = "\n".join(f'cat(message_of(ts_open("{p}")), "\\n")' for p in cases.values())
    code += f'\ncat(ts_open("{cases["pair"]}")$format_version, "\\n")'
    out = dict(zip(list(cases) + ["version"], r(code, "format versions").splitlines()))
    newer = (f"written by a newer tariffsim, format major {major + 1}; this reader reads major "
             f"{major}")
    check(out["pair"].strip() == "OK" and out["version"].split() == [str(major), "3"],
          f"format_version [{major}, 3] is read")
    check(newer in out["newer2"], f"a newer major is refused ({out['newer2']})")
    check("a single integer is format 1's" in out["newer"],
          f"a single integer other than format 1's is refused ({out['newer']})")
    check(f"written by an older tariffsim, format major {major - 1}" in out["older"],
          f"an older major is refused ({out['older']})")
    check("dataset results/Vbar/mean is missing" in out["no_value"],
          f"an output without its value is refused ({out['no_value']})")


def check_sensitivity(r, b, wd, files):
    path = wd / "sobol.h5"
    res = run(b, "run", write(wd / "sobol.toml", SMALL_SOBOL), "-o", path, "--no-progress")
    check(res.returncode == 0, f"the engine writes sobol.h5 ({res.stderr.strip()[-300:]})")
    out = r(f'dump_frame(ts_sensitivity(ts_open("{path}")), "sobol")\n'
            f'cat(message_of(ts_sensitivity("{files["bs"]}")), "\\n")', "ts_sensitivity")
    frame, n = r.frame("sobol")
    with h5py.File(path, "r") as h:
        g = h["ish/sensitivity"]
        inputs = texts(g["inputs"])
        outputs = [k for k in g if isinstance(g[k], h5py.Group)]
        check(list(frame) == ["output", "input", *SOBOL_COLUMNS] and
              n == len(outputs) * len(inputs) and sorted(outputs) == ["f", "y"],
              "ts_sensitivity: one row per output and input; output, input, the six indices")
        for k, output in enumerate(outputs):
            rows = slice(k * len(inputs), (k + 1) * len(inputs))
            check(frame["output"][4][rows] == [output] * len(inputs) and
                  frame["input"][4][rows] == inputs and
                  all(same(frame[c][4][rows], g[output][c][()]) for c in SOBOL_COLUMNS),
                  f"ts_sensitivity: {output}'s indices as stored, in the order of inputs")
    check("no analysis 'sensitivity'" in out and "[sensitivity] section" in out and
          str(files["bs"]) in out, f"ts_sensitivity: a file without one is refused ({out})")


def check_running(r, b, wd, files):
    proc, out = start_running(b, wd)
    try:
        r(f'x <- ts_open("{out}", allow_incomplete = TRUE)\n'
          'dump_frame(ts_results(x), "run_results")\n'
          'dump_frame(ts_series(x, "tariff"), "run_series")\n'
          f'cat(message_of(ts_series(x, "tariff", points = {RUNNING_DONE + 1})), "\\n")',
          "a running file")
        results, n = r.frame("run_results")
        series, _ = r.frame("run_series")
        with h5py.File(out, "r", locking=False) as h:
            g = h["run"]
            done = np.flatnonzero(g["status/done"][()] == 1)
            check(n == RUNNING_DONE and same(results["point"][4], done) and
                  same(results["Vbar"][4], g["results/Vbar/mean"][()][done]),
                  "a running file: ts_results of the finished points, as stored")
            idx = tuple(series[a][4].astype(int) for a in ("point", "replication", "period"))
            check(set(idx[0]) == set(done) and same(series["value"][4],
                                                    g["series/tariff"][()][idx]),
                  "a running file: ts_series of the finished points, as stored")
        strict = r(f'cat(message_of(ts_open("{out}")))', "a running file, strict")
        check("is being written" in strict and "allow_incomplete = TRUE" in strict,
              f"a running file is refused without allow_incomplete ({strict})")
        late = r(f'invisible(ts_open("{files["bs"]}"))\n'
                 f'cat(message_of(ts_open("{out}", allow_incomplete = TRUE)))',
                 "a running file after another file")
        check("HDF5_USE_FILE_LOCKING=FALSE" in late,
              f"once HDF5 has chosen to lock, the message says how to start R ({late})")
        env = r(f'invisible(ts_open("{files["bs"]}"))\n'
                f'cat(nrow(ts_points(ts_open("{out}", allow_incomplete = TRUE))))',
                "a running file, R started with the variable",
                env={"HDF5_USE_FILE_LOCKING": "FALSE"})
        check(env.strip() == str(RUNNING_DONE), "with HDF5_USE_FILE_LOCKING=FALSE set: read")
    finally:
        stop(proc)


def main():
    args = parse_args()
    if shutil.which("Rscript") is None:
        check(False, "Rscript is installed (tools/setup.sh installs r-base-core and r-cran-hdf5r)")
    b, wd = args.tariffsim, workdir()
    lib = build_and_check(args.source, wd)
    out = wd / "r"
    out.mkdir()
    r = R(lib, out)
    files = engine_files(b, wd)
    check_points(r, files, b)
    check_results(r, files, b)
    check_quantiles(r, files)
    check_series(r, files)
    check_errors_and_stats(r, files, wd)
    check_versions(r, files, wd)
    check_sensitivity(r, b, wd, files)
    check_running(r, b, wd, files)


if __name__ == "__main__":
    main()
