// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "lambda-vpc",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "lambda-vpc", targets: ["lambda-vpc"]),
        .executable(name: "iam-policy-bench", targets: ["iam-policy-bench"]),
        .executable(name: "enforcement-bench", targets: ["enforcement-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "5.0.1"),
    ],
    targets: [
        .target(name: "AWSWire", dependencies: [
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "CloudModel", swiftSettings: strict),
        .target(name: "IAMPolicy", swiftSettings: strict),
        // CloudFormation templates: JSON/YAML parsing, intrinsic functions, the dependency graph; pure.
        .target(name: "CloudFormationTemplate", dependencies: [
            .product(name: "Yams", package: "Yams"),
        ], swiftSettings: strict),
        // The Amazon-provided resolver's wire format and zones: pure, no I/O (the server's listeners use NIO).
        .target(name: "DNS", dependencies: ["CloudModel"], swiftSettings: strict),
        .target(name: "Persistence", dependencies: [
            "CloudModel",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .target(name: "ControlPlane", dependencies: [
            "AWSWire", "CloudModel", "IAMPolicy", "CloudFormationTemplate",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Crypto", package: "swift-crypto"),
        ], swiftSettings: strict),
        .target(name: "ServiceBackends", dependencies: [
            "AWSWire",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "NetworkFabric", dependencies: [
            "CloudModel",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "fabric-bench", dependencies: ["NetworkFabric", "CloudModel"],
                          path: "benchmarks/fabric-bench", exclude: ["RESULTS.md"], swiftSettings: strict),
        .target(name: "Workloads", dependencies: [
            "AWSWire", "CloudModel", "ControlPlane", "Persistence", "Sandbox", "NetworkFabric",
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .target(name: "Server", dependencies: [
            "AWSWire", "CloudModel", "ControlPlane", "IAMPolicy", "Persistence", "Sandbox", "NetworkFabric", "ServiceBackends", "Workloads", "DNS",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOSSL", package: "swift-nio-ssl"),
            .product(name: "X509", package: "swift-certificates"),
            .product(name: "SwiftASN1", package: "swift-asn1"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        // Linux syscalls Swift's Glibc module does not import (unshare/setns, posix_spawn extras), and zip entries
        // inflated with zlib under a size limit.
        .target(name: "CSandbox", linkerSettings: [.linkedLibrary("z")]),
        .target(name: "Sandbox", dependencies: [
            "CSandbox",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "invoke-bench", dependencies: [
            "Sandbox",
            .product(name: "Logging", package: "swift-log"),
        ], path: "benchmarks/invoke-bench", swiftSettings: strict),
        .executableTarget(name: "lambda-vpc", dependencies: [
            "Server", "AWSWire", "ControlPlane", "NetworkFabric", "Persistence", "CloudModel", "Sandbox",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], swiftSettings: strict),
        .executableTarget(name: "iam-policy-bench", dependencies: ["IAMPolicy"], path: "benchmarks/iam-policy-bench",
                          exclude: ["README.md"], swiftSettings: strict),
        .executableTarget(name: "enforcement-bench", dependencies: ["AWSWire", "CloudModel", "ControlPlane", "IAMPolicy"],
                          path: "benchmarks/enforcement-bench", exclude: ["README.md", "instructions.sh"], swiftSettings: strict),
        .testTarget(name: "IAMPolicyTests", dependencies: ["IAMPolicy"], swiftSettings: strict),
        .testTarget(name: "CloudFormationTemplateTests", dependencies: ["CloudFormationTemplate"], swiftSettings: strict),
        .testTarget(name: "AWSWireTests", dependencies: ["AWSWire"], swiftSettings: strict),
        .testTarget(name: "CloudModelTests", dependencies: ["CloudModel"], swiftSettings: strict),
        .testTarget(name: "DNSTests", dependencies: ["DNS", "CloudModel"], swiftSettings: strict),
        .testTarget(name: "PersistenceTests", dependencies: [
            "Persistence", "CloudModel", "ControlPlane",
            .product(name: "GRDB", package: "GRDB.swift"),
        ], swiftSettings: strict),
        .testTarget(name: "SandboxTests", dependencies: ["Sandbox"], swiftSettings: strict),
        .testTarget(name: "NetworkFabricTests", dependencies: ["NetworkFabric", "CloudModel"], swiftSettings: strict),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", .product(name: "X509", package: "swift-certificates"),
        ], swiftSettings: strict),
        .testTarget(name: "WorkloadsTests", dependencies: ["Workloads", "ControlPlane", "CloudModel", "Sandbox", "NetworkFabric", "AWSWire",
                                                            .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strict),
        .testTarget(name: "ControlPlaneTests", dependencies: ["ControlPlane", "CloudModel", "AWSWire", "IAMPolicy"], swiftSettings: strict),
    ]
)
