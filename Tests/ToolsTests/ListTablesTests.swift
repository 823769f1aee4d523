import Foundation
import JSON
import Postgres
import QueryTools
import SchemaTools
import TestSupport
import Testing
import ToolsCore
import TrashTools

@Suite("list_tables")
struct ListTablesTests {
    private func list(_ arguments: [String: JSONValue] = [:], url: String,
                      settings: ToolSettings = ToolSettings()) -> ToolResult {
        ListTablesTool().execute(.object(arguments), context: CatalogTestSupport.context(url, settings: settings))
    }

    @Test("every kind of relation is listed with its kind, and nothing else")
    func everyKind() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let data = try CatalogTestSupport.data(list(url: url))
        let tables = CatalogTestSupport.tablesByName(data)
        #expect(tables["public.customer"]?["kind"] == .string("table"))
        #expect(tables["public.orders"]?["kind"] == .string("table"))
        #expect(tables["sales.payment"]?["kind"] == .string("partitioned_table"))
        #expect(tables["public.customer_orders"]?["kind"] == .string("view"))
        #expect(tables["sales.daily_revenue"]?["kind"] == .string("materialized_view"))
        #expect(tables["public.Audit Log.v2"]?["kind"] == .string("table"))
        for year in ["2024", "2025", "default"] {
            let partition = try #require(tables["sales.payment_\(year)"])
            #expect(partition["kind"] == .string("table"))
            #expect(partition["partitionOf"] == .object(["schema": .string("sales"), "name": .string("payment")]))
        }
        #expect(tables["public.orders"]?["partitionOf"] == nil)
        let hasForeignTable = try PostgresConnection(connectionString: url)
            .query("SELECT 1 FROM pg_class WHERE relname = 'imported_rows'").count == 1
        if hasForeignTable {
            #expect(tables["public.imported_rows"]?["kind"] == .string("foreign_table"))
        }
        // No indexes, sequences or TOAST tables.
        #expect(tables["public.orders_pkey"] == nil)
        #expect(tables["sales.product_id_seq"] == nil)
        #expect(!tables.keys.contains { $0.hasPrefix("pg_toast") })
        #expect(data["total"]?.intValue == tables.count)
        #expect(data["nextCursor"] == nil)

