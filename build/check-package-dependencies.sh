#!/usr/bin/env bash
# Packages by dependency (issue 14): Paft.MLNet takes any IChatClient and depends on the abstractions only; the
# OpenAI/Ollama clients and the .xlsx reader are Paft.MLNet.Connectors'. Checks a packed Paft.MLNet .nupkg.
#
#   build/check-package-dependencies.sh FEED/Paft.MLNet.VERSION.nupkg
set -euo pipefail
nupkg=$1
fail() { echo "package-dependencies: FAIL: $*" >&2; exit 1; }
nuspec=$(unzip -p "$nupkg" Paft.MLNet.nuspec) || fail "$nupkg has no Paft.MLNet.nuspec"
for client in OpenAI OllamaSharp Microsoft.Extensions.AI Microsoft.Extensions.AI.OpenAI DocumentFormat.OpenXml; do
  grep -qF "<dependency id=\"$client\"" <<<"$nuspec" && fail "Paft.MLNet.nuspec depends on $client (it belongs in Paft.MLNet.Connectors)"
done
grep -qF '<dependency id="Microsoft.Extensions.AI.Abstractions"' <<<"$nuspec" || fail "Paft.MLNet.nuspec lacks Microsoft.Extensions.AI.Abstractions"
echo "package-dependencies: Paft.MLNet depends on none of OpenAI, OllamaSharp, Microsoft.Extensions.AI(.OpenAI), DocumentFormat.OpenXml"
