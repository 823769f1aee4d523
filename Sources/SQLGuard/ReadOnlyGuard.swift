import JSON
import PgQuery

/// Decides from PostgreSQL's own parse tree whether SQL from an untrusted caller (the model) may
/// run: exactly one SELECT, EXPLAIN (without ANALYZE) of a SELECT, or SHOW, that writes nothing and
/// calls nothing with effects outside the query.
///
/// This is one of three independent layers; on its own it refuses anything that writes and
/// anything READ ONLY does not stop for a privileged role (signals, settings, advisory locks,
/// files, large objects, other servers, sleeping, notifications, sequences, SQL run from text).
/// One parse and one walk per call; safe to use from many threads.
public struct ReadOnlyGuard: Sendable {
    /// What the guard allows beyond its built-in rules.
    public let configuration: Configuration
    let policy: FunctionPolicy

    /// Creates a guard; the default configuration allows only built-in side-effect-free functions.
    public init(configuration: Configuration = .init()) {
        self.configuration = configuration
        policy = FunctionPolicy(allowUserFunctions: configuration.allowUserFunctions,
                                extraAllowedFunctions: configuration.extraAllowedFunctions)
    }

    private static let allowedStatements = "only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"

    /// Checks `sql` and says whether it may run, and if not, why and where.
    public func check(_ sql: String) -> GuardVerdict {
        inspect(sql).verdict
    }

    /// The verdict and what the checks after the guard need: the statement as the parser delimited it, an
    /// EXPLAIN's parts, and the types and relations the query names (`QueryProbe.checkTypes` checks them
    /// before the server analyses the query).
    ///
    /// The parse tree cannot tell every function PostgreSQL will call (attribute notation, overloads,
    /// operators and casts resolve against the catalogs): run an allowed SELECT only after `QueryProbe`
    /// (Tools) has checked what the server resolved.
    public func inspect(_ sql: String) -> Inspection {
        var inspection = Inspection(verdict: .allowed(.select), statement: sql)
        let verdict = evaluate(sql, into: &inspection)
        if case .refused = verdict { return Inspection(verdict: verdict, statement: sql) }
        inspection.verdict = verdict
        return inspection
    }

    private func evaluate(_ sql: String, into inspection: inout Inspection) -> GuardVerdict {
        let tree: JSONValue
        do {
            tree = try PgQuery.parse(sql)
        } catch {
            return .refused(GuardRefusal(reason: .parseError, message: error.message, position: error.cursorPosition))
        }
        let source = SourceText(sql)
        do throws(GuardRefusal) {
            let statement = try Self.soleStatement(of: tree, source: source)
            guard let members = statement["stmt"]?.objectValue, members.count == 1,
                  let (nodeType, node) = members.first else {
                throw GuardRefusal(reason: .parseError, message: "the SQL parser returned an unexpected parse tree")
            }
            let start = source.position(ofByte: source.skippingWhitespace(from: statement["stmt_location"]?.intValue ?? 0))
            // `stmt_len` 0 means "to the end of the string".
            let location = statement["stmt_location"]?.intValue ?? 0
            let length = statement["stmt_len"]?.intValue ?? 0
            let text = String(decoding: sql.utf8.dropFirst(location).prefix(length > 0 ? length : Int.max), as: UTF8.self)
            inspection.statement = text
            let kind = try statementKind(nodeType, node: node, text: text, source: source, start: start, into: &inspection)
            try inspectTree(node, source: source, into: &inspection)
            return .allowed(kind)
        } catch {
            return .refused(error)
        }
    }

    /// The one statement in the parse tree; refuses none or several.
    private static func soleStatement(of tree: JSONValue, source: SourceText) throws(GuardRefusal) -> JSONValue {
        guard let statements = tree["stmts"]?.arrayValue else {
            throw GuardRefusal(reason: .parseError, message: "the SQL parser returned an unexpected parse tree")
        }
        guard let statement = statements.first else {
            throw GuardRefusal(reason: .emptyQuery, message: "the query is empty: send one SELECT, EXPLAIN or SHOW statement")
        }
        guard statements.count == 1 else {
            let second = source.skippingWhitespace(from: statements[1]["stmt_location"]?.intValue ?? 0)
            throw GuardRefusal(
                reason: .multipleStatements,
                message: "the query holds \(statements.count) statements: send exactly one statement per call",
                position: source.position(ofByte: second))
        }
        return statement
    }

