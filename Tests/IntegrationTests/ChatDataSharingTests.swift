import Foundation
import JSON
import Postgres
import TestSupport
import Testing

/// What reaches the model provider through nginx: secret shapes never, rows only at `DATA_SHARING=data`; the user
/// sees their own results in the answer's `toolCalls[].result`, the stream and the stored thread.
@Suite("Chat data sharing", .serialized)
struct ChatDataSharingTests {
    /// Creates `notes` in the harness's database, one row per planted secret, and the URI with a password.
    private func plantSecrets(_ harness: ChatHarness) throws -> [String] {
        let secrets = PlantedSecrets.all.map(\.value) + [PlantedSecrets.url]
        let connection = try PostgresConnection(connectionString: harness.databaseURL)
        _ = try connection.query("CREATE TABLE notes (id int PRIMARY KEY, email text, note text)")
        for (index, secret) in secrets.enumerated() {
            _ = try connection.query("INSERT INTO notes VALUES ($1::int, $2, $3)",
                                     ["\(index + 1)", "user\(index)@example.com", "kept in notes: \(secret)"])
        }
        return secrets
    }

    private static let query = ("run_sql", #"{"query":"select id, email, note from notes order by id"}"#)

    @Test("secret shapes in run_sql rows never reach the provider, in the turn or a later replay; the user sees them")
    func secretsMasked() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        let secrets = try plantSecrets(harness)
        try harness.provider.script([toolStep([Self.query]), textStep("Here are the notes."), textStep("Still here.")])
        let first = try harness.say("show me the notes")
        #expect(first.status == 200, "\(first.text)\n\(harness.logs)")
        let calls = first.json["toolCalls"] as? [[String: Any]] ?? []
        let result = calls.first?["result"] as? [String: Any] ?? [:]
        #expect(result["success"] as? Bool == true, "\(first.text)")
        let notes = (result["rows"] as? [[String: Any]] ?? []).compactMap { $0["note"] as? String }
        #expect(notes == secrets.map { "kept in notes: \($0)" }, "the user's copy holds the values")

        let threadId = try #require(first.json["threadId"] as? String)
        let second = try harness.say("and again?", threadId: threadId)
        #expect(second.status == 200, "\(second.text)")
        let bodies = try harness.modelRequestBodies()
        #expect(bodies.count == 3)
        for body in bodies {
            for secret in secrets {
                #expect(!body.contains(PlantedSecrets.fragment(of: secret)), "\(secret) reached the provider")
            }
        }
        #expect(bodies[1].contains("[redacted: jwt]") && bodies[2].contains("[redacted: jwt]"), "\(bodies[2])")
        #expect(bodies[2].contains("user0@example.com"), "ordinary values are shared at the data level")

        // The stored thread keeps the user's copy.
        let results = try harness.messages().compactMap { $0["toolResult"] }
        let stored = String(decoding: try JSONSerialization.data(withJSONObject: results), as: UTF8.self)
        for secret in secrets { #expect(stored.contains(PlantedSecrets.fragment(of: secret))) }
    }

    @Test("DATA_SHARING=schema: the provider gets columns and the row count, never a row value; the answer has the rows")
    func schemaLevel() throws {
        let harness = try ChatHarness(environment: ["DATA_SHARING": "schema"])
        defer { harness.stop() }
        _ = try plantSecrets(harness)
        try harness.provider.script([toolStep([Self.query]), textStep("You have notes."), textStep("Again.")])
        let first = try harness.say("show me the notes")
        #expect(first.status == 200, "\(first.text)\n\(harness.logs)")
        let rows = ((first.json["toolCalls"] as? [[String: Any]])?.first?["result"] as? [String: Any])?["rows"] as? [Any]
        #expect(rows?.count == PlantedSecrets.all.count + 1)
        let threadId = try #require(first.json["threadId"] as? String)
        #expect(try harness.say("more?", threadId: threadId).status == 200)
        let bodies = try harness.modelRequestBodies()
        #expect(bodies.count == 3)
        for body in bodies.dropFirst() {
            #expect(!body.contains("@example.com") && !body.contains("kept in notes"), "\(body)")
            #expect(body.contains("rowsWithheld") && body.contains("note") && body.contains("rowCount"))
        }
    }

    @Test("tool.completed events carry the user's copy of the result")
    func streamCarriesResult() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        let secrets = try plantSecrets(harness)
        try harness.provider.script([toolStep([Self.query]), textStep("done")])
        let stream = try harness.streamChat(["message": .string("notes?"), "stream": .bool(true)])
        let event = try #require(stream.first("tool.completed"), "\(stream.text)")
        let rows = (event.json["result"] as? [String: Any])?["rows"] as? [[String: Any]] ?? []
        #expect(rows.first?["note"] as? String == "kept in notes: \(secrets[0])")
        for body in try harness.modelRequestBodies() {
            #expect(!body.contains(PlantedSecrets.fragment(of: secrets[0])))
        }
    }
}
