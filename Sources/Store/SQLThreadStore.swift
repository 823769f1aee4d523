internal import FoundationEssentials
import JSON
import Platform

/// The thread store on a SQL database (SQLite or PostgreSQL): the same statements for both.
///
/// The schema is brought up to date on first use, so a worker that started while the store was
/// down begins serving as soon as it is back.
public final class SQLThreadStore: ThreadStore {
    /// The database; internal so the store's extensions in other files (pending actions) can use it.
    let database: any SQLDatabase
    private var migrated = false

    /// Which database holds the threads.
    public var kind: StoreKind { database.kind }

    /// Creates a store on `database`.
    public init(database: any SQLDatabase) { self.database = database }

    /// Opens the store at `location` (no connection is made for PostgreSQL until first use); the SQLite
    /// settings apply to a SQLite file only.
    public convenience init(location: StoreLocation, busyTimeoutMilliseconds: Int32 = 30_000,
                            sqliteDurability: SQLiteDurability = .full) throws(StoreError) {
        switch location {
        case .sqlite(let path):
            self.init(database: try SQLiteDatabase(path: path, busyTimeoutMilliseconds: busyTimeoutMilliseconds,
                                                   durability: sqliteDurability))
        case .postgres(let connectionString):
            self.init(database: PostgresDatabase(connectionString: connectionString))
        }
    }

    public func migrate() throws(StoreError) {
        try Migrator().migrate(database)
        migrated = true
    }

    public func ping() throws(StoreError) {
        try ready()
        _ = try database.rows("SELECT 1", [])
    }

    // MARK: Threads

    static let threadColumns = "id, user_id, project_ref, message_count, created_at, updated_at"

    /// Built once: the statement caches are keyed by the SQL text.
    private static let currentThreadSQL = "SELECT \(threadColumns) FROM threads WHERE user_id = $1 AND deleted_at IS NULL"

    public func currentThread(userId: String) throws(StoreError) -> ThreadRecord? {
        try ready()
        return try database.rows(Self.currentThreadSQL, [.text(userId)]).first.map(Self.thread)
    }

    public func currentOrNewThread(userId: String, projectRef: String?) throws(StoreError) -> ThreadRecord {
        if let thread = try currentThread(userId: userId) { return thread }
        let now = WallClock.nowMilliseconds()
        // The partial unique index on (user_id) WHERE deleted_at IS NULL lets exactly one racer insert;
        // the others do nothing and read the winner's row.
        try database.run("""
            INSERT INTO threads (id, user_id, project_ref, message_count, created_at, updated_at)
            VALUES ($1, $2, $3, 0, $4, $4) ON CONFLICT DO NOTHING
            """, [.text(Identifier.make("thread")), .text(userId), projectRef.map(SQLValue.text) ?? .null, .integer(now)])
        guard let thread = try currentThread(userId: userId) else {
            throw StoreError(.failed, "the new thread was not readable after insert")
        }
        return thread
    }

    public func deleteCurrentThread(userId: String) throws(StoreError) -> ThreadRecord? {
        try ready()
        let now = WallClock.nowMilliseconds()
        return try database.rows("""
            UPDATE threads SET deleted_at = $2, updated_at = $2
            WHERE user_id = $1 AND deleted_at IS NULL
            RETURNING \(Self.threadColumns)
            """, [.text(userId), .integer(now)]).first.map(Self.thread)
    }

    // MARK: Messages

    /// Every column of a message, in the order `messageRecord` reads them.
    static let messageColumns = """
        id, seq, role, content, tool_calls, tool_call_id, tool_result, run_id, created_at, provider_items, tool_name, duration_ms
        """

    public func appendMessage(threadId: String, _ message: NewMessage) throws(StoreError) -> MessageRecord {
        try appendRunMessage(threadId: threadId, message)
    }

    public func messages(threadId: String, limit: Int, before: Int64?) throws(StoreError) -> MessagePage {
        try ready()
        // One more than asked tells whether older messages remain.
        let fetch = SQLValue.integer(Int64(max(limit, 0) + 1))
        let rows: [SQLRow]
        if let before {
            rows = try database.rows("""
                SELECT \(Self.messageColumns) FROM messages WHERE thread_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3
                """, [.text(threadId), .integer(before), fetch])
        } else {
            rows = try database.rows("""
                SELECT \(Self.messageColumns) FROM messages WHERE thread_id = $1 ORDER BY seq DESC LIMIT $2
                """, [.text(threadId), fetch])
        }
        let hasMore = rows.count > limit
        return MessagePage(messages: rows.prefix(limit).reversed().map(Self.messageRecord), hasMore: hasMore)
    }

