"""The bown_crowley model end to end: `describe` lists every parameter and output of the issue
with its unit; the six bc_* experiments validate, and run small (--set) with the economics they
show (growth +, s.d. -, elasticity 0 in the base model; elasticity + with a defection cost or a
recording threshold; the growth sign flips with the lagged regressor); results are bitwise the
same on 1 and 2 threads, with sectors fixed or resampled; the panel series hold the panel; bad
input is exit 2 naming the key; the README table script reads the file."""
import subprocess
from pathlib import Path

import numpy as np

from common import check, parse_args, run, same_content, workdir, write

PARAMS = ["sectors", "periods", "delta", "log_volume_sd", "cv_lo", "cv_hi", "lne_mean", "lne_sd",
          "defect_cost_share", "theta", "regressor", "outcome", "resample_sectors"]
OUTPUTS = (["b_const", "b_g", "b_lne", "b_g_x_lne", "b_sd_g"]
           + ["z_" + n for n in ["const", "g", "lne", "g_x_lne", "sd_g"]]
           + ["me_growth", "me_lne", "me_sd_g", "pct_growth", "pct_lne", "pct_sd_g", "mean_y",
              "n_obs", "reject_g", "reject_lne", "reject_sd_g"])
EXPERIMENTS = ["bc_base", "bc_defection_cost", "bc_threshold", "bc_timing", "bc_power",
               "bc_paper_size"]


def describe_lists_everything(b):
    r = run(b, "describe", "bown_crowley")
    check(r.returncode == 0, "describe bown_crowley")
    lines = {line.split()[0]: line for line in r.stdout.splitlines() if line.strip()}
    missing = [n for n in PARAMS + OUTPUTS if n not in lines]
    check(not missing, f"describe lists every parameter and output (missing {missing})")
    no_unit = [n for n in PARAMS + OUTPUTS if "[" not in lines[n]]
    check(not no_unit, f"each with its unit (without: {no_unit})")


def run_exp(b, src, wd, name, *sets, threads=2):
    out = wd / f"{name}_{threads}.h5"
    args = ["run", Path(src) / "experiments" / f"{name}.toml", "-o", out, "--no-progress",
            "--threads", threads]
    for s in sets:
        args += ["--set", s]
    r = run(b, *args)
    check(r.returncode == 0, f"{name} runs ({r.stderr.strip()[-300:]})")
    return str(out)


def economics(b, src, wd, ts):
    small = ["experiment.replications=24", "sectors=400"]
    base = ts.open(run_exp(b, src, wd, "bc_base", *small)).results(stat=["mean", "se"])
    for _, row in base.iterrows():
        label = f"base ({row.outcome}, resample {row.resample_sectors})"
        check(row.z_me_growth > 5 and row.reject_g > 0.9, f"{label}: growth + (z {row.z_me_growth:.1f})")
        check(row.z_me_sd_g < 0, f"{label}: s.d. - (z {row.z_me_sd_g:.1f})")
        if row.resample_sectors:
            # Over designs the elasticity's z is N(0, 1) in truth: its mean over 24 is within 4/sqrt(24).
            check(abs(row.z_me_lne) < 4 / np.sqrt(24), f"{label}: elasticity 0 (mean z {row.z_me_lne:.2f})")
        else:
            check(abs(row.mean_y - row.true_mean_y) < 4 * row.mean_y_se,
                  f"{label}: share of y matches the closed form")
    cost = ts.open(run_exp(b, src, wd, "bc_defection_cost", *small,
                           "grid.defect_cost_share=[0.0, 0.25]")).results()
    check(cost.z_me_lne.iloc[1] > 4 and cost.reject_lne.iloc[1] > 0.9,
          f"f = 0.25: elasticity + (z {cost.z_me_lne.iloc[1]:.1f})")
    thr = ts.open(run_exp(b, src, wd, "bc_threshold", *small, "grid.theta=[0.0, 0.02]")).results()
    check(thr.z_me_lne.iloc[1] > 4, f"theta = 0.02: elasticity + (z {thr.z_me_lne.iloc[1]:.1f})")
    timing = ts.open(run_exp(b, src, wd, "bc_timing", *small, "grid.defect_cost_share=[0.0]")).results()
    lagged = timing[timing.regressor == "lagged"]
    aligned = timing[timing.regressor == "aligned"]
    check((aligned.z_me_growth > 5).all() and (lagged.z_me_growth < 0).all(),
          "timing: growth + aligned, - lagged (mean reversion)")
    for name in EXPERIMENTS:
        r = run(b, "validate", Path(src) / "experiments" / f"{name}.toml")
        check(r.returncode == 0, f"{name} validates")


