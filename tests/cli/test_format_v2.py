"""Format version 2 (engine/FORMAT.md): a point-level output stores its value alone, `[output]
metrics` keeps the named outputs only (and is part of the config hash), every dimension is named
by a dimension scale, every dataset has a unit and a description, merge compresses the point
columns of the file it builds (with the same values as the run's), and a version-1 file is refused
by info, merge and --resume with exit 2 naming the release that reads it. info shows when the
file became complete. [output] statistics keeps only the named statistics. A parameter the
design does not vary is its column's fill value, with no chunk written. A run whose kept
outputs are all point-level runs no replications (status/replications 0) and stores the bits of
a run that keeps every output; its shards merge and it resumes as any run does."""
import h5py
import numpy as np

from common import bitwise_equal, check, datasets, parse_args, run, workdir, write

EXPERIMENT = """
[experiment]
name = "v2"
model = "bagwell_staiger"
seed = 5
replications = 30
[parameters]
periods = 40
[grid]
delta = [0.3, 0.6, 0.9]
sd = [0.1, 0.3]
[output]
replications = true
series = ["tariff"]
quantiles = [0.1, 0.9]
"""
G = "v2"


def run_ok(b, *args):
    r = run(b, *args)
    check(r.returncode == 0, f"tariffsim {' '.join(map(str, args[:1]))} succeeds "
                             f"({r.stderr.strip()[-300:]})")
    return r


def check_finished_utc(f, path):
    """A complete file records when it was finished, no earlier than it was created (ISO 8601
    compares as text); a file not complete records nothing."""
    finished = f.attrs["finished_utc"]
    finished = (finished.decode() if isinstance(finished, bytes) else str(finished)).rstrip("\0")
    created = f.attrs["created_utc"]
    created = created.decode() if isinstance(created, bytes) else str(created)
    if int(f[G].attrs["complete"]) == 1:
        check(len(finished) == 20 and finished.endswith("Z") and finished >= created,
              f"{path.name}: finished_utc {finished!r} at or after created_utc {created!r}")
    else:
        check(finished == "", f"{path.name}: no finished_utc while not complete ({finished!r})")


def check_layout(path):
    with h5py.File(path, "r") as f:
        check(list(f.attrs["format_version"]) == [2, 4], "format_version = [2, 4]")
        check_finished_utc(f, path)
        g = f[G]
        for name, grp in g["results"].items():
            if not isinstance(grp, h5py.Group):
                continue
            level = grp.attrs["level"]
            level = level.decode() if isinstance(level, bytes) else level
            want = ["mean"] if level == "point" else ["max", "mean", "min", "n", "q", "sd", "se"]
            check(sorted(grp) == want, f"results/{name} ({level}) holds {want} ({sorted(grp)})")
        kept = sorted(g["replications"])
        check(all(g[f"results/{m}"].attrs["level"] in ("replication", b"replication")
                  for m in kept) and "Vbar" not in kept,
              f"replications/ of replication-level outputs only ({kept})")
        labels = {}

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset):
                check("unit" in obj.attrs and "description" in obj.attrs,
                      f"{name} has a unit and a description")
                labels[name] = [d.label for d in obj.dims]
        g.visititems(visit)
        check(labels["points/delta"] == ["point"] and labels["results/status"] == ["point"],
              "point columns: dimension 0 is 'point'")
        check(labels["replications/sim_E_tau"] == ["point", "replication"], "replications/ axes")
        check(labels["series/tariff"] == ["point", "replication", "period"], "series/ axes")
        check(labels["results/sim_E_tau/q"] == ["point", "quantile"], "quantile axis")
        check(np.array_equal(g["points/delta"].dims[0][0][()], np.arange(6)),
              "the point scale is points/index")
        check(np.array_equal(g["series/tariff"].dims[2][0][()], np.arange(40)), "periods 0..T-1")
        check(np.array_equal(g["results/sim_E_tau/q"].dims[1][0][()], [0.1, 0.9]),
              "the quantile scale holds the probabilities")
        check(g["points/delta"].attrs["unit"] in ("1", b"1"), "a dimensionless parameter: unit 1")
        check_fixed_columns(g)


