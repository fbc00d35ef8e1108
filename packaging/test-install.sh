#!/usr/bin/env bash
# Checks the `cmake --install` layout of a built tree and that the installed binaries find the installed
# models; with --deb also builds the Debian package with CPack and checks its control data and contents;
# with --apt also installs that .deb on this machine with `apt-get install ./FILE.deb` (root or sudo) and
# checks the installed /usr copy, then removes it again (unless spe-studio was installed before).
#
#   packaging/test-install.sh BUILD_DIR              # install into a temporary prefix and check it
#   packaging/test-install.sh BUILD_DIR --deb        # the same, then cpack -G DEB in BUILD_DIR and check the .deb
#   packaging/test-install.sh BUILD_DIR --deb --apt  # the same, then apt-get install the .deb and check /usr
#
# Exit status 77 (CTest's skip) when --apt cannot run here: no apt-get, or neither root nor passwordless sudo.
#
# The binaries have SPE_RESOURCE_DIR (the source tree's resources/) compiled in and look there first, then
# in <bin>/../share/spe-studio/models. To prove that the installed copy is what they use, the model lookup
# and a short `spe generate` run in a private mount namespace (unshare -m as root, unshare -rm otherwise)
# in which the whole source tree is covered by an empty tmpfs, from a scratch working directory, with an
# empty XDG_DATA_HOME (no user models). Where no mount namespace can be made, the script says so and checks
# only that `spe models` lists the installed folders and that `spe generate` runs on the installed model
# given by path (SPE_TEST_INSTALL_NO_NAMESPACE=1 forces this fallback). Exits non-zero with a one-line message on the first failure.
set -uo pipefail

fail() { echo "test-install: FAIL: $*" >&2; exit 1; }
note() { echo "test-install: $*"; }

usage="usage: $0 BUILD_DIR [--deb [--apt]]"
[[ $# -ge 1 && $# -le 3 ]] || fail "$usage"
build_arg=$1; shift
want_deb=0 want_apt=0
for opt in "$@"; do
  case "$opt" in
    --deb) want_deb=1 ;;
    --apt) want_apt=1 want_deb=1 ;;
    *) fail "unknown option '$opt' ($usage)" ;;
  esac
done
as_root=()
if ((want_apt)); then
  command -v apt-get >/dev/null || { echo "test-install: SKIPPED --apt: no apt-get on this machine"; exit 77; }
  if [[ $(id -u) -ne 0 ]]; then
    sudo -n true 2>/dev/null || { echo "test-install: SKIPPED --apt: needs root or passwordless sudo"; exit 77; }
    as_root=(sudo -n)
  fi
