import JSON
import Postgres
import SQLGuard
import ToolsCore

/// The layers of `run_sql` below the parser: the query runs inside `BEGIN READ ONLY` with the tool
/// timeouts (and the configured role), and the transaction is always rolled back. These layers hold
/// on their own: a write that slipped past the parser still cannot change tables or schema.
public enum ReadOnlyExecution {
    /// What a query returned.
    public struct Output: Sendable {
        /// Column names (repeats get a `_2`, `_3` suffix) and type names.
        public let columns: [(name: String, type: String)]
        /// Rows as objects keyed by column name.
        public let rows: [JSONValue]
        /// Whether rows were left out: the row cap was reached, or reading stopped at the output budget.
        public let truncated: Bool
        /// How long the query took, in milliseconds.
        public let durationMilliseconds: Double

        /// The tool's success data.
        var json: [String: JSONValue] {
            [
                "columns": .array(columns.map { .object(["name": .string($0.name), "type": .string($0.type)]) }),
                "rows": .array(rows),
                "rowCount": .number(Double(rows.count)),
                "truncated": .bool(truncated),
                // The database may hold more rows than were read (row cap, or the output budget was reached).
                "moreRows": .bool(truncated),
                "durationMs": .number((durationMilliseconds * 10).rounded() / 10),
            ]
        }
    }

    /// Runs a statement the guard allowed and returns at most `maxRows` rows, checked before anything of it
    /// runs and run read-only:
    /// - a SELECT (`sql`, the statement as the guard delimited it) is nested in the value cap's projection
    ///   (`ValueCap`), stored as a temporary view and checked (`QueryProbe`); then the transaction becomes
    ///   `READ ONLY` and the view is read through a cursor, so only `maxRows + 1` rows and no value longer than
    ///   the output budget ever leave the server;
    /// - an EXPLAIN's query is stored and checked the same way, and the plan of the stored view is read with
    ///   every line and the whole output capped on the server;
    /// - SHOW runs as it is, in `BEGIN READ ONLY`.
    /// The whole call, every statement and fetch included, gets one deadline: `SQL_STATEMENT_TIMEOUT_MS`.
    /// What the guard found (`inspection`: the types, relations, functions and operators the query names) is
    /// checked before the server analyses the query, which runs input functions of types it infers.
    public static func run(_ inspection: ReadOnlyGuard.Inspection, guardLayer: ReadOnlyGuard, maxRows: Int,
                           database: DatabaseAccess, role: String?) throws(ToolError) -> Output {
        guard case .allowed(let kind) = inspection.verdict else {
            throw ToolError(.internalError, "a query the guard refused reached the database layer")
        }
        let sql = inspection.statement
        let deadline = Deadline(milliseconds: database.settings.statementTimeoutMilliseconds)
        switch kind {
        case .show:
            return try run(sql, kind: nil, maxRows: maxRows, database: database, role: role)
        case .explain:
            guard let explain = inspection.explain else { throw ToolError(.internalError, "an EXPLAIN arrived without its parts") }
            return try database.transaction(.checkedRead, role: role) { connection throws(ToolError) -> Output in
                try watched(connection, deadline: deadline, settings: database.settings) { () throws(ToolError) in
                    let probe = QueryProbe(guardLayer: guardLayer, connection: connection)
                    try probe.checkInputTypes(of: inspection)
                    let columns = try connection.withUserSearchPath { () throws(ToolError) in
                        try describe(explain.query, connection: connection)
                    }
                    try probe.storeAndCheck(ValueCap.storable(explain.query, columns: columns))
                    try SensitiveReads.check(view: QueryProbe.viewName, columns: database.settings.sensitiveColumns,
                                             connection: connection)
                    return try ExplainPlan.read(options: explain.options, budgetBytes: database.settings.outputBudgetBytes,
                                                deadline: deadline, connection: connection)
                }
            }
        case .select:
            return try database.transaction(.checkedRead, role: role) { connection throws(ToolError) -> Output in
                try watched(connection, deadline: deadline, settings: database.settings) { () throws(ToolError) in
                    let probe = QueryProbe(guardLayer: guardLayer, connection: connection)
                    try probe.checkInputTypes(of: inspection)
                    let described = try connection.withUserSearchPath { () throws(ToolError) in
                        try describe(sql, connection: connection)
                    }
                    let cap = described.isEmpty ? nil : ValueCap(columns: described, limitBytes: database.settings.outputBudgetBytes)
                    try probe.storeAndCheck(cap?.wrap(sql) ?? ValueCap.noColumns(sql))
                    try SensitiveReads.check(view: QueryProbe.viewName, columns: database.settings.sensitiveColumns,
                                             connection: connection)
                    return try read(cap: cap, maxRows: maxRows, deadline: deadline, database: database, connection: connection)
                }
            }
        }
    }

