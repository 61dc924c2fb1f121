#!/usr/bin/env bash
# Installs the Debian 12 packages sipbeat needs, when they are missing.
#   install-deps.sh build   what `make` and `make demo` need
#   install-deps.sh check   that plus what `make check` needs (cmocka, SIPp, valgrind, ...)
# As root it runs apt-get; otherwise it prints the exact line to run and fails.
set -euo pipefail
what=${1:-build}
pkgs=(cmake make gcc pkg-config libuv1-dev libjansson-dev libssl-dev)
if [ "$what" = check ]; then
  pkgs+=(libcmocka-dev valgrind sip-tester kamailio clang clang-format python3 iproute2 jq procps)
fi
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
line="apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  echo "sipbeat: missing Debian packages; run as root: $line" >&2
  exit 1
fi
echo "sipbeat: installing ${missing[*]}" >&2
apt-get update -q >/dev/null
DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
