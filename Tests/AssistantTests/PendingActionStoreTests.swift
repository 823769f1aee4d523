import ChatEngine
import Foundation
import JSON
import Operations
import Platform
import Policies
import Store
import TestSupport
import Testing
import ToolsCore

@Suite("Pending actions in the thread store on SQLite and PostgreSQL")
struct PendingActionStoreTests {
    private func action(_ id: String = "act_\(UInt32.random(in: 0...UInt32.max))", user: String = "alice",
                        expiresAt: Int64 = WallClock.nowMilliseconds() + 60_000) -> PendingAction {
        PendingAction(id: id, userId: user, tool: "drop_table", arguments: #"{"schema":"public","table":"t"}"#,
                      impact: .object(["estimatedRows": .number(3), "dependents": .array([])]), expiresAt: expiresAt)
    }

    /// The target the tests' actions are asked for: project `shop` on one database.
    private static let target = PendingActionTarget(projectRef: "shop", database: access("host=db.internal port=5432 dbname=shop user=app"))

    private static func access(_ connectionString: String) -> DatabaseAccess {
        DatabaseAccess(connectionString: connectionString, pool: ConnectionPool(), settings: ToolSettings(), cache: SchemaCache())
    }

    private func consume(_ store: SQLThreadStore, _ action: PendingAction, user: String? = nil, tool: String? = nil,
                         arguments: String? = nil, target: PendingActionTarget = Self.target,
                         now: Int64 = WallClock.nowMilliseconds()) throws -> PendingAction? {
        try StoreApprovals(store).consumePendingAction(id: action.id, userId: user ?? action.userId, tool: tool ?? action.tool,
                                       arguments: arguments ?? action.arguments, target: target, nowMilliseconds: now)
    }

    @Test("a saved action is consumed once, exactly as saved", arguments: [StoreKind.sqlite, .postgres])
    func consumeOnce(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let saved = action()
        try StoreApprovals(store).savePendingAction(saved, target: Self.target)
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
        try StoreApprovals(store).savePendingAction(saved, target: Self.target)
        #expect(try consume(store, saved, user: "mallory") == nil)
        #expect(try consume(store, saved, tool: "create_table") == nil)
        #expect(try consume(store, saved, arguments: #"{"schema":"public","table":"u"}"#) == nil)
        #expect(try StoreApprovals(store).consumePendingAction(id: "act_unknown", userId: "alice", tool: "drop_table",
                                               arguments: saved.arguments, target: Self.target,
                                               nowMilliseconds: WallClock.nowMilliseconds()) == nil)
        #expect(try consume(store, saved) == saved)
    }

    @Test("another database or project does not match and does not use the action up; the store keeps only a digest",
          arguments: [StoreKind.sqlite, .postgres])
    func otherTarget(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let saved = action()
        try StoreApprovals(store).savePendingAction(saved, target: Self.target)
        let others = [
            PendingActionTarget(projectRef: "shop", database: Self.access("host=db.internal port=5432 dbname=shop_copy user=app")),
            PendingActionTarget(projectRef: "shop", database: Self.access("host=db2.internal port=5432 dbname=shop user=app")),
            PendingActionTarget(projectRef: "shop", database: Self.access("host=db.internal port=6543 dbname=shop user=app")),
            PendingActionTarget(projectRef: "shop", database: Self.access("host=db.internal port=5432 dbname=shop user=admin")),
            PendingActionTarget(projectRef: "shop", database: Self.access("host=db.internal hostaddr=10.0.0.9 dbname=shop user=app")),
            PendingActionTarget(projectRef: "other", database: Self.access("host=db.internal port=5432 dbname=shop user=app")),
            PendingActionTarget(projectRef: "shop", database: nil),
        ]
        #expect(Set(others + [Self.target]).count == others.count + 1, "each target has its own digest")
        for other in others {
            #expect(try consume(store, saved, target: other) == nil, "\(other)")
        }
        #expect(try store.pendingActionTarget(id: saved.id) == Self.target.key)
        #expect(try store.pendingActionTarget(id: "act_unknown") == nil)
        // The same database reached with another password, TLS mode or spelling of its defaults is the same target.
        let same = PendingActionTarget(projectRef: "shop", database: Self.access(
            "postgresql://app:other-secret@db.internal/shop?sslmode=require&application_name=x"))
        #expect(same == Self.target)
        #expect(try consume(store, saved, target: same) == saved)
        #expect(Self.target.key.count == 64 && Self.target.key.allSatisfy(\.isHexDigit), "a SHA-256 digest in hex")
    }

    @Test("an expired action cannot be consumed", arguments: [StoreKind.sqlite, .postgres])
    func expiry(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let now = WallClock.nowMilliseconds()
        let saved = action(expiresAt: now + 1_000)
        try StoreApprovals(store).savePendingAction(saved, target: Self.target)
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
            try StoreApprovals(try fixture.open()).savePendingAction(saved, target: Self.target)
            let stores = try (0..<8).map { _ in try fixture.open() }
            let box = StoreBox(stores)
            let winners = try concurrently(8) { index in
                try box.stores[index].consumePendingAction(id: saved.id, userId: saved.userId, tool: saved.tool,
                                                           arguments: saved.arguments, target: Self.target.key,
                                                           nowMilliseconds: WallClock.nowMilliseconds()) != nil
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
