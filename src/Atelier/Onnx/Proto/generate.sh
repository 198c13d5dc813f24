#!/usr/bin/env sh
# Regenerates Onnx.g.cs from onnx.proto with protoc from the Google.Protobuf.Tools NuGet package (restored with
# the tests). The generated file is committed, so a build needs no protoc.
set -eu
cd "$(dirname "$0")"
protoc="${PROTOC:-$(ls -d "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/google.protobuf.tools/*/tools/linux_x64/protoc | tail -1)}"
chmod +x "$protoc" 2>/dev/null || true
"$protoc" --csharp_out=. --csharp_opt=file_extension=.g.cs onnx.proto
