/// One versioned change to the store's schema; the same SQL runs on SQLite and PostgreSQL.
public struct Migration: Sendable {
    /// The version number, strictly increasing; a store records each version it applied.
    public let version: Int
    /// A short name for logs.
    public let name: String
    /// The statements, run in one transaction.
    public let sql: String

    /// Every migration, in order. Append new ones; never edit one that has shipped.
    public static let all: [Migration] = [
        Migration(version: 1, name: "threads, messages, runs and assistants", sql: """
            CREATE TABLE assistants (
                id TEXT PRIMARY KEY,
                slot TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                model TEXT NOT NULL,
                instructions TEXT NOT NULL,
                tools TEXT NOT NULL,
                version BIGINT NOT NULL,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL
            );
            CREATE TABLE threads (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                project_ref TEXT,
                message_count BIGINT NOT NULL DEFAULT 0,
                created_at BIGINT NOT NULL,
                updated_at BIGINT NOT NULL,
                deleted_at BIGINT
            );
            CREATE UNIQUE INDEX threads_one_current_per_user ON threads (user_id) WHERE deleted_at IS NULL;
            CREATE TABLE messages (
                thread_id TEXT NOT NULL REFERENCES threads (id),
                seq BIGINT NOT NULL,
                id TEXT NOT NULL UNIQUE,
                role TEXT NOT NULL,
                content TEXT,
                tool_calls TEXT,
                tool_call_id TEXT,
                tool_result TEXT,
                run_id TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (thread_id, seq)
            );
            CREATE TABLE runs (
                id TEXT PRIMARY KEY,
                thread_id TEXT NOT NULL REFERENCES threads (id),
                status TEXT NOT NULL,
                assistant_version BIGINT,
                model TEXT,
                input_tokens BIGINT NOT NULL DEFAULT 0,
                output_tokens BIGINT NOT NULL DEFAULT 0,
                error_code TEXT,
                error_message TEXT,
                created_at BIGINT NOT NULL,
                started_at BIGINT,
                completed_at BIGINT
            );
            CREATE INDEX runs_by_thread ON runs (thread_id, created_at);
            """),
        Migration(version: 2, name: "pending actions awaiting the user's approval", sql: """
            CREATE TABLE pending_actions (
                id TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                tool TEXT NOT NULL,
                arguments TEXT NOT NULL,
                impact TEXT NOT NULL,
                created_at BIGINT NOT NULL,
                expires_at BIGINT NOT NULL,
                used_at BIGINT
            );
            CREATE INDEX pending_actions_by_expiry ON pending_actions (expires_at);
            """),
        Migration(version: 3, name: "runs driven by our own loop: owner, worker, pending approval; provider items", sql: """
            ALTER TABLE runs ADD COLUMN user_id TEXT;
            ALTER TABLE runs ADD COLUMN project_ref TEXT;
            ALTER TABLE runs ADD COLUMN worker TEXT;
            ALTER TABLE runs ADD COLUMN rounds BIGINT NOT NULL DEFAULT 0;
            ALTER TABLE runs ADD COLUMN pending_action_id TEXT;
            ALTER TABLE runs ADD COLUMN pending_call_id TEXT;
            ALTER TABLE runs ADD COLUMN response TEXT;
            ALTER TABLE runs ADD COLUMN deadline_at BIGINT;
            CREATE UNIQUE INDEX runs_one_active_per_thread ON runs (thread_id)
                WHERE status IN ('queued', 'in_progress', 'requires_action');
            ALTER TABLE messages ADD COLUMN provider_items TEXT;
            ALTER TABLE messages ADD COLUMN tool_name TEXT;
            ALTER TABLE messages ADD COLUMN duration_ms BIGINT;
            ALTER TABLE assistants ADD COLUMN tool_descriptions TEXT NOT NULL DEFAULT '{}';
            """),
        // `success` is 1/0 (NULL when it does not apply) rather than BOOLEAN, which SQLite lacks.
        // Usage windows are keyed by user and window start (ms, a multiple of the window length), so
        // one upsert counts a run atomically across workers and hosts.
        Migration(version: 4, name: "audit events and per-user usage windows for rate limits", sql: """
            CREATE TABLE audit_events (
                id TEXT PRIMARY KEY,
                created_at BIGINT NOT NULL,
                user_id TEXT NOT NULL,
                project_ref TEXT,
                thread_id TEXT,
                run_id TEXT,
                kind TEXT NOT NULL,
                tool TEXT,
                arguments TEXT,
                success BIGINT,
                error_code TEXT,
                duration_ms BIGINT
            );
            CREATE INDEX audit_events_by_time ON audit_events (created_at);
            CREATE INDEX audit_events_by_user ON audit_events (user_id, created_at);
            CREATE TABLE usage_windows (
                user_id TEXT NOT NULL,
                window_start BIGINT NOT NULL,
                runs BIGINT NOT NULL DEFAULT 0,
                tokens BIGINT NOT NULL DEFAULT 0,
                PRIMARY KEY (user_id, window_start)
            );
            """),
        // A chat request's Idempotency-Key, per user: `running` while its first request runs, then `done`
        // with the answer (status and JSON body) that retries get. Rows older than 24 h are deleted as new
        // keys are claimed; the time index serves that and `pgassist purge`. The thread indexes serve the purge
        // of deleted threads and the export of a user's every thread.
        Migration(version: 5, name: "idempotency keys of chat requests; thread indexes for purge and export", sql: """
            CREATE TABLE idempotency_keys (
                user_id TEXT NOT NULL,
                key TEXT NOT NULL,
                request_hash TEXT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('running', 'done')),
                response_status BIGINT,
                response_body TEXT,
                created_at BIGINT NOT NULL,
                PRIMARY KEY (user_id, key)
            );
            CREATE INDEX idempotency_keys_by_time ON idempotency_keys (created_at);
            CREATE INDEX threads_by_deleted_at ON threads (deleted_at) WHERE deleted_at IS NOT NULL;
            CREATE INDEX threads_by_user ON threads (user_id, created_at);
            """),
        // Who moved which copy into a user database's trash: restore decides from here, not from the target
        // database, whether a copy is the user's own. `copy_key` is `database/table OID/trashed name`.
        Migration(version: 6, name: "who trashed each copy in a user database", sql: """
            CREATE TABLE trashed_copies (
                copy_key TEXT PRIMARY KEY,
                user_id TEXT NOT NULL,
                trashed_at BIGINT NOT NULL
            );
            """),
        // The project and database each approval was asked for (`PendingActionTarget`, a SHA-256 digest): an
        // approval acts only for the same ones. Actions saved before this have none and can no longer be used.
        Migration(version: 7, name: "pending actions bound to their project and database", sql: """
            ALTER TABLE pending_actions ADD COLUMN target TEXT;
            """),
    ]
}