fi
build=$(cd "$build_arg" 2>/dev/null && pwd) || fail "no build directory '$build_arg'"
cache=$build/CMakeCache.txt
[[ -f $cache ]] || fail "$build is not a configured CMake build tree (no CMakeCache.txt)"
cache_get() { sed -n "s/^$1:[A-Z]*=//p" "$cache" | head -n1; }
src=$(cache_get CMAKE_HOME_DIRECTORY)
[[ -d $src ]] || fail "source directory of $build not found"
gui=$(cache_get SPE_BUILD_GUI)
[[ $gui =~ ^(ON|on|1|TRUE|true|YES|yes)$ ]] && gui=1 || gui=0
version=$(sed -n 's/^project(spe_studio VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[[ -n $version ]] || fail "no project() VERSION in $src/CMakeLists.txt"
app_id=io.github.spe_studio.SpeStudio
for b in spe $( ((gui)) && echo spe-studio); do
  [[ -x $build/app/$b ]] || fail "$build/app/$b is not built (build the tree first)"
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/spe-test-install.XXXXXX") || fail "mktemp failed"
trap 'rm -rf "$scratch"' EXIT
case "$scratch/" in "$src"/*) fail "temporary directory $scratch lies inside the source tree; set TMPDIR" ;; esac
start=$SECONDS

# ---- the models and prompts the source tree bundles -----------------------------------------------------
models=()
for d in "$src"/resources/models/*/; do
  [[ -f $d/model.json ]] && models+=("$(basename "$d")")
done
((${#models[@]})) || fail "no bundled models under $src/resources/models"
prompts=()
for f in "$src"/resources/prompts/*; do [[ -f $f ]] && prompts+=("$(basename "$f")"); done
((${#prompts[@]})) || fail "no prompts under $src/resources/prompts"

# ---- layout checks (shared by the install prefix and the extracted .deb) ---------------------------------
check_layout() {  # ROOT (the prefix: ROOT/bin, ROOT/share)
  local root=$1 f
  local files=(bin/spe)
  if ((gui)); then
    files+=(bin/spe-studio "share/applications/$app_id.desktop" "share/metainfo/$app_id.metainfo.xml"
            share/icons/hicolor/scalable/apps/spe-studio.svg)
  fi
  for m in "${models[@]}"; do files+=("share/spe-studio/models/$m/model.json" "share/spe-studio/models/$m/model.safetensors"); done
  for p in "${prompts[@]}"; do files+=("share/spe-studio/prompts/$p"); done
  for f in "${files[@]}"; do
    [[ -f $root/$f && -s $root/$f ]] || fail "missing or empty: $root/$f"
  done
  for f in bin/spe $( ((gui)) && echo bin/spe-studio); do
    [[ -x $root/$f ]] || fail "not executable: $root/$f"
  done
  for m in "${models[@]}"; do
    cmp -s "$src/resources/models/$m/model.safetensors" "$root/share/spe-studio/models/$m/model.safetensors" ||
      fail "installed weights of $m differ from $src/resources/models/$m"
  done
  note "layout OK under $root (${#files[@]} files)"
}

validate_desktop() {  # ROOT
  local root=$1 out
  ((gui)) || return 0
  if command -v desktop-file-validate >/dev/null; then
    out=$(desktop-file-validate "$root/share/applications/$app_id.desktop" 2>&1) ||
      fail "desktop-file-validate: $(echo "$out" | head -n1)"
    [[ -z $out ]] || fail "desktop-file-validate: $(echo "$out" | head -n1)"
    note "desktop-file-validate OK"
  else
    note "desktop-file-validate not installed (apt-get install desktop-file-utils): skipped"
  fi
  if command -v appstreamcli >/dev/null; then
    out=$(appstreamcli validate --no-net "$root/share/metainfo/$app_id.metainfo.xml" 2>&1) ||
      fail "appstreamcli validate: $(echo "$out" | grep -E '^[EW]:' | head -n1)"
    note "appstreamcli validate --no-net OK ($(echo "$out" | tail -n1 | sed 's/^[^A-Za-z]*//'))"
  else
    note "appstreamcli not installed (apt-get install appstream): skipped"
  fi
  if command -v python3 >/dev/null; then
    python3 -c 'import sys, xml.dom.minidom as m; r = m.parse(sys.argv[1]).documentElement; sys.exit(r.tagName != "svg")' \
      "$root/share/icons/hicolor/scalable/apps/spe-studio.svg" || fail "spe-studio.svg is not a well-formed SVG document"
  fi
}

# ---- runs in the environment the installed binaries get ---------------------------------------------------
isolation=""
detect_isolation() {
  [[ ${SPE_TEST_INSTALL_NO_NAMESPACE:-0} == 1 ]] && return 0  # exercise the fallback
  # shellcheck disable=SC2016  # expanded by the inner sh
  local probe='mount -t tmpfs -o size=1m spe-hide "$0" && [ -z "$(ls -A "$0")" ]'
  if [[ $(id -u) -eq 0 ]] && unshare -m sh -c "$probe" "$src" 2>/dev/null; then
    isolation="unshare -m"
  elif unshare -rm sh -c "$probe" "$src" 2>/dev/null; then
    isolation="unshare -rm"
  fi
}
in_isolation() {  # CMD...: from $scratch/cwd, source tree hidden when a mount namespace can be made
  if [[ -n $isolation ]]; then
    # shellcheck disable=SC2016,SC2086  # inner sh expands; $isolation is a command plus option
    env HOME="$scratch/cwd" XDG_DATA_HOME="$scratch/xdg" \
      $isolation sh -c 'mount -t tmpfs -o size=1m spe-hide "$0" && cd "$1" && shift && exec "$@"' \
      "$src" "$scratch/cwd" "$@"
  else
    (cd "$scratch/cwd" && exec env HOME="$scratch/cwd" XDG_DATA_HOME="$scratch/xdg" "$@")
  fi
}

check_binaries() {  # ROOT
  local root=$1 out def listed m take
  mkdir -p "$scratch/cwd" "$scratch/xdg"   # HOME and XDG_DATA_HOME of the runs: no user models

  out=$(in_isolation "$root/bin/spe" --help 2>&1) || fail "installed spe --help failed: $(echo "$out" | tail -n1)"
  grep -q "generate" <<<"$out" || fail "installed spe --help does not list the generate subcommand"
  if ((gui)); then
    out=$(QT_QPA_PLATFORM=offscreen in_isolation timeout 60 "$root/bin/spe-studio" --version 2>&1) ||
      fail "installed spe-studio --version failed: $(echo "$out" | tail -n1)"
    grep -q "SPE Studio $version" <<<"$out" || fail "installed spe-studio --version: '$out' (expected SPE Studio $version)"
  fi

  out=$(in_isolation "$root/bin/spe" models 2>&1) || fail "installed spe models failed: $(echo "$out" | tail -n1)"
  local installed_root
  installed_root=$(cd "$root/share/spe-studio/models" && pwd -P)
  for m in "${models[@]}"; do
    grep -Eq "^$m( \*)? .* $installed_root/$m\$" <<<"$out" ||
      fail "installed spe models does not list $m under $installed_root"
  done
  def=$(awk 'NR > 1 && $2 == "*" {print $1; exit}' <<<"$out")
  [[ -n $def ]] || fail "installed spe models marks no default model"
  if [[ -n $isolation ]]; then
    grep -q "$src" <<<"$out" && fail "spe models lists a path in the hidden source tree $src"
    listed=$(awk 'NR > 1' <<<"$out" | wc -l)
    [[ $listed -eq ${#models[@]} ]] || fail "spe models lists $listed models, expected ${#models[@]}"
    note "spe models (source tree hidden, $isolation): ${#models[@]} models, all under $installed_root, default $def"
    m_arg=()
  else
    note "NOTE: no mount namespace (unshare) here, so the source tree stays visible; checking the installed" \
         "folders are listed and generating with the installed default model given by path"
    m_arg=(--model "$installed_root/$def")
  fi

  local prompt=$root/share/spe-studio/prompts/pop909_001.mid
  [[ -f $prompt ]] || prompt=$root/share/spe-studio/prompts/${prompts[0]}
  take=$scratch/cwd/take.mid
  out=$(in_isolation timeout 300 "$root/bin/spe" generate "${m_arg[@]}" --prompt "$prompt" --prompt-bars 4 \
        --tokens 32 --seed 1 --threads 2 -o "$take" --json 2>&1) ||
    fail "installed spe generate failed: $(echo "$out" | tail -n1)"
  [[ -s $take ]] || fail "installed spe generate wrote no $take"
  grep -q "\"model\":\"$def@" <<<"$out" || fail "spe generate did not use the default model $def: $(echo "$out" | tail -n1)"
  grep -q '"stop":"length"' <<<"$out" || fail "spe generate stopped early: $(echo "$out" | tail -n1)"
  note "spe generate OK: $def on $(basename "$prompt"), 32 tokens -> $(stat -c %s "$take") bytes of MIDI"
  rm -f "$take"
}

detect_isolation

# ---- cmake --install ------------------------------------------------------------------------------------
prefix=$scratch/prefix
mkdir -p "$prefix"
log=$(cmake --install "$build" --prefix "$prefix" 2>&1) || fail "cmake --install failed: $(echo "$log" | tail -n1)"
note "cmake --install $build --prefix $prefix: $(grep -c -E '^-- (Installing|Up-to-date)' <<<"$log") files"
check_layout "$prefix"
validate_desktop "$prefix"
check_binaries "$prefix"

# ---- cpack -G DEB ---------------------------------------------------------------------------------------
if ((want_deb)); then
  command -v cpack >/dev/null || fail "cpack not found"
  command -v dpkg-deb >/dev/null || fail "dpkg-deb not found"
  [[ -f $build/CPackConfig.cmake ]] || fail "$build/CPackConfig.cmake missing (re-run cmake on the tree)"
  outdir=$build/package
  rm -rf "$outdir"
  log=$(cd "$build" && cpack -G DEB -B "$outdir" 2>&1) || fail "cpack -G DEB failed: $(echo "$log" | grep -iE 'error' | head -n1)"
  deb=$(find "$outdir" -maxdepth 1 -name "spe-studio_${version}_*.deb" | head -n1)
  [[ -n $deb ]] || fail "cpack wrote no spe-studio_${version}_*.deb in $outdir"
  info=$(dpkg-deb --info "$deb") || fail "dpkg-deb --info $deb failed"
  field() { sed -n "s/^ $1: //p" <<<"$info"; }
  [[ $(field Package) == spe-studio ]] || fail ".deb Package is '$(field Package)', expected spe-studio"
  [[ $(field Version) == "$version" ]] || fail ".deb Version is '$(field Version)', expected $version"
  [[ $(field Section) == sound ]] || fail ".deb Section is '$(field Section)', expected sound"
  [[ -n $(field Maintainer) ]] || fail ".deb has no Maintainer"
  [[ $(field Recommends) == *fluid-soundfont-gm* ]] || fail ".deb Recommends lacks fluid-soundfont-gm: '$(field Recommends)'"
  depends=$(field Depends)
  need=(libc6 libstdc++6 libtorch1.13)
  ((gui)) && need+=(libqt6widgets6 libqt6gui6 libqt6core6)
  [[ $(cache_get SPE_WITH_AUDIO) =~ ^(ON|1|TRUE)$ ]] && need+=(libfluidsynth3)
  for p in "${need[@]}"; do
    [[ ", $depends," == *", $p "* || ", $depends," == *", $p,"* ]] || fail ".deb Depends lacks $p: '$depends'"
  done
  contents=$(dpkg-deb -c "$deb") || fail "dpkg-deb -c $deb failed"
  for f in usr/bin/spe usr/share/spe-studio/models/"${models[0]}"/model.safetensors \
           $( ((gui)) && echo usr/bin/spe-studio usr/share/applications/$app_id.desktop \
              usr/share/metainfo/$app_id.metainfo.xml usr/share/icons/hicolor/scalable/apps/spe-studio.svg); do
    grep -q " \./$f\$" <<<"$contents" || fail ".deb does not contain /$f"
  done
  mkdir -p "$scratch/deb"
  dpkg-deb -x "$deb" "$scratch/deb" || fail "dpkg-deb -x $deb failed"
  check_layout "$scratch/deb/usr"
  validate_desktop "$scratch/deb/usr"
  check_binaries "$scratch/deb/usr"
  note ".deb OK: $deb ($(du -h "$deb" | cut -f1), $(field Installed-Size) KiB installed, $(wc -l <<<"$contents") entries)"
  note ".deb Depends: $depends"
fi

# ---- apt-get install ./FILE.deb: the package as a user installs it ---------------------------------------
if ((want_apt)); then
  preinstalled=0
  dpkg-query -W -f='${Status}' spe-studio 2>/dev/null | grep -q "install ok installed" && preinstalled=1
  apt_env=(env DEBIAN_FRONTEND=noninteractive)
  log=$("${as_root[@]}" "${apt_env[@]}" apt-get install -y --no-install-recommends "$deb" 2>&1) ||
    fail "apt-get install $deb failed: $(echo "$log" | grep -E '^E:' | head -n1)"
  ((preinstalled)) || trap '"${as_root[@]}" "${apt_env[@]}" apt-get remove -y -q spe-studio >/dev/null 2>&1; rm -rf "$scratch"' EXIT
  [[ $(dpkg-query -W -f='${Version}' spe-studio) == "$version" ]] || fail "dpkg does not list spe-studio $version as installed"
  note "apt-get install $(basename "$deb"): spe-studio $version installed ($(dpkg -L spe-studio | wc -l) paths)"
  check_layout /usr
  validate_desktop /usr
  check_binaries /usr
  ((preinstalled)) && note "spe-studio was installed before this test: left installed" ||
    note "apt-get remove spe-studio on exit"
fi

note "PASS in $((SECONDS - start)) s"
