import AssistantHTTP
import ChatEngine
import HTTP
import Logging
import Model
import Operations
import Policies
import Store
import TestSupport
import Testing

/// `POST /setup` answered in-process on a temporary SQLite store: who may call it, tool description
/// overrides and their versions, the provider report, and `check=1` against the fake model provider.
@Suite("POST /setup", .serialized)
struct SetupEndpointTests {
    /// One fake provider for the suite (starting one takes about 2 s).
    static let shared = Result { try FakeModelProvider() }

    /// A secret that must never appear in a response.
    static let secretKey = "sk-setup-secret-0123456789"

    let fixture: StoreFixture

    init() throws {
        fixture = try StoreFixture(.sqlite)
    }

    // MARK: - Helpers

    private func api(admins: Set<String> = [], model: ModelConfiguration = ModelConfiguration(model: ""),
                     defaultModel: String = "gpt-5.4") throws -> AssistantAPI {
        var configuration = AssistantConfiguration(defaultModel: defaultModel)
        configuration.adminUsers = admins
        configuration.model = model
        return AssistantAPI(tools: .standard, store: try fixture.open(), configuration: configuration, logger: Logger(label: "setup-tests"))
    }

    private func setup(_ api: AssistantAPI, body: String? = nil, query: String = "", user: String? = nil)
        -> (status: Int, json: [String: JSONValue], text: String) {
        let request = HTTPRequest(method: "POST", path: "/api/ai/assistant/setup", query: QueryString.parse(query),
                                  headers: body == nil ? [:] : ["Content-Type": "application/json"],
                                  body: Array((body ?? "").utf8), authenticatedUser: user)
        let response = api.respond(to: request)
        let json = (try? JSONCoding.decode([String: JSONValue].self, from: response.body)) ?? [:]
        return (response.status, json, String(decoding: response.body, as: UTF8.self))
    }

    private func stored() throws -> AssistantRecord? { try fixture.open().assistant() }

    private func fake() throws -> FakeModelProvider {
        let fake = try Self.shared.get()
        try fake.reset()
        return fake
    }

    // MARK: - Administrators

