"""The engine installs as a CMake package (find_package(tariffsim)), and a model built outside
this tree against it registers itself and runs an experiment to a valid result file."""
import subprocess
from pathlib import Path

import h5py
import numpy as np

from common import check, parse_args, workdir, write


def main():
    args = parse_args()
    build_dir = Path(args.tariffsim).resolve().parents[1]
    wd = workdir()
    prefix = wd / "prefix"
    r = subprocess.run(["cmake", "--install", str(build_dir), "--prefix", str(prefix)],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"cmake --install ({r.stderr.strip()[-300:]})")
    src = Path(args.source) / "tests" / "external_model"
    r = subprocess.run(["cmake", "-S", str(src), "-B", str(wd / "b"), "-DCMAKE_BUILD_TYPE=Release",
                        f"-DCMAKE_PREFIX_PATH={prefix}"], capture_output=True, text=True)
    check(r.returncode == 0, f"an external project finds the package ({r.stderr.strip()[-400:]})")
    r = subprocess.run(["cmake", "--build", str(wd / "b")], capture_output=True, text=True)
    check(r.returncode == 0, f"and builds a model against it ({r.stdout.strip()[-400:]})")
    exp = write(wd / "coin.toml", """
[experiment]
name = "coin"
model = "coin"
seed = 1
replications = 400
[parameters]
n = 50
[grid]
p = [0.1, 0.5, 0.9]
""")
    out = wd / "coin.h5"
    r = subprocess.run([str(wd / "b" / "external_model"), str(exp), str(out)], capture_output=True,
                       text=True)
    check(r.returncode == 0, f"the external model runs ({r.stderr.strip()[-300:]})")
    with h5py.File(out, "r") as f:
        g = f["coin"]
        mean, se = g["results/share/mean"][()], g["results/share/se"][()]
        p = g["points/p"][()]
        check(bool(np.all(np.abs(mean - p) <= 4 * se)), f"share of heads within 4 se of p ({mean})")
        check(int(g.attrs["complete"]) == 1, "the file is complete")


if __name__ == "__main__":
    main()