    /// Which of the allowed statements `node` is; refuses any other, a SHOW of a secret setting, and an
    /// EXPLAIN that runs the query or cannot be checked.
    private func statementKind(_ nodeType: String, node: JSONValue, text: String, source: SourceText, start: Int,
                               into inspection: inout Inspection) throws(GuardRefusal) -> StatementKind {
        switch nodeType {
        case "SelectStmt":
            return .select
        case "VariableShowStmt":
            let setting = node["name"]?.stringValue ?? ""
            if let why = ReadableSettings.refusal(setting) {
                throw GuardRefusal(reason: .settingNotAllowed, message: "SHOW \(setting) is not allowed: \(why)", position: start)
            }
            return .show
        case "ExplainStmt":
            if let refusal = explainRefusal(node, source: source, start: start) { throw refusal }
            guard let parts = ExplainRequest(explain: node, statement: text) else {
                throw GuardRefusal(reason: .statementNotAllowed, message: """
                    this EXPLAIN cannot be checked: write it as EXPLAIN (option value, …) SELECT …, with the options \
                    VERBOSE, COSTS, SETTINGS, SUMMARY, TIMING, BUFFERS, WAL or FORMAT and plain values
                    """, position: start)
            }
            inspection.explain = parts
            return .explain
        default:
            let name = StatementName.sql(nodeType: nodeType, node: node)
            throw GuardRefusal(reason: .statementNotAllowed, message: "\(name) is not allowed: \(Self.allowedStatements)",
                               position: start)
        }
    }

    /// Walks the statement's tree, keeps the names the later checks need, and refuses its first finding.
    private func inspectTree(_ node: JSONValue, source: SourceText, into inspection: inout Inspection) throws(GuardRefusal) {
        var inspector = ParseTreeInspector(policy: policy)
        inspector.inspect(node)
        inspection.typeNames = inspector.typeNames
        inspection.relationNames = inspector.relationNames
        inspection.routineNames = inspector.routineNames
        inspection.operatorNames = inspector.operatorNames
        if let finding = inspector.firstFinding {
            throw GuardRefusal(reason: finding.reason, message: finding.message,
                               position: finding.byteOffset.map(source.position(ofByte:)))
        }
    }

    /// Refuses EXPLAIN ANALYZE in any spelling and EXPLAIN of anything but a SELECT.
    private func explainRefusal(_ explain: JSONValue, source: SourceText, start: Int) -> GuardRefusal? {
        for option in explain["options"]?.arrayValue ?? [] {
            guard let definition = option["DefElem"],
                  let name = definition["defname"]?.stringValue?.lowercased(),
                  name == "analyze" || name == "analyse",
                  !Self.isExplicitlyOff(definition["arg"]) else { continue }
            return GuardRefusal(reason: .explainAnalyze,
                                message: "EXPLAIN ANALYZE is not allowed: it runs the statement; use EXPLAIN without ANALYZE",
                                position: definition["location"]?.intValue.map(source.position(ofByte:)) ?? start)
        }
        guard let query = explain["query"]?.objectValue, let queryType = query.keys.first else {
            return GuardRefusal(reason: .parseError, message: "the SQL parser returned an unexpected parse tree")
        }
        guard queryType == "SelectStmt" else {
            let name = StatementName.sql(nodeType: queryType, node: query[queryType])
            return GuardRefusal(reason: .statementNotAllowed,
                                message: "EXPLAIN \(name) is not allowed: EXPLAIN may only show the plan of a SELECT",
                                position: start)
        }
        return nil
    }

    /// True when an EXPLAIN boolean option's argument turns it off, exactly as PostgreSQL's
    /// defGetBoolean reads it (`false`/`off` in any case, or the integer 0); no argument means on.
    private static func isExplicitlyOff(_ argument: JSONValue?) -> Bool {
        guard let argument else { return false }
        if let integer = argument["Integer"] {
            return (integer["ival"]?.intValue ?? 0) == 0
        }
        if let text = argument["String"]?["sval"]?.stringValue?.lowercased() {
            return text == "false" || text == "off"
        }
        return false
    }
}
