#!/usr/bin/env bash
# Packaging smoke test: packs Paft.Llama, Paft.MLNet, Paft.MLNet.Connectors and the Paft.Cli tool into a temporary feed, checks
# each package's metadata and contents, installs the tool from that feed into a temporary tool path,
# and runs real commands from the installed tool, one of which loads TorchSharp's native library when
# the tool has such a command and the reference fixtures are present.
#
#   build/pack-smoke.sh            # from the repository root or anywhere
#   KEEP=1 build/pack-smoke.sh     # keep the temporary folder for inspection
#
# Needs the .NET 10 SDK, unzip, and a few GB of free disk for a moment (each platform's tool build
# carries its libtorch; they are deleted once packed). Takes a few minutes, most of it compressing libtorch into the tool package.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

fail() { echo "pack-smoke: FAIL: $*" >&2; exit 1; }
step() { echo "pack-smoke: $*"; }
# Whether a package holds an entry. The listing is read whole first: with pipefail, `unzip | grep -q`
# would fail whenever grep stops reading early and unzip gets SIGPIPE.
has_entry() { local listing; listing=$(unzip -Z1 "$1") && grep -qx -- "$2" <<<"$listing"; }

command -v dotnet >/dev/null || fail "needs the .NET 10 SDK on PATH"
command -v unzip >/dev/null || fail "needs unzip to inspect the packages"

work=$(mktemp -d "${TMPDIR:-/tmp}/paft-pack-smoke.XXXXXX")
if [[ "${KEEP:-}" == 1 ]]; then step "keeping $work"; else trap 'rm -rf "$work"' EXIT; fi
feed="$work/feed"

# The version is set in one place; read it from there rather than repeating it.
version=$(dotnet msbuild src/Paft.Cli/Paft.Cli.csproj -getProperty:Version -p:Configuration=Release)
[[ -n "$version" ]] || fail "could not read the package version from Directory.Build.props"
step "version $version"

# 1. Pack. Only these src projects are packable; packing them one by one avoids building the tests.
#    The tool's pack publishes once per platform it is packed for.
for project in Paft.Llama Paft.MLNet Paft.MLNet.Connectors Paft.Cli; do
  step "packing $project"
  log="$work/pack-$project.log"
  dotnet pack "src/$project/$project.csproj" -c Release -o "$feed" >"$log" 2>&1 \
    || { tail -30 "$log" >&2; fail "dotnet pack $project failed"; }
  # Warnings are errors for the compiler; pack warnings (NU5xxx) are not, so check for them here.
  if grep -E "warning [A-Z]+[0-9]+" "$log" >&2; then fail "dotnet pack $project reported warnings (above)"; fi
done

# The tool is one small Paft.Cli package pointing to one package per platform (Paft.Cli.<rid>); this
# machine's platform is the one that can be installed and run here.
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) rid=linux-x64 ;;
  Darwin-arm64) rid=osx-arm64 ;;
  *) rid=win-x64 ;;
esac
tool_rids=$(dotnet msbuild src/Paft.Cli/Paft.Cli.csproj -getProperty:ToolPackageRuntimeIdentifiers -p:Configuration=Release)
[[ ";$tool_rids;" == *";$rid;"* ]] || fail "the tool is not packed for this platform ($rid; packed: $tool_rids)"

