// swift-tools-version:6.0
import PackageDescription

/// pgassist: the Supabase Studio AI assistant API as a FastCGI responder behind nginx.
///
/// Dependency arrows point one way: C modules and Platform → thin Swift wrappers (FastCGI, SQLite, Postgres,
/// HTTPClient, PgQuery, Crypto) → the domain (Store, Policies, Operations, Model, SQLGuard, the tool modules,
/// ChatEngine), which knows no HTTP → the edge (HTTP, AssistantHTTP, FastCGIHTTP) → the `pgassist` executable,
/// the composition root. README "Architecture" walks one request through them.
let package = Package(
    name: "pgassist",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "pgassist", targets: ["pgassist"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // C libraries from Debian, each behind a module map and a small shim header. libpq, libcurl,
        // libcrypto and libpg_query are not linked: LazyLibraries loads each on first use.
        .systemLibrary(name: "CFastCGI", path: "Sources/CFastCGI", pkgConfig: "fcgi",
                       providers: [.apt(["libfcgi-dev"])]),
        .systemLibrary(name: "CLibPQ", path: "Sources/CLibPQ", providers: [.apt(["libpq-dev"])]),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSQLite3", path: "Sources/CSQLite3", pkgConfig: "sqlite3",
                       providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CPgQuery", path: "Sources/CPgQuery",
                       providers: [.apt(["libpg-query-dev"])]),
        // Header only: C11 atomics on words of memory that several processes map.
        .systemLibrary(name: "CAtomics", path: "Sources/CAtomics"),
        // The functions of libpq, libcurl, libcrypto and libpg_query that the Swift code calls, each
        // library dlopen()ed on its first call: a worker that only reads threads never maps them (nor the
        // ~30 libraries they pull in), which is most of its memory. See include/LazyLibraries.h.
        .target(name: "LazyLibraries", linkerSettings: [.linkedLibrary("dl")]),

        // The one copy of each low-level concept every module below the domain shares: clocks, sleep,
        // threads, process identity (/proc), standard error, and environment variables read into one
        // configuration error type. Depends on nothing but the system.
        .target(name: "Platform"),

        // Thin Swift wrappers: own the C pointers, throw typed errors, keep C types inside.
        .target(name: "FastCGI", dependencies: [
            "CFastCGI", "Platform", .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "SQLite", dependencies: ["CSQLite3", "Platform"]),
        .target(name: "Postgres", dependencies: ["CLibPQ", "LazyLibraries"]),
        .target(name: "HTTPClient", dependencies: ["CCurl", "LazyLibraries"]),
        .target(name: "PgQuery", dependencies: ["Platform", "CPgQuery", "JSON", "LazyLibraries"]),
        // SHA-256 through libcrypto, loaded on first use.
        .target(name: "Crypto", dependencies: ["CCrypto", "LazyLibraries"]),
        // Counters shared by the worker processes of a host: an mmap'ed file of per-process slots.
        .target(name: "SharedCounters", dependencies: ["CAtomics", "Platform"]),

        // Any JSON value, shared by the HTTP model, the SQL guard and the tools.
        .target(name: "JSON"),

        // Log output: one JSON object per line on stderr, and the request's fields on every line.
        .target(name: "Logs", dependencies: [
            "JSON", "Platform", .product(name: "Logging", package: "swift-log"),
        ]),

        // The read-only guard: libpg_query parse tree → allow or refuse, with the reason.
        .target(name: "SQLGuard", dependencies: ["PgQuery", "JSON"]),

        // Model providers: the Responses API and Chat Completions over libcurl, with SSE and retries.
        .target(name: "Model", dependencies: [
            "HTTPClient", "JSON", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The tools the model calls on the user's database. A small core (the Tool protocol, registry,
        // arguments and results, connection pool, transactions and deadlines, approvals) and one module per
        // family of tools over it; `Tools` only lists the families' tools in the order the model sees them.
        .target(name: "ToolsCore", dependencies: [
            "Platform", "Postgres", "SQLGuard", "JSON",
            .product(name: "Logging", package: "swift-log"),
        ]),
        // run_sql: the read-only query behind the guard, the catalog probe and the capped results.
        .target(name: "QueryTools", dependencies: ["Platform", "ToolsCore", "Postgres", "SQLGuard", "JSON"]),
        // list_tables, get_schema, create_table: reading and creating the schema.
        .target(name: "SchemaTools", dependencies: ["Platform", "ToolsCore", "QueryTools", "Postgres", "SQLGuard", "JSON"]),
        // drop_table, restore_table: the recoverable trash and its approvals.
        .target(name: "TrashTools", dependencies: ["Platform", "ToolsCore", "QueryTools", "SchemaTools", "Postgres", "SQLGuard", "JSON"]),
        .target(name: "Tools", dependencies: ["ToolsCore", "QueryTools", "SchemaTools", "TrashTools"]),
        // pgassist grant-role: a least-privilege reader role built from the catalogs and the secret-column list.
        .target(name: "RoleSetup", dependencies: ["ToolsCore", "Postgres", "JSON"]),

        // The HTTP model (request, response, router, JSON errors), independent of FastCGI.
        .target(name: "HTTP", dependencies: [
            "JSON", "Platform",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The thread store: records, store protocols, StoreError, the SQL store over SQLite or PostgreSQL and
        // its migrations. Knows no HTTP, model or tools.
        .target(name: "Store", dependencies: ["Platform", "SQLite", "Postgres", "JSON"]),

        // Policies over the domain: projects and the database-host policy, rate limits, audit redaction.
        .target(name: "Policies", dependencies: [
            "Platform", "Store", "Postgres", "JSON", "Logs",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Operations: Prometheus metrics over counters shared by the worker processes, usage statistics.
        .target(name: "Operations", dependencies: [
            "Platform", "Store", "Model", "SharedCounters",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The chat engine: a run's lifecycle (ChatService), the run loop, history, instructions, run locks. Answers
        // domain outcomes and ChatErrors and reports progress to an events sink; knows no HTTP.
        .target(name: "ChatEngine", dependencies: [
            "Platform", "Store", "Policies", "Operations", "Model", "ToolsCore", "SchemaTools", "Crypto", "Postgres", "JSON", "Logs",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The HTTP edge of the assistant API: endpoints, request parsing, idempotency, every APIError mapping,
        // server-sent event rendering.
        .target(name: "AssistantHTTP", dependencies: [
            "Platform", "HTTP", "FastCGI", "FastCGIHTTP", "ChatEngine", "Store", "Policies", "Operations", "Model", "ToolsCore",
            "Crypto", "JSON", "Logs",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // The FastCGI ↔ HTTP adapter: an exchange becomes an `HTTPRequest`, an `HTTPResponse` (streamed or not)
        // goes back as a CGI response.
        .target(name: "FastCGIHTTP", dependencies: [
            "Platform", "FastCGI", "HTTP", "Logs",
            .product(name: "Logging", package: "swift-log"),
        ]),

        // Release builds link the Swift runtime and FoundationEssentials statically, as a position-dependent
        // executable that exports only what the shared C libraries need: a worker then maps the parts of
        // the runtime it uses instead of whole shared libraries, and the loader has almost no relocations
        // to apply (idle worker RSS 25 → 19.7 MiB, see Deploy/bench/README.md). The static
        // FoundationEssentials needs its two helper libraries named, since the modules were compiled
        // against the shared SDK, whose autolink entries do not list them. Allowed here because this is
        // the root package; debug builds and tests keep the shared libraries.
        .executableTarget(name: "pgassist", dependencies: [
            "Platform", "AssistantHTTP", "ChatEngine", "Store", "Policies", "Operations", "Tools", "ToolsCore",
            "TrashTools", "RoleSetup", "SQLGuard", "JSON", "Logs",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ], linkerSettings: [
            .unsafeFlags(["-static-stdlib", "-l_FoundationCollections", "-l_FoundationCShims",
                          "-Xlinker", "--no-export-dynamic", "-Xclang-linker", "-no-pie"],
                         .when(configuration: .release)),
        ]),

        // Test helpers that start real processes: PostgreSQL, nginx, spawn-fcgi + multiwatch.
        .target(name: "TestSupport", dependencies: ["HTTPClient", "Postgres", "JSON"], path: "Tests/TestSupport"),

        .testTarget(name: "PlatformTests", dependencies: ["Platform"]),
        .testTarget(name: "HTTPTests", dependencies: ["HTTP"]),
        .testTarget(name: "LogsTests", dependencies: ["Logs", "JSON", .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "SQLiteTests", dependencies: ["SQLite"]),
        .testTarget(name: "SharedCountersTests", dependencies: ["SharedCounters", "TestSupport", "Platform"]),
        .testTarget(name: "SQLGuardTests", dependencies: ["SQLGuard", "PgQuery", "TestSupport", "Postgres"]),
        .testTarget(name: "ModelTests", dependencies: [
            "Model", "TestSupport", "JSON", "Platform", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "ToolsTests", dependencies: [
            "Platform", "Tools", "ToolsCore", "QueryTools", "SchemaTools", "TrashTools", "SQLGuard", "TestSupport", "Postgres",
        ]),
        .testTarget(name: "PostgresTests", dependencies: ["Postgres", "TestSupport"]),
        .testTarget(name: "HTTPClientTests", dependencies: ["HTTPClient", "TestSupport"]),
        .testTarget(name: "FastCGITests", dependencies: ["FastCGI", "TestSupport"]),
        .testTarget(name: "AssistantTests", dependencies: [
            "Platform", "AssistantHTTP", "ChatEngine", "Store", "Policies", "Operations", "HTTP", "TestSupport", "Tools", "ToolsCore", "QueryTools", "SchemaTools",
            "TrashTools", "Model", "Logs", "JSON",
        ]),
        .testTarget(name: "ChatEngineTests", dependencies: [
            "Platform", "ChatEngine", "Store", "Policies", "Model", "Postgres", "Tools", "ToolsCore", "TestSupport", "JSON",
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "IntegrationTests", dependencies: ["TestSupport", "HTTPClient", "SQLite", "JSON", "Postgres"]),
    ]
)
