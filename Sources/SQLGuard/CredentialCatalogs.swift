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
        "pg_subscription": "it holds replication connection strings with passwords",
        "pg_db_role_setting": "it holds per-role and per-database settings, which may be secrets",
        "pg_file_settings": "it shows the server's configuration files, which may hold passwords",
        "pg_hba_file_rules": "it shows the server's authentication configuration",
        "pg_ident_file_mappings": "it shows the server's authentication configuration",
        "pg_settings": "it shows every server setting, some of which may be secrets; ask for a specific harmless one with SHOW",
        "pg_stat_activity": "it shows other sessions' SQL text, which may hold passwords",
        "pg_stat_statements": "it shows other sessions' SQL text, which may hold passwords",
        "pg_foreign_server": "it holds the options of foreign servers",
        "pg_stat_subscription": "it shows replication subscriptions",
        "pg_replication_slots": "it shows replication internals",
    ]
}
