import JSON

/// Something the guard refuses, found in the parse tree, before its byte offset is turned into a
/// character position.
struct Finding {
    let reason: GuardRefusal.Reason
    let message: String
    /// 0-based byte offset into the SQL, when the tree gave one.
    let byteOffset: Int?
}

/// Walks every object and array below a statement, whatever the node types, and records what
/// must not run: nested writes and other statements, SELECT INTO, locking clauses, function calls
/// and operators the policy refuses, and credential catalogs.
///
/// The walk is generic on purpose: a call or a write is found wherever the grammar lets it hide
/// (FROM, LATERAL, WHERE, window definitions, ORDER BY, CTEs, arguments, VALUES lists…), including
/// in node types added by later PostgreSQL versions. It keeps its own stack rather than recursing.
struct ParseTreeInspector {
    let policy: FunctionPolicy
    private(set) var findings: [Finding] = []
    /// Relations with secret columns the query reads (`pg_roles`, `pg_stats`…), by the name the query
    /// gives them (alias or relation name, lower-cased), with their secret columns.
    private var secretRelations: [String: (relation: String, columns: Set<String>)] = [:]
    /// The types the query names (casts, column definition lists), spelled for `to_regtype`: their input
    /// functions run while the server analyses the query.
    private(set) var typeNames: Set<String> = []
    /// The relations the query names, spelled for `to_regclass`: a string literal compared with or combined
    /// with one of their columns is read by the column type's input function while the query is analysed.
    private(set) var relationNames: Set<String> = []
    /// The names the query may call a function by (calls and attribute notation) and the operators it names
    /// (besides the comparison and pattern operators SQL syntax uses without naming them): a user function or
    /// operator of such a name could be chosen for a string literal's type, whose input function runs while
    /// the query is analysed.
    private(set) var routineNames: Set<String> = []
    private(set) var operatorNames: Set<String> = ["=", "<>", "<", ">", "<=", ">=", "~~", "~~*", "!~~", "!~~*",
                                                   "~", "~*", "!~", "!~*"]
    /// Every name a FROM item or WITH query goes by (aliases, relation names, CTE names), lower-cased: with a
    /// secret-holding view in the query, a whole-row reference to any of them may carry its secret columns
    /// (a join's alias holds the whole row of both sides).
    private var rowNames: Set<String> = []
    /// Every column reference: its fields (nil for `*`) and where it is.
    private var columnReferences: [(fields: [String?], location: Int?)] = []

    init(policy: FunctionPolicy) {
        self.policy = policy
    }

    /// The finding that comes first in the SQL (ties and unknown positions broken by reason and
    /// message, so the answer does not depend on the walk's order).
    var firstFinding: Finding? {
        findings.min { left, right in
            let leftOffset = left.byteOffset ?? Int.max
            let rightOffset = right.byteOffset ?? Int.max
            if leftOffset != rightOffset { return leftOffset < rightOffset }
            if left.reason.description != right.reason.description {
                return left.reason.description < right.reason.description
            }
            return left.message < right.message
        }
    }

    /// Inspects `root` and everything below it.
    mutating func inspect(_ root: JSONValue) {
        // Each entry carries the nearest `location` above it, for nodes that have none of their own.
        var pending: [(value: JSONValue, location: Int?)] = [(root, nil)]
        while let (value, inherited) = pending.popLast() {
            switch value {
            case .array(let elements):
                for element in elements where element.isContainer {
                    pending.append((element, inherited))
                }
            case .object(let members):
                let location = members["location"]?.intValue.flatMap { $0 >= 0 ? $0 : nil } ?? inherited
                inspect(members: members, location: location)
                for child in members.values where child.isContainer {
                    pending.append((child, location))
                }
            default:
                break
            }
        }
        inspectSecretColumns()
    }

    /// Looks at one object's members in a single pass: node wrappers (`{"DeleteStmt": …}`), the
    /// clauses of a SELECT, and the fields that name a function or a relation.
    private mutating func inspect(members: [String: JSONValue], location: Int?) {
        var functionName: JSONValue?
        var relation: String?
        var schema: String?
        var alias: String?
        for (key, child) in members {
            switch key {
            case "funcname": functionName = child
            case "relname": relation = child.stringValue
            case "schemaname": schema = child.stringValue
            case "alias":
                alias = child["aliasname"]?.stringValue
                if let alias { rowNames.insert(alias.lowercased()) }
            default:
                inspectExpression(key: key, child: child, location: location)
            }
        }
        if let functionName {
            inspectFunction(functionName, location: location)
            inspectSettingRead(functionName, arguments: members["args"], location: location)
        }
        if let relation, let why = CredentialCatalogs.reason(relation: relation, schema: schema) {
            let written = QualifiedName(parts: (schema.map { [$0] } ?? []) + [relation]).sql
            record(.relationNotAllowed, "reading \(written) is not allowed: \(why)", location)
        }
        if let relation {
            relationNames.insert(QualifiedName(parts: (schema.map { [$0] } ?? []) + [relation]).quotedSQL)
            rowNames.insert(relation.lowercased())
        }
        if let relation, let columns = SecretColumns.columns(ofRelation: relation, schema: schema) {
            secretRelations[(alias ?? relation).lowercased()] = (relation.lowercased(), columns)
        }
    }

