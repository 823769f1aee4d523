import Foundation
import JSON
import Postgres
import TestSupport
import Testing

/// Whole conversations through nginx, in both API styles and with both stores, against the fixture
/// database (and Pagila when this checkout has it).
@Suite("Chat full conversation", .serialized)
struct ChatFullConversationTests {
    @Test("a six-turn conversation: list, describe, count, create, drop with approval, restore",
          arguments: ["responses", "chat-completions"], ["sqlite", "postgres"])
    func conversation(style: String, store: String) throws {
        let harness = try ChatHarness(style: style, store: store)
        defer { harness.stop() }
        // A reasoning model's calls must be replayed with their reasoning items (the fake refuses them otherwise).
        let think: (JSONValue) -> JSONValue = { style == "responses" ? reasoning($0) : $0 }
        var threadId: String?

        /// One turn: scripts `steps`, sends `message`, checks the reply and returns it.
        func turn(_ message: String, _ steps: [JSONValue], answer: String?, tool: String) throws -> [String: Any] {
            try harness.provider.script(steps)
            let response = try harness.say(message, threadId: threadId)
            try #require(response.status == 200, "\(message): \(response.text)\n\(harness.logs)")
            threadId = response.json["threadId"] as? String
            if let answer {
                #expect(response.json["status"] as? String == "completed", "\(message): \(response.text)")
                #expect(response.json["response"] as? String == answer)
            }
            if answer != nil {
                #expect(response.toolCalls.count == 1, "\(message): \(response.text)")
                #expect(response.toolCalls.first?["name"] as? String == tool)
                #expect(response.toolCalls.first?["success"] as? Bool == true, "\(message): \(response.text)")
            } else {
                // The call waiting for approval has not run: it is the pending action, not a tool call yet.
                #expect((response.json["pendingAction"] as? [String: Any])?["tool"] as? String == tool, "\(response.text)")
            }
            return response.json
        }

        _ = try turn("what tables are there?", [think(toolStep([("list_tables", #"{"schema":"public"}"#)])),
                                                 textStep("You have customer, orders and invoice.")],
                     answer: "You have customer, orders and invoice.", tool: "list_tables")
        _ = try turn("describe orders", [think(toolStep([("get_schema", #"{"table":"orders","schema":"public"}"#)])),
                                          textStep("orders has a generated total.")],
                     answer: "orders has a generated total.", tool: "get_schema")
        let count = #"{"query":"SELECT customer_id, count(*) AS orders FROM public.orders GROUP BY customer_id ORDER BY customer_id"}"#
        _ = try turn("how many orders per customer?", [think(toolStep([("run_sql", count)])),
                                                        textStep("Customer 1 has 2 orders, customer 2 has 1.")],
                     answer: "Customer 1 has 2 orders, customer 2 has 1.", tool: "run_sql")
        let create = #"{"table":"notes","columns":[{"name":"id","type":"bigserial","primaryKey":true},{"name":"body","type":"text","nullable":false}]}"#
        _ = try turn("create a notes table", [think(toolStep([("create_table", create)])), textStep("Created public.notes.")],
                     answer: "Created public.notes.", tool: "create_table")
        #expect(try harness.relationExists("public.notes"), "create_table made the table")

        let paused = try turn("drop it", [think(toolStep([("drop_table", #"{"table":"notes"}"#)]))], answer: nil, tool: "drop_table")
        #expect(paused["status"] as? String == "requires_action")
        let actionId = try #require((paused["pendingAction"] as? [String: Any])?["id"] as? String, "\(paused)")
        #expect(try harness.relationExists("public.notes"))
        try harness.provider.script([textStep("notes is in the trash.")])
        let approved = try harness.chat(["approve": .string(actionId), "threadId": .string(threadId ?? "")])
        try #require(approved.status == 200, "\(approved.text)\n\(harness.logs)")
        #expect(approved.json["status"] as? String == "completed")
        #expect(approved.json["response"] as? String == "notes is in the trash.")
        #expect(approved.toolCalls.first?["success"] as? Bool == true, "\(approved.text)")
        #expect(try !harness.relationExists("public.notes"))
        #expect(try harness.trashedCopies(of: "notes").count == 1)

        _ = try turn("restore it", [think(toolStep([("restore_table", #"{"table":"notes"}"#)])), textStep("notes is back.")],
                     answer: "notes is back.", tool: "restore_table")
        #expect(try harness.relationExists("public.notes"))

        // What the model was sent: every call answered, the whole history each time.
        let bodies = try harness.modelRequestBodies()
        #expect(bodies.count == 12, "two model calls per turn")
        #expect(harness.providerStatuses() == Array(repeating: 200, count: bodies.count),
                "the provider refused nothing: \(harness.providerStatuses())\n\(harness.provider.log)")
        let last = bodies.last ?? ""
        for earlier in ["what tables are there?", "You have customer, orders and invoice.", "how many orders per customer?",
                        "list_tables", "create_table", "drop_table", "trashedAs"] {
            #expect(last.contains(earlier), "the last request still carries \(earlier)")
        }
        if style == "responses" {
            #expect(last.contains("\"reasoning\""), "reasoning items are sent back")
        }

        // What was stored: four steps per turn, each tool result a success.
        let messages = try harness.messages()
        let roles = messages.map { $0["role"] as? String ?? "" }
        #expect(roles == Array([[String]](repeating: ["user", "assistant", "tool", "assistant"], count: 6).joined()), "\(roles)")
        let called = messages.compactMap { ($0["toolCalls"] as? [[String: Any]])?.first?["name"] as? String }
        #expect(called == ["list_tables", "get_schema", "run_sql", "create_table", "drop_table", "restore_table"])
        let results = messages.compactMap { $0["toolResult"] as? [String: Any] }
        #expect(results.count == 6)
        #expect(results.allSatisfy { $0["success"] as? Bool == true }, "\(results)")
        let rows = results.count > 2 ? results[2]["rows"] as? [[String: Any]] ?? [] : []
        #expect(rows.map { "\($0["customer_id"] ?? "")=\($0["orders"] ?? "")" } == ["1=2", "2=1"], "\(rows)")
    }

    @Test("with Pagila: get_schema on film and a monthly rental count return the real data",
          .enabled(if: pagilaAvailable))
    func pagila() throws {
        let url = try #require(try FixtureDatabase.pagila())
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([toolStep([("get_schema", #"{"table":"film","schema":"public"}"#)]),
                                     textStep("film has a title and a rating."),
                                     toolStep([("run_sql", #"{"query":"SELECT date_trunc('month', rental_date) AS month, count(*) FROM rental GROUP BY 1 ORDER BY 1"}"#)]),
                                     textStep("Rentals per month are listed above.")])
        let described = try harness.chat(["message": .string("describe film"), "connectionString": .string(url)])
        try #require(described.status == 200, "\(described.text)\n\(harness.logs)")
        let threadId = described.json["threadId"] as? String ?? ""
        let counted = try harness.chat(["message": .string("how many rentals per month?"), "threadId": .string(threadId),
                                        "connectionString": .string(url)])
        try #require(counted.status == 200, "\(counted.text)\n\(harness.logs)")
        #expect(counted.toolCalls.first?["success"] as? Bool == true, "\(counted.text)")

        let results = try harness.messages().compactMap { $0["toolResult"] as? [String: Any] }
        try #require(results.count == 2)
        let columns = (results[0]["columns"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
        for column in ["film_id", "title", "release_year", "rating"] {
            #expect(columns.contains(column), "film has \(column): \(columns)")
        }
        let rows = results[1]["rows"] as? [[String: Any]] ?? []
        #expect(!rows.isEmpty)
        let total = rows.reduce(0) { $0 + (Int("\($1["count"] ?? "")") ?? 0) }
        let connection = try PostgresConnection(connectionString: url)
        let expected = try connection.query("SELECT count(*) FROM rental").string(0, 0).flatMap { Int($0) }
        #expect(total == expected, "the monthly counts add up to every rental: \(rows)")
        #expect(rows.allSatisfy { $0["month"] is String }, "\(rows)")
    }

    @Test("the user's message is kept when the model refuses the request, and the thread goes on")
    func providerFailureKeepsMessage() throws {
        let harness = try ChatHarness()
        defer { harness.stop() }
        try harness.provider.script([.object(["error": .object(["status": .number(400)])])])
        let failed = try harness.say("remember this question")
        #expect(failed.status == 502)
        #expect(failed.errorCode == "provider_rejected", "\(failed.text)")
        #expect(failed.isJSONError)
        #expect(try harness.provider.requests().count == 1, "a 400 is not retried")
        let stored = try harness.messages()
        #expect(stored.map { $0["role"] as? String } == ["user"])
        #expect(stored.first?["content"] as? String == "remember this question")

        try harness.provider.script([textStep("Now I can answer.")])
        let next = try harness.say("try again")
        #expect(next.status == 200, "the failed run does not block the thread: \(next.text)")
        #expect(try harness.modelRequestBodies().last?.contains("remember this question") == true)
    }
}
