// swift-tools-version:6.1
// FlowKit is the node-author API. It is its own package so that flowrun and every plugin depend on
// the same dynamic product and load one shared libFlowKit.so: an executable links a target of its
// own package statically, which would give a plugin a second, incompatible copy of the registry.
import PackageDescription

let package = Package(
    name: "FlowKit",
    products: [
        .library(name: "FlowKit", type: .dynamic, targets: ["FlowKit", "FlowTensor"]),
    ],
    targets: [
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS",
                       providers: [.apt(["libopenblas-dev"])]),
        // Hot elementwise loops in C, compiled per vector ISA and dispatched at run time (one
        // binary that uses AVX-512 where present); linked into libFlowKit.so with FlowTensor.
        .target(name: "CKernels", path: "Sources/CKernels", linkerSettings: [.linkedLibrary("m")]),
        // bf16 GEMMs through oneDNN (Debian libdnnl-dev) for `precision: bf16`; used only on CPUs with native bf16.
        .target(name: "CBF16", path: "Sources/CBF16", linkerSettings: [.linkedLibrary("dnnl"), .linkedLibrary("gomp")]),
        .target(name: "FlowTensor", dependencies: ["COpenBLAS", "CKernels", "CBF16"], path: "Sources/FlowTensor"),
        .target(name: "FlowKit", dependencies: ["FlowTensor"], path: "Sources/FlowKit"),
    ]
)
