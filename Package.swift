// swift-tools-version: 6.1
import PackageDescription

// Module layout (see ARCHITECTURE.md):
//   CDescentKernels  C micro-kernels (AVX2/FMA, selected at run time)
//   DescentKernels   GEMM driver and elementwise kernels over raw buffers
//   DescentCore      Tensor, broadcasting, reverse-mode autodiff, random numbers, gradient checks, spec strings
//   DescentNN        layers, initialisers, losses, metrics, safetensors model files
//   DescentOptim     optimizers, learning-rate schedules, gradient clipping, test functions
//   DescentData      datasets, file formats, preprocessing, data loader, built-in datasets
//   CDescentCompiled C kernels of the fused training step (outer-product optimizer updates)
//   DescentCompiled  the training step seam: TrainingStep, the eager loop and the compiled fast
//                    path (CompiledStep, fused updates, row split); the only module that knows fusion
//   DescentTraining  trainer, history, early stopping, checkpoints, LR finder
//   DescentDistributed data-parallel training over MPI (loaded at run time): communicator, gradient
//                    buckets, the all-reducing step, start-up agreement between ranks
//   DescentPlot      SVG charts and HTML report
//   Descent          the library product: re-exports all of the above
//   DescentPlayground `descent playground`: the local web server (FlyingFox), its JSON API and its page
//   DescentCLI       the `descent` command-line tool
let package = Package(
    name: "Descent",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Descent", targets: ["Descent"]),
        .executable(name: "descent", targets: ["DescentCLI"]),
        .executable(name: "descent-benchmarks", targets: ["DescentBenchmarks"]),
    ],
    traits: [
        .trait(name: "OpenBLAS", description: "Use the system OpenBLAS (libopenblas-dev) for matrix multiplication."),
        .default(enabledTraits: []),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.1.1"),
        // Tests only: property-based generation of models and shapes (DescentTrainingTests).
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // `descent playground` only: a small HTTP server on Swift concurrency (no SwiftNIO).
        .package(url: "https://github.com/swhitty/FlyingFox", from: "0.27.1"),
        // Documentation only: `swift package generate-documentation --target Descent` (DocC; see README).
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(name: "CDescentKernels", path: "Sources/CDescentKernels"),
        .systemLibrary(
            name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]),
        .target(
            name: "DescentKernels",
            dependencies: [
                "CDescentKernels",
                .product(name: "RealModule", package: "swift-numerics"),
                .target(name: "COpenBLAS", condition: .when(traits: ["OpenBLAS"])),
            ],
            path: "Sources/DescentKernels"),
        .target(
            name: "DescentCore",
            dependencies: ["DescentKernels", .product(name: "RealModule", package: "swift-numerics")],
            path: "Sources/DescentCore"),
        .target(
            name: "DescentNN",
            dependencies: ["DescentCore", "DescentKernels", .product(name: "RealModule", package: "swift-numerics")],
            path: "Sources/DescentNN"),
        .target(name: "DescentOptim", dependencies: ["DescentCore", "DescentKernels"], path: "Sources/DescentOptim"),
        .target(name: "DescentData", dependencies: ["DescentCore", "DescentKernels"], path: "Sources/DescentData"),
        .target(name: "CDescentCompiled", dependencies: ["CDescentKernels"], path: "Sources/CDescentCompiled"),
        .target(
            name: "DescentCompiled",
            dependencies: [
                "CDescentCompiled", "CDescentKernels", "DescentKernels", "DescentCore", "DescentNN", "DescentOptim",
                "DescentData",
            ],
            path: "Sources/DescentCompiled"),
        .target(
            name: "DescentTraining",
            dependencies: ["DescentCore", "DescentNN", "DescentOptim", "DescentData", "DescentCompiled"],
            path: "Sources/DescentTraining"),
        .target(
            name: "DescentDistributed",
            dependencies: ["DescentCore", "DescentNN", "DescentOptim", "DescentData", "DescentTraining"],
            path: "Sources/DescentDistributed"),
        .target(name: "DescentPlot", path: "Sources/DescentPlot"),
        .target(
            name: "Descent",
            dependencies: [
                "DescentCore", "DescentNN", "DescentOptim", "DescentData", "DescentCompiled", "DescentTraining",
                "DescentDistributed", "DescentPlot",
            ],
            path: "Sources/Descent"),
        .target(
            name: "DescentPlayground",
            dependencies: ["Descent", .product(name: "FlyingFox", package: "FlyingFox")],
            path: "Sources/DescentPlayground", exclude: ["API.md"]),
        .executableTarget(
            name: "DescentCLI",
            dependencies: ["Descent", "DescentPlayground", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/DescentCLI"),
        .executableTarget(
            name: "DescentBenchmarks", dependencies: ["Descent", "DescentKernels", "DescentCompiled"],
            path: "Sources/DescentBenchmarks"),
        .testTarget(name: "DescentKernelsTests", dependencies: ["DescentKernels"], path: "Tests/DescentKernelsTests"),
        .testTarget(name: "DescentCoreTests", dependencies: ["DescentCore"], path: "Tests/DescentCoreTests"),
        .testTarget(name: "DescentNNTests", dependencies: ["DescentNN"], path: "Tests/DescentNNTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DescentOptimTests", dependencies: ["DescentOptim"], path: "Tests/DescentOptimTests",
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DescentDataTests", dependencies: ["DescentData"], path: "Tests/DescentDataTests"),
        .testTarget(name: "DescentCompiledTests", dependencies: ["DescentCompiled"], path: "Tests/DescentCompiledTests"),
        .testTarget(
            name: "DescentTrainingTests",
            dependencies: [
                "DescentTraining", "DescentCompiled", .product(name: "PropertyBased", package: "swift-property-based"),
            ],
            path: "Tests/DescentTrainingTests", resources: [.copy("Fixtures")]),
        .testTarget(
            name: "DescentDistributedTests", dependencies: ["DescentDistributed", "DescentTraining"],
            path: "Tests/DescentDistributedTests"),
        .testTarget(name: "DescentPlotTests", dependencies: ["DescentPlot"], path: "Tests/DescentPlotTests"),
        .testTarget(name: "DescentPlaygroundTests", dependencies: ["DescentPlayground", "DescentCLI", "Descent"],
                    path: "Tests/DescentPlaygroundTests"),
        // The documentation's snippets, compiled and run (README.md, docs/, Sources/Descent/Descent.docc).
        .testTarget(name: "DescentDocsTests", dependencies: ["Descent"], path: "Tests/DescentDocsTests"),
        .testTarget(name: "DescentCLITests", dependencies: ["DescentCLI"], path: "Tests/DescentCLITests",
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
