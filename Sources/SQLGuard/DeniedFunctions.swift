/// Built-in (and well-known extension) functions with effects outside the query, refused in
/// every configuration and under any schema: READ ONLY does not stop them for a privileged role.
/// Matched on the lower-cased bare name, exactly or by prefix.
enum DeniedFunctions {
    /// Why a function is refused, worded to finish "… is not allowed: ".
    static func reason(for name: String) -> String? {
        let lowered = name.lowercased()
        if let why = exact[lowered] { return why }
        for (prefix, why) in prefixes where lowered.hasPrefix(prefix) {
            return why
        }
        return nil
    }

    private static let sleeps = "it makes the session sleep"
    private static let signals = "it signals or reconfigures server processes"
    private static let settings = "it changes session or server settings"
    private static let advisoryLocks = "it takes advisory locks, which can outlive the transaction"
    private static let notifies = "it sends notifications to other sessions"
    private static let largeObjects = "it reads or writes large objects"
    private static let files = "it reads or writes files on the server"
    private static let remote = "it connects to another server"
    private static let sequences = "it uses a sequence, whose changes are not rolled back"
    private static let hiddenQueries = "it runs SQL given as text or reads whole tables, which the guard cannot check"
    private static let statistics = "it resets statistics"
    private static let serverState = "it changes server state (WAL, replication, backups, transactions) outside the query"

    static let exact: [String: String] = [
        "pg_terminate_backend": signals, "pg_cancel_backend": signals, "pg_signal_backend": signals,
        "pg_reload_conf": signals, "pg_log_backend_memory_contexts": signals, "pg_promote": signals,
        "set_config": settings, "setseed": settings,
        "pg_notify": notifies,
        "loread": largeObjects, "lowrite": largeObjects,
        "pg_read_file": files, "pg_read_binary_file": files, "pg_stat_file": files,
        "pg_logdir_ls": files,
        "nextval": sequences, "setval": sequences, "currval": sequences, "lastval": sequences,
        "ts_stat": hiddenQueries, "ts_rewrite": hiddenQueries,
        "pg_stat_statements_reset": statistics,
        "pg_switch_wal": serverState, "pg_switch_xlog": serverState,
        "pg_create_restore_point": serverState, "pg_start_backup": serverState,
        "pg_stop_backup": serverState, "pg_create_physical_replication_slot": serverState,
        "pg_create_logical_replication_slot": serverState, "pg_drop_replication_slot": serverState,
        "pg_copy_physical_replication_slot": serverState,
        "pg_copy_logical_replication_slot": serverState, "pg_replication_slot_advance": serverState,
        "pg_logical_emit_message": serverState, "pg_import_system_collations": serverState,
        "pg_export_snapshot": serverState, "pg_current_xact_id": serverState,
        "txid_current": serverState, "pg_nextoid": serverState,
        "pg_truncate_visibility_map": serverState, "gin_clean_pending_list": serverState,
        "brin_desummarize_range": serverState,
    ]

    static let prefixes: [(String, String)] = [
        ("pg_sleep", sleeps),
        ("pg_rotate_logfile", signals),
        ("pg_advisory_", advisoryLocks), ("pg_try_advisory_", advisoryLocks),
        ("lo_", largeObjects),
        ("pg_ls_", files), ("pg_file_", files),
        ("dblink", remote), ("postgres_fdw_", remote), ("http", remote),
        ("query_to_xml", hiddenQueries), ("table_to_xml", hiddenQueries),
        ("cursor_to_xml", hiddenQueries), ("schema_to_xml", hiddenQueries),
        ("database_to_xml", hiddenQueries),
        ("pg_stat_reset", statistics),
        ("pg_backup_", serverState), ("pg_wal_replay_", serverState), ("pg_xlog_replay_", serverState),
        ("pg_logical_slot_", serverState), ("pg_replication_origin_", serverState),
        ("brin_summarize", serverState), ("binary_upgrade_", serverState),
    ]
}
