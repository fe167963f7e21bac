#!/usr/bin/env bash
# Prefetch the real Go toolchains the installer tests serve from the bench's Go mirror, besides the local
# Go: Go 1.27.3, fetched once the way go itself fetches a toolchain (GOTOOLCHAIN=go1.27.3 downloads the
# module golang.org/toolchain@v0.0.1-go1.27.3.<os>-<arch> through the machine's own GOPROXY), then
# repackaged into go.dev's archive layout (go1.27.3.<os>-<arch>.tar.gz with a top-level go/ directory).
#
# `npm test` runs loopback-only (.ci/run's network namespace) on a fresh clone, so it cannot fetch this
# itself: run this first, where the module proxy is reachable. The result lives OUTSIDE the repository
# and survives clones:
#
#   ${SETUP_GO_DEPS_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/setup-go-deps-testbed}/go<version>/
#     modcache/                         the GOMODCACHE of the fetch (its cache/download/ is a GOPROXY tree
#                                       that serves the golang.org/toolchain module; the unpacked module
#                                       is a working GOROOT)
#     go<version>.<os>-<arch>.tar.gz    the go.dev-layout archive; .sha256 next to it
#     READY                             written last: the rest is complete
#
# testbed/toolchains.ts reads it. Idempotent: a complete entry is kept (seconds to check).
#
#   bash scripts/fetch-test-toolchains.sh            fetch what is missing
#   bash scripts/fetch-test-toolchains.sh --print    print the cache directory and exit
set -euo pipefail

versions=(1.27.3)
cache="${SETUP_GO_DEPS_TESTBED_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/setup-go-deps-testbed}"
if [ "${1:-}" = "--print" ]; then
  echo "$cache"
  exit 0
fi

# Go 1.26 is at /usr/local/go on the project's machines (as in .ci/run).
[ -d /usr/local/go/bin ] && export PATH=/usr/local/go/bin:$PATH
command -v go >/dev/null || { echo "fetch-test-toolchains: no go on PATH" >&2; exit 1; }
goos="$(GOTOOLCHAIN=local go env GOHOSTOS)"
goarch="$(GOTOOLCHAIN=local go env GOHOSTARCH)"

for v in "${versions[@]}"; do
  dir="$cache/go$v"
  archive="go$v.$goos-$goarch.tar.gz"
  if [ -f "$dir/READY" ] && [ -f "$dir/$archive" ]; then
    echo "fetch-test-toolchains: Go $v is in $dir"
    continue
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  # Only what a toolchain fetch needs is set here; GOPROXY/GOSUMDB/GONOSUMDB stay the machine's own.
  # -modcacherw: a plain `rm -rf` can remove the cache later. The empty work dir has no go.mod to obey.
  echo "fetch-test-toolchains: fetching Go $v through the module proxy (GOTOOLCHAIN=go$v go version)"
  out="$(cd "$work" && env GOTOOLCHAIN="go$v" GOMODCACHE="$dir/modcache" GOPATH="$work/gopath" \
    GOFLAGS=-modcacherw GOWORK=off go version)"
  echo "  $out"
  case "$out" in
    "go version go$v "*) ;;
    *) echo "fetch-test-toolchains: expected 'go version go$v ...', got '$out'" >&2; exit 1 ;;
  esac
  goroot="$dir/modcache/golang.org/toolchain@v0.0.1-go$v.$goos-$goarch"
  [ -x "$goroot/bin/go" ] || { echo "fetch-test-toolchains: no $goroot/bin/go after the fetch" >&2; exit 1; }
  # go.dev's layout: everything under go/, owned by root, as https://go.dev/dl archives are.
  tar -C "$goroot" --owner=0 --group=0 --transform 's,^\./,go/,' -I 'gzip -1' -cf "$work/$archive" .
  mv "$work/$archive" "$dir/$archive"
  (cd "$dir" && sha256sum "$archive" | cut -d' ' -f1 >"$archive.sha256")
  echo "$v" >"$dir/READY"
  rm -rf "$work"
  trap - EXIT
  echo "fetch-test-toolchains: Go $v is in $dir ($(du -sh "$dir" | cut -f1))"
done
