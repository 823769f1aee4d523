import ChatEngine
import Foundation
import Operations
import Policies
import Store
import TestSupport
import Testing

@Suite("Thread store on SQLite and PostgreSQL")
struct ThreadStoreTests {
    @Test("a user's current thread is created once and then returned as it is", arguments: [StoreKind.sqlite, .postgres])
    func currentThread(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        #expect(try store.currentThread(userId: "alice") == nil)
        let created = try store.currentOrNewThread(userId: "alice", projectRef: "proj1")
        #expect(created.id.hasPrefix("thread_"))
        #expect(created.projectRef == "proj1")
        #expect(try store.currentOrNewThread(userId: "alice", projectRef: nil) == created)
        #expect(try store.currentThread(userId: "alice") == created)
        #expect(try store.currentOrNewThread(userId: "bob", projectRef: nil).id != created.id)
    }

    @Test("deleting retires the thread and the next request starts a new one; deleting nothing is fine",
          arguments: [StoreKind.sqlite, .postgres])
    func deleteThread(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        #expect(try store.deleteCurrentThread(userId: "carol") == nil)
        let first = try store.currentOrNewThread(userId: "carol", projectRef: nil)
        _ = try store.appendMessage(threadId: first.id, NewMessage(role: "user", content: "hello"))
        #expect(try store.deleteCurrentThread(userId: "carol")?.id == first.id)
        #expect(try store.currentThread(userId: "carol") == nil)
        let second = try store.currentOrNewThread(userId: "carol", projectRef: nil)
        #expect(second.id != first.id)
        #expect(second.messageCount == 0)
        // The retired thread's messages are kept.
        #expect(try store.messages(threadId: first.id, limit: 10, before: nil).messages.map(\.content) == ["hello"])
    }

    @Test("many connections racing to create a user's thread all get the same one", arguments: [StoreKind.sqlite, .postgres])
    func raceOnCreate(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        try fixture.open().migrate()
        let ids = try concurrently(12) { _ in try fixture.open().currentOrNewThread(userId: "racer", projectRef: nil).id }
        #expect(Set(ids).count == 1)
    }

    @Test("messages get consecutive positions and page backwards with limit and before", arguments: [StoreKind.sqlite, .postgres])
    func messagePaging(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let thread = try store.currentOrNewThread(userId: "dave", projectRef: nil)
        for index in 1...7 {
            let message = try store.appendMessage(threadId: thread.id, NewMessage(role: index % 2 == 1 ? "user" : "assistant",
                                                                               content: "m\(index)"))
            #expect(message.seq == Int64(index))
        }
        #expect(try store.currentThread(userId: "dave")?.messageCount == 7)
        let newest = try store.messages(threadId: thread.id, limit: 3, before: nil)
        #expect(newest.messages.map(\.content) == ["m5", "m6", "m7"])
        #expect(newest.hasMore)
        let older = try store.messages(threadId: thread.id, limit: 3, before: 5)
        #expect(older.messages.map(\.content) == ["m2", "m3", "m4"])
        let oldest = try store.messages(threadId: thread.id, limit: 3, before: 2)
        #expect(oldest.messages.map(\.content) == ["m1"])
        #expect(!oldest.hasMore)
    }

    @Test("concurrent appends to one thread lose nothing and never share a position", arguments: [StoreKind.sqlite, .postgres])
    func concurrentAppends(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        let thread = try fixture.open().currentOrNewThread(userId: "erin", projectRef: nil)
        _ = try concurrently(6) { worker in
            let store = try fixture.open()
            for index in 0..<5 { _ = try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "\(worker)-\(index)")) }
        }
        let page = try fixture.open().messages(threadId: thread.id, limit: 100, before: nil)
        #expect(page.messages.count == 30)
        #expect(page.messages.map(\.seq) == Array(1...30))
        #expect(Set(page.messages.compactMap(\.content)).count == 30)
    }

    @Test("appending to a deleted thread is refused with not_found", arguments: [StoreKind.sqlite, .postgres])
    func appendToDeleted(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let thread = try store.currentOrNewThread(userId: "frank", projectRef: nil)
        _ = try store.deleteCurrentThread(userId: "frank")
        #expect(throws: StoreError.self) { try store.appendMessage(threadId: thread.id, NewMessage(role: "user", content: "x")) }
    }

    @Test("setup creates the definition once, versions real changes and ignores repeats", arguments: [StoreKind.sqlite, .postgres])
    func assistantDefinition(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let store = try fixture.open()
        let defaults = AssistantDefaults(name: "A", model: "m1", instructions: "be brief", tools: ["list_tables"])
        #expect(try store.assistant() == nil)
        let first = try store.saveAssistant(AssistantUpdate(), defaults: defaults)
        #expect(first.created)
        #expect(first.assistant.version == 1)
        #expect(first.assistant.tools == ["list_tables"])
        let same = try store.saveAssistant(AssistantUpdate(model: "m1"), defaults: defaults)
        #expect(!same.created)
        #expect(same.assistant.version == 1)
        let changed = try store.saveAssistant(AssistantUpdate(model: "m2"), defaults: defaults)
        #expect(changed.assistant.id == first.assistant.id)
        #expect(changed.assistant.version == 2)
        #expect(changed.assistant.instructions == "be brief")
        #expect(try store.assistant()?.model == "m2")
    }

    @Test("workers migrating at the same time apply each migration exactly once", arguments: [StoreKind.sqlite, .postgres])
    func concurrentMigrations(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        _ = try concurrently(8) { _ in try fixture.open().migrate() }
        let store = try fixture.open()
        try store.migrate()
        #expect(try Migrator().currentVersion(SQLiteOrPostgres.database(fixture)) == Migration.all.last?.version)
        #expect(try SQLiteOrPostgres.database(fixture).rows("SELECT COUNT(*) FROM schema_migrations", []).first?.first?.integer
                == Int64(Migration.all.count))
    }
}

/// Opens the raw database behind a fixture, for checks below the store's API.
enum SQLiteOrPostgres {
    static func database(_ fixture: StoreFixture) throws -> any SQLDatabase {
        switch fixture.location {
        case .sqlite(let path): try SQLiteDatabase(path: path)
        case .postgres(let url): PostgresDatabase(connectionString: url)
        }
    }
}
