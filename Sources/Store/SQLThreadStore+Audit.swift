/// The audit trail in the thread store's `audit_events` table (migration 4).
extension SQLThreadStore: AuditLog {
    private static let auditColumns = """
        id, created_at, user_id, project_ref, thread_id, run_id, kind, tool, arguments, success, error_code, duration_ms
        """

    public func saveAuditEvent(_ event: AuditEvent) throws(StoreError) {
        try ready()
        try database.run("""
            INSERT INTO audit_events (\(Self.auditColumns))
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
            """, [.text(event.id), .integer(event.createdAt), .text(event.userId), Self.optional(event.projectRef),
                  Self.optional(event.threadId), Self.optional(event.runId), .text(event.kind.rawValue),
                  Self.optional(event.tool), Self.optional(event.arguments),
                  event.success.map { SQLValue.integer($0 ? 1 : 0) } ?? .null, Self.optional(event.errorCode),
                  event.durationMs.map(SQLValue.integer) ?? .null])
    }

    public func auditEvents(matching filter: AuditFilter) throws(StoreError) -> [AuditEvent] {
        try ready()
        var conditions: [String] = []
        var parameters: [SQLValue] = []
        func require(_ column: String, _ comparison: String, _ value: SQLValue) {
            parameters.append(value)
            conditions.append("\(column) \(comparison) $\(parameters.count)")
        }
        if let userId = filter.userId { require("user_id", "=", .text(userId)) }
        if let projectRef = filter.projectRef { require("project_ref", "=", .text(projectRef)) }
        if let tool = filter.tool { require("tool", "=", .text(tool)) }
        if let kind = filter.kind { require("kind", "=", .text(kind.rawValue)) }
        if let since = filter.since { require("created_at", ">=", .integer(since)) }
        if let until = filter.until { require("created_at", "<", .integer(until)) }
        if let success = filter.success { require("success", "=", .integer(success ? 1 : 0)) }
        parameters.append(.integer(Int64(max(filter.limit, 1))))
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try database.rows("""
            SELECT \(Self.auditColumns) FROM audit_events \(whereClause)
            ORDER BY created_at DESC, id DESC LIMIT $\(parameters.count)
            """, parameters).map(Self.auditEvent)
    }

    private static func auditEvent(_ row: SQLRow) -> AuditEvent {
        AuditEvent(kind: AuditEventKind(rawValue: row[6].text ?? ""), userId: row[2].text ?? "", projectRef: row[3].text,
                   threadId: row[4].text, runId: row[5].text, tool: row[7].text, arguments: row[8].text,
                   success: row[9].integer.map { $0 != 0 }, errorCode: row[10].text, durationMs: row[11].integer,
                   id: row[0].text ?? "", createdAt: row[1].integer ?? 0)
    }
}
