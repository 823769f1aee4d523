import Postgres
import SQLGuard

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
struct QueryProbe {
    let guardLayer: ReadOnlyGuard
    let connection: PostgresConnection

    /// The longest deparsed definition of a view, policy or constraint the query reaches, in bytes: each is
    /// parsed again in the worker, and a longer one is refused rather than held in memory (the query's own
    /// may be as long as the parser takes).
    static let maxDefinitionBytes = 64 * 1024

    /// The longest deparsed definition of the query itself, in bytes (a parse tree in the worker takes
    /// several hundred times its text).
    static let maxQueryDefinitionBytes = 256 * 1024

    /// The temporary view the query is stored in.
    static let viewName = "pg_temp.pgassist_query"

    /// Checks, before the server analyses the query, every type a string literal in it could be read as: a
    /// literal is read by its type's input function during analysis (`'(x)'::t`, `col = '{x}'` for an array
    /// column, `f('(x)')` for a user overload taking a row type), and for a composite, array or range type
    /// that runs the CHECK constraints of domains inside it. The candidates: the types the query names, the
    /// column types of the relations it names, types named like what it calls (`upper('{1}')` is a cast when
    /// a type `upper` is the only match), and the argument and result types of the user functions and
    /// operators that share a name with what it calls.
    func checkInputTypes(of inspection: ReadOnlyGuard.Inspection) throws(ToolError) {
        // Names resolve as the user's query will resolve them.
        let resolved = try connection.withUserSearchPath { () throws(ToolError) -> PostgresResult in
            do throws(PostgresError) {
                return try connection.query(Self.inputTypesQuery, [
                    Self.textArray(inspection.typeNames), Self.textArray(inspection.relationNames),
                    Self.textArray(inspection.routineNames), Self.textArray(inspection.operatorNames),
                ])
            } catch {
                throw ToolError.from(error)
            }
        }
        let work: [Work] = (0..<resolved.count).compactMap { row in
            guard let oid = resolved.string(row, 1).flatMap(UInt32.init) else { return nil }
            return resolved.string(row, 0) == "r" ? .relationColumns(oid) : .typeItself(oid)
        }
        guard !work.isEmpty else { return }
        try check(work, probe: nil)
    }

    /// Checks the types `names` (as `to_regtype` reads them, e.g. `public.d[]`) and what they are made of, as
    /// `checkInputTypes` does: for a value of them read from text (a default, a literal) that runs the CHECK
    /// constraints of domains inside them.
    func checkTypes(named names: Set<String>) throws(ToolError) {
        let resolved: PostgresResult
        do throws(PostgresError) {
            resolved = try connection.query("""
                SELECT pg_catalog.to_regtype(t)::pg_catalog.oid FROM pg_catalog.unnest($1::pg_catalog.text[]) AS t
                """, [Self.textArray(names)])
        } catch {
            throw ToolError.from(error)
        }
        let work = (0..<resolved.count).compactMap { resolved.string($0, 0).flatMap(UInt32.init) }.map(Work.typeItself)
        guard !work.isEmpty else { return }
        try check(work, probe: nil)
    }

    /// Kind (`t` a type, `r` a relation) and OID of the candidates `checkInputTypes` follows: types named
    /// ($1), relations named ($2), argument and result types of user functions named as calls ($3) and of
    /// user operators ($4), and types named like what the query calls (a call can be a cast). Built-in functions
    /// and operators (in `pg_catalog`) have only built-in types.
    private static let inputTypesQuery = """
        SELECT 't', pg_catalog.to_regtype(t)::pg_catalog.oid FROM pg_catalog.unnest($1::pg_catalog.text[]) AS t
        UNION
        SELECT 'r', pg_catalog.to_regclass(r)::pg_catalog.oid FROM pg_catalog.unnest($2::pg_catalog.text[]) AS r
        UNION
        -- A call of one argument with no matching function is a cast to a type of that name: upper('{1}').
        SELECT 't', pg_catalog.to_regtype(pg_catalog.quote_ident(n))::pg_catalog.oid
        FROM pg_catalog.unnest($3::pg_catalog.text[]) AS n
        UNION
        SELECT 't', t FROM pg_catalog.pg_proc p,
             pg_catalog.unnest(coalesce(p.proallargtypes, p.proargtypes::pg_catalog.oid[])
                               OPERATOR(pg_catalog.||) p.prorettype) AS t
        WHERE p.proname OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.text[])
          AND p.pronamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace
        UNION
        SELECT 't', t FROM pg_catalog.pg_operator o, pg_catalog.unnest(ARRAY[o.oprleft, o.oprright, o.oprresult]) AS t
        WHERE o.oprname OPERATOR(pg_catalog.=) ANY ($4::pg_catalog.text[])
          AND o.oprnamespace OPERATOR(pg_catalog.<>) 'pg_catalog'::pg_catalog.regnamespace
          AND t OPERATOR(pg_catalog.<>) 0
        """

