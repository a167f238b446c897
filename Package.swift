// swift-tools-version:6.1
import PackageDescription

// Every node family is its own target that depends on FlowKit only; flowrun links them all.
let flowKit: Target.Dependency = .product(name: "FlowKit", package: "FlowKit")

let package = Package(
    name: "flowrun",
    products: [
        .executable(name: "flowrun", targets: ["flowrun"]),
    ],
    dependencies: [
        .package(path: "FlowKit"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        // The live preview (`flowrun GRAPH --serve`): swift-nio's HTTP and WebSocket handlers, Prometheus text.
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        .systemLibrary(name: "CFFmpeg", path: "Sources/CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),

        // protobuf-c: the C library, and the code protoc-c generated from Schemas/*.proto (scripts/gen-protos).
        .systemLibrary(name: "CProtobufC", path: "Sources/CProtobufC", pkgConfig: "libprotobuf-c",
                       providers: [.apt(["libprotobuf-c-dev"])]),
        .target(name: "FlowProtos", dependencies: ["CProtobufC"], path: "Sources/FlowProtos"),
        // Open MPI, for graphs whose nodes run on several ranks (`rank: N`, flowrun under mpirun). Only FlowMPI and
        // the executables see it; FlowKit and plugins never need MPI.
        .systemLibrary(name: "CMPI", path: "Sources/CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),
        .target(name: "FlowMPI", dependencies: ["CMPI", "FlowCore"], path: "Sources/FlowMPI"),
        // Length-delimited record files and the protobuf-c bridge any schema's records use.
        .target(name: "FlowRecords", dependencies: ["CProtobufC"], path: "Sources/FlowRecords"),

        .target(name: "UtilityNodes", dependencies: [flowKit], path: "Nodes/Utility"),
        .target(name: "TextEncoderNodes", dependencies: [flowKit], path: "Nodes/TextEncoder"),
        .target(name: "VideoNodes", dependencies: [flowKit, "CFFmpeg"], path: "Nodes/Video"),
        .target(name: "VAENodes", dependencies: [flowKit], path: "Nodes/VAE"),
        .target(name: "DenoiserNodes", dependencies: [flowKit], path: "Nodes/Denoiser"),
        .target(name: "CacheNodes", dependencies: [flowKit], path: "Nodes/Cache"),
        .target(name: "InteractiveNodes", dependencies: [flowKit], path: "Nodes/Interactive"),
        .target(name: "RewardNodes", dependencies: [flowKit], path: "Nodes/Reward"),
        .target(name: "SearchNodes", dependencies: [flowKit], path: "Nodes/Search"),
        .target(name: "MemoryNodes", dependencies: [flowKit], path: "Nodes/Memory"),
        // GRPO rollout records: the one family that writes protobuf (Schemas/rollout.proto) besides FlowKit.
        .target(name: "RolloutNodes", dependencies: [flowKit, "FlowRecords", "FlowProtos"], path: "Nodes/Rollout"),

        .target(name: "FlowCore", dependencies: [
            flowKit, "FlowProtos",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/FlowCore"),
        .target(name: "BuiltinNodes", dependencies: [
            flowKit, "UtilityNodes", "VideoNodes", "TextEncoderNodes",
            "VAENodes", "DenoiserNodes", "CacheNodes", "InteractiveNodes", "RewardNodes",
            "SearchNodes", "MemoryNodes", "RolloutNodes",
        ], path: "Sources/BuiltinNodes"),
        // `--serve`: the live preview server and its page (embedded in the binary); `flowrun report`: trace to SVG.
        .target(name: "FlowPreview", dependencies: [
            "FlowCore", flowKit,
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/FlowPreview",
           resources: [.embedInCode("Web/index.html"), .embedInCode("Web/preview.js"), .embedInCode("Web/preview.css")]),
        .target(name: "FlowReport", path: "Sources/FlowReport"),
        .executableTarget(name: "flowrun", dependencies: [
            "FlowCore", "BuiltinNodes", "TextEncoderNodes", "InteractiveNodes", "FlowPreview", "FlowReport", "FlowMPI",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Sources/flowrun"),

        .executableTarget(name: "ExecutorBench", dependencies: ["FlowCore", "BuiltinNodes"],
                          path: "Benchmarks/ExecutorBench"),
        .executableTarget(name: "TensorBench", dependencies: [flowKit], path: "Benchmarks/TensorBench"),
        .executableTarget(name: "TextEncoderBench", dependencies: ["TextEncoderNodes", flowKit], path: "Benchmarks/TextEncoderBench",
                          exclude: ["torch_peer.py"]),
        .executableTarget(name: "VideoBench", dependencies: ["VideoNodes", flowKit], path: "Benchmarks/VideoBench"),
        .executableTarget(name: "LongLiveBench", dependencies: ["FlowCore", "BuiltinNodes", "TextEncoderNodes",
                                                                     "DenoiserNodes", "CacheNodes", "VAENodes", "MemoryNodes", flowKit],
                          path: "Benchmarks/LongLiveBench", exclude: ["torch_peer.py", "torch_end_to_end.py"]),
        .executableTarget(name: "MPIBench", dependencies: ["FlowCore", "FlowMPI", flowKit], path: "Benchmarks/MPIBench"),
        .executableTarget(name: "SearchBench", dependencies: ["FlowCore", "BuiltinNodes", "TextEncoderNodes", flowKit],
                          path: "Benchmarks/SearchBench"),

        // Numeric comparisons, fixture folders and temporary folders shared by every test target.
        .target(name: "FlowTestSupport", dependencies: [flowKit], path: "Tests/FlowTestSupport",
                resources: [.copy("LongLiveFixtures")]),

        .testTarget(name: "FlowCoreTests", dependencies: ["FlowCore", "BuiltinNodes", "UtilityNodes", "FlowTestSupport"],
                    path: "Tests/FlowCoreTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "FlowKitTests", dependencies: [flowKit, "FlowTestSupport"],
                    path: "Tests/FlowKitTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "FlowTensorTests", dependencies: [flowKit, "FlowTestSupport"],
                    path: "Tests/FlowTensorTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "TextEncoderTests", dependencies: ["TextEncoderNodes", flowKit, "FlowTestSupport"],
                    path: "Tests/TextEncoderTests", resources: [.copy("Fixtures")]),
        .testTarget(name: "VideoTests", dependencies: ["VideoNodes", flowKit, "FlowTestSupport"],
                    path: "Tests/VideoTests", resources: [.copy("Fixtures")]),
        // One test target per node family; LongLiveTests runs the LongLive graphs end to end.
        .testTarget(name: "DenoiserTests", dependencies: ["DenoiserNodes", "CacheNodes", "InteractiveNodes", "MemoryNodes", "FlowCore",
                                                      flowKit, "FlowTestSupport"], path: "Tests/DenoiserTests"),
        .testTarget(name: "CacheTests", dependencies: ["CacheNodes", flowKit, "FlowTestSupport"], path: "Tests/CacheTests"),
        .testTarget(name: "VAETests", dependencies: ["VAENodes", flowKit, "FlowTestSupport"], path: "Tests/VAETests"),
        .testTarget(name: "InteractiveTests", dependencies: ["InteractiveNodes", flowKit, "FlowTestSupport"],
                    path: "Tests/InteractiveTests"),
        .testTarget(name: "RewardTests", dependencies: ["RewardNodes", flowKit, "FlowTestSupport"],
                    path: "Tests/RewardTests"),
        .testTarget(name: "SearchTests", dependencies: ["SearchNodes", flowKit, "FlowTestSupport"], path: "Tests/SearchTests"),
        .testTarget(name: "FlowRecordsTests", dependencies: ["FlowRecords", "FlowTestSupport"], path: "Tests/FlowRecordsTests"),
        .testTarget(name: "RolloutTests", dependencies: ["RolloutNodes", "DenoiserNodes", "FlowRecords", "FlowCore", "BuiltinNodes", flowKit, "FlowTestSupport"],
                    path: "Tests/RolloutTests"),
        .testTarget(name: "MemoryTests", dependencies: ["MemoryNodes", flowKit, "FlowTestSupport"], path: "Tests/MemoryTests"),
        .testTarget(name: "PreviewTests", dependencies: ["FlowPreview", "FlowReport"], path: "Tests/PreviewTests"),
        // Graphs on several ranks: the encoding and the compiler's checks always; mpirun runs when Open MPI is installed.
        .testTarget(name: "MPITests", dependencies: ["FlowCore", "BuiltinNodes", flowKit, "FlowTestSupport"], path: "Tests/MPITests"),
        .testTarget(name: "LongLiveTests", dependencies: ["VAENodes", "DenoiserNodes", "CacheNodes", "InteractiveNodes", "MemoryNodes",
                                                     "FlowCore", "BuiltinNodes", flowKit, "FlowTestSupport"],
                    path: "Tests/LongLiveTests"),
    ]
)
