import ArgumentParser
import ChatEngine
import JSON
import Operations
import Platform
import Policies
import Store
import ToolsCore
import TrashTools

/// `pgassist purge --older-than DURATION`: retention for what users deleted. Removes threads deleted longer
/// ago than DURATION with their messages, runs, approvals and idempotency keys; with `--audit` also audit
/// events that old; with `--trash-db` also the tables `drop_table` trashed that long ago in those databases.
struct PurgeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "purge",
        abstract: "Delete for good what was deleted long enough ago: threads, and optionally audit events and trashed tables.",
        discussion: """
            DURATION is a number and a unit: s, m, h, d or w (90d, 12h, 2w). Rows go in batches of --batch-size, \
            each batch its own short transaction, so workers keep serving while a large purge runs; an interrupted \
            purge continues where it stopped the next time.

            Examples:
              pgassist purge --older-than 30d --dry-run
              pgassist purge --older-than 30d --audit
              pgassist purge --older-than 7d --trash-db 'postgresql://admin@db1/app' --trash-db 'host=db2 dbname=app'

            The store is the one the server uses (THREAD_STORE_URL, default sqlite://var/pgassist.db).
            """
    )

    @Option(help: ArgumentHelp("Delete what was deleted (or trashed, or recorded) longer ago than this: 30d, 12h, 2w.",
                               valueName: "duration"))
    var olderThan: String

    @Flag(help: "Only count what would be deleted.")
    var dryRun = false

    @Flag(help: "Also delete audit events older than --older-than.")
    var audit = false

    @Option(help: ArgumentHelp("Also drop tables trashed longer ago in this database (a libpq connection string); repeatable.",
                               valueName: "connection"))
    var trashDb: [String] = []

    @Option(help: "Rows per delete statement.")
    var batchSize: Int = 500

    @Option(help: "Pause between batches, in milliseconds, to leave the store to the workers.")
    var pauseMs: Int = 5

    @Flag(help: "Print the counts as one JSON object.")
    var json = false

    /// `olderThan` in milliseconds, or nil when it is not a duration.
    private var retentionMilliseconds: Int64? {
        guard let unit = olderThan.last, "smhdw".contains(unit), olderThan.dropLast().allSatisfy(\.isASCII),
              olderThan.dropLast().allSatisfy(\.isNumber), !olderThan.dropLast().isEmpty else { return nil }
        let now = WallClock.nowMilliseconds()
        return TimeExpression.milliseconds(olderThan, now: now).map { now - $0 }
    }

    func validate() throws {
        guard retentionMilliseconds != nil else {
            throw ValidationError("--older-than '\(olderThan)' is not a duration such as 30d, 12h or 2w.")
        }
        guard batchSize >= 1 else { throw ValidationError("--batch-size must be at least 1.") }
        guard pauseMs >= 0 else { throw ValidationError("--pause-ms must not be negative.") }
        if trashDb.contains(where: \.isEmpty) { throw ValidationError("--trash-db must not be empty.") }
    }

    func run() throws {
        let settings = try ExistingStore.settings()
        let now = WallClock.nowMilliseconds()
        let cutoff = now - (retentionMilliseconds ?? 0)
        let counts = try purgeStore(settings, cutoff: cutoff, now: now)
        let (trash, failures) = purgeTrash(cutoff: cutoff)
        if json {
            printJSON(counts, trash: trash, cutoff: cutoff)
        } else {
            printSummary(counts, trash: trash, cutoff: cutoff)
        }
        if failures > 0 { throw ExitCode(1) }
    }

    /// Deletes the old threads, and with `--audit` the old audit events, from the thread store.
    private func purgeStore(_ settings: ServeSettings, cutoff: Int64, now: Int64) throws -> PurgeCounts {
        var counts: PurgeCounts
        do {
            let store = try settings.openStore()
            counts = try store.purgeDeletedThreads(before: cutoff, now: now, batchSize: batchSize, pauseMilliseconds: pauseMs,
                                                   dryRun: dryRun)
            if audit {
                counts.auditEvents = try store.purgeAuditEvents(before: cutoff, batchSize: batchSize, pauseMilliseconds: pauseMs,
                                                                dryRun: dryRun)
            }
        } catch {
            throw StartupError("the purge of the thread store failed: \(error.debugDescription)")
        }
        return counts
    }

    /// Drops the old trashed tables in each `--trash-db`: one JSON entry per database, and how many tables or
    /// databases failed. A database that fails does not stop the others.
    private func purgeTrash(cutoff: Int64) -> (trash: [JSONValue], failures: Int) {
        var trash: [JSONValue] = []
        var failures = 0
        var standardError = StandardError()
        for (index, connection) in trashDb.enumerated() {
            let label = "trash db \(index + 1)"
            do {
                let result = try TrashRetention.purge(connectionString: connection, trashedBefore: cutoff, dryRun: dryRun)
                failures += result.failed.count
                trash.append(.object(["database": .number(Double(index + 1)),
                                      "dropped": .array(result.dropped.map { Self.json($0) }),
                                      "failed": .array(result.failed.map { Self.json($0.table, error: $0.error.message) })]))
                if !json { printTrashResult(result, label: label) }
            } catch {
                failures += 1
                trash.append(.object(["database": .number(Double(index + 1)), "error": .string(error.message)]))
                print("\(label): \(error.message)", to: &standardError)
            }
        }
        return (trash, failures)
    }

    private func printTrashResult(_ result: TrashPurgeResult, label: String) {
        var standardError = StandardError()
        for table in result.dropped {
            print("\(label): \(dryRun ? "would drop" : "dropped") \(table.originalSchema).\(table.originalName) "
                  + "(\(TrashRetention.schemaName).\(table.trashedName), trashed \(table.trashedAt))")
        }
        for failure in result.failed {
            print("\(label): kept \(failure.table.originalSchema).\(failure.table.originalName) "
                  + "(\(TrashRetention.schemaName).\(failure.table.trashedName)): \(failure.error.message)",
                  to: &standardError)
        }
    }

    private func printJSON(_ counts: PurgeCounts, trash: [JSONValue], cutoff: Int64) {
        var object: [String: JSONValue] = [
            "dryRun": .bool(dryRun), "cutoff": .string(WallClock.iso8601(cutoff)),
            "threads": .number(Double(counts.threads)), "messages": .number(Double(counts.messages)),
            "runs": .number(Double(counts.runs)), "pendingActions": .number(Double(counts.pendingActions)),
            "idempotencyKeys": .number(Double(counts.idempotencyKeys)), "trash": .array(trash),
        ]
        if audit { object["auditEvents"] = .number(Double(counts.auditEvents)) }
        print(JSONValue.object(object).serialized())
    }

    private func printSummary(_ counts: PurgeCounts, trash: [JSONValue], cutoff: Int64) {
        let droppedTables = trash.reduce(0) { $0 + ($1["dropped"]?.arrayValue?.count ?? 0) }
        print(dryRun ? "Dry run: nothing was deleted. Would delete, from before \(WallClock.iso8601(cutoff)):"
                     : "Deleted, from before \(WallClock.iso8601(cutoff)):")
        var lines: [(String, Int)] = [("threads", counts.threads), ("messages", counts.messages), ("runs", counts.runs),
                                      ("pending actions", counts.pendingActions), ("idempotency keys", counts.idempotencyKeys)]
        if audit { lines.append(("audit events", counts.auditEvents)) }
        if !trashDb.isEmpty { lines.append(("trashed tables", droppedTables)) }
        for (name, value) in lines { print("  \(name.padding(18))\(value)") }
    }

    private static func json(_ table: TrashedTable, error: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = ["trashedName": .string(table.trashedName), "schema": .string(table.originalSchema),
                                           "table": .string(table.originalName), "trashedAt": .string(table.trashedAt)]
        if let error { object["error"] = .string(error) }
        return .object(object)
    }
}

private extension String {
    /// The string followed by spaces up to `width` characters.
    func padding(_ width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
