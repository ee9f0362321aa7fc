"""The Python reader: one call gives a DataFrame of points and means; it checks the format first
and refuses incomplete files unless asked."""
import h5py
import numpy as np
import pandas as pd

from common import check, parse_args, run, workdir, write


def main():
    args = parse_args()
    import tariffsim_reader as ts
    b, wd = args.tariffsim, workdir()
    exp = write(wd / "r.toml", """
[experiment]
name = "reader"
model = "bagwell_staiger"
seed = 3
replications = 20
[parameters]
periods = 30
dist = "uniform"
[grid]
delta = { linspace = [0.2, 0.8, 4] }
theta = [0.0, 0.05]
[output]
series = ["tariff"]
""")
    out = wd / "r.h5"
    r = run(b, "run", exp, "-o", out, "--no-progress")
    check(r.returncode == 0, f"run succeeds ({r.stderr.strip()[-300:]})")

    df = ts.read(str(out))
    check(isinstance(df, pd.DataFrame) and len(df) == 8, f"one row per point ({len(df)})")
    for col in ("index", "delta", "theta", "dist", "Vbar", "P_protect", "sim_P_protect", "status"):
        check(col in df.columns, f"column {col}")
    with h5py.File(out, "r") as f:
        g = f["reader"]
        check(np.array_equal(df["Vbar"].to_numpy(), g["results/Vbar/mean"][()]), "means as stored")
        check(np.array_equal(df["delta"].to_numpy(), g["points/delta"][()]), "parameters as stored")
    check(list(df["delta"].iloc[::2]) == [0.2, 0.4, 0.6000000000000001, 0.8] or
          np.allclose(df["delta"].iloc[::2], [0.2, 0.4, 0.6, 0.8]), "grid order: last axis fastest")
    check(set(df["dist"]) == {"uniform"}, "enum parameters read as text")
    check(df.attrs["status_codes"][0] == "ok", "status codes travel with the frame")
    check(df.attrs["units"]["E_tau"] == "price", "units travel with the frame")
    se = ts.read(str(out), stats=("mean", "se"))
    check("sim_P_protect_se" in se.columns, "other statistics as <metric>_<stat>")
    # Format 2: a point-level output (a closed form) stores its value alone.
    check("Vbar_se" not in se.columns and "Vbar" in se.columns,
          "no statistics other than the value for a point-level output")
    with h5py.File(out, "r") as f:
        check(list(f["reader/results/Vbar"]) == ["mean"], "results/Vbar holds mean alone")
        check(f["reader/points/delta"].dims[0].label == "point", "the point axis is named")
    try:
        ts.replications(str(out), "Vbar")
        check(False, "replications of a point-level output are refused")
    except KeyError as e:
        check("replications" in str(e), f"replications were not kept ({e})")
    s = ts.series(str(out), "tariff")
    check(s.shape == (8, 20, 30), f"series shape [P, R, T] ({s.shape})")

    # A file that is not tariffsim's, and an incomplete one.
    with h5py.File(wd / "other.h5", "w") as f:
        f.attrs["format"] = "something-else"
    try:
        ts.read(str(wd / "other.h5"))
        check(False, "a foreign file is refused")
    except ts.FormatError as e:
        check("not a tariffsim result file" in str(e), "a foreign file is refused with a clear message")
    with h5py.File(out, "r+") as f:
        f["reader"].attrs["complete"] = np.uint8(0)
    try:
        ts.read(str(out))
        check(False, "an incomplete file is refused")
    except ts.FormatError as e:
        check("incomplete" in str(e), "an incomplete file is refused by default")
    check(len(ts.read(str(out), allow_incomplete=True)) == 8, "allow_incomplete reads done points")
    with h5py.File(out, "r+") as f:
        f.attrs["format_version"] = np.array([2, 9], np.int32)
    check(len(ts.read(str(out), allow_incomplete=True)) == 8, "a newer minor version is read")
    with h5py.File(out, "r+") as f:
        f.attrs["format_version"] = np.array([3, 0], np.int32)
    try:
        ts.read(str(out), allow_incomplete=True)
        check(False, "a newer format version is refused")
    except ts.FormatError as e:
        check("format_version 3.0" in str(e) and "newer" in str(e),
              "a newer major format version is refused")
    with h5py.File(out, "r+") as f:
        f.attrs["format_version"] = 1
    try:
        ts.read(str(out), allow_incomplete=True)
        check(False, "a version-1 file is refused")
    except ts.FormatError as e:
        check("format version 1" in str(e) and "tariffsim 0.1.0" in str(e),
              f"a version-1 file is refused, naming the release that reads it ({e})")


if __name__ == "__main__":
    main()
