// swift-tools-version:6.1
// An example flowrun plugin: one node, `frame.tint`, built as a shared library that flowrun loads at
// run time. It depends on FlowKit's dynamic product so that it shares flowrun's one libFlowKit.so.
//   swift build -c release            -> .build/release/libFrameTint.so
//   flowrun --plugin Nodes/ExamplePlugin/.build/release/libFrameTint.so Nodes/ExamplePlugin/tint.yaml
import PackageDescription

let package = Package(
    name: "FrameTint",
    products: [
        .library(name: "FrameTint", type: .dynamic, targets: ["FrameTint"]),
    ],
    dependencies: [
        .package(name: "FlowKit", path: "../../FlowKit"),
    ],
    targets: [
        .target(name: "FrameTint", dependencies: [.product(name: "FlowKit", package: "FlowKit")]),
        .testTarget(name: "FrameTintTests", dependencies: ["FrameTint", .product(name: "FlowKit", package: "FlowKit")]),
    ]
)