def check_fixed_columns(g):
    """A parameter the design does not vary ([parameters] periods = 40, the default dist) reads
    as its value at every point with no chunk written; a grid axis is written."""
    for name, value in (("periods", 40), ("dist", b"lognormal")):
        col = g[f"points/{name}"]
        check(col.id.get_storage_size() == 0 and all(v == value for v in col[()]),
              f"points/{name}: every row reads {value!r}, no chunk written "
              f"({col.id.get_storage_size()} bytes, {col[()][:3]})")
    check(g["points/delta"].id.get_storage_size() > 0 and
          sorted(set(g["points/delta"][()])) == [0.3, 0.6, 0.9], "points/delta is written")


def filters(path, name):
    with h5py.File(path, "r") as f:
        return f[f"{G}/{name}"].compression


def check_metrics(b, wd):
    exp = write(wd / "m.toml", EXPERIMENT + 'metrics = ["Vbar", "sim_E_tau"]\n')
    out = wd / "m.h5"
    run_ok(b, "run", exp, "-o", out, "--no-progress")
    with h5py.File(out, "r") as f:
        g = f[G]
        check(sorted(k for k in g["results"] if k != "status") == ["Vbar", "sim_E_tau"],
              "[output] metrics keeps the named outputs only")
        check(sorted(g["replications"]) == ["sim_E_tau"], "and their replications")
        config = g.attrs["config"]
        check("metrics" in config and "Vbar" in config and "sim_E_tau" in config,
              "the kept set is in the stored config")
    full = wd / "full.h5"
    run_ok(b, "run", write(wd / "full.toml", EXPERIMENT), "-o", full, "--no-progress")
    a, c = datasets(out), datasets(full)
    for name in ("v2/results/Vbar/mean", "v2/results/sim_E_tau/se", "v2/replications/sim_E_tau"):
        check(bitwise_equal(a[name], c[name]), f"{name}: the same bits as the full file's")
    r = run(b, "run", write(wd / "other.toml", EXPERIMENT + 'metrics = ["Vbar"]\n'), "-o", out,
            "--resume", "--no-progress")
    check(r.returncode == 2 and "different config" in r.stderr,
          f"--resume with another metrics list is refused (config_sha256) ({r.stderr[-200:]})")
    r = run(b, "run", write(wd / "bad.toml", EXPERIMENT + 'metrics = ["Vbr"]\n'), "-o",
            wd / "bad.h5")
    check(r.returncode == 2 and "bad.toml:" in r.stderr and "output.metrics[0]" in r.stderr and
          "did you mean 'Vbar'?" in r.stderr,
          f"an unknown output: exit 2, file:line, key and a suggestion ({r.stderr.strip()})")
    return full


def check_compression(b, wd, full):
    check(filters(full, "points/delta") is None and filters(full, "results/Vbar/mean") is None,
          "a run's point columns are not compressed (rewritten in place)")
    check(filters(full, "replications/sim_E_tau") == "gzip", "replications/ is deflated")
    exp = write(wd / "c.toml", EXPERIMENT)
    shards = [wd / f"s{i}.h5" for i in range(2)]
    for i, s in enumerate(shards):
        run_ok(b, "run", exp, "-o", s, "--shard", f"{i}/2", "--no-progress")
    merged = wd / "merged.h5"
    run_ok(b, "merge", merged, *shards)
    for s in shards + [merged]:
        with h5py.File(s, "r") as f:
            check_finished_utc(f, s)
    with h5py.File(merged, "r") as m, h5py.File(shards[0], "r") as first:
        check(m.attrs["created_utc"] == first.attrs["created_utc"],
              "a merged file's run began when its first shard was created")
    check(filters(merged, "points/delta") == "gzip" and
          filters(merged, "results/Vbar/mean") == "gzip", "merge compresses the point columns")
    a, c = datasets(merged), datasets(full)
    keys = (set(a) | set(c)) - {"/@created_utc", "/@finished_utc", "/@command_line", "/@git_commit"}
    diff = sorted(k for k in keys if k not in a or k not in c or not bitwise_equal(a[k], c[k]))
    check(not diff, f"the merged file holds the single run's values and attributes ({diff[:4]})")
    compact = wd / "compact.h5"
    run_ok(b, "merge", compact, full)
    check(filters(compact, "points/delta") == "gzip", "merge of a whole run's file compresses it")
    none = wd / "none.h5"
    run_ok(b, "run", write(wd / "n.toml", EXPERIMENT + "compression = 0\n"), "-o", none,
           "--no-progress")
    check(filters(none, "replications/sim_E_tau") is None, "compression = 0: no filter")


