/// Decides whether a function call may run, following PostgreSQL's name lookup: unqualified and
/// `pg_catalog.` names are built-ins (pg_catalog is searched first), any other schema is a user
/// function.
struct FunctionPolicy: Sendable {
    let allowUserFunctions: Bool
    let extraAllowedFunctions: Set<String>

    /// Why the call of `name` is refused, worded to finish "name() is not allowed: ", or nil when
    /// it is allowed.
    func refusal(for name: QualifiedName) -> String? {
        guard name.parts.count <= 3 else { return "the function name has too many parts" }
        if let why = DeniedFunctions.reason(for: name.name) { return why }
        let schema = name.schema
        if schema == nil || schema == "pg_catalog" {
            if AllowedFunctions.names.contains(name.name)
                || extraAllowedFunctions.contains(name.name)
                || extraAllowedFunctions.contains("pg_catalog." + name.name)
                || allowUserFunctions {
                return nil
            }
            return "only side-effect-free built-in functions may be called"
        }
        if allowUserFunctions || extraAllowedFunctions.contains((schema ?? "") + "." + name.name) {
            return nil
        }
        return "only side-effect-free built-in functions may be called, not user-defined functions"
    }

    /// Why the use of operator `name` is refused, or nil: an operator qualified with a schema other
    /// than pg_catalog is user-defined and runs a user function.
    func refusal(forOperator name: QualifiedName) -> String? {
        guard let schema = name.schema, schema != "pg_catalog", !allowUserFunctions else { return nil }
        return "only built-in operators may be used"
    }
}
