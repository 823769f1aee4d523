import ChatEngine
import Operations
import Platform
import Policies
import Store

/// The body of `POST /setup`: the stored definition, where its model calls go and, with `check=1`,
/// whether a test call succeeded. It never carries the API key or header values.
struct SetupResponse: Encodable {
    let assistantId: String
    let name: String
    let model: String
    /// The stored system instructions.
    let instructions: String
    let tools: [String]
    /// The tool description overrides, keyed by tool name.
    let toolDescriptions: [String: String]
    let version: Int64
    let created: Bool
    let updatedAt: String
    let provider: ProviderReport
    /// Present only for `check=1`.
    let check: ModelCheckReport?

    init(_ record: AssistantRecord, created: Bool, provider: ProviderReport, check: ModelCheckReport?) {
        assistantId = record.id
        name = record.name
        model = record.model
        instructions = record.instructions
        tools = record.tools
        toolDescriptions = record.toolDescriptions
        version = record.version
        self.created = created
        updatedAt = WallClock.iso8601(record.updatedAt)
        self.provider = provider
        self.check = check
    }
}
