import Assistant
import Foundation
import JSON
import Testing
import TestSupport
import Tools

@Suite("Pending actions in the thread store on SQLite and PostgreSQL")
struct PendingActionStoreTests {
    private func action(_ id: String = "act_\(UInt32.random(in: 0...UInt32.max))", user: String = "alice",
                        expiresAt: Int64 = Clock.nowMilliseconds() + 60_000) -> PendingAction {
        PendingAction(id: id, userId: user, tool: "drop_table", arguments: #"{"schema":"public","table":"t"}"#,
                      impact: .object(["estimatedRows": .number(3), "dependents": .array([])]), expiresAt: expiresAt)
    }

    private func consume(_ store: SQLThreadStore, _ action: PendingAction, user: String? = nil, tool: String? = nil,
                         arguments: String? = nil, now: Int64 = Clock.nowMilliseconds()) throws -> PendingAction? {
        try store.consumePendingAction(id: action.id, userId: user ?? action.userId, tool: tool ?? action.tool,
                                       arguments: arguments ?? action.arguments, nowMilliseconds: now)
    }

    @Test("a saved action is consumed once, exactly as saved", arguments: [StoreKind.sqlite, .postgres])
    func consumeOnce(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let saved = action()
        try store.savePendingAction(saved)
        #expect(try consume(store, saved) == saved)
        #expect(try consume(store, saved) == nil)
        // Another connection (another worker) sees it used too.
        #expect(try consume(fixture.open(), saved) == nil)
    }

    @Test("another user, tool or arguments do not match, and do not use the action up", arguments: [StoreKind.sqlite, .postgres])
    func mismatch(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let saved = action()
        try store.savePendingAction(saved)
        #expect(try consume(store, saved, user: "mallory") == nil)
        #expect(try consume(store, saved, tool: "create_table") == nil)
        #expect(try consume(store, saved, arguments: #"{"schema":"public","table":"u"}"#) == nil)
        #expect(try store.consumePendingAction(id: "act_unknown", userId: "alice", tool: "drop_table",
                                               arguments: saved.arguments, nowMilliseconds: Clock.nowMilliseconds()) == nil)
        #expect(try consume(store, saved) == saved)
    }

    @Test("an expired action cannot be consumed", arguments: [StoreKind.sqlite, .postgres])
    func expiry(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let now = Clock.nowMilliseconds()
        let saved = action(expiresAt: now + 1_000)
        try store.savePendingAction(saved)
        #expect(try consume(store, saved, now: now + 1_000) == nil)
        #expect(try consume(store, saved, now: now + 5_000) == nil)
        // Still unexpired a moment earlier: expiry, not use, was what refused it.
        #expect(try consume(store, saved, now: now + 999) == saved)
    }

    @Test("many workers consuming the same action at once: exactly one wins", arguments: [StoreKind.sqlite, .postgres])
    func raceToConsume(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        try fixture.open().migrate()
        for _ in 0..<3 {
            let saved = action()
            try fixture.open().savePendingAction(saved)
            let stores = try (0..<8).map { _ in try fixture.open() }
            let box = StoreBox(stores)
            let winners = try concurrently(8) { index in
                try box.stores[index].consumePendingAction(id: saved.id, userId: saved.userId, tool: saved.tool,
                                                           arguments: saved.arguments, nowMilliseconds: Clock.nowMilliseconds()) != nil
            }
            #expect(winners.filter { $0 }.count == 1)
        }
    }
}

/// Hands one store connection to each racing thread (each is used by its thread only).
private final class StoreBox: @unchecked Sendable {
    let stores: [SQLThreadStore]
    init(_ stores: [SQLThreadStore]) { self.stores = stores }
}
