"""Bad HDF5 files (issue 13 item 7; the table in tests/README.md): every damaged, foreign, newer or
mismatched file given to `info`, `merge` (as a shard), `run --resume` and the Python and R readers
is refused with exit 2 (readers: an error) naming the file and what is wrong, leaves every input
untouched and leaves no merged output; random in-place corruptions give either that or a correct
result, never exit 1 or a crash; HDF5's own error stack never reaches the user."""
import hashlib
import random
import shutil
import subprocess

import h5py
import numpy as np

from common import HOW_MADE, SCALE_EXPERIMENT, bitwise_equal, check, datasets, parse_args, run, workdir, write

G = "scale"  # the experiment group of SCALE_EXPERIMENT
P = 24       # its points


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


# Damages: name -> (edit of an open h5py file, given a row marked done in it; which consumers
# must refuse it). Readers ("py", "R") look at the layout, not at the config or the types.
def replace_dataset(f, name, data):
    del f[name]
    f.create_dataset(name, data=data, chunks=True)


def never_written(f, name):
    """The dataset as the writer lays it out (type, shape, chunks, fill) but with no chunk
    allocated: every row reads as the fill value."""
    d = f[name]
    shape, dtype, chunks, fill = d.shape, d.dtype, d.chunks, d.fillvalue
    del f[name]
    f.create_dataset(name, shape=shape, dtype=dtype, chunks=chunks, fillvalue=fill)


def second_group(f, row):
    f.create_group("another_experiment")


def garbage_config_same_hash(f, row):
    text = "garbage [ not toml"
    f[G].attrs["config"] = text
    f[G].attrs["config_sha256"] = hashlib.sha256(text.encode()).hexdigest()