    /// A member that is part of an expression or a FROM item; any other goes on to `inspectStatement`.
    private mutating func inspectExpression(key: String, child: JSONValue, location: Int?) {
        switch key {
        case "ctename":
            if let name = child.stringValue { rowNames.insert(name.lowercased()) }
        case "A_Expr":
            inspectOperator(child["name"], location: child["location"]?.intValue ?? location)
        case "ColumnRef":
            let fields = (child["fields"]?.arrayValue ?? []).map { $0["String"]?["sval"]?.stringValue }
            let at = child["location"]?.intValue ?? location
            columnReferences.append((fields, at))
            if fields.count >= 2, let last = fields.last, let last {
                inspectAttribute(last, location: at)
            }
        case "A_Indirection":
            for step in child["indirection"]?.arrayValue ?? [] {
                if let name = step["String"]?["sval"]?.stringValue { inspectAttribute(name, location: location) }
            }
        case "typeName":
            if let parts = child["names"]?.arrayValue?.compactMap({ $0["String"]?["sval"]?.stringValue }), !parts.isEmpty {
                let array = (child["arrayBounds"]?.arrayValue?.isEmpty ?? true) ? "" : "[]"
                typeNames.insert(QualifiedName(parts: parts).quotedSQL + array)
            }
        case "RangeTableSample":
            inspectSampleMethod(child["method"], location: child["location"]?.intValue ?? location)
        case "SubLink":
            inspectOperator(child["operName"], location: child["location"]?.intValue ?? location)
        case "SortBy":
            inspectOperator(child["useOp"], location: child["location"]?.intValue ?? location)
        default:
            inspectStatement(key: key, child: child, location: location)
        }
    }

    /// A member that nests a statement or makes a SELECT write or lock: only a nested SELECT may stay.
    private mutating func inspectStatement(key: String, child: JSONValue, location: Int?) {
        switch key {
        case "intoClause":
            let target = child["rel"]?["relname"]?.stringValue.map { " " + QualifiedName.quotedIfNeeded($0) } ?? ""
            record(.selectInto, "SELECT … INTO\(target) is not allowed: it creates a table; use a plain SELECT",
                   child["rel"]?["location"]?.intValue ?? location)
        case "lockingClause":
            let strength = child.arrayValue?.first?["LockingClause"]?["strength"]?.stringValue
            let clause = strength.flatMap { Self.lockingClauses[$0] } ?? "FOR UPDATE"
            record(.lockingClause, "\(clause) is not allowed: it locks rows; remove the locking clause", location)
        case "SelectStmt": break  // a nested SELECT is walked like the rest
        case "InsertStmt", "UpdateStmt", "DeleteStmt", "MergeStmt":
            let statement = StatementName.sql(nodeType: key, node: child)
            record(.dataModifyingCTE, "\(statement) inside a query is not allowed: the query must not change data", location)
        case _ where key.hasSuffix("Stmt") && key.first?.isUppercase == true:
            let statement = StatementName.sql(nodeType: key, node: child)
            record(.statementNotAllowed, "\(statement) inside a query is not allowed: only SELECT may be nested", location)
        default:
            break
        }
    }

    /// `(expr).f` and `t.f` call the one-argument function `f` when `f` is no column: names that can only
    /// be dangerous functions (the deny-list) or a setting read with a name the guard cannot see are refused
    /// here. Every other function reached this way is found on the server's deparse of the query, where
    /// the call is written out (QueryProbe in Tools).
    private mutating func inspectAttribute(_ name: String, location: Int?) {
        routineNames.insert(name)
        if let why = DeniedFunctions.reason(for: name) {
            record(.functionNotAllowed, "\(QualifiedName.quotedIfNeeded(name))() is not allowed (called as .\(name)): \(why)", location)
        } else if name.lowercased() == "current_setting" {
            record(.settingNotAllowed, "current_setting() is not allowed as an attribute (.current_setting): write current_setting('name') with a harmless setting's name", location)
        }
    }

    /// TABLESAMPLE runs the method's handler: only the built-in SYSTEM and BERNOULLI.
    private mutating func inspectSampleMethod(_ names: JSONValue?, location: Int?) {
        guard let name = QualifiedName(nodes: names) else {
            record(.functionNotAllowed, "a TABLESAMPLE method whose name cannot be read is not allowed", location)
            return
        }
        guard name.schema == nil || name.schema == "pg_catalog", ["system", "bernoulli"].contains(name.name) else {
            record(.functionNotAllowed, "TABLESAMPLE \(name.sql) is not allowed: only the built-in SYSTEM and BERNOULLI methods may be used", location)
            return
        }
    }

