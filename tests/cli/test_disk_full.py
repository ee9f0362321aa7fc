"""A full disk (issue 13 item 7): a run that fills a small tmpfs stops with exit 1 and one message
that says "No space left on device" (no HDF5 error stack, no flood of close failures), and its file
is never passed off as complete: resumed once there is room, in place or copied elsewhere, it
equals an uninterrupted run bit for bit. A disk that fills while the file's layout is built leaves
no file (and no temporary), and --resume then starts the run; later, a batch is written only where
there is room for all of it (result_file.cpp ensure_room_for), so the file holds every batch done.
A disk too small for the layout itself gets the same one message, whether the layout is made
before the run (a run with replications: no point is computed for a file that cannot be made) or
on a thread of its own beside the first batches (a sweep of point-level outputs).
Needs `mount -t tmpfs` (root); skipped with a message where it is not permitted."""
import shutil
import subprocess

import h5py

from common import (FULL_DISK_EXPERIMENT, check, parse_args, run, same_content, single_run,
                    small_disk)

# The full-disk experiment of common.py, small enough to run whole for the reference: about 3 MB
# of deflated series, which fills the small disks below part way through the points.
EXPERIMENT = (FULL_DISK_EXPERIMENT.replace("replications = 64", "replications = 32")
              .replace("periods = 2000", "periods = 600")
              .replace("[0.05, 0.95, 200]", "[0.05, 0.95, 48]"))

DISK_SIZES = ("384k", "1m", "2m", "2560k", "3m", "4m")


def fill_then_resume(b, exp, ref, size, wd, in_place):
    """Fills a tmpfs of `size` with a run, then resumes its file with room to spare: in place
    after a remount (in_place), or copied elsewhere. Returns the points done when the disk filled."""
    with small_disk(size) as disk:
        if disk is None:
            return None
        target = disk / "run.h5"
        r = run(b, "run", exp, "-o", target, "--no-progress", "--threads", "2")
        label = f"{size} disk"
        check(r.returncode == 1, f"{label}: the run fails with exit 1 ({r.returncode}: "
                                 f"{r.stderr.strip()[-300:]})")
        check("No space left on device" in r.stderr,
              f"{label}: the message says so ({r.stderr.strip()[-300:]})")
        check("HDF5-DIAG" not in r.stderr and "close failed" not in r.stderr and
              len(r.stderr.splitlines()) < 12, f"{label}: one message, no HDF5 stack "
                                               f"({len(r.stderr.splitlines())} lines)")
        if target.exists():
            with h5py.File(target, "r", locking=False) as f:
                done = int(f["big/status/done"][()].sum())
                check(int(f["big"].attrs["complete"]) == 0, f"{label}: the file is not complete")
        else:
            # The disk filled while the file's layout was built under its temporary name: no
            # file, and no temporary left behind; --resume then starts the run.
            leftovers = sorted(p.name for p in disk.iterdir())
            check(not leftovers, f"{label}: a file that never got its layout leaves nothing "
                                 f"({leftovers})")
            done = 0
        if in_place:
            check(subprocess.run(["mount", "-o", "remount,size=64m", str(disk)]).returncode == 0,
                  f"{label}: remounted with room")
            resumed = target
        else:
            resumed = wd / f"resumed_{size}.h5"
            if target.exists():
                shutil.copy(target, resumed)
        r = run(b, "run", exp, "-o", resumed, "--resume", "--no-progress")
        where = "in place" if in_place else "elsewhere"
        check(r.returncode == 0, f"{label}: --resume {where} with room finishes the run "
                                 f"({r.returncode}: {r.stderr.strip()[-300:]})")
        same_content(ref, resumed, f"{label}, {done} points done when it filled, resumed {where}")
        return f"{size}: {done}/48 done, resumed bitwise"


# A sweep of closed forms (point-level outputs only): its layout is made beside the first batches.
SWEEP = """
[experiment]
name = "sweep"
model = "deremer"
seed = 1
[parameters]
n_curve = 2
n_path = 2
[grid]
gM = { linspace = [1.0, 1.6, 400] }
gE = { linspace = [1.0, 1.4, 400] }
"""


def layout_on_a_full_disk(b, wd):
    """A run whose layout does not fit: exit 1, one message saying why, nothing left on the disk;
    a run with replications logs no start (it never computes)."""
    cases = (("replications", FULL_DISK_EXPERIMENT, "32k"), ("sweep", SWEEP, "64k"))
    for name, body, size in cases:
        with small_disk(size) as disk:
            if disk is None:
                return False
            exp = wd / f"layout_{name}.toml"
            exp.write_text(body)
            r = run(b, "run", exp, "-o", disk / "x.h5", "--no-progress", "--threads", "2")
            label = f"{name}, layout on a {size} disk"
            check(r.returncode == 1, f"{label}: exit 1 ({r.returncode}: {r.stderr[-300:]})")
            check("No space left on device" in r.stderr and "HDF5-DIAG" not in r.stderr and
                  len(r.stderr.splitlines()) < 6, f"{label}: one message that says why "
                                                  f"({r.stderr.strip()[-400:]})")
            check(not any(disk.iterdir()), f"{label}: nothing left ({list(disk.iterdir())})")
            if name == "replications":
                check("running" not in r.stderr, f"{label}: the run never starts ({r.stderr})")
    return True


def main():
    args = parse_args()
    b = args.tariffsim
    wd, exp, ref = single_run(b, EXPERIMENT)
    if not layout_on_a_full_disk(b, wd):
        print("skipped: the disk-full checks (cannot mount a tmpfs here; run as root)")
        return
    outcomes = []
    for k, size in enumerate(DISK_SIZES):
        done = fill_then_resume(b, exp, ref, size, wd, in_place=k % 2 == 1)
        if done is None:
            print("skipped: the disk-full checks (cannot mount a tmpfs here; run as root)")
            return
        outcomes.append(done)
    print("disk full: " + "; ".join(outcomes))


if __name__ == "__main__":
    main()