    @Test("an authenticated user outside ADMIN_USERS gets 403 admin_required and changes nothing")
    func nonAdministrator() throws {
        let api = try api(admins: ["alice"])
        let refused = setup(api, body: #"{"name": "Mine"}"#, user: "bob")
        #expect(refused.status == 403)
        #expect(refused.json["code"] == .string("admin_required"))
        #expect(try stored() == nil)

        let created = setup(api, body: #"{"name": "Team"}"#, user: "alice")
        #expect(created.status == 201)
        let before = try stored()
        let again = setup(api, body: #"{"name": "Bob's", "toolDescriptions": {"run_sql": "x"}}"#, user: "bob")
        #expect(again.status == 403)
        #expect(try stored() == before)
        #expect(before?.name == "Team")
    }

    @Test("an empty authenticated user is refused: authentication is on but names nobody")
    func emptyUser() throws {
        let api = try api(admins: ["alice"])
        #expect(setup(api, user: "").json["code"] == .string("admin_required"))
        #expect(try stored() == nil)
    }

    @Test("an administrator may set up; without authentication (local development) it stays open")
    func administratorAndOpen() throws {
        let api = try api(admins: ["alice", "carol"])
        #expect(setup(api, body: #"{"name": "A"}"#, user: "carol").status == 201)
        let open = setup(api, body: #"{"name": "B"}"#)
        #expect(open.status == 200)
        #expect(open.json["name"] == .string("B"))
        #expect(try stored()?.version == 2)
    }

    @Test("unknown fields stay a 400 for administrators too")
    func unknownField() throws {
        let api = try api(admins: ["alice"])
        #expect(setup(api, body: #"{"toolDescription": {}}"#, user: "alice").json["code"] == .string("unknown_field"))
    }

    // MARK: - Tool descriptions

    @Test("toolDescriptions must name known tools and give 1 to 4096 characters or null")
    func toolDescriptionValidation() throws {
        let api = try api()
        let long = String(repeating: "d", count: 4_097)
        let cases: [(String, String)] = [
            (#"{"toolDescriptions": {"drop_database": "x"}}"#, "drop_database"),
            (#"{"toolDescriptions": {"run_sql": ""}}"#, "run_sql"),
            (#"{"toolDescriptions": {"run_sql": "   "}}"#, "run_sql"),
            (#"{"toolDescriptions": {"run_sql": 5}}"#, "run_sql"),
            (#"{"toolDescriptions": {"run_sql": "\#(long)"}}"#, "run_sql"),
            (#"{"toolDescriptions": ["run_sql"]}"#, "toolDescriptions"),
            (#"{"toolDescriptions": "run_sql"}"#, "toolDescriptions"),
        ]
        for (body, named) in cases {
            let result = setup(api, body: body)
            #expect(result.status == 400, "body \(body.prefix(80))")
            #expect(result.json["code"] == .string("invalid_field"), "body \(body.prefix(80))")
            #expect(result.json["error"]?.stringValue?.contains(named) == true, "body \(body.prefix(80))")
        }
        #expect(try stored() == nil)
        let longest = String(repeating: "d", count: 4_096)
        let accepted = setup(api, body: #"{"toolDescriptions": {"run_sql": "\#(longest)"}}"#)
        #expect(accepted.status == 201)
        #expect(try stored()?.toolDescriptions == ["run_sql": longest])
    }

    @Test("tool description changes make new versions; named keys replace or remove, others are kept, repeats keep the version")
    func toolDescriptionVersions() throws {
        let api = try api()
        let first = setup(api, body: #"{"toolDescriptions": {"run_sql": "Runs read-only SQL."}}"#)
        #expect(first.status == 201)
        #expect(first.json["version"] == .number(1))
        #expect(first.json["toolDescriptions"] == .object(["run_sql": .string("Runs read-only SQL.")]))

        let repeated = setup(api, body: #"{"toolDescriptions": {"run_sql": "Runs read-only SQL."}}"#)
        #expect(repeated.status == 200)
        #expect(repeated.json["version"] == .number(1))

        let added = setup(api, body: #"{"toolDescriptions": {"list_tables": "Lists tables."}}"#)
        #expect(added.json["version"] == .number(2))
        #expect(added.json["toolDescriptions"] == .object(["run_sql": .string("Runs read-only SQL."),
                                                          "list_tables": .string("Lists tables.")]))

        let replaced = setup(api, body: #"{"toolDescriptions": {"run_sql": "Runs SQL.", "list_tables": null}}"#)
        #expect(replaced.json["version"] == .number(3))
        #expect(replaced.json["toolDescriptions"] == .object(["run_sql": .string("Runs SQL.")]))

        let removedAgain = setup(api, body: #"{"toolDescriptions": {"list_tables": null}}"#)
        #expect(removedAgain.json["version"] == .number(3))
        let untouched = setup(api, body: #"{"toolDescriptions": null}"#)
        #expect(untouched.json["version"] == .number(3))

        let instructions = setup(api, body: #"{"instructions": "Answer in French."}"#)
        #expect(instructions.json["version"] == .number(4))
        #expect(instructions.json["instructions"] == .string("Answer in French."))
        #expect(instructions.json["toolDescriptions"] == .object(["run_sql": .string("Runs SQL.")]))
        #expect(setup(api, body: #"{"instructions": "Answer in French."}"#).json["version"] == .number(4))

        let record = try stored()
        #expect(record?.version == 4)
        #expect(record?.instructions == "Answer in French.")
        #expect(record?.toolDescriptions == ["run_sql": "Runs SQL."])
    }

    @Test("the store merges tool description changes in its transaction on both databases", arguments: [StoreKind.sqlite, .postgres])
    func storedToolDescriptions(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let defaults = AssistantDefaults(name: "A", model: "m", instructions: "i", tools: ["run_sql", "list_tables"])
        let first = try store.saveAssistant(AssistantUpdate(toolDescriptions: ["run_sql": "quoted \"text\" ✓"]), defaults: defaults)
        #expect(first.assistant.toolDescriptions == ["run_sql": "quoted \"text\" ✓"])
        let second = try store.saveAssistant(AssistantUpdate(toolDescriptions: ["run_sql": nil, "list_tables": "L"]),
                                             defaults: defaults)
        #expect(second.assistant.version == 2)
        #expect(try fixture.open().assistant()?.toolDescriptions == ["list_tables": "L"])
    }

    @Test("the response carries the standard instructions and no overrides for a fresh definition")
    func freshDefinition() throws {
        let created = setup(try api())
        #expect(created.json["toolDescriptions"] == .object([:]))
        #expect(created.json["instructions"]?.stringValue?.isEmpty == false)
        #expect(created.json["check"] == nil)
    }

    // MARK: - Provider report

    @Test("the provider report names style, host and the stored model, never the key, header values or URL path")
    func providerReport() throws {
        let model = ModelConfiguration(style: .chatCompletions,
                                       baseURL: "https://user:url-password@llm.example.com:8443/v1/path-secret?token=q-secret",
                                       apiKey: Self.secretKey, model: "env-model",
                                       extraHeaders: [("api-key", "header-secret-value")])
        let api = try api(model: model, defaultModel: "env-model")
        let result = setup(api, body: #"{"model": "stored-model"}"#)
        #expect(result.status == 201)
        #expect(result.json["provider"] == .object([
            "style": .string("chat-completions"), "baseUrlHost": .string("llm.example.com:8443"),
            "model": .string("stored-model"), "configured": .bool(true),
        ]))
        for secret in [Self.secretKey, "header-secret-value", "url-password", "path-secret", "q-secret"] {
            #expect(!result.text.contains(secret), "\(secret) leaked")
        }
    }

    @Test("OpenAI's URL without a key is reported as not configured; a local server needs no key")
    func providerConfigured() throws {
        let openAI = setup(try api(model: ModelConfiguration(model: "gpt-5.4")))
        #expect(openAI.json["provider"]?["configured"] == .bool(false))
        #expect(openAI.json["provider"]?["baseUrlHost"] == .string("api.openai.com"))
        #expect(openAI.json["provider"]?["style"] == .string("responses"))

        let local = setup(try api(model: ModelConfiguration(baseURL: "http://127.0.0.1:11434/v1", model: "")))
        #expect(local.json["provider"]?["configured"] == .bool(true))
        #expect(local.json["provider"]?["baseUrlHost"] == .string("127.0.0.1:11434"))
        #expect(local.json["provider"]?["model"] == .string("gpt-5.4"))
    }

    // MARK: - check=1

    @Test("check=1 makes one small call with the stored model and reports its latency", arguments: [APIStyle.responses, .chatCompletions])
    func checkSucceeds(style: APIStyle) throws {
        let fake = try fake()
        try fake.script([.object(["text": .string("OK")])])
        let api = try api(model: ModelConfiguration(style: style, baseURL: fake.baseURL, apiKey: fake.apiKey, model: "gpt-test"))
        let result = setup(api, body: #"{"model": "gpt-checked"}"#, query: "check=1")
        #expect(result.status == 201)
        #expect(result.json["check"]?["ok"] == .bool(true))
        #expect((result.json["check"]?["latencyMs"]?.intValue ?? -1) >= 0)
        #expect(result.json["check"]?["code"] == nil)
        #expect(try stored()?.model == "gpt-checked")
        let requests = try fake.requests()
        #expect(requests.count == 1)
        #expect(requests.first?["body"]?["model"] == .string("gpt-checked"))
        #expect(!result.text.contains(fake.apiKey))
    }

    @Test("check=1 with a wrong key saves the definition and reports provider_auth_failed without the key")
    func checkWrongKey() throws {
        let fake = try fake()
        try fake.script([.object(["text": .string("OK")])])
        let api = try api(model: ModelConfiguration(baseURL: fake.baseURL, apiKey: Self.secretKey, model: "gpt-test"))
        let result = setup(api, query: "check=1")
        #expect(result.status == 201)
        #expect(result.json["check"]?["ok"] == .bool(false))
        #expect(result.json["check"]?["code"] == .string("provider_auth_failed"))
        #expect(result.json["check"]?["error"]?.stringValue?.isEmpty == false)
        #expect(result.json["check"]?["latencyMs"] == nil)
        #expect(!result.text.contains(Self.secretKey))
        #expect(try stored() != nil)

        let again = setup(api, query: "check=true")
        #expect(again.status == 200)
        #expect(again.json["check"]?["code"] == .string("provider_auth_failed"))
        #expect(!again.text.contains(Self.secretKey))
    }

    @Test("check=1 without a configured provider reports model_not_configured; a bad check value is a 400")
    func checkNotConfigured() throws {
        let api = try api()
        let result = setup(api, query: "check=1")
        #expect(result.status == 201)
        #expect(result.json["check"] == .object(["ok": .bool(false), "code": .string("model_not_configured"),
                                                 "error": result.json["check"]?["error"] ?? .null]))
        #expect(result.json["check"]?["error"]?.stringValue?.isEmpty == false)
        let bad = setup(try self.api(), query: "check=maybe")
        #expect(bad.status == 400)
        #expect(bad.json["code"] == .string("invalid_field"))
    }
}