    // MARK: Assistant

    private static let assistantColumns = "id, name, model, instructions, tools, version, created_at, updated_at, tool_descriptions"

    public func assistant() throws(StoreError) -> AssistantRecord? {
        try ready()
        return try database.rows("SELECT \(Self.assistantColumns) FROM assistants WHERE slot = 'default'", [])
            .first.map(Self.assistant)
    }

    public func saveAssistant(_ update: AssistantUpdate, defaults: AssistantDefaults) throws(StoreError)
        -> (assistant: AssistantRecord, created: Bool) {
        try ready()
        return try database.transaction { () throws(StoreError) -> (assistant: AssistantRecord, created: Bool) in
            let now = WallClock.nowMilliseconds()
            let inserted = try database.run("""
                INSERT INTO assistants (id, slot, name, model, instructions, tools, tool_descriptions, version, created_at, updated_at)
                VALUES ($1, 'default', $2, $3, $4, $5, $6, 1, $7, $7) ON CONFLICT DO NOTHING
                """, [.text(Identifier.make("asst")), .text(update.name ?? defaults.name), .text(update.model ?? defaults.model),
                      .text(update.instructions ?? defaults.instructions),
                      .text(Self.encodeTools(update.tools ?? defaults.tools)),
                      .text(Self.encodeToolDescriptions(update.applyingToolDescriptions(to: [:]))), .integer(now)])
            guard let current = try database.rows(
                "SELECT \(Self.assistantColumns) FROM assistants WHERE slot = 'default'", []).first.map(Self.assistant) else {
                throw StoreError(.failed, "the assistant definition was not readable after insert")
            }
            if inserted > 0 { return (current, true) }
            let next = AssistantRecord(id: current.id, name: update.name ?? current.name, model: update.model ?? current.model,
                                       instructions: update.instructions ?? current.instructions,
                                       tools: update.tools ?? current.tools,
                                       toolDescriptions: update.applyingToolDescriptions(to: current.toolDescriptions),
                                       version: current.version + 1, createdAt: current.createdAt, updatedAt: now)
            // An update that changes nothing keeps the version: /setup is safe to repeat.
            if next.name == current.name, next.model == current.model, next.instructions == current.instructions,
               next.tools == current.tools, next.toolDescriptions == current.toolDescriptions {
                return (current, false)
            }
            try database.run("""
                UPDATE assistants SET name = $2, model = $3, instructions = $4, tools = $5, tool_descriptions = $6,
                    version = $7, updated_at = $8
                WHERE id = $1
                """, [.text(next.id), .text(next.name), .text(next.model), .text(next.instructions),
                      .text(Self.encodeTools(next.tools)), .text(Self.encodeToolDescriptions(next.toolDescriptions)),
                      .integer(next.version), .integer(now)])
            return (next, false)
        }
    }

    // MARK: Helpers

    /// Migrates on first use; internal for the store's extensions.
    func ready() throws(StoreError) {
        if !migrated { try migrate() }
    }

    static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }

    static func thread(_ row: SQLRow) -> ThreadRecord {
        ThreadRecord(id: row[0].text ?? "", userId: row[1].text ?? "", projectRef: row[2].text,
                     messageCount: Int(row[3].integer ?? 0), createdAt: row[4].integer ?? 0, updatedAt: row[5].integer ?? 0)
    }


    private static func assistant(_ row: SQLRow) -> AssistantRecord {
        AssistantRecord(id: row[0].text ?? "", name: row[1].text ?? "", model: row[2].text ?? "",
                        instructions: row[3].text ?? "", tools: decodeTools(row[4].text ?? "[]"),
                        toolDescriptions: decodeToolDescriptions(row[8].text ?? "{}"),
                        version: row[5].integer ?? 1, createdAt: row[6].integer ?? 0, updatedAt: row[7].integer ?? 0)
    }

    private static func encodeTools(_ tools: [String]) -> String {
        (try? JSONEncoder().encode(tools)).map { String(decoding: $0, as: UTF8.self) } ?? "[]"
    }

    private static func decodeTools(_ text: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(text.utf8))) ?? []
    }

    /// The overrides as a JSON object of strings, keys sorted so equal maps store equal text.
    private static func encodeToolDescriptions(_ descriptions: [String: String]) -> String {
        JSONValue.object(descriptions.mapValues(JSONValue.string)).serialized()
    }

    /// The overrides from the column's JSON object; members that are not strings are skipped.
    private static func decodeToolDescriptions(_ text: String) -> [String: String] {
        (try? JSONValue.parse(text))?.objectValue?.compactMapValues(\.stringValue) ?? [:]
    }
}
