#!/bin/sh
# Installs the load generator `npm run bench:api` prefers: wrk (Debian/Ubuntu package), a C client that
# takes a fraction of the CPU per request autocannon takes in Node; the bench shares the cores with the API.
set -eu
if command -v wrk >/dev/null 2>&1; then
  echo "wrk is already installed: $(command -v wrk)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
# A fresh container has no package lists yet: update only when the install cannot find the package.
$SUDO apt-get install -y wrk || { $SUDO apt-get update && $SUDO apt-get install -y wrk; }
wrk --version 2>&1 | head -n 1 || true
