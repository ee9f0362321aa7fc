"""`tariffsim plot` and `tariffsim report` on small runs of every experiment that declares a
figure: every expected figure is written as a valid PNG and PDF of sensible size; a file of an
experiment without figures, a foreign file, a missing file and a bad --format get a message and
exit code 2 (no traceback); each report is one self-contained HTML page that headless Chromium
renders with every figure decoded, and a screenshot is saved. A proposition experiment's report
leads with "holds at k of n points", k and n counted in the file; an incomplete file is refused
with a message naming --allow-incomplete, and read (finished points only) with it."""
import base64
import re
import shutil
import subprocess
import time

import h5py
import numpy as np

from common import check, parse_args, run, workdir

# Experiment -> (--set overrides that make it small, the figure stems `plot` must write).
EXPERIMENTS = {
    "quickstart": (["grid.delta=[0.5, 0.9]", "grid.sd=[0.1, 0.5]", "experiment.replications=10",
                    "periods=50"], ["quickstart_vbar_pprotect", "quickstart_tariff_rule"]),
    "bs_variance": (["grid.delta={ linspace = [0.1, 0.9, 5] }", "grid.sd={ linspace = [0.1, 1.0, 4] }",
                     "experiment.replications=5", "periods=20"],
                    ["bs_variance_vbar_pprotect", "bs_variance_tariff_rule"]),
    "bs_paths": ([], ["bs_paths_tariff_paths", "bs_paths_tariff_rule"]),
    "deremer_fig1": (["n_curve=101", "n_path=21"], ["deremer_fig1"]),
    "em_fig4": (["grid.ttil={ linspace = [0.0, 1.0, 21] }"], ["em_fig4"]),
    "cu_regression": (["experiment.replications=10", "L=100"], ["cu_regression"]),
    "bc_paper_size": (["sectors=300", "experiment.replications=6", "grid.delta=[0.7]",
                       "grid.periods=[6]"],
                      ["bc_paper_size_pct_effects", "bc_paper_size_z"]),
    "bc_power": (["grid.sectors=[50, 200]", "grid.periods=[5, 8]", "experiment.replications=8"],
                 ["bc_power_power"]),
}
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def run_small(b, src, wd, name, sets):
    out = wd / f"{name}.h5"
    args = ["run", f"{src}/experiments/{name}.toml", "-o", out, "--no-progress", "-q"]
    for s in sets:
        args += ["--set", s]
    r = run(b, *args)
    check(r.returncode == 0, f"{name} runs small ({r.stderr.strip()[-300:]})")
    return out


def png_size(data: bytes):
    """(width, height) from a PNG's IHDR, or None if `data` is not a PNG."""
    if not data.startswith(PNG_MAGIC) or data[12:16] != b"IHDR":
        return None
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def check_figures(b, wd, name, path, stems):
    figdir = wd / f"fig_{name}"
    r = run(b, "plot", path, "-o", figdir, "--format", "png,pdf")
    check(r.returncode == 0, f"plot {name} ({r.stderr.strip()[-400:]})")
    written = sorted(p.name for p in figdir.iterdir())
    expected = sorted(f"{s}.{ext}" for s in stems for ext in ("png", "pdf"))
    check(written == expected, f"plot {name} writes exactly {expected} ({written})")
    for stem in stems:
        png = (figdir / f"{stem}.png").read_bytes()
        size = png_size(png)
        check(size is not None and size[0] >= 600 and size[1] >= 400 and len(png) > 20000,
              f"{stem}.png is a PNG of at least 600 x 400 pixels ({size}, {len(png)} bytes)")
        pdf = (figdir / f"{stem}.pdf").read_bytes()
        check(pdf.startswith(b"%PDF-") and b"%%EOF" in pdf[-64:] and len(pdf) > 5000,
              f"{stem}.pdf is a complete PDF ({len(pdf)} bytes)")


