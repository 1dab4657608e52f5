#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, then runs every test.
# The test run starts Azurite itself (in memory, on a free loopback port) and stops it at the end,
# so nothing is left running and no port is assumed free.
set -euo pipefail
cd "$(dirname "$0")"

# Azurite is pinned in package-lock.json; Core Tools is optional there and its binary download is
# allowed to fail without failing the install.
npm ci --no-audit --no-fund --loglevel=error

dotnet test DefenderSnow.sln --configuration Release --logger "console;verbosity=normal" "$@"
