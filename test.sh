#!/usr/bin/env bash
# Runs Sekisho's test suite: unit tests, iptables' conformance cases and the differential tests against the
# kernel (those need root; without it they skip and say why, unless SEKISHO_REQUIRE_KERNEL=1).
set -euo pipefail
cd "$(dirname "$0")"
dotnet build Sekisho.slnx -c Release -nologo -v quiet
dotnet test Sekisho.slnx -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