    /// Stores `definition` (a SELECT) as the temporary view and checks it; throws `sql_not_read_only` naming
    /// what would run, or the server's own error for a query it cannot analyse.
    func storeAndCheck(_ definition: String) throws(ToolError) {
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

    /// Runs `ddl` (the check's own temporary objects) without firing the database's event triggers, which are
    /// user code and may have effects a rollback does not undo (a sequence, a file): where the login may set
    /// `session_replication_role` (a superuser), it is `replica` for `ddl` alone, so triggers enabled for
    /// the origin (the default) stay quiet. Other logins cannot; the README says so.
    static func withoutEventTriggers(_ connection: PostgresConnection, _ ddl: () throws(PostgresError) -> Void) throws(PostgresError) {
        let superuser = try connection.query("SELECT pg_catalog.current_setting('is_superuser')")
        let quiet = superuser.count == 1 && superuser.string(0, 0) == "on"
        if quiet { _ = try connection.query("SELECT pg_catalog.set_config('session_replication_role', 'replica', true)") }
        try ddl()
        if quiet { _ = try connection.query("SET LOCAL session_replication_role TO DEFAULT") }
    }

    /// `{"a","b\"c"}`: a text[] literal with every element quoted.
    static func textArray(_ values: Set<String>) -> String {
        "{" + values.sorted().map { value in
            "\"" + value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\""
        }.joined(separator: ",") + "}"
    }

    private enum Work {
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
    private func check(_ initial: [Work], probe: UInt32?) throws(ToolError) {
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

    /// The functions that turn any value into JSON look up, while they run, a cast from the value's type to
    /// JSON, which the stored query does not record: when the database has such a cast through a user
    /// function (not an extension's), a query that mentions JSON at all (a JSON function, or a cast to json or
    /// jsonb, which a user cast may route through one) is refused.
    private func checkJSONCasts(_ texts: [String]) throws(ToolError) {
        // Any mention: a JSON function by name, or a cast to json/jsonb whose function is one of them.
        guard texts.contains(where: { $0.lowercased().contains("json") }) else { return }
        let found: PostgresResult
        do throws(PostgresError) {
            found = try connection.query(Self.userJSONCastQuery)
        } catch {
            throw ToolError.from(error)
        }
        if found.count > 0, let cast = found.string(0, 0) {
            throw refusal("the query builds JSON, and this database casts a type to JSON through the user function \(cast)(), which JSON functions call for values of that type")
        }
    }

    /// Operator classes run functions the stored query does not record: sorting, grouping, DISTINCT,
    /// GREATEST/LEAST and comparing arrays or rows call the default classes of the types compared, and the
    /// planner and executor call those of the indexes and partition keys of the tables read (index scans,
    /// partition pruning, the planner's look at an index's ends). A class that runs a user function that is
    /// not an extension's, on a type the query can reach (a column of a relation it reads, a type it uses, and
    /// what those are made of) or on an index or partition key of a relation it reads (partitions and
    /// inheriting tables included), is refused.
    private func checkOperatorClasses(_ reached: (relations: Set<UInt32>, types: Set<UInt32>)) throws(ToolError) {
        guard !reached.relations.isEmpty || !reached.types.isEmpty else { return }
        let found: PostgresResult
        do throws(PostgresError) {
            let relations = "{" + reached.relations.map(String.init).joined(separator: ",") + "}"
            let types = "{" + reached.types.map(String.init).joined(separator: ",") + "}"
            found = try connection.query(Self.operatorClassQuery, [relations, types])
        } catch {
            throw ToolError.from(error)
        }
        for row in 0..<found.count {
            guard let schema = found.string(row, 0), let name = found.string(row, 1) else { continue }
            if let why = guardLayer.functionRefusal(schema: schema, name: name) {
                let type = found.string(row, 2) ?? "a type"
                throw refusal("an operator class of \(type), which the query would compare, sort, group or scan an index or partitions with, calls \(schema).\(name)(): \(why)")
            }
        }
    }

    /// The user functions (not an extension's) that the operator classes reachable from relations ($1) and
    /// types ($2) call, with the class's type: support functions and the operators' functions.
    private static let operatorClassQuery = """
        WITH RECURSIVE relations(oid) AS (
            SELECT r FROM pg_catalog.unnest($1::pg_catalog.oid[]) AS r
            UNION
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN relations p ON i.inhparent OPERATOR(pg_catalog.=) p.oid
        ), types(oid) AS (
            SELECT a.atttypid FROM pg_catalog.pg_attribute a
            WHERE a.attrelid IN (SELECT oid FROM relations) AND a.attnum OPERATOR(pg_catalog.>) 0
            UNION
            SELECT t FROM pg_catalog.unnest($2::pg_catalog.oid[]) AS t
            UNION
            SELECT n.x FROM types s JOIN pg_catalog.pg_type y ON y.oid OPERATOR(pg_catalog.=) s.oid,
                 LATERAL (SELECT y.typbasetype UNION SELECT y.typelem
                          UNION SELECT a.atttypid FROM pg_catalog.pg_attribute a
                          WHERE a.attrelid OPERATOR(pg_catalog.=) y.typrelid AND a.attnum OPERATOR(pg_catalog.>) 0) AS n(x)
            WHERE n.x OPERATOR(pg_catalog.<>) 0
        ), classes(oid) AS (
            SELECT c.oid FROM types s
            JOIN pg_catalog.pg_opclass c ON c.opcintype OPERATOR(pg_catalog.=) s.oid AND c.opcdefault
            WHERE s.oid OPERATOR(pg_catalog.>=) 16384
            UNION
            SELECT pg_catalog.unnest(x.indclass::pg_catalog.oid[]) FROM pg_catalog.pg_index x
            WHERE x.indrelid IN (SELECT oid FROM relations)
            UNION
            SELECT pg_catalog.unnest(p.partclass::pg_catalog.oid[]) FROM pg_catalog.pg_partitioned_table p
            WHERE p.partrelid IN (SELECT oid FROM relations)
        )
        SELECT DISTINCT fn.nspname::pg_catalog.text, f.proname::pg_catalog.text,
               pg_catalog.format_type(c.opcintype, NULL)
        FROM classes k
        JOIN pg_catalog.pg_opclass c ON c.oid OPERATOR(pg_catalog.=) k.oid
        JOIN LATERAL (SELECT ap.amproc AS fid FROM pg_catalog.pg_amproc ap
                      WHERE ap.amprocfamily OPERATOR(pg_catalog.=) c.opcfamily
                      UNION
                      SELECT o.oprcode FROM pg_catalog.pg_amop ao
                      JOIN pg_catalog.pg_operator o ON o.oid OPERATOR(pg_catalog.=) ao.amopopr
                      WHERE ao.amopfamily OPERATOR(pg_catalog.=) c.opcfamily) AS u ON true
        JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) u.fid
        JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) f.pronamespace
        WHERE fn.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                          WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND e.objid OPERATOR(pg_catalog.=) f.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')
        """

    private static let userJSONCastQuery = """
        SELECT fn.nspname::pg_catalog.text OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) f.proname::pg_catalog.text
        FROM pg_catalog.pg_cast k
        JOIN pg_catalog.pg_proc f ON f.oid OPERATOR(pg_catalog.=) k.castfunc
        JOIN pg_catalog.pg_namespace fn ON fn.oid OPERATOR(pg_catalog.=) f.pronamespace
        WHERE k.casttarget IN ('pg_catalog.json'::pg_catalog.regtype, 'pg_catalog.jsonb'::pg_catalog.regtype)
          AND fn.nspname OPERATOR(pg_catalog.<>) 'pg_catalog'
          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e
                          WHERE e.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
                            AND e.objid OPERATOR(pg_catalog.=) f.oid AND e.deptype OPERATOR(pg_catalog.=) 'e')
        LIMIT 1
        """

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

    private func refusal(_ message: String) -> ToolError {
        ToolError(.sqlNotReadOnly, message + ".", details: ["reason": .string(GuardRefusal.Reason.functionNotAllowed.rawValue)])
    }

    /// Kind, name, definition and OID of: views ($1), the SELECT policies of tables ($2) whatever roles they
    /// name (a view applies them as its owner), and the CHECK constraints of domains ($3).
    private static let textsQuery = """
        SELECT 'view', c.oid::pg_catalog.regclass::pg_catalog.text, pg_catalog.pg_get_viewdef(c.oid), c.oid
        FROM pg_catalog.pg_class c WHERE c.oid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
        UNION ALL
        SELECT 'policy', p.polname::pg_catalog.text, pg_catalog.pg_get_expr(p.polqual, p.polrelid), p.oid
        FROM pg_catalog.pg_policy p
        WHERE p.polrelid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]) AND p.polcmd IN ('r', '*')
          AND p.polqual IS NOT NULL
        UNION ALL
        SELECT 'constraint', k.conname::pg_catalog.text, pg_catalog.pg_get_constraintdef(k.oid), k.oid
        FROM pg_catalog.pg_constraint k
        WHERE k.contypid OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.oid[]) AND k.contype OPERATOR(pg_catalog.=) 'c'
        """

    /// What the objects depend on, one row each: kind, OID, schema, name, then per kind a column name (a
    /// column read) or a range's canonical function, relkind or typtype, whether row security applies (for a
    /// relation) or the type is an array, (unused), and a composite type's relation. Sources: the rules of views ($1), the policies of tables ($2), the
    /// constraints of domains ($3), types ($4) and relations whose column types matter ($5); the types ($6)
    /// themselves; and for relations read ($7) and their partitions and inheriting tables: the tables
    /// themselves (partition keys, column types), their indexes, CHECK constraints and extended statistics,
    /// and the partitions and inheriting tables as relations read.
    private static let dependenciesQuery = """
        WITH RECURSIVE family(oid) AS (
            SELECT r FROM pg_catalog.unnest($7::pg_catalog.oid[]) AS r
            UNION
            SELECT i.inhrelid FROM pg_catalog.pg_inherits i JOIN family f ON i.inhparent OPERATOR(pg_catalog.=) f.oid
        ), views(classid, objid, owner) AS (
            -- A view reads its tables as its owner (unless security_invoker): their row-security policies
            -- apply to the owner, whatever they do for the login.
            SELECT 'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, w.oid,
                   CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.unnest(v.reloptions) AS o(option)
                                     WHERE pg_catalog.lower(o.option) IN ('security_invoker=true', 'security_invoker=on',
                                                                           'security_invoker=1', 'security_invoker=yes'))
                        THEN NULL ELSE v.relowner END
            FROM pg_catalog.pg_rewrite w JOIN pg_catalog.pg_class v ON v.oid OPERATOR(pg_catalog.=) w.ev_class
            WHERE w.ev_class OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[])
        ), sources(classid, objid) AS (
            SELECT classid, objid FROM views
            UNION ALL
            SELECT 'pg_catalog.pg_policy'::pg_catalog.regclass::pg_catalog.oid, p.oid FROM pg_catalog.pg_policy p
            WHERE p.polrelid OPERATOR(pg_catalog.=) ANY ($2::pg_catalog.oid[]) AND p.polcmd IN ('r', '*')
            UNION ALL
            SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, k.oid FROM pg_catalog.pg_constraint k
            WHERE k.contypid OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.oid[])
            UNION ALL
            SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t FROM pg_catalog.unnest($4::pg_catalog.oid[]) AS t
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, r FROM pg_catalog.unnest($5::pg_catalog.oid[]) AS r
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, f.oid FROM family f
            UNION ALL
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, x.indexrelid
            FROM pg_catalog.pg_index x JOIN family f ON x.indrelid OPERATOR(pg_catalog.=) f.oid
            UNION ALL
            SELECT 'pg_catalog.pg_constraint'::pg_catalog.regclass::pg_catalog.oid, k.oid
            FROM pg_catalog.pg_constraint k JOIN family f ON k.conrelid OPERATOR(pg_catalog.=) f.oid
            WHERE k.contype OPERATOR(pg_catalog.=) 'c'
            UNION ALL
            SELECT 'pg_catalog.pg_statistic_ext'::pg_catalog.regclass::pg_catalog.oid, x.oid
            FROM pg_catalog.pg_statistic_ext x JOIN family f ON x.stxrelid OPERATOR(pg_catalog.=) f.oid
        ), refs AS (
            SELECT DISTINCT d.refclassid, d.refobjid, d.refobjsubid, s.classid AS from_class, vw.owner AS via_owner
            FROM pg_catalog.pg_depend d
            JOIN sources s ON s.classid OPERATOR(pg_catalog.=) d.classid AND s.objid OPERATOR(pg_catalog.=) d.objid
            LEFT JOIN views vw ON vw.classid OPERATOR(pg_catalog.=) s.classid AND vw.objid OPERATOR(pg_catalog.=) s.objid
            WHERE NOT (d.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
                       AND d.refobjid OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.oid[]))
            UNION
            SELECT 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid, t, 0, 'pg_catalog.pg_type'::pg_catalog.regclass::pg_catalog.oid,
                   NULL::pg_catalog.oid
            FROM pg_catalog.unnest($6::pg_catalog.oid[]) AS t
            UNION
            -- Partitions and inheriting tables are read with their parent.
            SELECT 'pg_catalog.pg_class'::pg_catalog.regclass::pg_catalog.oid, f.oid, 0,
                   'pg_catalog.pg_rewrite'::pg_catalog.regclass::pg_catalog.oid, NULL::pg_catalog.oid
            FROM family f
        )
        SELECT CASE r.refclassid
                 WHEN 'pg_catalog.pg_proc'::pg_catalog.regclass THEN 'function'
                 WHEN 'pg_catalog.pg_operator'::pg_catalog.regclass THEN 'operator'
                 WHEN 'pg_catalog.pg_class'::pg_catalog.regclass THEN
                   CASE WHEN r.from_class IN ('pg_catalog.pg_class'::pg_catalog.regclass,
                                              'pg_catalog.pg_constraint'::pg_catalog.regclass,
                                              'pg_catalog.pg_statistic_ext'::pg_catalog.regclass)
                        THEN 'ignored' ELSE 'relation' END
                 WHEN 'pg_catalog.pg_type'::pg_catalog.regclass THEN 'type'
                 WHEN 'pg_catalog.pg_namespace'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_collation'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_ts_config'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_ts_dict'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_opclass'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_opfamily'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_extension'::pg_catalog.regclass THEN 'ignored'
                 WHEN 'pg_catalog.pg_authid'::pg_catalog.regclass THEN 'ignored'
                 ELSE r.refclassid::pg_catalog.regclass::pg_catalog.text END,
               r.refobjid,
               coalesce(pn.nspname, cn.nspname, tn.nspname, opn.nspname)::pg_catalog.text,
               coalesce(p.proname, c.relname, t.typname, op.oprname)::pg_catalog.text,
               coalesce(a.attname::pg_catalog.text, rn.nspname::pg_catalog.text OPERATOR(pg_catalog.||) '.'
                        OPERATOR(pg_catalog.||) rp.proname::pg_catalog.text),
               coalesce(c.relkind::pg_catalog.text, t.typtype::pg_catalog.text),
               CASE WHEN c.relkind IN ('r', 'p') AND c.relrowsecurity THEN
                      pg_catalog.row_security_active(c.oid)
                      OR (r.via_owner IS NOT NULL
                          AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles o
                                          WHERE o.oid OPERATOR(pg_catalog.=) r.via_owner AND (o.rolsuper OR o.rolbypassrls))
                          AND (c.relowner OPERATOR(pg_catalog.<>) r.via_owner OR c.relforcerowsecurity))
                    ELSE t.typelem OPERATOR(pg_catalog.<>) 0 AND t.typlen OPERATOR(pg_catalog.=) -1 END,
               NULL::pg_catalog.text,
               t.typrelid
        FROM refs r
        LEFT JOIN pg_catalog.pg_proc p ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_proc'::pg_catalog.regclass
             AND p.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid OPERATOR(pg_catalog.=) p.pronamespace
        LEFT JOIN pg_catalog.pg_class c ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_class'::pg_catalog.regclass
             AND c.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace cn ON cn.oid OPERATOR(pg_catalog.=) c.relnamespace
        LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid
             AND a.attnum OPERATOR(pg_catalog.=) r.refobjsubid AND r.refobjsubid OPERATOR(pg_catalog.>) 0
        LEFT JOIN pg_catalog.pg_type t ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_type'::pg_catalog.regclass
             AND t.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace tn ON tn.oid OPERATOR(pg_catalog.=) t.typnamespace
        LEFT JOIN pg_catalog.pg_range rg ON rg.rngtypid OPERATOR(pg_catalog.=) t.oid
        LEFT JOIN pg_catalog.pg_proc rp ON rp.oid OPERATOR(pg_catalog.=) rg.rngcanonical
        LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid OPERATOR(pg_catalog.=) rp.pronamespace
        LEFT JOIN pg_catalog.pg_operator op ON r.refclassid OPERATOR(pg_catalog.=) 'pg_catalog.pg_operator'::pg_catalog.regclass
             AND op.oid OPERATOR(pg_catalog.=) r.refobjid
        LEFT JOIN pg_catalog.pg_namespace opn ON opn.oid OPERATOR(pg_catalog.=) op.oprnamespace
        """
}
