#!/usr/bin/env bash
# Native-loading smoke test: packs Paft.Llama and Paft.MLNet into a temporary local feed and runs
# build/fsi-smoke/score.fsx with `dotnet fsi`, which references the packed Paft.MLNet with
# `#r "nuget: ..."` (so no MSBuild target of ours runs: TorchSharp's native library is found and, where
# libstdc++ predates GCC 13, patched by Paft.Llama's run-time loader) and scores a prompt on a tiny model.
#
#   build/fsi-smoke.sh          # from the repository root or anywhere
#   KEEP=1 build/fsi-smoke.sh   # keep the feed and the script for inspection
#
# The packages get a unique prerelease version, so no earlier build in the NuGet cache can stand in;
# their extracted copies are removed from the cache at the end. Needs the .NET 10 SDK.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail() { echo "fsi-smoke: FAIL: $*" >&2; exit 1; }
command -v dotnet >/dev/null || fail "needs the .NET 10 SDK on PATH"

work=$(mktemp -d "${TMPDIR:-/tmp}/paft-fsi-smoke.XXXXXX")
suffix="fsismoke.$(date +%s).$$"
version=$(dotnet msbuild src/Paft.MLNet/Paft.MLNet.csproj -getProperty:Version -p:Configuration=Release -p:VersionSuffix="$suffix")
packages="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cleanup() { rm -rf "$work" "$packages/paft.llama/$version" "$packages/paft.mlnet/$version"; }
if [[ "${KEEP:-}" == 1 ]]; then echo "fsi-smoke: keeping $work"; else trap cleanup EXIT; fi

for project in Paft.Llama Paft.MLNet; do
  dotnet pack "src/$project/$project.csproj" -c Release -o "$work/feed" -p:VersionSuffix="$suffix" >"$work/pack-$project.log" 2>&1 \
    || { tail -30 "$work/pack-$project.log" >&2; fail "dotnet pack $project failed"; }
done

# The packed Paft.MLNet depends on no LLM client package (those are Paft.MLNet.Connectors').
build/check-package-dependencies.sh "$work/feed/Paft.MLNet.$version.nupkg" || fail "Paft.MLNet's package dependencies"

sed -e "s|__PAFT_FEED__|$work/feed|" -e "s|__PAFT_VERSION__|$version|" build/fsi-smoke/score.fsx >"$work/score.fsx"
# PAFT_NATIVE_LOADER=trace makes the loader say what it loaded, so the check below sees that it ran.
PAFT_NATIVE_LOADER=trace dotnet fsi "$work/score.fsx" >"$work/fsi.out" 2>"$work/fsi.err" \
  || { cat "$work/fsi.out" "$work/fsi.err" >&2; fail "dotnet fsi could not score a prompt with Paft.MLNet $version"; }
cat "$work/fsi.out"
grep "paft: native loader" "$work/fsi.err" || fail "Paft's native loader did not report (did it run?)"
grep -q "paft: native loader: loaded" "$work/fsi.err" || fail "Paft's native loader did not load TorchSharp's native library"
echo "fsi-smoke: OK ($version)"