        // Names in (schema, name) order, byte-wise.
        let order = data["tables"]?.arrayValue?.map { [$0["schema"]?.stringValue ?? "", $0["name"]?.stringValue ?? ""] } ?? []
        #expect(order == order.sorted { ($0[0].utf8.lexicographicallyPrecedes($1[0].utf8)) || ($0[0] == $1[0] && $0[1].utf8.lexicographicallyPrecedes($1[1].utf8)) })
    }

    @Test("each item carries row estimates, size, RLS and comment, leaving out what is unknown")
    func itemFields() throws {
        let data = try CatalogTestSupport.data(list(url: try CatalogTestSupport.sharedFixtureURL()))
        let tables = CatalogTestSupport.tablesByName(data)
        let customer = try #require(tables["public.customer"])
        #expect(customer["estimatedRows"]?.intValue == 3)
        #expect((customer["sizeBytes"]?.intValue ?? 0) > 0)
        #expect(customer["rls"] == .bool(true))
        #expect(customer["comment"] == .string("People who buy from the shop."))
        let invoice = try #require(tables["sales.invoice"])
        #expect(invoice["rls"] == .bool(false))
        #expect(invoice["comment"] == nil)
        #expect(invoice["estimatedRows"] == nil)  // never analyzed
        let view = try #require(tables["public.customer_orders"])
        #expect(view["sizeBytes"] == nil)
        #expect(view["estimatedRows"] == nil)
        #expect(view["comment"] == .string("Orders and spending per customer."))
        // A partitioned table adds up its partitions.
        let payment = try #require(tables["sales.payment"])
        #expect(payment["estimatedRows"]?.intValue == 2)
        #expect((payment["sizeBytes"]?.intValue ?? 0) > 0)
    }

    @Test("system and platform schemas are hidden unless named or asked for")
    func hiddenSchemas() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let plain = try CatalogTestSupport.data(list(url: url))
        let schemas = Set(CatalogTestSupport.tablesByName(plain).values.compactMap { $0["schema"]?.stringValue })
        #expect(schemas == ["public", "sales"])
        #expect(plain["hiddenSchemas"] == .array([.string("auth")]))

        let auth = try CatalogTestSupport.data(list(["schema": .string("auth")], url: url))
        #expect(CatalogTestSupport.tablesByName(auth).keys.sorted() == ["auth.users"])
        #expect(auth["hiddenSchemas"] == nil)

        let catalog = try CatalogTestSupport.data(list(["schema": .string("pg_catalog"), "limit": .number(1000)], url: url))
        #expect(CatalogTestSupport.tablesByName(catalog)["pg_catalog.pg_class"]?["kind"] == .string("table"))

        let everything = try CatalogTestSupport.data(list(["includeSystem": .bool(true), "limit": .number(1000)], url: url))
        let all = CatalogTestSupport.tablesByName(everything)
        #expect(all["auth.users"] != nil)
        #expect(all["pg_catalog.pg_class"] != nil)
        #expect(all["information_schema.tables"]?["kind"] == .string("view"))
        #expect(all["public.orders"] != nil)
    }

    @Test("includeViews false leaves out views and materialized views")
    func withoutViews() throws {
        let data = try CatalogTestSupport.data(list(["includeViews": .bool(false)], url: try CatalogTestSupport.sharedFixtureURL()))
        let kinds = Set(CatalogTestSupport.tablesByName(data).values.compactMap { $0["kind"]?.stringValue })
        #expect(!kinds.contains("view"))
        #expect(!kinds.contains("materialized_view"))
        #expect(kinds.contains("table"))
        #expect(kinds.contains("partitioned_table"))
    }

    @Test("a schema that does not exist is relation_not_found")
    func unknownSchema() throws {
        let error = try CatalogTestSupport.error(list(["schema": .string("nope")], url: try CatalogTestSupport.sharedFixtureURL()))
        #expect(error.code == .relationNotFound)
        #expect(error.message.contains("'nope'"))
    }

    @Test("paging with the cursor visits every relation exactly once, in order")
    func paging() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let everything = try CatalogTestSupport.data(list(url: url))
        let expected = everything["tables"]?.arrayValue ?? []
        var seen: [JSONValue] = []
        var cursor: JSONValue = .null
        var pages = 0
        repeat {
            let page = try CatalogTestSupport.data(list(["limit": .number(3), "cursor": cursor], url: url))
            let items = page["tables"]?.arrayValue ?? []
            #expect(items.count <= 3)
            #expect(page["total"]?.intValue == expected.count)
            seen += items
            cursor = page["nextCursor"] ?? .null
            if cursor != .null { #expect(page["remaining"]?.intValue == expected.count - seen.count) }
            pages += 1
        } while cursor != .null && pages < 100
        #expect(seen == expected)
        #expect(pages == (expected.count + 2) / 3)
    }

    @Test("bad arguments are invalid_arguments naming the field")
    func badArguments() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let cases: [([String: JSONValue], String)] = [
            (["limt": .number(5)], "'limt'"),
            (["limit": .string("ten")], "'limit'"),
            (["limit": .number(0)], "'limit'"),
            (["limit": .number(1001)], "'limit'"),
            (["includeViews": .string("yes")], "'includeViews'"),
            (["cursor": .string("not a cursor!")], "'cursor'"),
            (["schema": .number(1)], "'schema'"),
        ]
        for (arguments, field) in cases {
            let error = try CatalogTestSupport.error(list(arguments, url: url))
            #expect(error.code == .invalidArguments, "\(arguments)")
            #expect(error.message.contains(field), "\(error.message)")
        }
        // null means absent for optional arguments.
        _ = try CatalogTestSupport.data(list(["schema": .null, "limit": .null, "cursor": .null], url: url))
    }

    @Test("answers are cached until the cache is invalidated")
    func cached() throws {
        let url = try FixtureDatabase.create(prefix: "catalogcache")
        let context = CatalogTestSupport.context(url)
        let first = try CatalogTestSupport.data(ListTablesTool().execute(.object([:]), context: context))
        try PostgresConnection(connectionString: url).execute("CREATE TABLE public.added_later (id int)")
        let second = try CatalogTestSupport.data(ListTablesTool().execute(.object([:]), context: context))
        #expect(second == first)
        context.database?.invalidateCache()
        let third = try CatalogTestSupport.data(ListTablesTool().execute(.object([:]), context: context))
        #expect(CatalogTestSupport.tablesByName(third)["public.added_later"] != nil)
    }

    @Test("2,000 tables: one page stays within the output budget, says what it left out, and paging reaches them all")
    func manyTables() throws {
        let url = try FixtureDatabase.create(prefix: "catalogmany")
        let connection = try PostgresConnection(connectionString: url)
        try connection.execute("CREATE SCHEMA bulk")
        for batch in 0..<4 {
            try connection.execute("""
                DO $$ BEGIN
                  FOR i IN \(batch * 500 + 1)..\(batch * 500 + 500) LOOP
                    EXECUTE format('CREATE TABLE bulk.%I (id int, label text)', 'table_' || lpad(i::text, 4, '0'));
                  END LOOP;
                END $$;
                """)
        }
        try connection.execute("COMMENT ON TABLE bulk.table_0001 IS 'The first of many.'")
        let settings = ToolSettings()
        let context = CatalogTestSupport.context(url, settings: settings)
        let registry = ToolRegistry(tools: [ListTablesTool(), GetSchemaTool()])

        let started = ContinuousClock.now
        let first = registry.run("list_tables", arguments: #"{"limit": 1000}"#, context: context)
        let elapsed = ContinuousClock.now - started
        #expect(first.rendered.utf8.count <= settings.outputBudgetBytes)
        #expect(elapsed < .seconds(10), "list_tables took \(elapsed)")
        let page = try #require(try JSONValue.parse(first.rendered).objectValue)
        #expect(page["success"] == .bool(true))
        #expect(page["truncated"] == .bool(true))
        let shown = page["tables"]?.arrayValue?.count ?? 0
        #expect(shown > 50)
        #expect(page["omitted"]?.intValue == 1000 - shown)
        let fixtureCount = try CatalogTestSupport.data(list(url: try CatalogTestSupport.sharedFixtureURL()))["total"]?.intValue
        #expect(page["total"]?.intValue == 2000 + (fixtureCount ?? 0))
        #expect(page["nextCursor"]?.stringValue != nil)

        // Page through everything through the registry, each page within the budget.
        var seen: [String: Int] = [:]
        var cursor = page["nextCursor"]?.stringValue
        for item in page["tables"]?.arrayValue ?? [] { seen["\(item["schema"]!.stringValue!).\(item["name"]!.stringValue!)", default: 0] += 1 }
        var pages = 1
        while let next = cursor, pages < 200 {
            let arguments = JSONValue.object(["limit": .number(1000), "cursor": .string(next)]).serialized()
            let output = registry.run("list_tables", arguments: arguments, context: context)
            #expect(output.rendered.utf8.count <= settings.outputBudgetBytes)
            let object = try #require(try JSONValue.parse(output.rendered).objectValue)
            for item in object["tables"]?.arrayValue ?? [] {
                seen["\(item["schema"]!.stringValue!).\(item["name"]!.stringValue!)", default: 0] += 1
            }
            cursor = object["nextCursor"]?.stringValue
            pages += 1
        }
        #expect(seen.count == page["total"]?.intValue)
        #expect(seen.values.allSatisfy { $0 == 1 })
        #expect((1...2000).allSatisfy { seen["bulk.table_\(String(repeating: "0", count: 4 - String($0).count))\($0)"] == 1 })

        // A small page of one schema needs no cut.
        let small = try CatalogTestSupport.data(ListTablesTool().execute(
            .object(["schema": .string("bulk"), "limit": .number(10)]), context: context))
        #expect(small["truncated"] == nil)
        #expect(small["tables"]?.arrayValue?.first?["comment"] == .string("The first of many."))
        #expect(small["remaining"]?.intValue == 1990)
    }

    @Test("a table locked by someone else does not hold up the listing: sizes become estimates")
    func lockedTable() throws {
        let url = try FixtureDatabase.create(prefix: "catalognolock")
        let migration = try PostgresConnection(connectionString: url)
        try migration.execute("BEGIN; LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE")
        defer { try? migration.execute("ROLLBACK") }
        let started = ContinuousClock.now
        let data = try CatalogTestSupport.data(list(url: url))
        #expect(ContinuousClock.now - started < .seconds(2))
        #expect(data["sizesEstimated"] == .bool(true))
        let tables = CatalogTestSupport.tablesByName(data)
        #expect(tables["public.orders"] != nil)
        #expect(tables["public.customer"]?["estimatedRows"]?.intValue == 3)
        // After ANALYZE the page counts are known, so estimated sizes are not zero.
        #expect((tables["public.customer"]?["sizeBytes"]?.intValue ?? 0) > 0)
    }

    @Test("an unreachable database is db_unreachable, without hanging")
    func unreachable() throws {
        let started = ContinuousClock.now
        let error = try CatalogTestSupport.error(list(url: try CatalogTestSupport.unreachableURL()))
        #expect(error.code == .dbUnreachable)
        #expect(ContinuousClock.now - started < .seconds(10))
    }

    @Test("without a database connection the tool says it is not configured")
    func noDatabase() throws {
        let context = ToolContext(settings: ToolSettings(), database: nil, userId: "u")
        let error = try CatalogTestSupport.error(ListTablesTool().execute(.object([:]), context: context))
        #expect(error.code == .notConfigured)
    }
}
