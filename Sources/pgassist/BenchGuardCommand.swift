import ArgumentParser
import JSON
import Platform
import SQLGuard
import Tools
import ToolsCore

/// `pgassist bench-guard --sql SQL [--iterations N] [--db CONNECTION]`: times the read-only guard
/// alone (libpg_query parse + parse-tree check) and, with `--db`, the whole `run_sql` tool call in
/// this process on a warm connection, and prints one JSON line of microseconds. Used by
/// Deploy/bench/run.sh; hidden from `--help`.
struct BenchGuardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench-guard",
        abstract: "Time the SQL guard alone and the whole run_sql call (for Deploy/bench/run.sh).",
        shouldDisplay: false
    )

    @Option(help: "The query to check (and run, with --db).")
    var sql: String

    @Option(help: "Timed calls of each kind, after as many untimed warm-up calls (at most 100).")
    var iterations: Int = 2000

    @Option(help: "A libpq connection string: also time the whole run_sql tool call on it.")
    var db: String?

    func validate() throws {
        guard (1...1_000_000).contains(iterations) else { throw ValidationError("--iterations must be from 1 to 1000000.") }
    }

    func run() throws {
        let guardLayer = ReadOnlyGuard()
        guard case .allowed = guardLayer.check(sql) else {
            throw ValidationError("The guard refuses this query; benchmark an allowed one.")
        }
        var fields = [("iterations", "\(iterations)")]
        let guardTimes = Self.time(iterations) { _ = guardLayer.inspect(sql) }
        fields += [("guard_us_p50", Self.format(guardTimes.median)), ("guard_us_mean", Self.format(guardTimes.mean))]

        if let db {
            let settings = try ToolSettings(environment: EnvironmentReader.processVariables)
            let database = DatabaseAccess(connectionString: db, pool: ConnectionPool(capacityPerDatabase: 1),
                                          settings: settings, cache: SchemaCache())
            let context = ToolContext(settings: settings, database: database, userId: "bench")
            let arguments = JSONValue.object(["query": .string(sql)]).serialized()
            var failure: String?
            let toolTimes = Self.time(iterations) {
                let outcome = ToolRegistry.standard.run("run_sql", arguments: arguments, context: context)
                if !outcome.result.isSuccess { failure = outcome.rendered }
            }
            if let failure { throw ValidationError("run_sql failed: \(failure)") }
            fields += [("tool_us_p50", Self.format(toolTimes.median)), ("tool_us_mean", Self.format(toolTimes.mean))]
        }
        print("{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}")
    }

    /// Runs `body` min(iterations, 100) times untimed, then `iterations` times timed; microseconds.
    private static func time(_ iterations: Int, _ body: () -> Void) -> (median: Double, mean: Double) {
        for _ in 0..<min(iterations, 100) { body() }
        let clock = ContinuousClock()
        var samples: [Double] = []
        samples.reserveCapacity(iterations)
        for _ in 0..<iterations {
            let elapsed = clock.measure(body)
            samples.append(Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12)
        }
        samples.sort()
        return (samples[samples.count / 2], samples.reduce(0, +) / Double(samples.count))
    }

    private static func format(_ microseconds: Double) -> String {
        let hundredths = (microseconds * 100).rounded()
        return "\(Int(hundredths) / 100).\(String(Int(hundredths) % 100).leftPadded(to: 2))"
    }
}

private extension String {
    func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
