#!/usr/bin/env bash
# Regenerates the committed Swift code in Shared/Proto from proto/ with protoc and the two
# Swift plugins built from the pinned packages. `--check` regenerates into a temporary folder
# and fails when the committed code differs (stale or hand-edited).
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-write}
out=Shared/Proto/Generated

if ! command -v protoc >/dev/null; then
  echo "protoc is missing: installing Debian's protobuf-compiler" >&2
  apt-get install -y -qq protobuf-compiler >/dev/null
fi

swift build --product protoc-gen-swift >/dev/null
swift build --product protoc-gen-grpc-swift-2 >/dev/null
bin=$(swift build --show-bin-path)

target=$out
if [ "$mode" = "--check" ]; then
  target=$(mktemp -d)
  trap 'rm -rf "$target"' EXIT
else
  rm -rf "$out"
fi
mkdir -p "$target"

# Debian's protoc ships the well-known types (google/protobuf/*.proto) in /usr/include.
mapfile -t protos < <(cd proto && find . -name '*.proto' | sed 's|^\./||' | sort)
protoc --proto_path=proto --proto_path=/usr/include \
  --plugin=protoc-gen-swift="$bin/protoc-gen-swift" \
  --plugin=protoc-gen-grpc-swift-2="$bin/protoc-gen-grpc-swift-2" \
  --swift_out="$target" --swift_opt=Visibility=Public --swift_opt=FileNaming=FullPath \
  --grpc-swift-2_out="$target" --grpc-swift-2_opt=Visibility=Public,FileNaming=FullPath \
  "${protos[@]}"

if [ "$mode" = "--check" ]; then
  if ! diff -r "$out" "$target" >/dev/null; then
    echo "Shared/Proto/Generated is stale: run scripts/generate-protos.sh and commit the result." >&2
    diff -r "$out" "$target" | head -40 >&2
    exit 1
  fi
  echo "generated protobuf code is up to date"
else
  echo "wrote $(find "$out" -name '*.swift' | wc -l) files to $out"
fi
