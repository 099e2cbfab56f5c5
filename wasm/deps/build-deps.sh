#!/usr/bin/env bash
# Builds the C libraries of one wasm core variant and installs them into a
# cache folder outside the clone, keyed by versions, flags and compiler, so a
# rebuild happens only when one of those changes.
#
#   build-deps.sh [full]   dav1d + FFmpeg with its video decoders (charid-core)
#   build-deps.sh demux    FFmpeg without any decoder, no dav1d (charid-core-demux)
#
# The variants differ only in their flag lists (see ffmpeg-configure.flags).
# Prints the install prefix (include/, lib/) as its last line. Two runs for the
# same prefix (a developer and CI on one machine) wait for each other.
#
# Sources, in order of preference:
#   1. $CHARID_FFMPEG_TARBALL / $CHARID_DAV1D_TARBALL (local files),
#   2. the tarball already in the cache,
#   3. the upstream release URL,
#   4. Debian's source package (apt-get source --download-only), whose
#      orig tarball is the same upstream file.
# Each is checked against the sha256 pinned in versions.env.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=versions.env
source "$here/versions.env"

log() { echo "[wasm-deps] $*" >&2; }

variant="${1:-full}"
case "$variant" in
  full)  ffmpeg_flags=("$here/ffmpeg-configure.flags" "$here/ffmpeg-decoders.flags")
         dav1d_flags=("$here/dav1d-cross.ini")
         name="ffmpeg-$FFMPEG_VERSION-dav1d-$DAV1D_VERSION" ;;
  demux) ffmpeg_flags=("$here/ffmpeg-configure.flags")
         dav1d_flags=()
         name="ffmpeg-$FFMPEG_VERSION-demux" ;;
  *)     log "unknown variant '$variant' (full or demux)"; exit 2 ;;
esac

cache_root="${CHARID_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/charid}"
# sed reads all of emcc's output: `head -n 1` could exit first and emcc then dies of a broken pipe,
# which pipefail turned into a failed build (seen once in CI).
emcc_version="$(emcc --version 2>/dev/null | sed -n 1p)"
key="$(cat "$here/versions.env" "${ffmpeg_flags[@]}" "${dav1d_flags[@]}" "$here/build-deps.sh" \
        <(echo "$variant $emcc_version") | sha256sum | cut -c1-16)"
prefix="$cache_root/wasm-deps/$name-$key"
jobs="${CHARID_BUILD_JOBS:-$(nproc)}"

if [[ -f "$prefix/.complete" ]]; then
  echo "$prefix"
  exit 0
fi
mkdir -p "$cache_root/wasm-deps"
exec 9>"$prefix.lock"
flock 9
if [[ -f "$prefix/.complete" ]]; then  # built by the run we waited for
  echo "$prefix"
  exit 0
fi

tarballs="$cache_root/tarballs"
mkdir -p "$tarballs"

# fetch NAME VERSION SHA256 URL DEBIAN_SOURCE_PACKAGE LOCAL_OVERRIDE -> path of a verified tarball
fetch() {
  local name="$1" version="$2" sha="$3" url="$4" debsrc="$5" override="$6"
  local dest="$tarballs/$name-$version.tar.xz"
  verify() { echo "$sha  $1" | sha256sum --check --status; }
  if [[ -n "$override" ]]; then
    verify "$override" || { log "$override does not match the pinned sha256 $sha"; exit 1; }
    cp "$override" "$dest"
  elif [[ -f "$dest" ]] && verify "$dest"; then
    :
  else
    rm -f "$dest"
    log "downloading $url"
    if ! { curl -fsSL --connect-timeout 10 --max-time 300 -o "$dest.part" "$url" && verify "$dest.part" && mv "$dest.part" "$dest"; }; then
      rm -f "$dest.part"
      log "release URL unavailable; taking Debian's source package $debsrc"
      local tmp; tmp="$(mktemp -d)"
      (cd "$tmp" && apt-get source --download-only "$debsrc" >&2)
      local orig; orig="$(ls "$tmp"/"${debsrc}"_"${version}".orig.tar.* 2>/dev/null | grep -v '\.asc$' | head -n 1)"
      [[ -n "$orig" ]] || { log "Debian has no $debsrc $version source; set the tarball path by hand"; exit 1; }
      verify "$orig" || { log "Debian's $orig does not match the pinned sha256"; exit 1; }
      mv "$orig" "$dest"
      rm -rf "$tmp"
    fi
  fi
  echo "$dest"
}

ffmpeg_tar="$(fetch ffmpeg "$FFMPEG_VERSION" "$FFMPEG_SHA256" "$FFMPEG_URL" ffmpeg "${CHARID_FFMPEG_TARBALL:-}")"
if [[ "$variant" == full ]]; then
  dav1d_tar="$(fetch dav1d "$DAV1D_VERSION" "$DAV1D_SHA256" "$DAV1D_URL" dav1d "${CHARID_DAV1D_TARBALL:-}")"
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/charid-wasm-deps.XXXXXX")"
trap 'rm -rf "$work"' EXIT
stage="$prefix.partial"
rm -rf "$stage"
mkdir -p "$stage"

# Debian's emscripten needs its own node modules for the optimizer.
export NODE_PATH="${NODE_PATH:-/usr/share/nodejs}"

if [[ "$variant" == full ]]; then
  log "building dav1d $DAV1D_VERSION"
  tar -xf "$dav1d_tar" -C "$work"
  (
    cd "$work/dav1d-$DAV1D_VERSION"
    meson setup build --cross-file "$here/dav1d-cross.ini" --prefix "$stage" --libdir lib \
      --buildtype release --default-library static \
      -Denable_asm=false -Denable_tools=false -Denable_tests=false -Denable_examples=false \
      -Dlogging=false -Dbitdepths=8,16 >&2
    ninja -C build -j "$jobs" install >&2
  )
fi

log "configuring FFmpeg $FFMPEG_VERSION ($variant)"
tar -xf "$ffmpeg_tar" -C "$work"
mapfile -t flags < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "${ffmpeg_flags[@]}")
(
  cd "$work/ffmpeg-$FFMPEG_VERSION"
  PKG_CONFIG_PATH="$stage/lib/pkgconfig" PKG_CONFIG_LIBDIR="$stage/lib/pkgconfig" \
  ./configure --prefix="$stage" "${flags[@]}" \
    --cc=emcc --cxx=em++ --objcc=emcc --dep-cc=emcc \
    --ar=emar --ranlib=emranlib --nm=emnm \
    --pkg-config=pkg-config --pkg-config-flags=--static \
    --extra-cflags="-O3 -msimd128 -I$stage/include" \
    --extra-ldflags="-L$stage/lib" >&2
  log "building FFmpeg (a few minutes)"
  make -j "$jobs" >&2
  make install >&2
)

touch "$stage/.complete"
rm -rf "$prefix"
mv "$stage" "$prefix"
log "installed into $prefix"
echo "$prefix"
