import Store
import ToolsCore

extension ChatService {
    /// The plan of this request's run: instructions with context, the tools on offer, the database, the deadline.
    func makePlan(_ command: ChatCommand, assistant: AssistantRecord?, target: ChatTarget) -> RunPlan {
        var offered = Set(assistant?.tools ?? tools.names)
        if let allowed = target.allowedTools { offered.formIntersection(allowed) }
        let overrides = assistant?.toolDescriptions ?? [:]
        let offeredTools: [any Tool] = tools.tools.filter { offered.contains($0.name) }.map { tool in
            guard let text = overrides[tool.name] else { return tool }
            return DescribedTool(base: tool, description: text)
        }
        let database = target.database
        let tables = database.flatMap {
            RunInstructions.tableSummary(database: $0, settings: target.settings, userId: command.userId)
        }
        let instructions = RunInstructions.make(base: assistant?.instructions ?? AssistantInstructions.standard,
                                                projectRef: command.projectRef, userId: command.userId,
                                                tables: database == nil ? "unknown: no database connection was given" : tables)
        return RunPlan(projectRef: command.projectRef, instructions: instructions, registry: ToolRegistry(tools: offeredTools),
                       target: target, deadline: ContinuousClock.now + .milliseconds(configuration.chat.deadlineMilliseconds))
    }
}
