import Postgres
import SQLGuard
import ToolsCore

/// The check of what PostgreSQL itself resolved for a query, before any of it runs.
///
/// The parse tree cannot tell which function `t.f`, `lower(1)`, `a = ANY (…)` or `'x'::d` will call: that
/// depends on the database's catalogs (attribute notation, overloads, user operators, casts, domain
/// constraints). So the query is stored as a temporary view, which makes the server analyse it exactly as it
/// would run it (nothing runs), and the view is checked on what the server recorded:
/// - its definition as the server deparses it with an empty `search_path` (`pg_get_viewdef`), where every
///   call is written out with its schema when it is not a built-in, goes through the guard again;
/// - every object the stored query depends on (`pg_depend`: functions, operators, types, relations and the
///   columns read) is checked against the same allow-list; built-ins are not recorded there, and are
///   named in the deparse instead;
/// - user code the query reaches without naming it is followed the same way: the views it reads, the
///   row-security policies that apply to the login or to the owner of a view reading the table, the CHECK
///   constraints of domains it casts to (also inside composite and array types), range types' functions,
///   what the planner evaluates for the tables
///   read (partitions and inheriting tables, partition keys, index expressions and predicates, CHECK
///   constraints, extended statistics, operator classes); foreign tables are not read; a query that builds
///   JSON is refused where a user function casts some type to JSON (`to_json` looks such casts up while it
///   runs).
/// The query then runs from the stored view, so what was checked is exactly what runs. The view is dropped
/// with the transaction.
package struct QueryProbe {
    let guardLayer: ReadOnlyGuard
    let connection: PostgresConnection
    /// A probe that checks with `guardLayer` on `connection` (inside the caller's transaction).
    package init(guardLayer: ReadOnlyGuard, connection: PostgresConnection) {
        (self.guardLayer, self.connection) = (guardLayer, connection)
    }

    /// The longest deparsed definition of a view, policy or constraint the query reaches, in bytes: each is
    /// parsed again in the worker, and a longer one is refused rather than held in memory (the query's own
    /// may be as long as the parser takes).
    static let maxDefinitionBytes = 64 * 1024

    /// The longest deparsed definition of the query itself, in bytes (a parse tree in the worker takes
    /// several hundred times its text).
    static let maxQueryDefinitionBytes = 256 * 1024

    /// The temporary view the query is stored in.
    package static let viewName = "pg_temp.pgassist_query"

    /// Stores `definition` (a SELECT) as the temporary view and checks it; throws `sql_not_read_only` naming
    /// what would run, or the server's own error for a query it cannot analyse.
    package func storeAndCheck(_ definition: String) throws(ToolError) {
        do throws(PostgresError) {
            try Self.withoutEventTriggers(connection) { () throws(PostgresError) in
                // The query is analysed with the user's search_path, as it would be alone.
                _ = try connection.query("SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('pgassist.search_path'), true)")
                _ = try connection.query("CREATE TEMPORARY VIEW \(Self.viewName) AS \(definition)\n")
                _ = try connection.query("SELECT pg_catalog.set_config('search_path', '\(DatabaseAccess.toolSearchPath)', true)")
            }
        } catch {
            if error.sqlState == "42501" {
                throw ToolError(.permissionDenied, """
                    run_sql needs the TEMPORARY privilege on this database to check a query before it runs \
                    (GRANT TEMPORARY ON DATABASE … TO the login); the database refused it: \(error.message)
                    """)
            }
            if error.sqlState == "25006" {
                throw ToolError(.sqlError, """
                    run_sql checks a query by storing it as a temporary view, which this server refuses \
                    (a hot standby or a read-only server): point the tools at a primary server.
                    """)
            }
            throw ToolError.from(error)
        }
        let probe: UInt32
        do throws(PostgresError) {
            let found = try connection.query("SELECT '\(Self.viewName)'::pg_catalog.regclass::pg_catalog.oid")
            guard found.count == 1, let oid = found.string(0, 0).flatMap(UInt32.init) else {
                throw PostgresError(code: .protocolError, message: "the temporary view was not found")
            }
            probe = oid
        } catch {
            throw ToolError.from(error)
        }
        try check([.view(probe)], probe: probe)
    }

    package enum Work {
        case typeItself(UInt32)
        /// What the planner and executor run for a relation read: its partitions and inheriting tables, and
        /// for each of them its partition key, indexes (expressions, predicates), CHECK constraints (used to
        /// exclude partitions), extended statistics and column types.
        case relationMetadata(UInt32)
        case view(UInt32)
        case policiesOf(UInt32)
        case constraintsOf(UInt32)
        case type(UInt32)
        case relationColumns(UInt32)
    }

    /// Follows `initial` and everything it reaches. `probe` is the stored query's view, if any.
    package func check(_ initial: [Work], probe: UInt32?) throws(ToolError) {
        do throws(PostgresError) {
            // Deparse with every non-built-in name qualified; what runs later is the stored tree, which no
            // longer depends on search_path, and the session's own path is back before it runs.
            _ = try connection.query("SELECT pg_catalog.set_config('search_path', '', true)")
        } catch {
            throw ToolError.from(error)
        }
        var pending = initial
        var seen: Set<String> = []
        var texts: [String] = []
        var reached: (relations: Set<UInt32>, types: Set<UInt32>) = ([], [])
        var rounds = 0
        while !pending.isEmpty {
            rounds += 1
            guard rounds <= 32 else {
                throw refusal("the query reaches user code nested more than 32 levels deep, which cannot be checked")
            }
            let work = pending.filter { seen.insert(key($0)).inserted }
            pending = []
            if work.isEmpty { break }
            texts += try checkTexts(of: work, probe: probe)
            guard texts.reduce(0, { $0 + $1.utf8.count }) <= Self.maxQueryDefinitionBytes + 4 * Self.maxDefinitionBytes else {
                throw refusal("the query reaches views, policies and constraints whose definitions add up to more than \((Self.maxQueryDefinitionBytes + 4 * Self.maxDefinitionBytes) / 1024) KiB, too much to check")
            }
            pending = try checkDependencies(of: work, probe: probe, reached: &reached)
        }
        try checkJSONCasts(texts)
        // The candidates checked before analysis over-approximate; what the stored query reaches is exact.
        if probe != nil { try checkOperatorClasses(reached) }
        try connection.useToolSearchPath()
    }

    private func key(_ work: Work) -> String {
        switch work {
        case .typeItself(let oid): "i\(oid)"
        case .relationMetadata(let oid): "m\(oid)"
        case .view(let oid): "v\(oid)"
        case .policiesOf(let oid): "p\(oid)"
        case .constraintsOf(let oid): "c\(oid)"
        case .type(let oid): "t\(oid)"
        case .relationColumns(let oid): "r\(oid)"
        }
    }

    private func oids(_ work: [Work], _ pick: (Work) -> UInt32?) -> String? {
        let list = work.compactMap(pick)
        return "{" + list.map(String.init).joined(separator: ",") + "}"
    }

    /// The deparsed definitions of the views, policies and domain constraints in `work`, through the guard;
    /// returns them.
    @discardableResult
    private func checkTexts(of work: [Work], probe: UInt32?) throws(ToolError) -> [String] {
        let views = oids(work) { if case .view(let oid) = $0 { oid } else { nil } }
        let tables = oids(work) { if case .policiesOf(let oid) = $0 { oid } else { nil } }
        let domains = oids(work) { if case .constraintsOf(let oid) = $0 { oid } else { nil } }
        let result: PostgresResult
        do throws(PostgresError) {
            result = try connection.query(Self.textsQuery, [views, tables, domains])
        } catch {
            throw ToolError.from(error)
        }
        var texts: [String] = []
        for row in 0..<result.count {
            guard let kind = result.string(row, 0), let name = result.string(row, 1) else { continue }
            let oid = result.string(row, 3).flatMap(UInt32.init)
            guard let text = result.string(row, 2) else {
                throw refusal("the definition of \(name) cannot be read, so what it runs cannot be checked")
            }
            let limit = kind == "view" && oid == probe ? Self.maxQueryDefinitionBytes : Self.maxDefinitionBytes
            guard text.utf8.count <= limit else {
                throw refusal("the definition of \(name) is longer than \(limit / 1024) KiB, too long to check")
            }
            texts.append(text)
            let verdict: GuardRefusal?
            switch kind {
            case "view":
                verdict = guardLayer.checkDeparsed(text)
            case "constraint":
                verdict = guardLayer.checkDeparsedExpression(Self.checkExpression(text))
            default:
                verdict = guardLayer.checkDeparsedExpression(text)
            }
            if let verdict {
                let place = switch kind {
                case "view" where oid == probe: "the query"
                case "view": "the view \(name), which the query reads,"
                case "constraint": "the CHECK constraint \(name) of a domain the query uses"
                default: "the row-security policy \(name), which applies to this query,"
                }
                throw ToolError(.sqlNotReadOnly, "\(place) cannot run: \(verdict.message)",
                                details: ["reason": .string(verdict.reason.rawValue)])
            }
        }
        return texts
    }

    /// `CHECK ((VALUE > 0)) NOT VALID` → `(VALUE > 0)`.
    static func checkExpression(_ definition: String) -> String {
        var text = Substring(definition)
        if text.hasPrefix("CHECK ") { text = text.dropFirst(6) }
        if text.hasSuffix(" NOT VALID") { text = text.dropLast(10) }
        return String(text)
    }

    /// Everything the objects in `work` depend on, checked; returns the user code to follow next, and adds the
    /// relations and types met to `reached`.
    private func checkDependencies(of work: [Work], probe: UInt32?,
                                   reached: inout (relations: Set<UInt32>, types: Set<UInt32>)) throws(ToolError) -> [Work] {
        let views = oids(work) { if case .view(let oid) = $0 { oid } else { nil } }
        let tables = oids(work) { if case .policiesOf(let oid) = $0 { oid } else { nil } }
        let domains = oids(work) { if case .constraintsOf(let oid) = $0 { oid } else { nil } }
        let types = oids(work) { if case .type(let oid) = $0 { oid } else { nil } }
        let relations = oids(work) { if case .relationColumns(let oid) = $0 { oid } else { nil } }
        let themselves = oids(work) { if case .typeItself(let oid) = $0 { oid } else { nil } }
        let families = oids(work) { if case .relationMetadata(let oid) = $0 { oid } else { nil } }
        let result: PostgresResult
        do throws(PostgresError) {
            result = try connection.query(Self.dependenciesQuery, [views, tables, domains, types, relations, themselves, families])
        } catch {
            throw ToolError.from(error)
        }
        var next: [Work] = []
        for row in 0..<result.count {
            let kind = result.string(row, 0) ?? ""
            let oid = result.string(row, 1).flatMap(UInt32.init) ?? 0
            let schema = result.string(row, 2) ?? ""
            let name = result.string(row, 3) ?? ""
            let column = result.string(row, 4)
            let detail = result.string(row, 5) ?? ""
            let flag = result.string(row, 6) == "t"
            switch kind {
            case "function":
                if let why = guardLayer.functionRefusal(schema: schema, name: name) {
                    throw refusal("the query would call \(qualified(schema, name))(): \(why)")
                }
            case "operator":
                if let why = guardLayer.operatorRefusal(schema: schema, name: name) {
                    throw refusal("the query would use the operator OPERATOR(\(qualified(schema, name))): \(why)")
                }
            case "relation":
                reached.relations.insert(oid)
                if let why = ReadOnlyGuard.relationRefusal(schema: schema, relation: name, column: column) {
                    let what = column.map { "\(qualified(schema, name)).\($0)" } ?? qualified(schema, name)
                    throw ToolError(.sqlNotReadOnly, "reading \(what) is not allowed: \(why)",
                                    details: ["reason": .string(GuardRefusal.Reason.relationNotAllowed.rawValue)])
                }
                if detail == "f" {
                    throw ToolError(.sqlNotReadOnly, """
                        reading \(qualified(schema, name)) is not allowed: it is a foreign table (or one of the \
                        partitions or inheriting tables of what the query reads), and reading it connects to another server.
                        """, details: ["reason": .string(GuardRefusal.Reason.relationNotAllowed.rawValue)])
                }
                // A relation is recorded whole or by the columns read: follow it either way (once).
                if oid != probe {
                    let system = schema == "pg_catalog" || schema == "information_schema"
                    if detail == "v" && !system { next.append(.view(oid)) }
                    if flag { next.append(.policiesOf(oid)) }
                    if !system { next.append(.relationMetadata(oid)) }
                }
            case "type":
                reached.types.insert(oid)
                switch detail {
                case "d":
                    next.append(.constraintsOf(oid))
                    next.append(.type(oid))
                case "c":
                    if let relation = result.string(row, 8).flatMap(UInt32.init), relation != 0 {
                        next.append(.relationColumns(relation))
                    }
                case "r", "m":
                    next.append(.type(oid))
                case "b" where flag:
                    // An array: its element type.
                    next.append(.type(oid))
                default:
                    break
                }
                if let canonical = column, let dot = canonical.firstIndex(of: ".") {
                    let functionSchema = String(canonical[..<dot]), functionName = String(canonical[canonical.index(after: dot)...])
                    if let why = guardLayer.functionRefusal(schema: functionSchema, name: functionName) {
                        throw refusal("the range type \(qualified(schema, name)) calls \(canonical)(): \(why)")
                    }
                }
            case "ignored":
                break
            default:
                throw refusal("the query depends on a \(kind) (\(qualified(schema, name))), which the check does not know")
            }
        }
        return next
    }

    private func qualified(_ schema: String, _ name: String) -> String {
        schema.isEmpty ? name : "\(schema).\(name)"
    }

    func refusal(_ message: String) -> ToolError {
        ToolError(.sqlNotReadOnly, message + ".", details: ["reason": .string(GuardRefusal.Reason.functionNotAllowed.rawValue)])
    }

}