ALL = {"info", "merge", "resume", "py", "R"}
TOOLS = {"info", "merge", "resume"}
DAMAGES = {
    "format_version [3, 0] (a newer major version)": (
        lambda f, r: f.attrs.__setitem__("format_version", np.array([3, 0], np.int32)), ALL),
    "format_version 1 (a version-1 file)": (lambda f, r: f.attrs.__setitem__("format_version", 1), ALL),
    "format_version 2 (an integer, as version 1 wrote it)": (
        lambda f, r: f.attrs.__setitem__("format_version", 2), ALL),
    "format_version [2, 0, 0]": (
        lambda f, r: f.attrs.__setitem__("format_version", np.array([2, 0, 0], np.int32)), ALL),
    "format_version [1, 0]": (
        lambda f, r: f.attrs.__setitem__("format_version", np.array([1, 0], np.int32)), ALL),
    "format_version 0": (lambda f, r: f.attrs.__setitem__("format_version", 0), ALL),
    "format_version a string": (lambda f, r: f.attrs.__setitem__("format_version", "1"), ALL),
    "format changed": (lambda f, r: f.attrs.__setitem__("format", "other"), ALL),
    "format deleted": (lambda f, r: f.attrs.__delitem__("format"), ALL),
    "complete deleted": (lambda f, r: f[G].attrs.__delitem__("complete"), ALL),
    "complete a string": (lambda f, r: f[G].attrs.__setitem__("complete", "yes"), ALL),
    "complete = 7": (lambda f, r: f[G].attrs.__setitem__("complete", np.uint8(7)), TOOLS),
    "n_points deleted": (lambda f, r: f[G].attrs.__delitem__("n_points"), ALL),
    "n_points = 2^62": (lambda f, r: f[G].attrs.__setitem__("n_points", np.uint64(2**62)), ALL),
    "config garbage": (lambda f, r: f[G].attrs.__setitem__("config", "garbage [ not toml"), TOOLS),
    "config garbage, hash matching": (garbage_config_same_hash, TOOLS),
    "config_sha256 deleted": (lambda f, r: f[G].attrs.__delitem__("config_sha256"), TOOLS),
    "model deleted": (lambda f, r: f[G].attrs.__delitem__("model"), TOOLS),
    "a second experiment group": (second_group, ALL),
    "results/Vbar/mean missing": (lambda f, r: f.__delitem__(f"{G}/results/Vbar/mean"), ALL - {"R"}),
    "results group missing": (lambda f, r: f.__delitem__(f"{G}/results"), ALL),
    "status/done missing": (lambda f, r: f.__delitem__(f"{G}/status/done"), ALL),
    "points/index missing": (lambda f, r: f.__delitem__(f"{G}/points/index"), ALL),
    "points/index longer": (lambda f, r: replace_dataset(f, f"{G}/points/index",
                                                          np.arange(P + 3, dtype=np.uint64)), ALL),
    "points/delta shorter": (lambda f, r: replace_dataset(f, f"{G}/points/delta",
                                                           f[f"{G}/points/delta"][:P - 2]), ALL),
    "status/done shorter": (lambda f, r: replace_dataset(f, f"{G}/status/done",
                                                          f[f"{G}/status/done"][:P - 2]), ALL),
    "results/Vbar/mean int32": (lambda f, r: replace_dataset(f, f"{G}/results/Vbar/mean",
                                                              np.zeros(P, np.int32)), TOOLS),
    "replications/sim_E_tau 2-D of the wrong width": (
        lambda f, r: replace_dataset(f, f"{G}/replications/sim_E_tau", np.zeros((P, 3))), TOOLS),
    # Version 1 stored six statistics of a point-level output and its replications; version 2
    # stores its value alone.
    "results/Vbar/sd (a point-level output's version-1 statistic)": (
        lambda f, r: f.create_dataset(f"{G}/results/Vbar/sd", data=np.zeros(P), chunks=True), TOOLS),
    "replications/Vbar (a point-level output, repeated)": (
        lambda f, r: f.create_dataset(f"{G}/replications/Vbar", data=np.zeros((P, 40)),
                                      chunks=True), TOOLS),
    "axes/replication missing": (lambda f, r: f.__delitem__(f"{G}/axes/replication"), TOOLS),
    "axes/quantile of the wrong length": (
        lambda f, r: replace_dataset(f, f"{G}/axes/quantile", np.zeros(3)), TOOLS),
    "an extra dataset": (lambda f, r: f.create_dataset(f"{G}/results/extra", data=np.zeros(P)),
                         TOOLS),
    "points/index 1e9 in a done row": (
        lambda f, r: f[f"{G}/points/index"].__setitem__(r, np.uint64(10**9)), TOOLS),
    "a done bit on a row never computed": (
        lambda f, r: f[f"{G}/results/status"].__setitem__(r, -1), TOOLS),
    "status/done = 5": (lambda f, r: f[f"{G}/status/done"].__setitem__(r, 5), TOOLS),
    "results/status = 7 in a done row": (
        lambda f, r: f[f"{G}/results/status"].__setitem__(r, 7), TOOLS),
    "status/replications above the cap in a done row": (
        lambda f, r: f[f"{G}/status/replications"].__setitem__(r, np.uint64(10**6)), TOOLS),
    "results/Vbar/mean rows never written": (
        lambda f, r: never_written(f, f"{G}/results/Vbar/mean"), TOOLS),
    "status/replications rows never written": (
        lambda f, r: never_written(f, f"{G}/status/replications"), TOOLS),
    "replications/sim_E_tau chunks of done points missing": (
        lambda f, r: never_written(f, f"{G}/replications/sim_E_tau"), TOOLS),
    "series/tariff chunks of done points missing": (
        lambda f, r: never_written(f, f"{G}/series/tariff"), TOOLS),
    "status/replications 1 in a done row (40 run)": (
        lambda f, r: f[f"{G}/status/replications"].__setitem__(r, np.uint64(1)), TOOLS),
    "kernel_isa deleted": (lambda f, r: f.attrs.__delitem__("kernel_isa"), TOOLS),
    "seed contradicting the config": (
        lambda f, r: f[G].attrs.__setitem__("seed", np.uint64(f[G].attrs["seed"] + 1)), TOOLS),
    "replications contradicting the config": (
        lambda f, r: f[G].attrs.__setitem__("replications",
                                             np.uint64(f[G].attrs["replications"] + 1)), TOOLS),
}