    /// Secret columns of `pg_roles`, `pg_stats`… are refused by name, and so is any reference that reads the
    /// whole row of such a view (`r`, `r.*`, a bare `*` in a query that reads one).
    private mutating func inspectSecretColumns() {
        guard !secretRelations.isEmpty else { return }
        let secretNames = secretRelations.values.reduce(into: Set<String>()) { $0.formUnion($1.columns) }
        for reference in columnReferences {
            let fields = reference.fields.map { $0?.lowercased() }
            guard let last = fields.last else { continue }
            if let last, secretNames.contains(last) {
                let owner = fields.count >= 2 ? fields[fields.count - 2].flatMap { secretRelations[$0]?.relation } : nil
                let relation = owner ?? secretRelations.values.first { $0.columns.contains(last) }!.relation
                record(.relationNotAllowed, "reading \(relation).\(last) is not allowed: \(SecretColumns.reason(relation: relation))",
                       reference.location)
                continue
            }
            // `*`, `x.*` and a bare `x` naming a FROM item: any of them may be a whole row holding the secret
            // columns (through a join's alias, a subquery or a CTE as well as the view's own name).
            let anySecret = secretRelations.values.first?.relation
            let wholeRow: String?
            if last == nil {
                if fields.count >= 2, let owner = fields[fields.count - 2] {
                    wholeRow = secretRelations[owner]?.relation ?? (rowNames.contains(owner) ? anySecret : nil)
                } else {
                    wholeRow = anySecret
                }
            } else if fields.count == 1, let last {
                wholeRow = secretRelations[last]?.relation ?? (rowNames.contains(last) ? anySecret : nil)
            } else {
                wholeRow = nil
            }
            if let wholeRow {
                record(.relationNotAllowed, "reading the whole row of \(wholeRow) is not allowed: \(SecretColumns.reason(relation: wholeRow)); name the columns you need",
                       reference.location)
            }
        }
    }

    private mutating func inspectFunction(_ names: JSONValue, location: Int?) {
        guard let name = QualifiedName(nodes: names) else {
            record(.functionNotAllowed, "a function whose name cannot be read is not allowed", location)
            return
        }
        routineNames.insert(name.name)
        if let why = policy.refusal(for: name) {
            record(.functionNotAllowed, "\(name.sql)() is not allowed: \(why)", location)
        }
    }

    /// `current_setting(name [, missing_ok])` may only read harmless settings, named by a string constant
    /// (`'name'`, or `'name'::text` as PostgreSQL deparses it), however the function is named (bare,
    /// `pg_catalog.`, `database.pg_catalog.`).
    private mutating func inspectSettingRead(_ names: JSONValue, arguments: JSONValue?, location: Int?) {
        guard let name = QualifiedName(nodes: names), name.name.lowercased() == "current_setting",
              name.schema == nil || name.schema?.lowercased() == "pg_catalog" else { return }
        let first = arguments?.arrayValue?.first
        let constant = first?["A_Const"] ?? first?["TypeCast"]?["arg"]?["A_Const"]
        guard let setting = constant?["sval"]?["sval"]?.stringValue else {
            record(.settingNotAllowed, "current_setting() is not allowed with a computed name: name the setting as a string constant", location)
            return
        }
        if let why = ReadableSettings.refusal(setting) {
            record(.settingNotAllowed, "reading the setting '\(setting)' is not allowed: \(why)", location)
        }
    }

    private mutating func inspectOperator(_ names: JSONValue?, location: Int?) {
        guard let names else { return }
        guard let name = QualifiedName(nodes: names) else {
            record(.operatorNotAllowed, "an operator whose name cannot be read is not allowed", location)
            return
        }
        operatorNames.insert(name.name)
        if let why = policy.refusal(forOperator: name) {
            record(.operatorNotAllowed, "\(name.operatorSQL) is not allowed: \(why)", location)
        }
    }

    private mutating func record(_ reason: GuardRefusal.Reason, _ message: String, _ location: Int?) {
        findings.append(Finding(reason: reason, message: message, byteOffset: location))
    }

    private static let lockingClauses = [
        "LCS_FORUPDATE": "FOR UPDATE", "LCS_FORNOKEYUPDATE": "FOR NO KEY UPDATE",
        "LCS_FORSHARE": "FOR SHARE", "LCS_FORKEYSHARE": "FOR KEY SHARE",
    ]
}

extension JSONValue {
    /// True for objects and arrays, the only values the walk descends into.
    fileprivate var isContainer: Bool {
        switch self {
        case .object, .array: true
        default: false
        }
    }
}
