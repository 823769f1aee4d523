import JSON
import Platform
import Postgres
import ToolsCore

/// `drop_table {schema?, table, cascade?, purge?}`: never drops on the model's word alone. The first call
/// measures the impact, stores a pending action and answers `confirmation_required` with its id; only a
/// call made with that id approved (`ToolContext.approvedActionId`) acts. By default the table is moved,
/// rows and all, to the `pgassist_trash` schema (restore_table brings it back); `purge` deletes it for good.
public struct DropTableTool: Tool {
    /// Creates the tool.
    public init() {}

    public var name: String { "drop_table" }

    public var description: String {
        """
        Drop a table. Needs the user's approval: the first call returns confirmation_required with an actionId and \
        the impact (rows, size, dependent views and foreign keys, everything a purge would remove, what the trash \
        cannot keep); ask the user, and the call is repeated once they \
        approve. The table is moved to a trash schema and can be restored with restore_table, unless purge is true \
        (permanent). With dependent views or foreign keys, cascade must be true; they are dropped and restore recreates them.
        """
    }

    public var parameters: JSONValue {
        JSONSchema.object([
            .init("schema", JSONSchema.string("The table's schema (default public).")),
            .init("table", JSONSchema.string("The table's exact name."), required: true),
            .init("cascade", JSONSchema.boolean("Also drop the views and foreign keys that depend on it (default false).")),
            .init("purge", JSONSchema.boolean("Delete permanently instead of moving to the trash (default false).")),
        ])
    }

    public var isReadOnly: Bool { false }
    /// Every drop waits for the user's approval of what it found (the table and its cascade).
    public var selfApproval: SelfApproval { .always }

    private struct Arguments: Decodable {
        let schema: String?
        let table: String
        let cascade: Bool?
        let purge: Bool?
    }

    /// The request with every default filled in: what an approval is bound to.
    private struct Request {
        let table: TableName
        let cascade: Bool
        let purge: Bool

        /// Compact, sorted-key JSON of the normalized arguments.
        var arguments: String {
            JSONValue.object(["schema": .string(table.schema), "table": .string(table.name), "cascade": .bool(cascade),
                              "purge": .bool(purge)]).serialized()
        }
    }

    /// What the approved transaction did.
    private enum Outcome {
        case trashed(name: String, dropped: [JSONValue], notKept: [JSONValue])
        case purged(removed: [JSONValue])
        /// New dependents appeared since the approval: the user must see them first.
        case impactChanged(DropImpact)
    }

    public func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult {
        do throws(ToolError) {
            let input = try ToolArguments.decode(Arguments.self, from: arguments, schema: parameters)
            let table = TableName(schema: try TableName.existing(input.schema ?? "public", field: "schema"),
                                  name: try TableName.existing(input.table, field: "table"))
            try ProtectedSchemas.check(table.schema, settings: context.settings)
            let request = Request(table: table, cascade: input.cascade ?? false, purge: input.purge ?? false)
            let database = try context.requireDatabase()
            guard let actions = context.actions else {
                throw ToolError(.notConfigured, "Dropping a table needs the user's approval, and no approval store is configured.")
            }
            if let approved = context.approvedActionId {
                return try perform(request, approved: approved, actions: actions, database: database, context: context)
            }
            let impact = try database.transaction(readOnly: true) { connection throws(ToolError) -> DropImpact in
                let resolved = try ResolvedTable.find(table, connection: connection)
                let impact = try DropImpact.measure(resolved, connection: connection)
                try Self.check(request, resolved: resolved, dependents: impact.dependents, cascade: impact.cascade,
                               settings: context.settings)
                return impact
            }
            throw try askApproval(request, impact: impact, actions: actions, context: context,
                                  reason: "Dropping \(table.display) needs the user's approval.")
        } catch {
            return .failure(error)
        }
    }

    // MARK: Approval

    /// Stores a pending action for `request` and returns the `confirmation_required` error that carries it.
    private func askApproval(_ request: Request, impact: DropImpact, actions: any PendingActionStore, context: ToolContext,
                             reason: String) throws(ToolError) -> ToolError {
        let now = WallClock.nowMilliseconds()
        let impactJSON = impact.json(cascade: request.cascade, purge: request.purge)
        let action = PendingAction(id: Identifier.make("act"), userId: context.userId, tool: name, arguments: request.arguments,
                                   impact: impactJSON, expiresAt: now + Int64(context.settings.approvalLifetimeSeconds) * 1_000)
        try actions.savePendingAction(action)
        let what = request.purge ? "delete it permanently" : "move it to the trash (restorable with restore_table)"
        return ToolError(.confirmationRequired, """
            \(reason) Approving will \(what). Show the user the impact and ask them to approve action \(action.id); \
            it expires at \(WallClock.iso8601(action.expiresAt)).
            """, details: ["actionId": .string(action.id), "impact": impactJSON,
                           "expiresAt": .string(WallClock.iso8601(action.expiresAt))])
    }

