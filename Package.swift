// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
    ],
    targets: [
        .target(name: "SwitchboardCore"),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
    ],
    swiftLanguageModes: [.v6]
)