def check_bad_input(b, src, wd, known_file):
    """Exit code 2 and a one-line message, never a traceback."""
    other = run_small(b, src, wd, "deremer_eq7", ["grid.gM=[1.2]", "grid.gE=[1.1]"])
    cases = [
        ("an experiment without figures", ["plot", other],
         ["deremer_eq7", "declares no figure", "bs_variance", "em_fig4", "bagwell_staiger"]),
        ("a missing file", ["plot", wd / "nothing.h5"], ["nothing.h5", "no such file"]),
        ("a file that is not a result file", ["plot", src + "/README.md"], ["README.md"]),
        ("a bad --format", ["plot", known_file, "--format", "png,gif"], ["--format", "gif"]),
        ("a missing file (report)", ["report", wd / "nothing.h5"], ["no such file"]),
    ]
    for what, args, words in cases:
        r = run(b, *args)
        check(r.returncode == 2, f"{what}: exit code 2 ({r.returncode})")
        check(all(w in r.stderr for w in words) and "Traceback" not in r.stderr,
              f"{what}: the message names {words} ({r.stderr.strip()[-300:]})")
    # A report of such a file is still a report, saying which experiments have figures.
    html = wd / "deremer_eq7.html"
    r = run(b, "report", other, "-o", html)
    check(r.returncode == 0 and "No figures are declared" in html.read_text(),
          f"report of an experiment without figures says so ({r.stderr.strip()[-300:]})")


def check_report(b, wd, name, path, stems):
    html_path = wd / f"{name}.html"
    r = run(b, "report", path, "-o", html_path)
    check(r.returncode == 0, f"report {name} ({r.stderr.strip()[-300:]})")
    page = html_path.read_text()
    # Self-contained: nothing fetched from elsewhere.
    check(not re.search(r'(src|href)="(?!data:|#)', page), f"{name}.html loads nothing external")
    images = re.findall(r'<img alt="([^"]+)" src="data:image/png;base64,([^"]+)"', page)
    check(sorted(alt for alt, _ in images) == sorted(stems),
          f"{name}.html embeds every figure ({[alt for alt, _ in images]})")
    for alt, data in images:
        check(png_size(base64.b64decode(data)) is not None, f"{alt} embedded as a valid PNG")
    for needle in ("git commit", "kernel path", "command line", "seed", "Config", "[experiment]",
                   "created (UTC)", "finished (UTC)"):
        check(needle in page, f"{name}.html has provenance: {needle}")
    check(re.search(r"<th>run time</th><td><code>(\d+ h )?\d+ min \d+ s</code>", page) is not None,
          f"{name}.html has the run time, from created_utc to finished_utc")
    check("<th>unit</th>" in page, f"{name}.html has the parameter table with units")
    return html_path


def chromium(*args):
    return subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu",
                           "--hide-scrollbars", *map(str, args)], capture_output=True, text=True,
                          timeout=120)


def check_rendered(html_path, n_figures, screenshot):
    """Chromium loads the page and decodes every figure (the page's load handler counts them)."""
    r = chromium("--dump-dom", html_path.as_uri())
    m = re.search(r'data-figures-rendered="(\d+)"', r.stdout)
    check(m is not None and int(m.group(1)) == n_figures,
          f"Chromium renders {html_path.name} with all {n_figures} figures decoded "
          f"({m.group(0) if m else r.stderr.strip()[-300:]})")
    r = chromium(f"--screenshot={screenshot}", "--window-size=1280,2400", html_path.as_uri())
    data = screenshot.read_bytes() if screenshot.exists() else b""
    check(png_size(data) == (1280, 2400) and len(data) > 50000,
          f"screenshot saved: {screenshot} ({len(data)} bytes)")


PROP1 = re.compile(r"Prop\. 1 \(t̂_NP ≤ t̂_DP\) holds at (\d+) of (\d+) points "
                   r"\(DP-infeasible at (\d+)\)")


def counted(path, experiment="em_prop1"):
    """(k, n, m) from the file itself: prop1_holds = 1, finished points, DP-infeasible."""
    with h5py.File(path, "r") as f:
        g = f[experiment]
        done = g["status/done"][()] == 1
        holds = g["results/prop1_holds/mean"][()][done]
        feasible = g["results/t_hat_DP_feasible/mean"][()][done]
    return int(np.sum(holds == 1)), int(np.sum(done)), int(np.sum(feasible == 0))


