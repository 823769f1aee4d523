@testable import ChatEngine
import JSON
import Model
import Platform
import Policies
import Store
import TestSupport
import Testing

/// The model's copy of tool results, derived from the stored (user's) copy at each sharing level.
@Suite("Model view of tool results")
struct ModelViewTests {
    private static let rows = JSONValue.object([
        "success": .bool(true), "rowCount": .number(2), "truncated": .bool(false), "moreRows": .bool(false), "durationMs": .number(1.5),
        "columns": .array([.object(["name": .string("email"), "type": .string("text")]),
                           .object(["name": .string("notes"), "type": .string("text")])]),
        "rows": .array([.object(["email": .string("ann@example.com"), "notes": .string(PlantedSecrets.openAI)]),
                        .object(["email": .string("bob@example.com"), "notes": .string("hash \(PlantedSecrets.bcrypt)")])]),
    ]).serialized()

    private static func result(_ envelope: String) throws -> JSONValue {
        let parsed = try JSONValue.parse(envelope)
        return parsed["result"] ?? .null
    }

    @Test("data level: rows reach the model with their secret shapes masked and counted")
    func dataLevel() throws {
        let envelope = ModelView(sharing: .data).toolOutput(tool: "run_sql", stored: Self.rows)
        #expect(!envelope.contains(PlantedSecrets.openAI) && !envelope.contains(PlantedSecrets.bcrypt))
        #expect(envelope.contains("ann@example.com"))
        let parsed = try JSONValue.parse(envelope)
        #expect(parsed["redactions"] == .number(2))
        #expect(parsed["note"] == .string(ToolOutputEnvelope.warning))
        #expect(try Self.result(envelope)["rows"]?.arrayValue?.first?["notes"] == .string("[redacted: openai_key]"))
    }

    @Test("schema level: columns, types, row count and timing reach the model, no row value")
    func schemaLevel() throws {
        let envelope = ModelView(sharing: .schema).toolOutput(tool: "run_sql", stored: Self.rows)
        #expect(!envelope.contains("ann@example.com") && !envelope.contains("bob@example.com"))
        let result = try Self.result(envelope)
        #expect(result["rows"] == nil)
        #expect(result["rowsWithheld"] == .bool(true))
        #expect(result["rowsNote"] == .string(ModelView.rowsNote))
        #expect(result["rowCount"] == .number(2))
        #expect(result["durationMs"] == .number(1.5))
        #expect(result["columns"]?.arrayValue?.count == 2)
    }

    @Test("schema tools' results are unchanged at the schema level")
    func schemaTools() throws {
        let stored = #"{"success":true,"tables":[{"name":"users","schema":"public","estimatedRows":10}]}"#
        let result = try Self.result(ModelView(sharing: .schema).toolOutput(tool: "list_tables", stored: stored))
        #expect(result == (try JSONValue.parse(stored)))
    }

    @Test("error texts: secret shapes masked at every level; at schema their quoted values are hidden too", arguments: [
        (#"invalid input syntax for type integer: "ann@example.com""#, #"invalid input syntax for type integer: "[redacted: value]""#),
        (#"duplicate key value violates unique constraint "users_email_key" Detail: Key (email)=(ann@example.com) already exists."#,
         #"duplicate key value violates unique constraint "users_email_key" Detail: Key (email)=([redacted: value]) already exists."#),
        (#"null value in column "name" of relation "t" violates not-null constraint Detail: Failing row contains (1, null, ann)."#,
         #"null value in column "name" of relation "t" violates not-null constraint Detail: Failing row contains ([redacted: value])."#),
        (#"value "99999999999" is out of range for type integer"#, #"value "[redacted: value]" is out of range for type integer"#),
        (#"invalid input syntax for type json Detail: Token "secretword" is invalid."#,
         #"invalid input syntax for type json Detail: Token "[redacted: value]" is invalid."#),
        (#"column "emial" does not exist Hint: Perhaps you meant to reference the column "users.email"."#,
         #"column "emial" does not exist Hint: Perhaps you meant to reference the column "users.email"."#),
        (#"relation "secrets" does not exist"#, #"relation "secrets" does not exist"#),
    ])
    func errors(_ message: String, _ hidden: String) throws {
        let stored = ToolResultJSON.failure(message)
        let data = try Self.result(ModelView(sharing: .data).toolOutput(tool: "run_sql", stored: stored))
        #expect(data["error"]?["message"] == .string(message))
        let schema = try Self.result(ModelView(sharing: .schema).toolOutput(tool: "run_sql", stored: stored))
        #expect(schema["error"]?["message"] == .string(hidden))
        let secret = ToolResultJSON.failure("invalid input syntax for type uuid: \"\(PlantedSecrets.jwt)\"")
        let masked = ModelView(sharing: .data).toolOutput(tool: "run_sql", stored: secret)
        #expect(!masked.contains(PlantedSecrets.jwt) && masked.contains("[redacted: jwt]"))
    }

    @Test("a history replay sends the model's copy; the stored copy is left as it is")
    func replay() throws {
        let call = StoredToolCall(id: "call_1", name: "run_sql", arguments: #"{"query":"select * from users"}"#)
        let messages = [
            MessageRecord(id: "m1", seq: 1, role: "user", content: "show users", toolCalls: nil, toolCallId: nil,
                          toolResult: nil, runId: "run_1", createdAt: 0),
            MessageRecord(id: "m2", seq: 2, role: "assistant", content: "", toolCalls: StoredToolCall.encode([call]),
                          toolCallId: nil, toolResult: nil, runId: "run_1", createdAt: 0),
            MessageRecord(id: "m3", seq: 3, role: "tool", content: nil, toolCalls: nil, toolCallId: "call_1",
                          toolResult: Self.rows, runId: "run_1", createdAt: 0, toolName: "run_sql"),
        ]
        for sharing in DataSharing.allCases {
            let outputs = ChatHistory(messages: messages, tokenBudget: 100_000, view: ModelView(sharing: sharing)).items
                .compactMap { item -> String? in
                    if case .functionOutput(_, let output) = item { return output }
                    return nil
                }
            #expect(outputs.count == 1)
            #expect(!(outputs.first ?? "").contains(PlantedSecrets.openAI))
            #expect((outputs.first ?? "").contains("ann@example.com") == (sharing == .data))
        }
        #expect(messages[2].toolResult?.contains(PlantedSecrets.openAI) == true)
    }

    @Test("DATA_SHARING is read, any case; a wrong value names the variable")
    func setting() throws {
        #expect(try ChatSettings(environment: [:]).dataSharing == .data)
        #expect(try ChatSettings(environment: ["DATA_SHARING": "Schema"]).dataSharing == .schema)
        #expect(throws: ConfigurationError.self) { try ChatSettings(environment: ["DATA_SHARING": "rows"]) }
    }
}

/// A stored failure's JSON text.
enum ToolResultJSON {
    static func failure(_ message: String) -> String {
        JSONValue.object(["success": .bool(false), "sqlState": .string("22P02"),
                          "error": .object(["code": .string("sql_error"), "message": .string(message)])]).serialized()
    }
}