    /// Runs `body` under a `CallWatchdog` armed for the deadline plus its grace: when it fired, the call's error
    /// (the abandoned connection's) is reported as the timeout it is.
    private static func watched<T>(_ connection: PostgresConnection, deadline: Deadline, settings: ToolSettings,
                                   _ body: () throws(ToolError) -> T) throws(ToolError) -> T {
        let watchdog = CallWatchdog(connection: connection,
                                    milliseconds: deadline.remainingMilliseconds + CallWatchdog.graceMilliseconds)
        let value: T
        do {
            value = try body()
        } catch {
            if watchdog.finish() {
                throw ToolError(.sqlTimeout, "The query ran longer than the time limit (\(settings.statementTimeoutMilliseconds) ms) and was stopped.")
            }
            throw error
        }
        _ = watchdog.finish()
        return value
    }

    /// Runs `sql` exactly as given inside `BEGIN READ ONLY` (rolled back), without the guard: the layers below
    /// the parser on their own, which the tests prove, and SHOW. `kind` nil means "unchecked".
    public static func run(_ sql: String, kind: StatementKind?, maxRows: Int, database: DatabaseAccess,
                           role: String?) throws(ToolError) -> Output {
        try database.transaction(.readOnly, role: role) { connection throws(ToolError) -> Output in
            let start = ContinuousClock.now
            let batch = try connection.withUserSearchPath { () throws(ToolError) -> PostgresResult in
                do throws(PostgresError) { return try connection.query(sql) } catch { throw ToolError.from(error) }
            }
            return try output([batch], cap: nil, maxRows: maxRows, budgetBytes: database.settings.outputBudgetBytes,
                              truncated: false, elapsed: ContinuousClock.now - start, connection: connection)
        }
    }

    /// The columns of `sql`, at most `ValueCap.maxColumns`.
    private static func describe(_ sql: String, connection: PostgresConnection) throws(ToolError) -> [PostgresColumn] {
        let described: [PostgresColumn]
        do throws(PostgresError) { described = try connection.describe(sql) } catch { throw ToolError.from(error) }
        guard described.count <= ValueCap.maxColumns else {
            throw ToolError(.invalidArguments, """
                The query returns \(described.count) columns; run_sql returns at most \(ValueCap.maxColumns). Select fewer columns.
                """)
        }
        return described
    }

    /// Makes the transaction `READ ONLY`, then reads the checked view through a cursor (and `QueryRows`, which
    /// keeps errors short).
    private static func read(cap: ValueCap?, maxRows: Int, deadline: Deadline, database: DatabaseAccess,
                             connection: PostgresConnection) throws(ToolError) -> Output {
        let start = ContinuousClock.now
        var batches: [PostgresResult] = []
        var truncated: Bool
        try startReading(connection, deadline: deadline) { () throws(PostgresError) in try QueryRows.create(connection) }
        // The query runs with the user's search_path, as it would alone (to_regclass('t') and the like).
        truncated = try connection.withUserSearchPath { () throws(ToolError) -> Bool in
            do throws(PostgresError) {
                let columns = cap == nil ? "" : "*"
                _ = try connection.query("DECLARE pgassist_rows NO SCROLL CURSOR FOR \(QueryRows.select(columns: columns, limit: maxRows + 1))")
                return try fetch(into: &batches, maxRows: maxRows, byteBudget: database.settings.outputBudgetBytes,
                                 worstRowBytes: cap?.worstRowBytes ?? 0, deadline: deadline, connection: connection)
            } catch {
                throw ToolError.from(error)
            }
        }
        if let cap { batches = batches.map(cap.relabel) }
        return try output(batches, cap: cap, maxRows: maxRows, budgetBytes: database.settings.outputBudgetBytes,
                          truncated: truncated, elapsed: ContinuousClock.now - start, connection: connection)
    }

    /// Runs `prepare` (the temporary objects the read needs: DDL, so before anything of the query runs), makes
    /// the transaction `READ ONLY`, and gives the next statement what is left of the deadline.
    static func startReading(_ connection: PostgresConnection, deadline: Deadline,
                             prepare: () throws(PostgresError) -> Void) throws(ToolError) {
        do throws(PostgresError) {
            try prepare()
            try connection.execute("SET TRANSACTION READ ONLY")
            try deadline.apply(to: connection)
        } catch {
            throw ToolError.from(error)
        }
    }

