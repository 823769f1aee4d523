import ToolsCore

/// What one request's run works with: the instructions with their context, the tools on offer, where they work,
/// and the request's deadline.
struct RunPlan {
    /// The project the conversation is about.
    let projectRef: String
    /// The system instructions, with the project, the user and the database's tables.
    let instructions: String
    /// The tools offered to the model (the assistant's, allowed by the project, with description overrides).
    let registry: ToolRegistry
    /// The database, tool settings and approval policy.
    let target: ChatTarget
    /// When the request must have answered.
    let deadline: ContinuousClock.Instant
}
