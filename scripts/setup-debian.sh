#!/usr/bin/env bash
# Installs what a fresh Debian 12 machine lacks to build, test and run charid:
# the apt packages below (only the missing ones) and the npm dependencies.
# Safe to run again: it does nothing when everything is there.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

packages=(
  # native and wasm toolchains
  build-essential cmake pkg-config clang emscripten meson ninja-build
  # FFmpeg for the native build, the benchmark baseline and fixture tools
  ffmpeg libavformat-dev libavcodec-dev libswscale-dev libavutil-dev libdav1d-dev
  # fetching and unpacking the pinned wasm sources (Debian source fallback)
  curl xz-utils dpkg-dev
  # tests
  catch2
  # registry server
  libcpp-httplib-dev nlohmann-json3-dev libsqlite3-dev libpq-dev postgresql libfaiss-dev libcli11-dev
  # model preparation (derived models, IR conversion)
  python3-onnx python3-numpy
  # browser tests and benchmarks
  chromium
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

as_root() {
  if [[ $(id -u) -eq 0 ]]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "setup: need root (or sudo) to run: $*" >&2; exit 1; fi
}

# Debian's source packages are the fallback for the pinned FFmpeg/dav1d
# tarballs when their release URLs are unreachable; that needs deb-src.
sources=/etc/apt/sources.list.d/debian.sources
if [[ -f $sources ]] && ! grep -q "deb-src" "$sources"; then
  echo "setup: enabling deb-src entries in $sources"
  as_root sed -i 's/^Types: deb$/Types: deb deb-src/' "$sources"
  missing+=(__update__)
fi

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]/__update__/}"
  as_root apt-get update -q
  pkgs=("${missing[@]/__update__/}")
  # shellcheck disable=SC2068
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends ${pkgs[@]}
fi

# npm dependencies, again only when the lock file changed since last time.
stamp=node_modules/.charid-lock-hash
want="$(sha256sum package-lock.json | cut -c1-64)"
if [[ ! -f $stamp ]] || [[ "$(cat "$stamp")" != "$want" ]]; then
  echo "setup: npm install"
  npm install --no-audit --no-fund
  echo "$want" > "$stamp"
fi