    /// The tool's output from fetched batches. Rows are decoded until their text passes `budgetBytes`, and
    /// inside a wide row values past twice the budget are only described (`valueTooLarge`): the result is cut
    /// to the output budget anyway, and compact JSON can take many times its size once decoded.
    private static func output(_ batches: [PostgresResult], cap: ValueCap?, maxRows: Int, budgetBytes: Int, truncated: Bool,
                               elapsed: Duration, connection: PostgresConnection) throws(ToolError) -> Output {
        let columns = cap?.columns ?? batches.first?.columns ?? []
        let names = uniqueNames(columns.map(\.name))
        let types = try typeNames(columns.map(\.typeOID), connection: connection)
        var rows: [JSONValue] = []
        var decodedBytes = 0
        var cut = false
        decoding: for batch in batches {
            for row in 0..<batch.count where rows.count < maxRows {
                if decodedBytes > budgetBytes {
                    cut = true
                    break decoding
                }
                var object: [String: JSONValue] = [:]
                for column in names.indices {
                    let text = batch.string(row, column)
                    let size = text?.utf8.count ?? 4
                    if let text, decodedBytes + size > 2 * budgetBytes {
                        // Past the budget inside one wide row: the value is not decoded (a compact JSON
                        // array or document can take many times its size once decoded), only described.
                        object[names[column]] = .object(["valueTooLarge": .bool(true), "bytes": .number(Double(size)),
                                                         "preview": .string(String(text.prefix(ValueCap.previewCharacters)))])
                        cut = true
                    } else {
                        object[names[column]] = cap?.value(batch, row, column) ?? batch.value(row, column).json
                    }
                    decodedBytes += size + names[column].utf8.count + 4
                }
                rows.append(.object(object))
            }
        }
        let fetched = cut ? Int.max : batches.reduce(0) { $0 + $1.count }
        let milliseconds = Double(elapsed.components.seconds) * 1_000 + Double(elapsed.components.attoseconds) / 1e15
        return Output(columns: Array(zip(names, types)).map { (name: $0.0, type: $0.1) }, rows: rows,
                      truncated: truncated || fetched > maxRows, durationMilliseconds: milliseconds)
    }

    /// Reads the cursor in growing batches (1, 10, 100, … rows) until `maxRows + 1` rows arrived,
    /// the rows end, or the rows' text passes `byteBudget` (then returns true: more may exist).
    /// Rows past the output budget would be cut anyway, so a query of huge values holds about
    /// one batch of them in memory rather than `maxRows`; with `worstRowBytes` (the most one row can
    /// take under the value cap) a batch is kept small enough that it cannot pass `ValueCap.batchBytes`.
    /// Each FETCH may only use what is left of the call's deadline.
    private static func fetch(into batches: inout [PostgresResult], maxRows: Int, byteBudget: Int, worstRowBytes: Int,
                              deadline: Deadline, connection: PostgresConnection) throws(PostgresError) -> Bool {
        let largestBatch = worstRowBytes > 0 ? max(1, ValueCap.batchBytes / worstRowBytes) : 1_000
        var fetched = 0
        var bytes = 0
        var batchSize = 1
        while fetched <= maxRows {
            let wanted = min(batchSize, maxRows + 1 - fetched)
            if batchSize > 1 { try deadline.apply(to: connection) }
            let batch = try connection.query("FETCH FORWARD \(wanted) FROM pgassist_rows")
            if batches.isEmpty || batch.count > 0 { batches.append(batch) }
            fetched += batch.count
            for row in batch.rows {
                for value in row { bytes += (value?.utf8.count ?? 4) + 8 }
            }
            if batch.count < wanted { return false }
            if bytes > byteBudget { return fetched <= maxRows }
            batchSize = min(batchSize * 10, 1_000, largestBatch)
        }
        return false
    }

    /// `["id", "count", "count"]` → `["id", "count", "count_2"]`.
    static func uniqueNames(_ names: [String]) -> [String] {
        var seen: [String: Int] = [:]
        var taken = Set(names)
        return names.map { name in
            let occurrence = (seen[name] ?? 0) + 1
            seen[name] = occurrence
            guard occurrence > 1 else { return name }
            var suffix = occurrence
            while taken.contains("\(name)_\(suffix)") { suffix += 1 }
            taken.insert("\(name)_\(suffix)")
            return "\(name)_\(suffix)"
        }
    }

    /// Type names as PostgreSQL formats them: common built-ins from a table, the rest asked of the server.
    private static func typeNames(_ oids: [UInt32], connection: PostgresConnection) throws(ToolError) -> [String] {
        var names = oids.map { BuiltinTypes.names[$0] }
        let unknown = Set(oids.indices.filter { names[$0] == nil }.map { oids[$0] })
        if !unknown.isEmpty {
            let list = "{" + unknown.map(String.init).joined(separator: ",") + "}"
            do throws(PostgresError) {
                let result = try connection.query("SELECT t.oid, pg_catalog.format_type(t.oid, NULL) FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS t(oid)", [list])
                var found: [UInt32: String] = [:]
                for row in 0..<result.count {
                    if let oid = result.string(row, 0).flatMap(UInt32.init), let name = result.string(row, 1) { found[oid] = name }
                }
                for index in names.indices where names[index] == nil { names[index] = found[oids[index]] ?? "unknown" }
            } catch {
                throw ToolError.from(error)
            }
        }
        return names.map { $0 ?? "unknown" }
    }
}
