"""The engine installs as a CMake package (find_package(tariffsim)), and a model built outside
this tree against it registers itself and runs an experiment to a valid result file. That model,
coin.cpp, is the complete example of models/README.md: the README must hold it verbatim."""
import re
import subprocess
from pathlib import Path

import h5py
import numpy as np

from common import check, parse_args, workdir, write


def readme_code_blocks(readme: Path):
    """The text of every ```cpp block of a Markdown file."""
    return re.findall(r"^```cpp\n(.*?)^```$", readme.read_text(), re.S | re.M)


def main():
    args = parse_args()
    src = Path(args.source) / "tests" / "external_model"
    readme = Path(args.source) / "models" / "README.md"
    check((src / "coin.cpp").read_text() in readme_code_blocks(readme),
          "models/README.md shows tests/external_model/coin.cpp verbatim")
    build_dir = Path(args.tariffsim).resolve().parents[1]
    wd = workdir()
    prefix = wd / "prefix"
    r = subprocess.run(["cmake", "--install", str(build_dir), "--prefix", str(prefix)],
                       capture_output=True, text=True)
    check(r.returncode == 0, f"cmake --install ({r.stderr.strip()[-300:]})")
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
[output]
replications = true
series = ["heads_so_far"]
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
        check(bool(np.all(g["results/p_exact/mean"][()] == p)), "the point metric is p")
        heads, path = g["replications/heads"][()], g["series/heads_so_far"][()]
        check(bool(np.all(path[:, :, -1] == heads)), "the series ends at the replication's heads")
        check(bool(np.all(g["replications/share"][()] == heads / 50)), "share = heads / n")
        check(int(g.attrs["complete"]) == 1, "the file is complete")


if __name__ == "__main__":
    main()