def check_proposition(b, src, wd):
    """em_prop1's report states Prop. 1's count as the file holds it."""
    path = run_small(b, src, wd, "em_prop1", ["sample.n=64"])
    html_path = wd / "em_prop1.html"
    r = run(b, "report", path, "-o", html_path)
    check(r.returncode == 0, f"report em_prop1 ({r.stderr.strip()[-300:]})")
    m = PROP1.search(html_path.read_text())
    want = counted(path)
    check(m is not None and tuple(map(int, m.groups())) == want and want[1] == 64,
          f"em_prop1.html says Prop. 1 holds at k of n points as counted in the file "
          f"({m.group(0) if m else 'no such sentence'}; file: {want})")
    # The generic rule: any 0/1 output named *_holds, here Prop. 3 (which fails at some points).
    m = re.search(r"prop3_holds holds at (\d+) of (\d+) points", html_path.read_text())
    with h5py.File(path, "r") as f:
        v = f["em_prop1/results/prop3_holds/mean"][()]
    want = (int(np.sum(v == 1)), len(v))
    check(m is not None and tuple(map(int, m.groups())) == want,
          f"em_prop1.html states prop3_holds's k of n as counted in the file "
          f"({m.group(0) if m else 'no such sentence'}; file: {want})")
    return path


def mark_incomplete(path, copy, experiment, undone=3):
    """A copy of a finished file as a stopped run leaves it: the last points not done."""
    shutil.copyfile(path, copy)
    with h5py.File(copy, "r+") as f:
        g = f[experiment]
        g.attrs["complete"] = 0
        done = g["status/done"]
        done[-undone:] = 0
    return copy


def check_allow_incomplete(b, wd, prop1, fig4):
    """Without --allow-incomplete: exit 2 and a message naming the flag (not the API's argument);
    with it: the finished points only."""
    stopped = mark_incomplete(prop1, wd / "em_prop1_stopped.h5", "em_prop1")
    fig4_stopped = mark_incomplete(fig4, wd / "em_fig4_stopped.h5", "em_fig4")
    for command, path in (("report", stopped), ("plot", fig4_stopped)):
        out = ["-o", wd / "stopped.html"] if command == "report" else ["-o", wd / "stopped"]
        r = run(b, command, path, *out)
        check(r.returncode == 2 and "--allow-incomplete" in r.stderr
              and "allow_incomplete=True" not in r.stderr and "Traceback" not in r.stderr,
              f"{command} of a stopped file: exit 2 naming --allow-incomplete "
              f"({r.stderr.strip()[-300:]})")
        r = run(b, command, path, *out, "--allow-incomplete")
        check(r.returncode == 0, f"{command} --allow-incomplete reads the finished points "
              f"({r.stderr.strip()[-300:]})")
    m = PROP1.search((wd / "stopped.html").read_text())
    want = counted(stopped)
    check(m is not None and tuple(map(int, m.groups())) == want and want[1] == 61,
          f"the stopped file's report counts its 61 finished points "
          f"({m.group(0) if m else 'no such sentence'}; file: {want})")


def main():
    args = parse_args()
    b, src, wd = args.tariffsim, args.source, workdir()
    check(shutil.which("chromium") is not None, "chromium is installed (tools/setup.sh)")
    start = time.time()
    files = {name: run_small(b, src, wd, name, sets)
             for name, (sets, _) in EXPERIMENTS.items()}
    for name, (_, stems) in EXPERIMENTS.items():
        check_figures(b, wd, name, files[name], stems)
    check_bad_input(b, src, wd, files["em_fig4"])
    prop1 = check_proposition(b, src, wd)
    check_allow_incomplete(b, wd, prop1, files["em_fig4"])
    for name, (_, stems) in EXPERIMENTS.items():
        html_path = check_report(b, wd, name, files[name], stems)
        check_rendered(html_path, len(stems), wd / f"{name}_screenshot.png")
    print(f"plot and report tests in {time.time() - start:.0f} s; files in {wd}")


if __name__ == "__main__":
    main()
