/// The schemas no tool may create tables in, drop from or restore into: PostgreSQL's own, the
/// platform-managed ones from the settings, and the trash.
package enum ProtectedSchemas {
    /// The schema that holds dropped tables until they are restored or purged (`pgassist_trash`).
    package static let trash = "pgassist_trash"

    /// Whether `schema` is protected. Compared without case: a look-alike such as `AUTH` is refused too.
    package static func contains(_ schema: String, settings: ToolSettings) -> Bool {
        let name = schema.lowercased()
        if name == "pg_catalog" || name == "information_schema" || name.hasPrefix("pg_toast") || name.hasPrefix("pg_temp") {
            return true
        }
        if name == trash { return true }
        return settings.platformSchemas.contains { $0.lowercased() == name }
    }

    /// Fails with `protected_schema` when `schema` is protected.
    package static func check(_ schema: String, settings: ToolSettings) throws(ToolError) {
        guard contains(schema, settings: settings) else { return }
        throw ToolError(.protectedSchema,
                        "The schema \(SQLIdentifier.quote(schema)) is managed by the system or the platform and cannot be changed; use another schema such as public.")
    }
}
