"""The engine's probit and logit against statsmodels on a fixed dataset: coefficients, the
model-based, HC0 and cluster-robust covariances, the log-likelihood and the marginal effects at
means (with their delta-method errors) agree to 1e-6 relative. Skipped, with a message and
ctest's skip code, where statsmodels is not installed.

usage: test_estimators_statsmodels.py --fit-binary BIN"""
import argparse
import json
import subprocess
import sys

try:
    import numpy as np
    import statsmodels.api as sm
    MISSING = None
except ImportError as missing:
    MISSING = missing.name

SKIP = 77


def fixed_dataset():
    """2,000 observations in 250 clusters: a shared cluster effect in one regressor and in the
    latent error, so that clustering matters; a rare-ish outcome (mean ~0.2)."""
    rng = np.random.default_rng(20261204)
    groups = np.repeat(np.arange(250), 8)
    shared = rng.normal(size=250)[groups]
    g = 0.6 * shared + rng.normal(size=2000)
    lne = rng.normal(-2.0, 1.5, size=250)[groups]
    sd = rng.uniform(0.2, 1.0, size=250)[groups]
    X = np.column_stack([np.ones(2000), g, lne, g * lne, sd])
    latent = X @ np.array([-1.0, 0.5, 0.1, 0.05, -0.4]) + 0.5 * shared + rng.normal(size=2000)
    y = (latent > 0).astype(float)
    return y, groups, X


def engine_fit(binary, link, y, groups, X):
    rows = ["y,cluster," + ",".join(f"x{j}" for j in range(X.shape[1]))]
    rows += [",".join([repr(float(y[i])), str(int(groups[i]))] + [repr(float(v)) for v in X[i]])
             for i in range(len(y))]
    out = subprocess.run([binary, link], input="\n".join(rows) + "\n", capture_output=True,
                         text=True, check=True)
    return json.loads(out.stdout)


def close(name, ours, theirs, rtol=1e-6):
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    scale = np.maximum(np.abs(theirs), 1e-3 * np.max(np.abs(theirs)))
    worst = float(np.max(np.abs(ours - theirs) / scale))
    if not worst <= rtol:
        print(f"FAIL: {name}: largest relative difference {worst:.3g} > {rtol}\nours\n{ours}\n"
              f"statsmodels\n{theirs}", file=sys.stderr)
        sys.exit(1)
    print(f"ok: {name} agrees with statsmodels (largest relative difference {worst:.2g})")


def compare(binary, link, sm):
    y, groups, X = fixed_dataset()
    ours = engine_fit(binary, link, y, groups, X)
    assert ours["status"] == "ok", ours["status"]
    model = (sm.Probit if link == "probit" else sm.Logit)(y, X)
    fit = model.fit(method="newton", tol=1e-12, maxiter=100, disp=False)
    robust = model.fit(method="newton", tol=1e-12, maxiter=100, disp=False, cov_type="HC0")
    clustered = model.fit(method="newton", tol=1e-12, maxiter=100, disp=False,
                          cov_type="cluster", cov_kwds={"groups": groups})
    close(f"{link} coefficients", ours["coef"][0], fit.params)
    close(f"{link} log-likelihood", ours["loglik"], fit.llf)
    close(f"{link} model covariance", ours["cov"], fit.cov_params())
    close(f"{link} HC0 covariance", ours["robust"], robust.cov_params())
    close(f"{link} cluster covariance", ours["cluster"], clustered.cov_params())
    effects = np.asarray(ours["effects"])[1:]  # statsmodels leaves out the constant
    m = fit.get_margeff(at="mean")
    close(f"{link} marginal effects at means", effects[:, 0], m.margeff)
    close(f"{link} marginal-effect errors (model covariance)", effects[:, 1], m.margeff_se)
    mc = clustered.get_margeff(at="mean")
    close(f"{link} marginal-effect errors (cluster covariance)", effects[:, 2], mc.margeff_se)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--fit-binary", required=True)
    args = p.parse_args()
    if MISSING:
        print(f"skipped: {MISSING} is not installed (Debian: python3-numpy and "
              "python3-statsmodels, which tools/setup.sh installs)")
        sys.exit(SKIP)
    for link in ("probit", "logit"):
        compare(args.fit_binary, link, sm)


if __name__ == "__main__":
    main()
