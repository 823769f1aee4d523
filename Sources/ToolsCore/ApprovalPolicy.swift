import JSON
import Platform

/// Which tool calls wait for the user's approval, applied the same way by every caller of the tools (the chat
/// loop, `pgassist tool`, later MCP): the tools that ask by themselves (`Tool.selfApproval`), and the tools the
/// deployment gates (`APPROVAL_TOOLS`, and a project's `approvalTools`).
///
/// A gated call without an approval saves a pending action (`confirmation_required` with its id, impact and
/// expiry); called again with that id, it consumes the action and runs. Actions live in the context's store,
/// bound to the caller's target, so an approval given for another database or project does not act.
public struct ApprovalPolicy: Sendable, Equatable {
    /// Tools gated by the deployment.
    public let gatedTools: Set<String>

    /// A policy gating `gatedTools` (pending actions last `ToolSettings.approvalLifetimeSeconds`).
    public init(gatedTools: Set<String>) {
        self.gatedTools = gatedTools
    }

    /// Whether the gate stands before `tool` (not for a tool that asks on every call anyway).
    public func gates(_ tool: any Tool) -> Bool {
        tool.selfApproval != .always && gatedTools.contains(tool.name)
    }

    /// Whether a call of `tool` may need the user's approval, from the gate or the tool itself.
    public func mayAskApproval(_ tool: any Tool) -> Bool {
        tool.selfApproval != .never || gates(tool)
    }

    /// Whether calls of `tool` may run alongside others: it only reads and nothing stands before it.
    public func runsConcurrently(_ tool: any Tool) -> Bool {
        tool.isReadOnly && !gates(tool)
    }

    /// Runs `name` from `registry` with `arguments` (the model's JSON text) behind the gate; `context.approvedActionId`
    /// is the approval given for this very call, if any. The result is rendered within the output budget.
    public func run(_ name: String, arguments: String, registry: ToolRegistry, context: ToolContext,
                    nowMilliseconds: Int64) -> (result: ToolResult, rendered: String) {
        guard let tool = registry.tool(named: name), gates(tool) else {
            return registry.run(name, arguments: arguments, context: context)
        }
        let budget = context.settings.outputBudgetBytes
        do throws(ToolError) {
            let toolsOwn = try passGate(tool, arguments: arguments, context: context, now: nowMilliseconds)
            let passed = ToolContext(settings: context.settings, database: context.database, userId: context.userId,
                                     actions: context.actions, approvedActionId: toolsOwn)
            return registry.run(name, arguments: arguments, context: passed)
        } catch {
            let result = ToolResult.failure(error)
            return (result, result.rendered(budget: budget))
        }
    }

    /// Consumes the gate's approval, or saves a pending action and throws `confirmation_required`. Returns the
    /// approval to pass on to the tool: one the tool asked for itself, which the gate does not know.
    private func passGate(_ tool: any Tool, arguments: String, context: ToolContext, now: Int64) throws(ToolError) -> String? {
        guard let actions = context.actions else {
            throw ToolError(.notConfigured, "\(tool.name) needs the user's approval, and no approval store is configured.")
        }
        if let approved = context.approvedActionId {
            let consumed = try actions.consumePendingAction(id: approved, userId: context.userId, tool: tool.name,
                                                            arguments: arguments, nowMilliseconds: now) != nil
            if consumed { return nil }
            // Not the gate's: it may be one the tool asked for after the gate's approval, which it checks itself.
            if tool.selfApproval == .sometimes { return approved }
            throw ToolError(.invalidApproval, "The approval \(approved) is unknown, used, expired or for another database; nothing was done.")
        }
        let impact = JSONValue.object(["tool": .string(tool.name),
                                       "arguments": (try? JSONValue.parse(arguments)) ?? .string(arguments)])
        let action = PendingAction(id: Identifier.make("act"), userId: context.userId, tool: tool.name, arguments: arguments,
                                   impact: impact,
                                   expiresAt: now + Int64(context.settings.approvalLifetimeSeconds) * 1_000)
        try actions.savePendingAction(action)
        throw ToolError(.confirmationRequired, "\(tool.name) needs the user's approval (action \(action.id)).",
                        details: ["actionId": .string(action.id), "impact": impact,
                                  "expiresAt": .string(WallClock.iso8601(action.expiresAt))])
    }
}
