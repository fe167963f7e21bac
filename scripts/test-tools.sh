#!/usr/bin/env bash
# The system tools the test suite drives for real (the bench runs real go, git, sshd and openssl; the
# cache tests use zstd; the Go mirror repackages toolchains with zip/unzip). `npm test` runs this first
# (package.json "pretest"), and .ci/run calls it before anything else.
#
#   bash scripts/test-tools.sh            check; as root with apt-get, install what is missing; fetch the
#                                         installer tests' second Go toolchain when it is not cached yet
#   bash scripts/test-tools.sh --check    check only
#
# It prints one line and exits 1 when something is missing and cannot be installed here, so the suite
# never starts only to fail with unrelated errors.
set -uo pipefail

check_only=false
[ "${1:-}" = "--check" ] && check_only=true

# The suite needs a modern Go (toolchain lines, GOTOOLCHAIN, GOAUTH: Go >= 1.22). The official tarball
# at /usr/local/go wins over a distribution's older golang-go when both exist.
min_go_minor=22
if [ -x /usr/local/go/bin/go ] && [ "$(command -v go 2>/dev/null)" != /usr/local/go/bin/go ]; then
  echo "test-tools: /usr/local/go/bin/go exists but is not first on PATH; run: export PATH=/usr/local/go/bin:\$PATH" >&2
  exit 1
fi

# command -> Debian package
declare -A pkg=(
  [git]=git
  [openssl]=openssl
  [zip]=zip
  [unzip]=unzip
  [zstd]=zstd
  [ssh]=openssh-client
  [ssh-keygen]=openssh-client
  [/usr/sbin/sshd]=openssh-server
)

missing_cmds=()
missing_pkgs=()
for cmd in git openssl zip unzip zstd ssh ssh-keygen /usr/sbin/sshd; do
  if ! command -v "$cmd" >/dev/null 2>&1; then
    missing_cmds+=("$cmd")
    case " ${missing_pkgs[*]-} " in *" ${pkg[$cmd]} "*) ;; *) missing_pkgs+=("${pkg[$cmd]}") ;; esac
  fi
done

can_apt=false
! $check_only && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && can_apt=true

apt_install() {
  echo "test-tools: installing $* with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1 ||
    { apt-get update >/dev/null 2>&1 && apt-get install -y --no-install-recommends "$@" >/dev/null 2>&1; }
}

# No Go at all: the distribution's golang-go is worth a try (Ubuntu 24.04 ships 1.22); Debian 12's 1.19 is
# too old and is reported below like any other missing tool.
if ! command -v go >/dev/null 2>&1 && $can_apt; then apt_install golang-go; fi

go_problem=""
if ! command -v go >/dev/null 2>&1; then
  go_problem="go (not on PATH; install Go >= 1.$min_go_minor from https://go.dev/dl and put its bin first on PATH)"
else
  minor=$(GOTOOLCHAIN=local go env GOVERSION 2>/dev/null | sed -nE 's/^go1\.([0-9]+).*/\1/p')
  if [ -z "$minor" ] || [ "$minor" -lt "$min_go_minor" ]; then
    go_problem="go >= 1.$min_go_minor (found $(go env GOVERSION 2>/dev/null || echo unknown) at $(command -v go))"
  fi
fi

if [ ${#missing_pkgs[@]} -gt 0 ] && $can_apt; then
  apt_install "${missing_pkgs[@]}"
  still=()
  for cmd in "${missing_cmds[@]}"; do command -v "$cmd" >/dev/null 2>&1 || still+=("$cmd"); done
  missing_cmds=("${still[@]+"${still[@]}"}")
fi

if [ ${#missing_cmds[@]} -gt 0 ] || [ -n "$go_problem" ]; then
  what="${missing_cmds[*]+"${missing_cmds[*]}"}"
  [ -n "$go_problem" ] && what="${what:+$what, }$go_problem"
  fix=""
  [ ${#missing_pkgs[@]} -gt 0 ] && fix="sudo apt-get install -y ${missing_pkgs[*]}"
  echo "test-tools: the tests need: $what${fix:+ -- run: $fix}" >&2
  exit 1
fi

# The installer tests also serve a second real toolchain (Go 1.27.3), kept outside the repository. The
# fetch needs the module proxy: where it is unreachable (e.g. .ci/run's loopback-only namespace) the copy
# fetched before is used, and a missing one is named in one line.
$check_only && exit 0
here="$(cd "$(dirname "$0")" && pwd)"
if ! log="$(bash "$here/fetch-test-toolchains.sh" 2>&1)"; then
  echo "test-tools: could not fetch the installer tests' Go 1.27.3 ($(printf '%s' "$log" | tail -n 1)) -- run, where the module proxy is reachable: bash scripts/fetch-test-toolchains.sh" >&2
  exit 1
fi
exit 0
