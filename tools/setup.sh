#!/usr/bin/env bash
# Installs every Debian package the build, the tests and the Python/R readers need. Idempotent:
# installs only what is missing. Needs root (or sudo) on Debian 12.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  libtbb-dev libeigen3-dev libhdf5-dev hdf5-tools libspdlog-dev libfmt-dev catch2 libcli11-dev
  libtomlplusplus-dev librandom123-dev libboost-dev libboost-math-dev libboost-random-dev
  libopenmpi-dev openmpi-bin
  clang-14 libclang-rt-14-dev clang-format-14 clang-tidy-14
  python3 python3-h5py python3-numpy python3-pandas python3-matplotlib python3-statsmodels
  python3-venv python3-setuptools python3-wheel  # pip install of tools/python into a venv, offline
  python3-xarray  # tariffsim.Series.to_xarray()
  chromium  # renders `tariffsim report` pages headless (tests/cli/test_plot_report.py)
  r-base-core r-cran-hdf5r
  strace  # kills runs at a chosen write (tests/cli/test_kill_every_write.py)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y --no-install-recommends "${missing[@]}"