def merged_shards(b, wd, exp, stem):
    """Runs `exp` as two shards and merges them: (the shard files, the merged file)."""
    shards = [wd / f"{stem}{i}.h5" for i in range(2)]
    for i, s in enumerate(shards):
        run_ok(b, "run", exp, "-o", s, "--shard", f"{i}/2", "--no-progress")
    merged = wd / f"{stem}_merged.h5"
    run_ok(b, "merge", merged, *shards)
    return shards, merged


def stats_of(path, metric):
    with h5py.File(path, "r") as f:
        return sorted(f[f"{G}/results/{metric}"])


def check_statistics(b, wd, full):
    """[output] statistics keeps the named statistics (and the mean) of replication-level
    outputs, with the full file's bits; shards merge to the single run; the choice is part of the
    config; bad names exit 2 with file, line and key."""
    exp = write(wd / "st.toml", EXPERIMENT + 'statistics = ["se", "n"]\n')
    out = wd / "st.h5"
    run_ok(b, "run", exp, "-o", out, "--no-progress")
    check(stats_of(out, "sim_E_tau") == ["mean", "n", "q", "se"],
          f"statistics = ['se', 'n'] keeps mean, se, n (and q) ({stats_of(out, 'sim_E_tau')})")
    check(stats_of(out, "Vbar") == ["mean"], "a point-level output keeps its value alone")
    a, c = datasets(out), datasets(full)
    same = [k for k in a if k.startswith("v2/results/") and "@" not in k]
    check(same and all(bitwise_equal(a[k], c[k]) for k in same),
          "every kept statistic has the bits of the full file's")
    m = datasets(merged_shards(b, wd, exp, "st")[1])
    keys = (set(a) | set(m)) - {"/@created_utc", "/@finished_utc", "/@command_line", "/@git_commit"}
    diff = sorted(k for k in keys if k not in a or k not in m or not bitwise_equal(a[k], m[k]))
    check(not diff, f"two shards merge to the single run's file ({diff[:4]})")
    mean_only = wd / "mean.h5"
    run_ok(b, "run", write(wd / "mo.toml", EXPERIMENT + "statistics = []\n"), "-o", mean_only,
           "--no-progress")
    check(stats_of(mean_only, "sim_E_tau") == ["mean", "q"], "statistics = [] keeps the mean")
    r = run(b, "run", write(wd / "st2.toml", EXPERIMENT + 'statistics = ["se"]\n'), "-o", out,
            "--resume", "--no-progress")
    check(r.returncode == 2 and "different config" in r.stderr,
          f"--resume with other statistics is refused ({r.stderr[-200:]})")
    for bad, words in (('["median"]', '"sd", "se", "min", "max", "n"'),
                       ('["se", "se"]', "each statistic named once")):
        r = run(b, "run", write(wd / "bad_st.toml", EXPERIMENT + f"statistics = {bad}\n"), "-o",
                wd / "bad_st.h5")
        check(r.returncode == 2 and "bad_st.toml:" in r.stderr and "output.statistics[" in
              r.stderr and words in r.stderr,
              f"statistics = {bad}: exit 2 with file:line, key and what is expected "
              f"({r.stderr.strip()[-300:]})")


