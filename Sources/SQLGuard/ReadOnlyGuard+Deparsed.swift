/// The checks `QueryProbe` (Tools) applies to what PostgreSQL resolved: a query as the server deparses it
/// from its stored form, where every call is written out (attribute notation becomes `f(x)`, overloads and
/// operators outside `pg_catalog` carry their schema, whole-row references are explicit), and the objects
/// the stored query depends on.
extension ReadOnlyGuard {
    /// Why a SELECT that PostgreSQL deparsed (`pg_get_viewdef` with an empty search_path) may not run, or nil.
    public func checkDeparsed(_ sql: String) -> GuardRefusal? {
        switch check(sql) {
        case .allowed(.select):
            return nil
        case .allowed:
            return GuardRefusal(reason: .statementNotAllowed, message: "only a SELECT may be stored in a view")
        case .refused(let refusal):
            return refusal
        }
    }

    /// Why an expression that PostgreSQL deparsed (a row-security policy, a domain's CHECK) may not run, or nil.
    public func checkDeparsedExpression(_ expression: String) -> GuardRefusal? {
        checkDeparsed("SELECT (\n\(expression)\n)")
    }

    /// Why calling the function `schema.name` is refused, worded to finish "name() is not allowed: ", or nil.
    public func functionRefusal(schema: String, name: String) -> String? {
        policy.refusal(for: QualifiedName(parts: [schema, name]))
    }

    /// Why using the operator `schema.name` is refused, or nil.
    public func operatorRefusal(schema: String, name: String) -> String? {
        policy.refusal(forOperator: QualifiedName(parts: [schema, name]))
    }

    /// Why reading `schema.relation` (or one of its columns) is refused, worded to finish
    /// "reading … is not allowed: ", or nil.
    public static func relationRefusal(schema: String, relation: String, column: String? = nil) -> String? {
        if let why = CredentialCatalogs.reason(relation: relation, schema: schema) { return why }
        if let column, let secret = SecretColumns.columns(ofRelation: relation, schema: schema), secret.contains(column) {
            return SecretColumns.reason(relation: relation)
        }
        return nil
    }
}
