import HTTP

extension AssistantAPI {
    /// The fields `POST /setup` accepts.
    static let setupFields = ["name", "model", "instructions"]

    /// `POST /setup` with an optional body `{"name", "model", "instructions"}`: creates the stored
    /// assistant definition or updates it (a new version when something changed).
    func setup(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        let body = try JSONBody(request: request, emptyAllowed: true)
        try body.rejectUnknownFields(allowed: Self.setupFields)
        let model = try body.optionalString("model", maxLength: 128)
        if let model, !model.unicodeScalars.allSatisfy(Self.isModelNameCharacter) {
            throw APIError.invalidField("model", "may contain only letters, digits and . _ - : /")
        }
        // The tool list always follows this release's registry, so /setup after an upgrade offers the new tools.
        let update = AssistantUpdate(name: try body.optionalString("name", maxLength: 256), model: model,
                                     instructions: try body.optionalString("instructions", maxLength: 65_536),
                                     tools: configuration.toolNames)
        let saved = try withStore("save assistant") { () throws(StoreError) -> (assistant: AssistantRecord, created: Bool) in
            try store.saveAssistant(update, defaults: assistantDefaults)
        }
        logger.info("assistant definition saved", metadata: ["version": "\(saved.assistant.version)", "created": "\(saved.created)"])
        return .json(SetupResponse(saved.assistant, created: saved.created), status: saved.created ? 201 : 200)
    }

    /// What a new assistant definition starts with.
    var assistantDefaults: AssistantDefaults {
        AssistantDefaults(name: "Supabase AI Assistant", model: configuration.defaultModel,
                          instructions: AssistantInstructions.standard, tools: configuration.toolNames)
    }

    private static func isModelNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-:/".unicodeScalars.contains(scalar))
    }
}

/// The body of `POST /setup`.
struct SetupResponse: Encodable {
    let assistantId: String
    let name: String
    let model: String
    let tools: [String]
    let version: Int64
    let created: Bool
    let updatedAt: String

    init(_ record: AssistantRecord, created: Bool) {
        assistantId = record.id
        name = record.name
        model = record.model
        tools = record.tools
        version = record.version
        self.created = created
        updatedAt = Clock.iso8601(record.updatedAt)
    }
}
