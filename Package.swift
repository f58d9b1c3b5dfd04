// swift-tools-version: 6.1
import PackageDescription

let upcoming: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "incident-repl",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "incident-repl", targets: ["incident-repl"]),
        .library(name: "ConversationCore", targets: ["ConversationCore"]),
        .library(name: "LLMClients", targets: ["LLMClients"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // System libraries: header-only `static inline` shims over libcurl and libedit.
        // CCurl links nothing: libcurl is loaded with dlopen on first use (LibCurl.swift).
        .systemLibrary(name: "CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CEditLine", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        // zlib, to read gzip-compressed evidence (`/file auth.log.gz`); FoundationEssentials has no decompression.
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]),

        // History, budget, truncation, case facts: pure Swift, no I/O.
        .target(name: "ConversationCore", swiftSettings: upcoming),
        // The LLMClient protocol, the four wire formats and the libcurl transport.
        .target(name: "LLMClients", dependencies: ["CCurl"], swiftSettings: upcoming),
        // Output sanitizing and secret redaction: pure Swift, fuzzable on its own.
        .target(name: "Safeguards", swiftSettings: upcoming),
        // The REPL: loop, commands, rendering, journal, configuration, local model server.
        .target(
            name: "IncidentREPLKit",
            dependencies: ["ConversationCore", "LLMClients", "Safeguards", "CEditLine", "CZlib"],
            swiftSettings: upcoming
        ),
        // Thin executable: argument parsing, then hands over to IncidentREPLKit.
        .executableTarget(
            name: "incident-repl",
            dependencies: ["IncidentREPLKit", "ConversationCore", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: upcoming
        ),
        // A loopback HTTP/1.1 server speaking each provider's wire protocol, with fault injection.
        // Used by the tests and the benchmarks; never by the product.
        .target(name: "LoopbackProvider", swiftSettings: upcoming),
        .executableTarget(name: "loopback-provider", dependencies: ["LoopbackProvider"], swiftSettings: upcoming),

        // Micro-benchmarks (view building, stream ingest, sanitizer) for `make bench`; not shipped.
        .executableTarget(
            name: "incident-bench",
            dependencies: ["ConversationCore", "LLMClients", "Safeguards", "IncidentREPLKit", "LoopbackProvider"],
            swiftSettings: upcoming
        ),

        .testTarget(name: "ConversationCoreTests", dependencies: ["ConversationCore"], swiftSettings: upcoming),
        .testTarget(
            name: "LLMClientsTests", dependencies: ["LLMClients", "LoopbackProvider"],
            exclude: ["Fixtures"],  // recorded streams, read by path
            swiftSettings: upcoming
        ),
        .testTarget(name: "SafeguardsTests", dependencies: ["Safeguards"], swiftSettings: upcoming),
        .testTarget(name: "LoopbackProviderTests", dependencies: ["LoopbackProvider"], swiftSettings: upcoming),
        .testTarget(
            name: "IncidentREPLKitTests",
            dependencies: ["IncidentREPLKit", "LoopbackProvider"],
            swiftSettings: upcoming
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["IncidentREPLKit", "LoopbackProvider"],
            swiftSettings: upcoming
        ),
    ]
)
