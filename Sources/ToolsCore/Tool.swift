import JSON

/// A function the model may call on the user's database.
///
/// Arguments arrive as JSON from the model (untrusted: a prompt injection can make it send anything);
/// a tool validates them and never crashes on them. Results are bounded by the output budget.
public protocol Tool: Sendable {
    /// The function name the model calls, e.g. `run_sql`.
    var name: String { get }
    /// What the tool does, for the model.
    var description: String { get }
    /// The JSON Schema of the arguments, strict-mode compatible: every property listed in
    /// `required`, optional ones nullable, `additionalProperties: false`.
    var parameters: JSONValue { get }
    /// Whether the tool only reads: read-only tools may run concurrently, and a read-only project offers
    /// only these.
    var isReadOnly: Bool { get }
    /// Whether the tool asks the user's approval by itself (`ApprovalPolicy` adds the deployment's gate).
    var selfApproval: SelfApproval { get }
    /// Runs the tool; failures are returned as `.failure`, never thrown.
    func execute(_ arguments: JSONValue, context: ToolContext) -> ToolResult
}

extension Tool {
    /// Most tools never ask by themselves.
    public var selfApproval: SelfApproval { .never }
}