# 2. Every package has its licence, README and metadata, and every package with code its symbols.
coded=(Paft.Llama Paft.MLNet Paft.MLNet.Connectors)
for r in ${tool_rids//;/ }; do coded+=("Paft.Cli.$r"); done
for id in Paft.Cli "${coded[@]}"; do
  nupkg="$feed/$id.$version.nupkg"
  [[ -f "$nupkg" ]] || fail "$nupkg was not produced"
  listing=$(unzip -Z1 "$nupkg")
  for entry in LICENSE README.md "$id.nuspec"; do
    grep -qx "$entry" <<<"$listing" || fail "$nupkg lacks $entry"
  done
  nuspec=$(unzip -p "$nupkg" "$id.nuspec")
  for expected in "<version>$version</version>" '<license type="expression">MIT</license>' '<readme>README.md</readme>' \
                  '<authors>Paft.MLNet contributors</authors>' '<releaseNotes>' '<tags>' '<projectUrl>' '<description>'; do
    grep -qF "$expected" <<<"$nuspec" || fail "$id.nuspec lacks $expected"
  done
done
for id in "${coded[@]}"; do
  [[ -f "$feed/$id.$version.snupkg" ]] || fail "$id has no symbols package (.snupkg)"
done
for id in Paft.Llama Paft.MLNet Paft.MLNet.Connectors; do
  has_entry "$feed/$id.$version.nupkg" "lib/net10.0/$id.dll" || fail "$id package lacks lib/net10.0/$id.dll"
  has_entry "$feed/$id.$version.nupkg" "lib/net10.0/$id.xml" || fail "$id package lacks its XML documentation"
done
tool_nuspec=$(unzip -p "$feed/Paft.Cli.$version.nupkg" Paft.Cli.nuspec)
grep -qF '<packageType name="DotnetTool" />' <<<"$tool_nuspec" || fail "Paft.Cli is not a .NET tool package"
tool_nuspec=$(unzip -p "$feed/Paft.Cli.$rid.$version.nupkg" "Paft.Cli.$rid.nuspec")
grep -qF '<packageType name="DotnetToolRidPackage" />' <<<"$tool_nuspec" || fail "Paft.Cli.$rid is not a platform-specific tool package"
for id in Paft.Llama.Tests Paft.MLNet.Tests Paft.Cli.Tests Paft.Benchmarks; do
  compgen -G "$feed/$id.*" >/dev/null && fail "$id must not be packable"
done
build/check-package-dependencies.sh "$feed/Paft.MLNet.$version.nupkg" || fail "Paft.MLNet depends on a client package"
connectors_nuspec=$(unzip -p "$feed/Paft.MLNet.Connectors.$version.nupkg" Paft.MLNet.Connectors.nuspec)
for needed in Paft.MLNet OpenAI OllamaSharp DocumentFormat.OpenXml; do
  grep -qF "<dependency id=\"$needed\"" <<<"$connectors_nuspec" || fail "Paft.MLNet.Connectors.nuspec lacks its dependency $needed"
done
# The Paft.Llama package brings the native fix to projects that reference it.
for entry in buildTransitive/Paft.Llama.targets buildTransitive/TorchSharpNativeFix.cs; do
  has_entry "$feed/Paft.Llama.$version.nupkg" "$entry" || fail "Paft.Llama package lacks $entry"
done
# The per-platform builds and publishes behind the tool packages (each with its libtorch, GBs in all)
# exist only for packing; free the disk before the install unpacks the tool again.
for r in ${tool_rids//;/ }; do rm -rf "src/Paft.Cli/bin/Release/net10.0/$r"; done
step "package metadata and contents OK ($(du -h "$feed/Paft.Cli.$rid.$version.nupkg" | cut -f1) tool package for $rid)"

# 3. On Linux the tool must carry the patched TorchSharp native library (see build/TorchSharpNativeFix.targets).
if [[ "$rid" == linux-x64 ]]; then
  native="tools/net10.0/linux-x64/libLibTorchSharp.so"
  has_entry "$feed/Paft.Cli.linux-x64.$version.nupkg" "$native" || fail "the linux-x64 tool package lacks $native"
  packed=$(unzip -p "$feed/Paft.Cli.linux-x64.$version.nupkg" "$native" | md5sum | cut -d' ' -f1)
  tsversion=$(sed -n 's/.*Include="TorchSharp" Version="\([^"]*\)".*/\1/p' Directory.Packages.props)
  torchsharp="${NUGET_PACKAGES:-$HOME/.nuget/packages}/torchsharp/$tsversion/runtimes/linux-x64/native/libLibTorchSharp.so"
  libstdcxx=$(ldconfig -p 2>/dev/null | awk '/libstdc\+\+\.so\.6 .*x86-64/ {print $NF; exit}')
  if [[ -f "$torchsharp" ]]; then
    original=$(md5sum <"$torchsharp" | cut -d' ' -f1)
    if [[ -n "$libstdcxx" ]] && grep -qa GLIBCXX_3.4.32 "$libstdcxx"; then
      step "system libstdc++ has GLIBCXX_3.4.32: the native library needs no patch (packed md5 $packed)"
    elif [[ "$packed" == "$original" ]]; then
      fail "the tool carries TorchSharp's unpatched libLibTorchSharp.so; it will not load on this system"
    else
      step "tool carries the patched libLibTorchSharp.so (md5 $packed, TorchSharp's own $original)"
    fi
  fi
fi

# 4. Install from the feed into a temporary tool path (the package lands in its private .store, and
#    NUGET_PACKAGES points at the temporary folder, so no cached 0.1.0 can stand in for this build).
step "installing the tool"
NUGET_PACKAGES="$work/nuget" dotnet tool install --tool-path "$work/tools" --add-source "$feed" Paft.Cli --version "$version" \
  >"$work/install.log" 2>&1 || { cat "$work/install.log" >&2; fail "dotnet tool install failed"; }
paft="$work/tools/paft"
[[ -x "$paft" ]] || fail "the installed tool has no 'paft' command"

# 5. Run it.
help=$("$paft" --help) || fail "paft --help failed"
grep -q "prompts" <<<"$help" || fail "paft --help does not list the prompts command"
reported=$("$paft" --version) || fail "paft --version failed"
[[ "$reported" == "$version" || "$reported" == "$version+"* ]] || fail "paft --version does not report $version"
"$paft" prompts generate --task piqa --offline --count 5 --out "$work/pool.jsonl" >/dev/null || fail "paft prompts generate failed"
[[ $(wc -l <"$work/pool.jsonl") -eq 5 ]] || fail "paft prompts generate did not write 5 templates"
"$paft" prompts validate --task piqa --prompts "$work/pool.jsonl" >/dev/null || fail "paft prompts validate rejected the generated pool"
step "paft --help, --version, prompts generate and prompts validate OK"

# A command that loads TorchSharp: generation from the stories260K fixture, when both are here.
# The reference fixtures live in ../shared beside the repository, or where PAFT_SHARED_DIR says (as for the tests).
model="${PAFT_SHARED_DIR:-../shared}/fixtures/llama/stories260K"
if grep -qE "^ +generate " <<<"$help" && [[ -f "$model/config.json" ]]; then
  ids=$("$paft" generate --model "$model" --prompt-ids 1 --max-new-tokens 8 --temperature 0 --print-ids 2>"$work/generate.err") \
    || { cat "$work/generate.err" >&2; fail "paft generate failed (TorchSharp did not load?)"; }
  [[ $(wc -w <<<"$ids") -eq 8 ]] || fail "paft generate printed '$ids', not 8 ids"
  step "paft generate (TorchSharp) OK: $ids"
else
  step "SKIPPED the TorchSharp command: the tool has no 'generate' command yet or $model is absent"
fi
step "OK"
