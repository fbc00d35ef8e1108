#!/bin/bash
# Installs every Debian 12 package SPE Studio needs to build, test and run. Idempotent: re-running only
# refreshes the package lists and installs what is missing. Runs as root, or re-runs itself through sudo.
#
#   packaging/setup-debian.sh [--with-python] [--with-jack] [--dry-run]
#
#   --with-python  also python3-torch and python3-numpy (convert_reference.py and its integration test,
#                  requantize_model.py used by train-bundled.sh --export)
#   --with-jack    also jackd1 (headless virtual MIDI port tests through a dummy JACK server)
#   --dry-run      print the package list and exit without touching the system
set -euo pipefail

export DEBIAN_FRONTEND=noninteractive

die() {
  echo "setup-debian: error: $*" >&2
  exit 1
}

usage() {
  sed -n '2,10s/^# \{0,1\}//p' "$0"
}

# Build: compiler, CMake/Ninja, LibTorch (CPU) + fast BLAS + Gloo (distributed), Qt 6, JSON, CLI, MIDI,
# audio, Catch2, libpng (attention heatmaps). Run: the General MIDI soundfont. Test: Xvfb for GUI
# screenshots, clang + libFuzzer runtime for fuzzing and sanitizers, ImageMagick and SoX to inspect
# rendered images and audio, the desktop-entry and AppStream validators for the install test.
PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libtorch-dev libopenblas0-openmp libgloo-dev
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev
  nlohmann-json3-dev libcli11-dev catch2 libpng-dev
  librtmidi-dev libfluidsynth-dev timgm6mb-soundfont
  xvfb xauth
  clang libclang-rt-14-dev
  imagemagick sox desktop-file-utils appstream
)

original_args=("$@")
dry_run=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --with-python) PACKAGES+=(python3-torch python3-numpy) ;;
    --with-jack) PACKAGES+=(jackd1) ;;
    --dry-run) dry_run=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *) die "unknown option '$1' (see --help)" ;;
  esac
  shift
done

if [[ $dry_run -eq 1 ]]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

# Root installs directly (a fresh Debian container has no sudo); a user goes through sudo.
if [[ ${EUID:-$(id -u)} -ne 0 ]]; then
  command -v sudo >/dev/null 2>&1 || die "must run as root: sudo is not installed (run this as root, or install sudo)"
  echo "setup-debian: not root, re-running through sudo"
  exec sudo --preserve-env=DEBIAN_FRONTEND bash "$0" "${original_args[@]}"
fi
command -v apt-get >/dev/null 2>&1 || die "apt-get not found: this script is for Debian 12 (bookworm)"
command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script is for Debian 12 (bookworm)"

echo "setup-debian: refreshing package lists"
apt-get update || die "apt-get update failed (network or sources.list problem?)"

echo "setup-debian: installing ${#PACKAGES[@]} packages"
apt-get install -y --no-install-recommends "${PACKAGES[@]}" ||
  die "apt-get install failed; see the messages above"

# Trust, but verify: every package must now be fully installed.
missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [[ $status == "install ok installed" ]] || missing+=("$pkg")
done
[[ ${#missing[@]} -eq 0 ]] || die "not installed after apt-get: ${missing[*]}"

# LibTorch links the generic libblas.so.3; without OpenBLAS selected it runs ~30x slower (TOOLCHAIN.md).
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -dumpmachine)
libdir=/usr/lib/$multiarch
blas_link=$(readlink -f "$libdir/libblas.so.3" 2>/dev/null || true)
if [[ $blas_link != *openblas* ]]; then
  echo "setup-debian: selecting OpenBLAS (OpenMP) as the system BLAS"
  update-alternatives --set "libblas.so.3-$multiarch" "$libdir/openblas-openmp/libblas.so.3" ||
    die "could not select OpenBLAS with update-alternatives"
fi

echo "setup-debian: done (${#PACKAGES[@]} packages installed; BLAS: $(readlink -f "$libdir/libblas.so.3"))"
