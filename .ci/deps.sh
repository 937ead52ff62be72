#!/bin/sh
# Install every build and test dependency from Debian packages.
# Idempotent and non-interactive; works on a fresh Debian 12 machine.
set -eu
PKGS="build-essential pkg-config clang clang-format
 libev-dev libnng-dev libmsgpack-dev libyaml-dev liblmdb-dev lmdb-utils
 libnftnl-dev libmnl-dev libraft-dev libjansson-dev libcurl4-openssl-dev
 libarchive-dev libssl-dev libmbedtls-dev libcmocka-dev libhttp-parser-dev
 python3 python3-pytest python3-kubernetes
 runc crun busybox-static docker-registry skopeo umoci zstd nftables iproute2
 procps psmisc"
missing=""
for p in $PKGS; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
    echo "deps: all $(echo $PKGS | wc -w) packages present"
    exit 0
fi
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
echo "deps: installing$missing"
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