def check_point_level_only(b, wd, full):
    """Keeping point-level outputs only skips the replications: the same bits for what is kept,
    status/replications 0 at every point, validate and info say so, shards merge to the single
    run and pass the checks of --resume; one replication-level output brings the replications
    back."""
    exp = write(wd / "pl.toml", EXPERIMENT.replace(
        'series = ["tariff"]\nquantiles = [0.1, 0.9]\n', "") + 'metrics = ["Vbar", "P_protect"]\n')
    out = wd / "pl.h5"
    r = run_ok(b, "validate", exp)
    check("point-level outputs only: no replications run" in r.stdout, f"validate says so ({r.stdout})")
    run_ok(b, "run", exp, "-o", out, "--no-progress")
    a, c = datasets(out), datasets(full)
    for name in ("v2/results/Vbar/mean", "v2/results/P_protect/mean", "v2/results/status",
                 "v2/points/delta"):
        check(bitwise_equal(a[name], c[name]), f"{name}: the bits of the run keeping every output")
    check(not np.any(a["v2/status/replications"]), "status/replications is 0 at every point")
    check("replications" not in h5py.File(out, "r")[G], "no replications/ group")
    info = run_ok(b, "info", out).stdout
    check("no replications run" in info, f"info says no replications were run ({info[:400]})")
    shards, merged = merged_shards(b, wd, exp, "pl")
    m = datasets(merged)
    same = [k for k in a if "/results/" in k or "/status/" in k or "/points/" in k]
    check(all(bitwise_equal(a[k], m[k]) for k in same), "two shards merge to the single run")
    run_ok(b, "run", exp, "-o", shards[0], "--shard", "0/2", "--resume", "--no-progress")
    one = write(wd / "one_rep.toml", EXPERIMENT.replace(
        'series = ["tariff"]\nquantiles = [0.1, 0.9]\n', "") + 'metrics = ["Vbar", "sim_E_tau"]\n')
    run_ok(b, "run", one, "-o", wd / "one_rep.h5", "--no-progress")
    runs = datasets(wd / "one_rep.h5")["v2/status/replications"]
    check(np.all(runs == 30), f"with a replication-level output kept, 30 replications a point ({runs})")


def check_version_1(b, wd, full):
    exp = write(wd / "v1.toml", EXPERIMENT)
    old = wd / "v1.h5"
    old.write_bytes(full.read_bytes())
    with h5py.File(old, "r+") as f:
        f.attrs["format_version"] = np.int32(1)
        f[G].attrs["complete"] = np.uint8(0)
    for args in (("info", old), ("merge", wd / "out.h5", old),
                 ("run", exp, "-o", old, "--resume", "--no-progress")):
        r = run(b, *args)
        check(r.returncode == 2 and str(old) in r.stderr and "format version 1" in r.stderr and
              "tariffsim 0.1.0" in r.stderr,
              f"{args[0]}: a version-1 file is refused, naming the release that reads it "
              f"({r.stderr.strip()[-250:]})")


def check_info_shows_finished(b, path):
    """`tariffsim info` names the time the file became complete, the one finished_utc holds."""
    with h5py.File(path, "r") as f:
        finished = f.attrs["finished_utc"]
    finished = (finished.decode() if isinstance(finished, bytes) else str(finished)).rstrip("\0")
    out = run_ok(b, "info", path).stdout
    check(f", complete at {finished}\n" in out, f"info prints 'complete at {finished}' ({out[:200]})")


LIST_GRID = """
[experiment]
name = "lists"
model = "bagwell_staiger"
seed = 1
replications = 1
[parameters]
dist = "discrete"
probs = [0.5, 0.5]
periods = 1
[grid]
values = [[0.0, 1.5], [-0.0, 1.5], [-0.0, 1.5], [0.0, 1.5], [0.5, 1.5]]
delta = [0.2, 0.3]
"""


def check_list_text(b, wd):
    """A list parameter is stored as its text, row by row (the writer reuses the text of a row
    equal to the one before, bit for bit: -0.0 == 0.0 but prints as -0)."""
    exp = write(wd / "lists.toml", LIST_GRID)
    out = wd / "lists.h5"
    run_ok(b, "run", exp, "-o", out, "--no-progress")
    with h5py.File(out, "r") as f:
        text = [v.decode() for v in f["lists/points/values"][()]]
    expected = [t for t in ["[0, 1.5]", "[-0, 1.5]", "[-0, 1.5]", "[0, 1.5]", "[0.5, 1.5]"]
                for _ in range(2)]
    check(text == expected, f"points/values as configured, -0 included ({text})")


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    full = check_metrics(b, wd)
    check_layout(full)
    check_info_shows_finished(b, full)
    check_statistics(b, wd, full)
    check_point_level_only(b, wd, full)
    check_compression(b, wd, full)
    check_version_1(b, wd, full)
    check_list_text(b, wd)


if __name__ == "__main__":
    main()
