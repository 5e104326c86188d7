#!/usr/bin/env bash
# Installs the Debian packages the test suite needs, if missing: PostgreSQL's server binaries
# (the tests start their own throwaway cluster; no system service is used) and Chromium
# (the browser tests drive it through Playwright; no browser is downloaded) and ffmpeg (decodes
# the audio formats libsndfile cannot, such as AAC/M4A) and Node.js with npm (installs the
# pinned axe-core that the browser tests run in each page to check accessibility).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" > /dev/null || missing+=(postgresql)
command -v chromium > /dev/null || missing+=(chromium)
command -v ffmpeg > /dev/null || missing+=(ffmpeg)
command -v node > /dev/null || missing+=(nodejs)
command -v npm > /dev/null || missing+=(npm)

install_axe() {
  if [ ! -f tests/browser/node_modules/axe-core/axe.min.js ]; then
    echo "installing axe-core for the browser tests (npm ci in tests/browser)"
    npm ci --prefix tests/browser --quiet --no-audit --no-fund > /dev/null
  fi
}

if [ ${#missing[@]} -eq 0 ]; then
  install_axe
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo > /dev/null; then SUDO=sudo; else
    echo "need root to install ${missing[*]}: run 'apt-get install ${missing[*]}'" >&2
    exit 1
  fi
else
  SUDO=
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
install_axe
