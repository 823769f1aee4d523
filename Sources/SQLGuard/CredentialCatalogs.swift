/// Catalogs and system views that hold credentials, settings or large-object contents, refused whole
/// whether written bare or qualified with their schema (in any letter case: a different spelling can
/// only name a missing relation or a user's own table, so refusing it costs nothing).
///
/// The parse tree names relations as written; `QueryProbe` (Tools) checks the same names on the
/// server's own deparse of the query, where every relation is named exactly once and views created
/// by users are followed to what they read.
enum CredentialCatalogs {
    /// Why reading `relation` is refused, worded to finish "reading … is not allowed: ", or nil.
    static func reason(relation: String, schema: String?) -> String? {
        let relation = relation.lowercased()
        if let why = anySchema[relation] { return why }
        switch schema?.lowercased() {
        case nil:
            return catalogs[relation] ?? informationSchema[relation]
        case "pg_catalog":
            return catalogs[relation]
        case "information_schema":
            return informationSchema[relation]
        default:
            return nil
        }
    }

    private static let passwords = "it holds password hashes"
    private static let foreignPasswords = "it holds the options of foreign servers and user mappings, passwords included"
    private static let otherSessions = "it shows other sessions' SQL text, which may hold passwords"
    private static let statistics = "it holds sampled values of every analysed column, password hashes and secret columns included; pg_stats' null_frac, n_distinct, avg_width and correlation are readable"

    /// In `pg_catalog`.
    private static let catalogs: [String: String] = [
        "pg_authid": passwords,
        "pg_shadow": passwords,
        "pg_user_mapping": foreignPasswords,
        "pg_user_mappings": foreignPasswords,
        "pg_foreign_server": foreignPasswords,
        "pg_foreign_data_wrapper": foreignPasswords,
        "pg_foreign_table": foreignPasswords,
        "pg_largeobject": "it holds the contents of large objects",
        "pg_largeobject_metadata": "it describes large objects",
        "pg_subscription": "it holds replication connection strings with passwords",
        "pg_db_role_setting": "it holds per-role and per-database settings, which may be secrets",
        "pg_file_settings": "it shows the server's configuration files, which may hold passwords",
        "pg_hba_file_rules": "it shows the server's authentication configuration",
        "pg_ident_file_mappings": "it shows the server's authentication configuration",
        "pg_settings": "it shows every server setting, some of which may be secrets; ask for a specific harmless one with SHOW",
        "pg_stat_activity": otherSessions,
        "pg_stat_subscription": "it shows replication subscriptions",
        "pg_replication_slots": "it shows replication internals",
        "pg_statistic": statistics,
        "pg_statistic_ext_data": statistics,
    ]

    /// In `information_schema`.
    private static let informationSchema: [String: String] = [
        "user_mapping_options": foreignPasswords,
        "_pg_user_mappings": foreignPasswords,
        "user_mappings": foreignPasswords,
        "foreign_server_options": foreignPasswords,
        "_pg_foreign_servers": foreignPasswords,
        "foreign_data_wrapper_options": foreignPasswords,
        "_pg_foreign_data_wrappers": foreignPasswords,
        "foreign_table_options": foreignPasswords,
        "_pg_foreign_tables": foreignPasswords,
        "_pg_foreign_table_columns": foreignPasswords,
    ]

    /// Extension views refused in whatever schema the extension was installed.
    private static let anySchema: [String: String] = [
        "pg_stat_statements": otherSessions,
        "pg_stat_statements_info": otherSessions,
    ]
}
