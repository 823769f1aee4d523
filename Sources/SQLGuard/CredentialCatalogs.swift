/// System catalogs that hold credentials or large-object contents, refused whether written bare
/// or qualified with `pg_catalog` (in any letter case: a different spelling can only name a
/// missing relation or a user's own table, so refusing it costs nothing).
enum CredentialCatalogs {
    /// Why reading `relation` is refused, worded to finish "reading … is not allowed: ", or nil.
    static func reason(relation: String, schema: String?) -> String? {
        if let schema, schema.lowercased() != "pg_catalog" { return nil }
        return catalogs[relation.lowercased()]
    }

    private static let catalogs: [String: String] = [
        "pg_authid": "it holds password hashes",
        "pg_shadow": "it holds password hashes",
        "pg_user_mapping": "it holds the passwords of foreign servers",
        "pg_user_mappings": "it holds the passwords of foreign servers",
        "pg_largeobject": "it holds the contents of large objects",
        "pg_largeobject_metadata": "it describes large objects",
    ]
}
