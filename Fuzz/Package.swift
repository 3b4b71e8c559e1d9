// swift-tools-version: 6.1
// libFuzzer harnesses for Descent's parsers (issue 18), in their own package so the main build and
// its tests are unaffected. Build and run with `Fuzz/run.sh [seconds]` (Linux: the toolchain ships
// libFuzzer). Each harness is an executable whose entry point is `LLVMFuzzerTestOneInput`, built
// with `-sanitize=fuzzer,address -parse-as-library`.
import PackageDescription

let harnesses = ["FuzzCSV", "FuzzIDX", "FuzzIDXGzip", "FuzzNPY", "FuzzSafeTensors", "FuzzCheckpoint", "FuzzJSON", "FuzzSpec"]

let package = Package(
    name: "DescentFuzz",
    platforms: [.macOS(.v14)],
    dependencies: [.package(name: "Descent", path: "..")],
    targets: [
        .target(name: "FuzzSupport", dependencies: [.product(name: "Descent", package: "Descent")]),
    ] + harnesses.map { name in
        .executableTarget(name: name, dependencies: ["FuzzSupport", .product(name: "Descent", package: "Descent")])
    }
)
