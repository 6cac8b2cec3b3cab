#!/usr/bin/env bash
# Unpacks Debian's postfix package into target/postfix for the benchmark's smtp-sink and
# smtp-source, without installing or starting the mail system. Prints the directory.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="$PWD/target/postfix"
if [ ! -x "$dir/usr/sbin/smtp-sink" ]; then
  work=$(mktemp -d)
  # `apt-get download` needs the package lists; refresh them once if it fails.
  (cd "$work" && { apt-get download postfix >/dev/null 2>&1 \
    || { { [ "$(id -u)" = 0 ] && apt-get update -qq || sudo apt-get update -qq; } \
         && apt-get download postfix >/dev/null; }; })
  mkdir -p "$dir"
  dpkg -x "$work"/postfix_*.deb "$dir"
  rm -rf "$work"
fi
echo "$dir"
