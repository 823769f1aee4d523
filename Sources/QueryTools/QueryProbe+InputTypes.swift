import Postgres
import SQLGuard
import ToolsCore

/// The check before the server analyses a query: a string literal is read by its type's input function
/// during analysis, which for composite, array and range types runs the CHECK constraints of domains in them.
extension QueryProbe {
    /// Checks, before the server analyses the query, every type a string literal in it could be read as: a
    /// literal is read by its type's input function during analysis (`'(x)'::t`, `col = '{x}'` for an array
    /// column, `f('(x)')` for a user overload taking a row type), and for a composite, array or range type
    /// that runs the CHECK constraints of domains inside it. The candidates: the types the query names, the
    /// column types of the relations it names, types named like what it calls (`upper('{1}')` is a cast when
    /// a type `upper` is the only match), and the argument and result types of the user functions and
    /// operators that share a name with what it calls.
    package func checkInputTypes(of inspection: ReadOnlyGuard.Inspection) throws(ToolError) {
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
    package func checkTypes(named names: Set<String>) throws(ToolError) {
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
}
