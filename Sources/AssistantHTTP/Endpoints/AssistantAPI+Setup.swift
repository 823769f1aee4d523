import ChatEngine
import HTTP
import Operations
import Policies
import Store

extension AssistantAPI {
    /// The fields `POST /setup` accepts.
    static let setupFields = ["name", "model", "instructions", "toolDescriptions"]
    /// The longest tool description override, in characters.
    static let maxToolDescriptionLength = 4_096

    /// `POST /setup[?check=1]` with an optional body `{"name", "model", "instructions", "toolDescriptions"}`:
    /// creates the stored assistant definition or updates it (a new version when something changed), and
    /// with `check=1` then makes one small model call to prove the provider settings work.
    ///
    /// When the front server authenticated the request, only `ADMIN_USERS` may call it (403 `admin_required`);
    /// without authentication (local development) it is open.
    func setup(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        try requireAdministrator(request)
        let check = try Self.checkFlag(request.query["check"])
        let body = try JSONBody(request: request, emptyAllowed: true)
        try body.rejectUnknownFields(allowed: Self.setupFields)
        let model = try body.optionalString("model", maxLength: 128)
        if let model, !model.unicodeScalars.allSatisfy(Self.isModelNameCharacter) {
            throw APIError.invalidField("model", "may contain only letters, digits and . _ - : /")
        }
        // The tool list always follows this release's registry, so /setup after an upgrade offers the new tools.
        let update = AssistantUpdate(name: try body.optionalString("name", maxLength: 256), model: model,
                                     instructions: try body.optionalString("instructions", maxLength: 65_536),
                                     tools: chat.tools.names,
                                     toolDescriptions: try toolDescriptionChanges(body.fields["toolDescriptions"]))
        let saved = try withStore("save assistant") { () throws(StoreError) -> (assistant: AssistantRecord, created: Bool) in
            try store.saveAssistant(update, defaults: assistantDefaults)
        }
        logger.info("assistant definition saved", metadata: [
            "version": "\(saved.assistant.version)", "created": "\(saved.created)",
            "user": "\(request.authenticatedUser ?? "-")",
        ])
        let report = check ? checkModel(saved.assistant) : nil
        return .json(SetupResponse(saved.assistant, created: saved.created,
                                   provider: ProviderReport(configuration.model, model: saved.assistant.model), check: report),
                     status: saved.created ? 201 : 200)
    }

    /// What a new assistant definition starts with.
    var assistantDefaults: AssistantDefaults {
        AssistantDefaults(name: "Supabase AI Assistant", model: configuration.defaultModel,
                          instructions: AssistantInstructions.standard, tools: chat.tools.names)
    }

    /// Refuses an authenticated user who is not an administrator. Any `AUTH_USER` the front server sends,
    /// even an empty one, means authentication is on, so an empty name is refused rather than let through.
    private func requireAdministrator(_ request: HTTPRequest) throws(APIError) {
        guard let user = request.authenticatedUser else { return }
        guard configuration.adminUsers.contains(user) else {
            logger.warning("setup refused: not an administrator", metadata: ["user": "\(user)"])
            throw APIError.adminRequired()
        }
    }

    /// The `toolDescriptions` field: an object from tool names this release offers to a description
    /// (1 to 4096 characters) or null to drop that tool's override; nil when the field is absent or null.
    private func toolDescriptionChanges(_ value: JSONValue?) throws(APIError) -> [String: String?]? {
        let members: [String: JSONValue]
        switch value {
        case nil, .null?: return nil
        case .object(let object)?: members = object
        case let other?: throw APIError.invalidField("toolDescriptions", "must be an object of tool names, not \(other.typeDescription)")
        }
        var changes: [String: String?] = [:]
        for (name, member) in members.sorted(by: { $0.key < $1.key }) {
            let field = "toolDescriptions.\(name)"
            guard chat.tools.names.contains(name) else {
                throw APIError.invalidField(field, "names no tool of this assistant; the tools are \(chat.tools.names.joined(separator: ", "))")
            }
            switch member {
            case .null:
                changes[name] = .some(nil)
            case .string(let text):
                if text.trimmingSpaces().isEmpty { throw APIError.invalidField(field, "must not be empty; send null to remove the override") }
                if text.count > Self.maxToolDescriptionLength {
                    throw APIError.invalidField(field, "must be at most \(Self.maxToolDescriptionLength) characters long")
                }
                changes[name] = .some(text)
            default:
                throw APIError.invalidField(field, "must be a string or null, not \(member.typeDescription)")
            }
        }
        return changes
    }

    /// The `check` query parameter: 1/true or 0/false (absent means false).
    private static func checkFlag(_ value: String?) throws(APIError) -> Bool {
        switch value?.lowercased() {
        case nil, "", "0", "false": return false
        case "1", "true": return true
        default: throw APIError.invalidField("check", "must be 1, 0, true or false")
        }
    }

    private static func isModelNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-:/".unicodeScalars.contains(scalar))
    }
}
