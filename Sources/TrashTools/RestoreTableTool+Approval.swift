import JSON
import Platform
import ToolsCore

extension RestoreTableTool {
    /// Stores a pending action to restore `entry`, another user's copy (`trashedBy`; nil when pgassist's store has
    /// no record of it), and returns the `confirmation_required` error that carries it. Restoring is bound to the
    /// user and the copy they were shown, as dropping is.
    func askApproval(_ request: Request, entry: TrashEntry, trashedBy: String?, context: ToolContext) throws(ToolError) -> ToolError {
        guard let actions = context.actions else {
            throw ToolError(.notConfigured, """
                \(request.table.display) in the trash was dropped by another user; restoring it needs the user's approval, \
                and no approval store is configured.
                """)
        }
        let now = WallClock.nowMilliseconds()
        var impact = entry.impact(trashedBy: trashedBy).objectValue ?? [:]
        impact["table"] = .string(request.table.display)
        let action = PendingAction(id: Identifier.make("act"), userId: context.userId, tool: name,
                                   arguments: request.arguments, impact: .object(impact),
                                   expiresAt: now + Int64(context.settings.approvalLifetimeSeconds) * 1_000)
        try actions.savePendingAction(action)
        return ToolError(.confirmationRequired, """
            \(trashedBy.map { "This copy of \(request.table.display) was dropped by another user (\($0), at \(entry.trashedAt))." }
               ?? "pgassist has no record of who dropped this copy of \(request.table.display) (at \(entry.trashedAt)).") \
            Show the user who dropped it and ask them to approve action \(action.id) to restore it; it expires at \
            \(WallClock.iso8601(action.expiresAt)).
            """, details: ["actionId": .string(action.id), "impact": .object(impact),
                           "expiresAt": .string(WallClock.iso8601(action.expiresAt))])
    }

    /// Consumes the approval `id` for `request` and returns the name in the trash of the copy it was given for.
    func consumeApproval(_ id: String, request: Request, context: ToolContext) throws(ToolError) -> String {
        guard let actions = context.actions,
              let action = try actions.consumePendingAction(id: id, userId: context.userId, tool: name,
                                                            arguments: request.arguments,
                                                            nowMilliseconds: WallClock.nowMilliseconds()),
              let trashedAs = action.impact["trashedAs"]?.stringValue, trashedAs.hasPrefix(TrashSchema.name + ".") else {
            throw ToolError(.invalidApproval, """
                The approval \(id) is unknown, already used, expired, or was given for another table; nothing was restored. \
                Call restore_table again without an approval to ask the user anew.
                """)
        }
        return String(trashedAs.dropFirst(TrashSchema.name.count + 1))
    }
}
