import Postgres

extension PostgresConnection {
    /// Runs `body` (SQL the user wrote, or the analysis of it) with the session's own `search_path`, kept by
    /// `DatabaseAccess` when the transaction began, then goes back to the tools' path (pg_catalog only).
    package func withUserSearchPath<T>(_ body: () throws(ToolError) -> T) throws(ToolError) -> T {
        do throws(PostgresError) {
            _ = try query("SELECT pg_catalog.set_config('search_path', pg_catalog.current_setting('pgassist.search_path'), true)")
        } catch {
            throw ToolError.from(error)
        }
        let value = try body()
        try useToolSearchPath()
        return value
    }

    /// Back to the tools' own `search_path` (pg_catalog, then temporary objects).
    package func useToolSearchPath() throws(ToolError) {
        do throws(PostgresError) {
            _ = try query("SELECT pg_catalog.set_config('search_path', '\(DatabaseAccess.toolSearchPath)', true)")
        } catch {
            throw ToolError.from(error)
        }
    }
}