class Bench:
    """The good files every damage starts from, and the consumers that are given damaged copies."""

    def __init__(self, args):
        self.b, self.wd, self.source = args.tariffsim, workdir(), args.source
        self.exp = write(self.wd / "scale.toml", SCALE_EXPERIMENT)
        self.single = self.wd / "single.h5"
        check(run(self.b, "run", self.exp, "-o", self.single, "--no-progress").returncode == 0,
              "the good single run")
        self.shards = [self.wd / f"s{i}.h5" for i in range(2)]
        for i, s in enumerate(self.shards):
            check(run(self.b, "run", self.exp, "-o", s, "--shard", f"{i}/2", "--no-progress")
                  .returncode == 0, f"good shard {i}/2")
        # A partial file: the single run's, with the second half's done bits cleared, as a kill
        # after the first half leaves it (rows not done are recomputed whole by a resume).
        self.partial = self.wd / "partial.h5"
        shutil.copy(self.single, self.partial)
        with h5py.File(self.partial, "r+") as f:
            f[f"{G}/status/done"][P // 2:] = 0
            f[G].attrs["complete"] = np.uint8(0)
        self.count = 0

    def copy(self, source, label=""):
        self.count += 1
        out = self.wd / f"bad{self.count}_{source.stem}.h5"
        shutil.copy(source, out)
        return out

    def damaged(self, source, edit, done_row):
        path = self.copy(source, "damaged")
        with h5py.File(path, "r+") as f:
            edit(f, done_row)
        return path

    def quiet_hdf5(self, r, label):
        noisy = [w for w in ("HDF5-DIAG", "H5Dclose failed", "#000:") if w in r.stderr]
        check(not noisy, f"{label}: no HDF5 error stack ({noisy})")

    def refused(self, r, path, label, inputs):
        """Exit 2, one message naming `path`, inputs as they were."""
        check(r.returncode == 2 and str(path) in r.stderr,
              f"{label}: exit 2 naming {path.name} ({r.returncode}: {r.stderr.strip()[-300:]})")
        check(r.stderr.count("error:") == 1, f"{label}: one error message")
        self.quiet_hdf5(r, label)
        check(all(digest(p) == h for p, h in inputs.items()), f"{label}: inputs untouched")

    def info(self, path, label):
        h = digest(path)
        self.refused(run(self.b, "info", path), path, f"info, {label}", {path: h})

    def merge(self, bad_shard, label):
        out = self.wd / f"merged{self.count}.h5"
        inputs = {p: digest(p) for p in (self.shards[0], bad_shard)}
        r = run(self.b, "merge", out, self.shards[0], bad_shard)
        self.refused(r, bad_shard, f"merge, {label}", inputs)
        check(not out.exists(), f"merge, {label}: no output left")

    def resume(self, path, label):
        h = digest(path)
        r = run(self.b, "run", self.exp, "-o", path, "--resume", "--no-progress")
        self.refused(r, path, f"resume, {label}", {path: h})

    def python(self, path, label):
        import tariffsim as ts
        try:
            ts.open(str(path)).results()
            check(False, f"python reader, {label}: refused")
        except ts.FormatError as e:
            check(str(path) in str(e), f"python reader, {label}: FormatError naming the file ({e})")


def r_reader_results(bench, paths):
    """Reads every file with the R package in one Rscript: {path: ("ok" | "error", message)}."""
    listing = bench.wd / "r_files.txt"
    listing.write_text("\n".join(str(p) for p in paths) + "\n")
    lib = bench.wd / "rlib"
    lib.mkdir(exist_ok=True)
    r = subprocess.run(["R", "CMD", "INSTALL", "-l", str(lib), f"{bench.source}/tools/R/tariffsim"],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"R CMD INSTALL tools/R/tariffsim ({r.stderr.strip()[-300:]})")
    script = f"""
library(tariffsim, lib.loc = "{lib}")
for (p in readLines("{listing}")) {{
  msg <- tryCatch({{ ts_results(ts_open(p)); "ok" }},
                  error = function(e) paste("error", gsub("\\n", " ", conditionMessage(e))))
  cat(p, "\\t", msg, "\\n", sep = "")
}}
"""
    r = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    check(r.returncode == 0, f"Rscript ran ({r.stderr.strip()[-300:]})")
    out = {}
    for line in r.stdout.splitlines():
        path, _, msg = line.partition("\t")
        out[path] = msg
    return out


def r_available():
    if shutil.which("Rscript") is None:
        return False
    return subprocess.run(["Rscript", "-e", "library(hdf5r)"], capture_output=True).returncode == 0


def check_damages(bench):
    r_files = {}
    for name, (edit, who) in DAMAGES.items():
        if "info" in who:
            bench.info(bench.damaged(bench.single, edit, 0), name)
        if "merge" in who:
            bench.merge(bench.damaged(bench.shards[1], edit, P - 1), name)
        if "resume" in who:
            bench.resume(bench.damaged(bench.partial, edit, 0), name)
        if "py" in who:
            bench.python(bench.damaged(bench.single, edit, 0), name)
        if "R" in who:
            r_files[bench.damaged(bench.single, edit, 0)] = name
    return r_files


def foreign_and_truncated(bench):
    """Files that are not a result file at all, and good ones cut short: {path: label}."""
    files = {}
    text = write(bench.wd / "not_hdf5.h5", "precious notes, not HDF5\n")
    files[text] = "a non-HDF5 file"
    other = bench.wd / "other_program.h5"
    with h5py.File(other, "w") as f:
        f.create_dataset("temperature", data=np.arange(10.0))
        f.attrs["creator"] = "another program"
    files[other] = "an HDF5 file of another program"
    empty = write(bench.wd / "empty.h5", "")
    files[empty] = "an empty file"
    for source in (bench.single, bench.shards[1], bench.partial):
        size = source.stat().st_size
        for cut in (512, 4096, size // 4, size // 2, 3 * size // 4, size - 1):
            path = bench.copy(source, "truncated")
            with open(path, "r+b") as f:
                f.truncate(cut)
            files[path] = f"{source.name} truncated to {cut} of {size} bytes"
    return files


def check_foreign_and_truncated(bench, files):
    r_files = {}
    for path, label in files.items():
        kind = path.stem.split("_")[-1]
        if kind in ("s1",):
            bench.merge(path, label)
        elif kind == "partial":
            bench.resume(path, label)
        else:
            bench.info(path, label)
            bench.python(path, label)
            r_files[path] = label
            if kind != "single":
                bench.merge(path, label)
                bench.resume(path, label)
    return r_files


def check_r(bench, r_files):
    if not r_available():
        print("skipped: the R reader checks (Rscript with hdf5r is not installed; tools/setup.sh "
              "installs r-base-core and r-cran-hdf5r)")
        return
    results = r_reader_results(bench, list(r_files))
    for path, label in r_files.items():
        msg = results.get(str(path), "missing")
        check(msg.startswith("error") and str(path) in msg and "error #" not in msg and
              "HDF5-API" not in msg,
              f"R reader, {label}: one error naming the file, no HDF5 stack ({msg[:200]})")


def corrupt_in_place(path, rng, count=1):
    data = bytearray(path.read_bytes())
    for _ in range(count):
        at = rng.randrange(len(data))
        data[at] ^= rng.randrange(1, 256)
    path.write_bytes(bytes(data))


def dataset_values(path):
    """Every dataset of a file, {name: value}, without attributes (a damaged attribute that no
    tool reads stays damaged in a resumed file: it is the input's, not a result)."""
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda name, obj: out.__setitem__(name, obj[()])
                     if isinstance(obj, h5py.Dataset) else None)
    return out


def merged_expectation(single, shard, rows):
    """The single run's content with the shard's rows taken from the damaged shard as h5py reads
    them: what a faithful merge gives (None for rows h5py cannot read, which merge must refuse)."""
    want = datasets(single)
    for k, v in want.items():
        # The axes/ scales are not rows of points: merge writes them whole, as a run does.
        if "@" not in k and "/axes/" not in f"/{k}" and isinstance(v, np.ndarray) and v.ndim >= 1:
            have = read_rows(shard, k, rows)
            want[k] = None if have is None else v
            if have is not None:
                v[rows] = have
    return want


def differences(content, path):
    """The keys whose values differ between `content` and the file at `path`."""
    got = datasets(path)
    keys = (set(content) | set(got)) - HOW_MADE
    return sorted(k for k in keys if k not in content or k not in got
                  or not bitwise_equal(content[k], got[k]))


def read_rows(path, name, rows):
    """Rows `rows` (increasing) of a dataset, or None if the damage makes them unreadable."""
    with h5py.File(path, "r") as f:
        try:
            return f[name][rows] if len(rows) else None
        except (OSError, ValueError, KeyError):
            return None


def whole(path, name):
    """A whole dataset, or None if the damage makes it unreadable."""
    with h5py.File(path, "r") as f:
        try:
            return f[name][()]
        except (OSError, ValueError, KeyError):
            return None


def resume_differences(single, before, after):
    """What a resume of the damaged file `before` got wrong in `after`: the rows it computed must
    be the single run's, the rows done before must read as they did (where they could be read at
    all: a resume writes only the points not done, and leaves damage elsewhere as it found it),
    and the file must be complete."""
    with h5py.File(before, "r") as f:
        done = f[f"{G}/status/done"][()] == 1
    todo_rows, done_rows = list(np.flatnonzero(~done)), list(np.flatnonzero(done))
    diff = []
    for name in dataset_values(single):
        if "/axes/" in f"/{name}":  # scales, not rows of points: a resume leaves them as found
            old, new = whole(before, name), whole(after, name)
            if old is not None and not bitwise_equal(old, new):
                diff.append(name)
            continue
        if read_rows(single, name, todo_rows) is not None and not bitwise_equal(
                read_rows(single, name, todo_rows), read_rows(after, name, todo_rows)):
            diff.append(f"{name} (computed rows)")
        old = read_rows(before, name, done_rows)
        if old is not None and not bitwise_equal(old, read_rows(after, name, done_rows)):
            diff.append(f"{name} (rows done before)")
    with h5py.File(after, "r") as f:
        if int(f[G].attrs["complete"]) != 1:
            diff.append("complete")
    return diff


def check_random_corruptions(bench, n=60, seed=20261123):
    """n random in-place byte corruptions of each good file: each consumer either refuses the
    file (exit 2 naming it) or gives the result a faithful reading of the damaged bytes gives."""
    rng = random.Random(seed)
    outcomes = {"info": [0, 0], "merge": [0, 0], "resume": [0, 0], "py": [0, 0]}
    for k in range(n):
        label = f"corruption {k}"
        bad = bench.copy(bench.single, label)
        corrupt_in_place(bad, rng)
        h = digest(bad)
        r = run(bench.b, "info", bad)
        check(r.returncode in (0, 2), f"info, {label}: exit 0 or 2 ({r.returncode}: {r.stderr[-200:]})")
        bench.quiet_hdf5(r, f"info, {label}")
        if r.returncode == 2:
            check(str(bad) in r.stderr, f"info, {label}: names the file")
        else:
            with h5py.File(bad, "r") as f:
                done = int(np.sum(f[f"{G}/status/done"][()]))
            check(f"{done}/{P} points done" in r.stdout, f"info, {label}: counts from the data")
        outcomes["info"][r.returncode == 2] += 1
        check(digest(bad) == h, f"info, {label}: file untouched")
        outcomes["py"][python_outcome(bad, label)] += 1

        shard = bench.copy(bench.shards[1], label)
        corrupt_in_place(shard, rng)
        out = bench.wd / f"merged_c{k}.h5"
        inputs = {p: digest(p) for p in (bench.shards[0], shard)}
        r = run(bench.b, "merge", out, bench.shards[0], shard)
        check(r.returncode in (0, 2), f"merge, {label}: exit 0 or 2 ({r.returncode}: {r.stderr[-300:]})")
        bench.quiet_hdf5(r, f"merge, {label}")
        check(all(digest(p) == v for p, v in inputs.items()), f"merge, {label}: inputs untouched")
        if r.returncode == 2:
            check(str(shard) in r.stderr and not out.exists(),
                  f"merge, {label}: names the shard, leaves no output ({r.stderr.strip()[-200:]})")
        else:
            # merge writes every attribute itself: the output's equal the single run's.
            diff = differences(merged_expectation(bench.single, shard, list(range(P // 2, P))),
                               out)
            check(not diff, f"merge, {label}: the shards' rows, faithfully ({diff[:4]})")
        outcomes["merge"][r.returncode == 2] += 1

        partial = bench.copy(bench.partial, label)
        corrupt_in_place(partial, rng)
        before = bench.copy(partial, label)  # the damaged bytes, kept to judge a resume that succeeds
        h = digest(partial)
        r = run(bench.b, "run", bench.exp, "-o", partial, "--resume", "--no-progress")
        check(r.returncode in (0, 2), f"resume, {label}: exit 0 or 2 ({r.returncode}: {r.stderr[-300:]})")
        bench.quiet_hdf5(r, f"resume, {label}")
        if r.returncode == 2:
            check(str(partial) in r.stderr and digest(partial) == h,
                  f"resume, {label}: names the file, leaves it untouched")
        else:
            diff = resume_differences(bench.single, before, partial)
            check(not diff, f"resume, {label}: equals the run from the damaged file's done rows "
                            f"({diff[:4]})")
        outcomes["resume"][r.returncode == 2] += 1
    summary = ", ".join(f"{k}: {ok} correct, {refused} refused" for k, (ok, refused) in outcomes.items())
    print(f"{n} random corruptions per file: {summary}")


def python_outcome(path, label):
    import tariffsim as ts
    try:
        ts.open(str(path)).results()
        return 0
    except ts.FormatError as e:
        check(str(path) in str(e), f"python reader, {label}: FormatError names the file")
        return 1


def main():
    args = parse_args()
    bench = Bench(args)
    r_files = check_damages(bench)
    r_files.update(check_foreign_and_truncated(bench, foreign_and_truncated(bench)))
    check_r(bench, r_files)
    check_random_corruptions(bench)


if __name__ == "__main__":
    main()