def invariance_and_panel(b, wd, ts):
    exp = write(wd / "bc_small.toml", """
[experiment]
name = "bc_small"
model = "bown_crowley"
seed = 5
replications = 12
block_size = 3
[parameters]
sectors = 60
periods = 6
panel_rows = 40
[grid]
resample_sectors = [false, true]
defect_cost_share = [0.0, 0.3]
[output]
replications = true
series = ["panel_sector", "panel_y", "panel_g", "panel_sd_g"]
""")
    files = []
    for threads in (1, 2):
        out = wd / f"small_{threads}.h5"
        r = run(b, "run", exp, "-o", out, "--threads", threads, "--no-progress")
        check(r.returncode == 0, f"small panel experiment on {threads} threads ({r.stderr[-200:]})")
        files.append(out)
    same_content(files[0], files[1], "bown_crowley 1 vs 2 threads")
    y = ts.open(str(files[0])).series("panel_y")[:]
    g = ts.open(str(files[0])).series("panel_g")[:]
    sd = ts.open(str(files[0])).series("panel_sd_g")[:]
    sector = ts.open(str(files[0])).series("panel_sector")[:]
    check(y.shape == (4, 12, 40) and set(np.unique(y)) <= {0.0, 1.0}, f"panel_y is 0/1 {y.shape}")
    check((sector[:, :, :6] == 0).all() and (sector[:, :, 6:12] == 1).all(), "rows are sector-major")
    check(np.allclose(sd[:, :, 0], np.std(g[:, :, :6], axis=2, ddof=1), rtol=1e-12),
          "sd_g is the sample s.d. of the sector's growth regressors")


def bad_input(b, wd):
    bad = write(wd / "bad.toml", """
[experiment]
name = "bad"
model = "bown_crowley"
seed = 1
[parameters]
cv_lo = 0.9
cv_hi = 0.2
""")
    r = run(b, "validate", bad)
    check(r.returncode == 2 and "cv_lo" in r.stderr and "bad.toml" in r.stderr,
          f"cv_lo > cv_hi is exit 2 naming the file and key ({r.stderr.strip()[:200]})")
    r = run(b, "validate", bad, "--set", "cv_lo=0.1", "--set", "regressor=sideways")
    check(r.returncode == 2 and "regressor" in r.stderr and "aligned" in r.stderr,
          f"an unknown regressor is exit 2 listing the choices ({r.stderr.strip()[:200]})")


def main():
    args = parse_args()
    import tariffsim as ts
    b, src, wd = args.tariffsim, args.source, workdir()
    describe_lists_everything(b)
    economics(b, src, wd, ts)
    invariance_and_panel(b, wd, ts)
    bad_input(b, wd)
    table = subprocess.run(["/usr/bin/python3", str(Path(src) / "tools/python/bc_table.py"),
                            str(wd / "bc_base_2.h5")], capture_output=True, text=True)
    check(table.returncode == 0 and "Table 2" in table.stdout and table.stdout.count("\n| ") >= 5,
          f"bc_table.py prints the README table ({table.stderr[-200:]})")
    grids = subprocess.run(["/usr/bin/python3", str(Path(src) / "tools/python/bc_table.py"),
                            str(wd / "bc_base_2.h5"), "--power", "outcome", "resample_sectors"],
                           capture_output=True, text=True)
    # One grid per test (3), each a header, a rule and one row per outcome (2).
    check(grids.returncode == 0 and grids.stdout.count("rejection rate") == 3
          and grids.stdout.count("\n| increase |") == 3 and grids.stdout.count("\n| onset |") == 3,
          f"bc_table.py --power prints the grids of rejection rates ({grids.stderr[-200:]})")


if __name__ == "__main__":
    main()
