"""`tariffsim describe` lists every parameter and output with its unit, exactly as the HDF5 file
carries them; adaptive precision stops each point at its target standard error or at the cap."""
import h5py
import numpy as np

from common import check, parse_args, run, workdir, write

PARAMS = ["delta", "a", "F", "theta", "dist", "mean", "sd", "lo", "hi", "mu", "sigma", "values",
          "probs", "periods"]
OUTPUTS = ["Vbar", "omega", "E_gain", "P_protect", "E_tau", "E_tau2", "tau_N_at_mean",
           "free_trade_sustainable", "E_V", "P_increase", "P_onset"]


def main():
    args = parse_args()
    b, wd = args.tariffsim, workdir()
    r = run(b, "describe", "bagwell_staiger")
    check(r.returncode == 0, "describe bagwell_staiger succeeds")
    lines = r.stdout.splitlines()
    for name in PARAMS + OUTPUTS + ["tariff", "volume", "growth"]:
        row = [ln for ln in lines if ln.strip().split("  ")[0] == name]
        check(len(row) == 1 and "[" in row[0] and "]" in row[0], f"describe lists {name} with a unit")
    r = run(b, "models")
    check(r.returncode == 0 and "bagwell_staiger" in r.stdout, "models lists bagwell_staiger")

    exp = write(wd / "p.toml", """
[experiment]
name = "prec"
model = "bagwell_staiger"
seed = 8
replications = 64
[parameters]
periods = 50
[grid]
sd = [0.05, 0.8]
[precision]
target_se = { sim_E_tau = 0.0015 }
max_replications = 2048
""")
    out = wd / "p.h5"
    r = run(b, "run", exp, "-o", out, "--no-progress")
    check(r.returncode == 0, f"adaptive run succeeds ({r.stderr.strip()[-200:]})")
    with h5py.File(out, "r") as f:
        g = f["prec"]
        se = g["results/sim_E_tau/se"][()]
        n = g["results/sim_E_tau/n"][()]
        for i in range(len(n)):
            check(se[i] <= 0.0015 or n[i] == 2048,
                  f"point {i}: se {se[i]:.5f} <= target or n = cap (n = {n[i]})")
            check(n[i] in (64, 128, 256, 512, 1024, 2048), f"point {i}: n doubled from 64 ({n[i]})")
        check(n[1] > n[0], "the more volatile point needed more replications")
        check(g["results/Vbar"].attrs["unit"] == "volume", "units are stored with the results")
        check(g["points/delta"].attrs["description"].startswith("discount"), "parameters described")


if __name__ == "__main__":
    main()
