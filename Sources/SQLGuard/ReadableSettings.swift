/// Server settings `SHOW` and `current_setting()` may read. Settings can hold secrets (a custom
/// `app.settings.jwt_secret`, `primary_conninfo` with a password), so reading them is default-deny:
/// only these well-known, harmless ones are readable.
enum ReadableSettings {
    /// Why reading setting `name` is refused, worded to finish "… is not allowed: ", or nil when it is readable.
    static func refusal(_ name: String) -> String? {
        names.contains(name.lowercased()) ? nil
            : "only well-known harmless settings may be read (settings can hold secrets), e.g. search_path, TimeZone, server_version"
    }

    private static let names: Set<String> = [
        "search_path", "timezone", "datestyle", "intervalstyle", "client_encoding", "server_encoding",
        "server_version", "server_version_num", "lc_collate", "lc_ctype", "lc_messages", "lc_monetary",
        "lc_numeric", "lc_time", "standard_conforming_strings", "transaction_isolation", "transaction_read_only",
        "default_transaction_isolation", "default_transaction_read_only", "statement_timeout", "lock_timeout",
        "idle_in_transaction_session_timeout", "work_mem", "maintenance_work_mem", "shared_buffers",
        "effective_cache_size", "max_connections", "max_parallel_workers_per_gather", "random_page_cost",
        "seq_page_cost", "default_statistics_target", "default_text_search_config", "extra_float_digits",
        "bytea_output", "integer_datetimes", "max_identifier_length", "block_size", "row_security",
        "application_name", "is_superuser", "session_authorization", "role", "jit", "enable_seqscan",
        "enable_indexscan", "enable_hashjoin", "enable_mergejoin", "enable_nestloop", "enable_partition_pruning",
        "plan_cache_mode", "wal_level", "max_wal_size", "checkpoint_timeout", "autovacuum",
    ]
}
