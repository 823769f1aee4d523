import Postgres
@testable import SQLGuard
import TestSupport
import Testing

/// Checks the allow-list against a real PostgreSQL 15 catalog, so that a typo cannot allow a name
/// that only a user function could answer to, and so that every volatile entry is a reviewed one.
@Suite("Allow-list against the PostgreSQL catalog")
struct AllowListCatalogTests {
    /// Volatile built-ins on the allow-list, each reviewed: they read the clock, random numbers,
    /// server state, sizes or statistics, and change nothing outside the transaction.
    static let reviewedVolatile: Set<String> = [
        "clock_timestamp", "current_query", "gen_random_uuid", "pg_blocking_pids",
        "pg_control_checkpoint", "pg_control_init", "pg_control_recovery", "pg_control_system",
        "pg_current_logfile", "pg_current_wal_flush_lsn", "pg_current_wal_insert_lsn",
        "pg_current_wal_lsn", "pg_database_size", "pg_get_backend_memory_contexts",
        "pg_get_wal_replay_pause_state", "pg_indexes_size", "pg_is_in_recovery",
        "pg_is_wal_replay_paused", "pg_jit_available", "pg_last_committed_xact",
        "pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn", "pg_last_xact_replay_timestamp",
        "pg_notification_queue_usage", "pg_partition_ancestors", "pg_partition_tree",
        "pg_relation_size", "pg_safe_snapshot_blocking_pids", "pg_table_size", "pg_tablespace_size",
        "pg_total_relation_size", "pg_xact_commit_timestamp", "pg_xact_commit_timestamp_origin",
        "pg_xact_status", "random", "timeofday", "txid_status",
    ]

    private static func arrayLiteral(_ names: some Sequence<String>) -> String {
        "{" + names.sorted().joined(separator: ",") + "}"
    }

    @Test("every PostgreSQL 15 allow-list name is a pg_catalog function or type")
    func namesExist() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let missing = try connection.query("""
            SELECT n FROM unnest($1::text[]) AS n
            WHERE NOT EXISTS (SELECT FROM pg_proc WHERE proname = n AND pronamespace = 'pg_catalog'::regnamespace)
              AND NOT EXISTS (SELECT FROM pg_type WHERE typname = n AND typnamespace = 'pg_catalog'::regnamespace)
            ORDER BY n
            """, [Self.arrayLiteral(AllowedFunctions.postgres15)])
        #expect(missing.rows.map { $0[0] ?? "" } == [])
    }

    @Test("every volatile function on the allow-list has been reviewed")
    func volatileFunctionsReviewed() throws {
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase())
        let volatile = try connection.query("""
            SELECT DISTINCT proname FROM pg_proc
            WHERE provolatile = 'v' AND pronamespace = 'pg_catalog'::regnamespace AND proname = ANY ($1::text[])
            ORDER BY proname
            """, [Self.arrayLiteral(AllowedFunctions.names)])
        let unreviewed = volatile.rows.compactMap { $0[0] }.filter { !Self.reviewedVolatile.contains($0) }
        #expect(unreviewed == [])
    }
}
