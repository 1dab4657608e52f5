#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what the tests need, then runs every test.
# The test run starts Azurite itself (in memory, on a free loopback port) and stops it at the end,
# so nothing is left running and no port is assumed free.
set -euo pipefail
cd "$(dirname "$0")"

# Azurite is pinned in package-lock.json; Core Tools is optional there and its binary download is
# allowed to fail without failing the install.
# Skipped when node_modules was installed from this very lock file (its hash is kept beside it).
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ "$(cat node_modules/.package-lock.sha256 2>/dev/null)" != "$lock_hash" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > node_modules/.package-lock.sha256
fi

# Formatting is part of the build's contract: any drift fails the run before a test starts.
dotnet format DefenderSnow.sln --verify-no-changes

log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test DefenderSnow.sln --configuration Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?

# One plain closing line that any CI can read, whatever the runner prints.
passed=$(awk '/^[[:space:]]+Passed:[[:space:]]+[0-9]+/ {s+=$2} END {print s+0}' "$log")
failed=$(awk '/^[[:space:]]+Failed:[[:space:]]+[0-9]+/ {s+=$2} END {print s+0}' "$log")
echo "tests: ${passed} passed, ${failed} failed"
exit $status
