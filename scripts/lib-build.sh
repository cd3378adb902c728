# Sourced by the benchmark scripts: builds, in release, the stack `salesctl up` starts (the six
# services and salesctl) and the benchmark's own executables, product by product. A bare
# `swift build -c release` would also build the protobuf plugins' protoc from its C++ sources
# (about 20 minutes on a cold build folder), which no benchmark runs.
#   build_release LOG [PRODUCT...]
build_release() {
  local log=$1
  shift
  : > "$log"
  for product in leads opportunities incentives forecasting store-sales gateway salesctl "$@"; do
    swift build -c release --product "$product" >> "$log" 2>&1 || { tail -40 "$log"; exit 1; }
  done
}
