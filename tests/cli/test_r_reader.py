"""The R reader (tools/R/tariffsim_reader.R, hdf5r) builds the same data.frame of points and
means that the file holds."""
import shutil
import subprocess

import h5py
import numpy as np

from common import check, parse_args, run, workdir, write


def main():
    args = parse_args()
    if shutil.which("Rscript") is None:
        check(False, "Rscript is installed (tools/setup.sh installs r-base-core and r-cran-hdf5r)")
    b, wd = args.tariffsim, workdir()
    exp = write(wd / "r.toml", """
[experiment]
name = "rreader"
model = "bagwell_staiger"
seed = 4
replications = 10
[parameters]
periods = 20
[grid]
delta = [0.3, 0.6, 0.9]
""")
    out = wd / "r.h5"
    r = run(b, "run", exp, "-o", out, "--no-progress")
    check(r.returncode == 0, "run succeeds")
    script = f"""
source("{args.source}/tools/R/tariffsim_reader.R")
df <- read_tariffsim("{out}", stats = c("mean", "se"))
write.csv(df[, c("delta", "dist", "Vbar", "sim_P_protect_se", "status")], "{wd}/r.csv",
          row.names = FALSE)
cat(nrow(df), "\\n")
"""
    r = subprocess.run(["Rscript", "-e", script], capture_output=True, text=True)
    check(r.returncode == 0, f"Rscript reads the file ({r.stderr.strip()[-300:]})")
    check(r.stdout.strip() == "3", f"one row per point ({r.stdout.strip()})")
    rows = (wd / "r.csv").read_text().splitlines()
    check(rows[0] == '"delta","dist","Vbar","sim_P_protect_se","status"', "columns by name")
    with h5py.File(out, "r") as f:
        vbar = f["rreader/results/Vbar/mean"][()]
    got = np.array([float(line.split(",")[2]) for line in rows[1:]])
    check(np.allclose(got, vbar, rtol=1e-14), "R sees the same means as h5py")
    check(all('"lognormal"' in line for line in rows[1:]), "enum parameters as text in R")
    r = subprocess.run(["Rscript", "-e", f'source("{args.source}/tools/R/tariffsim_reader.R"); '
                        f'read_tariffsim("{exp}")'], capture_output=True, text=True)
    check(r.returncode != 0, "R refuses a file that is not HDF5")
    # Format 2: a point-level output stores its value alone, so asking for its se gives no column.
    r = subprocess.run(["Rscript", "-e", f'source("{args.source}/tools/R/tariffsim_reader.R"); '
                        f'df <- read_tariffsim("{out}", stats = c("mean", "se")); '
                        f'cat("Vbar_se" %in% names(df), "sim_P_protect_se" %in% names(df))'],
                       capture_output=True, text=True)
    check(r.stdout.strip() == "FALSE TRUE", f"se of replication-level outputs only ({r.stdout})")
    for version, words in ((np.array([2, 9], np.int32), None),
                           (np.array([3, 0], np.int32), "newer"),
                           (1, "tariffsim 0.1.0")):
        with h5py.File(out, "r+") as f:
            f.attrs["format_version"] = version
        r = subprocess.run(["Rscript", "-e", f'source("{args.source}/tools/R/tariffsim_reader.R"); '
                            f'cat(nrow(read_tariffsim("{out}")))'], capture_output=True, text=True)
        if words is None:
            check(r.returncode == 0 and r.stdout.strip() == "3", "R reads a newer minor version")
        else:
            check(r.returncode != 0 and words in r.stderr,
                  f"R refuses format_version {version} ({r.stderr.strip()[-200:]})")


if __name__ == "__main__":
    main()
