"""Print a short table of what a tariffsim result file shows (used by tools/quickstart.sh)."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tariffsim as ts  # noqa: E402


def main(path: str) -> None:
    df = ts.open(path).results(stat=["mean", "se"])
    print(f"experiment {df.attrs['experiment']} (model {df.attrs['model']}): {len(df)} points")
    varying = [c for c in df.attrs["parameters"] if df[c].astype(str).nunique() > 1]  # lists unhashable
    shown = [c for c in ("Vbar", "P_protect", "sim_P_protect", "sim_P_protect_se", "E_tau",
                         "sim_E_tau", "P_increase", "sim_P_increase") if c in df.columns]
    with_pd_options(lambda: print(df[varying + shown].to_string(index=False)))
    if "sim_P_protect" in df.columns:
        diff = (df["sim_P_protect"] - df["P_protect"]).abs()
        varied = df["sim_P_protect_se"] > 0
        within = diff[varied] <= 4 * df["sim_P_protect_se"][varied]
        print(f"\nsimulated P_protect within 4 standard errors of the analytic value at "
              f"{int(within.sum())} of {int(varied.sum())} points with sampling variation")
        if (~varied).any():
            print(f"({int((~varied).sum())} points had protection in every period or in none: "
                  f"analytic P_protect there is {df['P_protect'][~varied].round(6).tolist()})")
    print("Reading: protection is more frequent when patience (delta) is low and volume is "
          "volatile (sd); V-bar is the volume above which the cooperative tariff turns on.")


def with_pd_options(fn):
    import pandas as pd
    with pd.option_context("display.float_format", "{:.4f}".format, "display.width", 140):
        fn()


if __name__ == "__main__":
    main(sys.argv[1])
