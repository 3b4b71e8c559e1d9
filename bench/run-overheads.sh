#!/usr/bin/env bash
# The full-loss pass and checkpoint overheads of BENCHMARKS.md, "Full-loss pass and checkpoint
# overheads (issue 15)": builds bench/overheads/main.swift in release mode as a small package that
# depends on this checkout (in a scratch folder, default /tmp/descent-overheads) and runs it.
#   bench/run-overheads.sh [passes|checkpoints|all] [rounds]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${DESCENT_OVERHEADS_DIR:-/tmp/descent-overheads}"
mkdir -p "$scratch/Sources/Overheads"
cp "$root/bench/overheads/main.swift" "$scratch/Sources/Overheads/main.swift"
cat > "$scratch/Package.swift" <<PACKAGE
// swift-tools-version: 6.1
import PackageDescription
let package = Package(
    name: "Overheads",
    dependencies: [.package(path: "$root")],
    targets: [.executableTarget(name: "Overheads", dependencies: [.product(name: "Descent", package: "$(basename "$root")")])],
    swiftLanguageModes: [.v6])
PACKAGE
swift build -c release --package-path "$scratch" >&2
"$scratch/.build/release/Overheads" "$@"