    /// Consumes the approval, then drops (or trashes) in one transaction.
    private func perform(_ request: Request, approved: String, actions: any PendingActionStore, database: DatabaseAccess,
                         context: ToolContext) throws(ToolError) -> ToolResult {
        guard let action = try actions.consumePendingAction(id: approved, userId: context.userId, tool: name,
                                                             arguments: request.arguments,
                                                             nowMilliseconds: WallClock.nowMilliseconds()) else {
            throw ToolError(.invalidApproval, """
                The approval \(approved) is unknown, already used, expired, or was given for another table or other options; \
                nothing was dropped. Call drop_table again without an approval to ask the user anew.
                """)
        }
        let approvedDependents = Set((action.impact["dependents"]?.arrayValue ?? []).map { $0.serialized() })
        let approvedRemovals = Set((action.impact["removes"]?.arrayValue ?? []).compactMap { $0["identity"]?.stringValue })
        let outcome = try database.transaction(readOnly: false) { connection throws(ToolError) -> Outcome in
            let resolved = try ResolvedTable.find(request.table, connection: connection)
            _ = try connection.ddlQuery("LOCK TABLE \(request.table.sql) IN ACCESS EXCLUSIVE MODE")
            let impact = try DropImpact.measure(resolved, connection: connection)
            let dependents = impact.dependents
            try Self.check(request, resolved: resolved, dependents: dependents, cascade: impact.cascade, settings: context.settings)
            if dependents.summaries.contains(where: { !approvedDependents.contains($0.serialized()) })
                || (request.purge && impact.cascade.objects.contains { !approvedRemovals.contains($0.identity) }) {
                return .impactChanged(impact)
            }
            if request.purge {
                try connection.ddlQuery("DROP TABLE \(request.table.sql)\(request.cascade ? " CASCADE" : "")")
                return .purged(removed: impact.cascade.objects.map(\.summary))
            }
            let copy = try TrashSchema.moveIn(resolved, dependents: dependents, userId: context.userId,
                                              connection: connection)
            // Recorded before the commit: a copy pgassist's store does not know would count as someone else's.
            try context.trashRecords?.recordTrashedCopy(
                TrashedCopyRecord(copy: copy, userId: context.userId, trashedAt: WallClock.nowMilliseconds()))
            return .trashed(name: copy.trashedName, dropped: dependents.summaries, notKept: impact.notKept)
        }
        database.invalidateCache()
        switch outcome {
        case .impactChanged(let impact):
            throw try askApproval(request, impact: impact, actions: actions, context: context,
                                  reason: "Objects depending on \(request.table.display) changed since the user approved; nothing was dropped.")
        case .purged(let removed):
            return .success(["dropped": .bool(true), "purged": .bool(true), "table": .string(request.table.display),
                             "restorable": .bool(false), "removed": .array(removed)])
        case .trashed(let trashedName, let dropped, let notKept):
            var data: [String: JSONValue] = [
                "dropped": .bool(true), "table": .string(request.table.display),
                "trashedAs": .string("\(TrashSchema.name).\(trashedName)"), "restorable": .bool(true),
            ]
            if !dropped.isEmpty { data["droppedDependents"] = .array(dropped) }
            if !notKept.isEmpty { data["notKept"] = .array(notKept) }
            return .success(data)
        }
    }

    /// Refusals that hold on both calls: dependents without `cascade` (for a purge, anything outside the table
    /// `DROP … CASCADE` would remove), dependents in protected schemas, and tables the trash cannot hold.
    private static func check(_ request: Request, resolved: ResolvedTable, dependents: TableDependents,
                              cascade: DropCascade, settings: ToolSettings) throws(ToolError) {
        if !request.purge, !resolved.isTrashable {
            throw ToolError(.invalidArguments, """
                \(request.table.display) is a partitioned table or a partition, which cannot be moved to the trash; \
                only purge (permanent deletion, with its own approval) can drop it.
                """)
        }
        if request.purge {
            if let schema = Set(cascade.objects.map(\.schema)).sorted().first(where: { ProtectedSchemas.contains($0, settings: settings) }) {
                throw ToolError(.protectedSchema, "An object in the protected schema \(schema) would be removed with \(request.table.display), so it cannot be purged.")
            }
            let external = cascade.external
            if !external.isEmpty, !request.cascade {
                throw ToolError(.dependentObjects, """
                    Other objects depend on \(request.table.display): \(external.map(\.display).joined(separator: ", ")). \
                    Nothing was dropped. Call again with cascade: true to remove them too (permanently), or change them first.
                    """, details: ["dependents": .array(external.map(\.summary))])
            }
            return
        }
        guard !dependents.isEmpty else { return }
        guard request.cascade else {
            throw ToolError(.dependentObjects, """
                Other objects depend on \(request.table.display): \(dependents.names.joined(separator: ", ")). \
                Nothing was dropped. Call again with cascade: true to drop them too (restore_table recreates them), \
                or change them first.
                """, details: ["dependents": .array(dependents.summaries)])
        }
        if let schema = dependents.schemas.first(where: { ProtectedSchemas.contains($0, settings: settings) }) {
            throw ToolError(.protectedSchema, "An object in the protected schema \(schema) depends on \(request.table.display), so it cannot be dropped.")
        }
    }
}
