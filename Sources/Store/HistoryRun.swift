/// A run as an export shows it: what it used and how it ended (the worker and approval bookkeeping are left out).
public struct HistoryRun: Sendable, Equatable {
    /// The run's id, e.g. `run_…`.
    public let id: String
    /// The project it ran for.
    public let projectRef: String?
    /// Where it stands or how it ended.
    public let status: String
    /// The model it used.
    public let model: String?
    /// The assistant definition's version it used.
    public let assistantVersion: Int64?
    /// Model calls made.
    public let rounds: Int64
    /// Tokens sent to the model.
    public let inputTokens: Int64
    /// Tokens the model produced.
    public let outputTokens: Int64
    /// The assistant's final text, when it completed.
    public let response: String?
    /// Why it failed, expired or was cancelled.
    public let errorCode: String?
    /// A message for a person about that.
    public let errorMessage: String?
    /// When it was created, in milliseconds since the epoch.
    public let createdAt: Int64
    /// When it started, in milliseconds since the epoch.
    public let startedAt: Int64?
    /// When it ended, in milliseconds since the epoch; nil while it is active.
    public let completedAt: Int64?

    /// Creates a record.
    public init(id: String, projectRef: String?, status: String, model: String?, assistantVersion: Int64?, rounds: Int64,
                inputTokens: Int64, outputTokens: Int64, response: String?, errorCode: String?, errorMessage: String?,
                createdAt: Int64, startedAt: Int64?, completedAt: Int64?) {
        self.id = id
        self.projectRef = projectRef
        self.status = status
        self.model = model
        self.assistantVersion = assistantVersion
        self.rounds = rounds
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.response = response
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.completedAt = completedAt
    }

    /// Where the next page of runs starts.
    public var cursor: HistoryCursor { HistoryCursor(createdAt: createdAt, id: id) }
}
