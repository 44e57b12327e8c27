// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "Switchboard",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "SwitchboardCore", targets: ["SwitchboardCore"]),
        .library(name: "SwitchboardTesting", targets: ["SwitchboardTesting"]),
    ],
    targets: [
        .target(name: "SwitchboardCore"),
        .target(name: "SwitchboardTesting", dependencies: ["SwitchboardCore"]),
        .testTarget(name: "SwitchboardCoreTests", dependencies: ["SwitchboardCore"]),
        .testTarget(name: "SwitchboardTestingTests", dependencies: ["SwitchboardTesting", "SwitchboardCore"]),
    ],
    swiftLanguageModes: [.v6]
)
