import Foundation
import JSON
import Postgres
import QueryTools
import SchemaTools
import TestSupport
import Testing
import ToolsCore
import TrashTools

@Suite("get_schema")
struct GetSchemaTests {
    private func describe(_ arguments: [String: JSONValue], url: String) -> ToolResult {
        GetSchemaTool().execute(.object(arguments), context: CatalogTestSupport.context(url))
    }

    private func describe(_ table: String, schema: String? = nil) throws -> [String: JSONValue] {
        var arguments: [String: JSONValue] = ["table": .string(table)]
        if let schema { arguments["schema"] = .string(schema) }
        return try CatalogTestSupport.data(describe(arguments, url: try CatalogTestSupport.sharedFixtureURL()))
    }

    @Test("a rich table: columns with types, defaults, identity, generated expressions, enum values and comments")
    func columns() throws {
        let orders = try describe("orders")
        #expect(orders["schema"] == .string("public"))
        #expect(orders["name"] == .string("orders"))
        #expect(orders["kind"] == .string("table"))
        #expect(orders["comment"] == .string("One order per checkout."))
        #expect(orders["estimatedRows"]?.intValue == 3)
        let columns = try #require(orders["columns"]?.arrayValue)
        #expect(columns.compactMap { $0["name"]?.stringValue } == [
            "id", "customer_id", "order_number", "status", "quantity", "unit_price", "total", "notes", "placed_at", "updated_at",
        ])
        #expect(columns[0] == .object(["name": .string("id"), "type": .string("integer"), "nullable": .bool(false),
                                       "identity": .string("by default")]))
        let status = columns[3]
        #expect(status["type"] == .string("order_status"))
        #expect(status["default"] == .string("'pending'::order_status"))
        #expect(status["enumValues"] == .array(["pending", "paid", "shipped", "cancelled"].map(JSONValue.string)))
        #expect(columns[4]["default"] == .string("1"))
        #expect(columns[5]["type"] == .string("numeric(10,2)"))
        let total = columns[6]
        #expect(total["generated"]?.stringValue?.contains("unit_price") == true)
        #expect(total["default"] == nil)
        #expect(total["comment"] == .string("quantity × unit_price, kept by the database."))
        #expect(columns[7]["nullable"] == .bool(true))
        #expect(columns[8]["type"] == .string("timestamp with time zone"))
        #expect(columns[8]["default"] == .string("now()"))

        let customer = try describe("customer")
        let customerColumns = try #require(customer["columns"]?.arrayValue)
        #expect(CatalogTestSupport.named("id", in: customer["columns"])?["identity"] == .string("always"))
        #expect(CatalogTestSupport.named("email", in: customer["columns"])?["type"] == .string("email_address"))
        #expect(CatalogTestSupport.named("email", in: customer["columns"])?["domainOf"] == .string("text"))
        #expect(CatalogTestSupport.named("full_name", in: customer["columns"])?["generated"]?.stringValue?.contains("first_name") == true)
        #expect(customerColumns.count == 9)
    }

    @Test("keys and constraints: primary key, unique, check, and foreign keys in both directions")
    func constraints() throws {
        let orders = try describe("orders")
        #expect(orders["primaryKey"] == .object(["name": .string("orders_pkey"), "columns": .array([.string("id")])]))
        #expect(orders["uniqueConstraints"] == .array([.object(["name": .string("orders_order_number_key"),
                                                                 "columns": .array([.string("order_number")])])]))
        #expect(orders["checkConstraints"] == .array([.object(["name": .string("orders_quantity_check"),
                                                                "definition": .string("CHECK (quantity > 0)")])]))
        #expect(orders["foreignKeys"] == .array([.object([
            "name": .string("orders_customer_id_fkey"),
            "columns": .array([.string("customer_id")]),
            "references": .object(["schema": .string("public"), "table": .string("customer"), "columns": .array([.string("id")])]),
            "onDelete": .string("CASCADE"),
            "onUpdate": .string("NO ACTION"),
        ])]))
        let incoming = try #require(orders["referencedBy"]?.arrayValue)
        // The partitioned payment table appears once, not once per partition.
        #expect(incoming.compactMap { $0["from"]?["table"]?.stringValue } == ["invoice", "order_items", "payment"])
        let items = try #require(CatalogTestSupport.named("order_items_order_id_fkey", in: orders["referencedBy"]))
        #expect(items["from"] == .object(["schema": .string("sales"), "table": .string("order_items"), "columns": .array([.string("order_id")])]))
        #expect(items["columns"] == .array([.string("id")]))
        #expect(items["onDelete"] == .string("CASCADE"))
        #expect(items["onUpdate"] == .string("CASCADE"))

        let lines = try describe("order_items")
        #expect(lines["primaryKey"]?["columns"] == .array([.string("order_id"), .string("line_no")]))
        #expect(CatalogTestSupport.named("order_items_product_id_fkey", in: lines["foreignKeys"])?["onDelete"] == .string("RESTRICT"))

        // A self-reference shows on both sides; a key into a platform schema is shown as is.
        let customer = try describe("customer")
        #expect(CatalogTestSupport.named("customer_referred_by_fkey", in: customer["foreignKeys"]) != nil)
        #expect(CatalogTestSupport.named("customer_referred_by_fkey", in: customer["referencedBy"]) != nil)
        #expect(CatalogTestSupport.named("customer_user_id_fkey", in: customer["foreignKeys"])?["references"]?["schema"] == .string("auth"))
    }

    @Test("indexes, row level security with its policies, and triggers")
    func indexesPoliciesTriggers() throws {
        let orders = try describe("orders")
        let indexes = orders["indexes"]
        #expect(indexes?.arrayValue?.count == 5)
        let primary = try #require(CatalogTestSupport.named("orders_pkey", in: indexes))
        #expect(primary["primary"] == .bool(true))
        #expect(primary["unique"] == .bool(true))
        let partial = try #require(CatalogTestSupport.named("orders_open_idx", in: indexes))
        #expect(partial["definition"]?.stringValue?.contains("WHERE (status = ANY") == true)
        #expect(partial["unique"] == .bool(false))
        #expect(CatalogTestSupport.named("orders_lower_number_idx", in: indexes)?["definition"]?.stringValue?
            .contains("(lower(order_number))") == true)

        let rls = try #require(orders["rls"])
        #expect(rls["enabled"] == .bool(true))
        #expect(rls["forced"] == .bool(true))
        let read = try #require(CatalogTestSupport.named("orders_read", in: rls["policies"]))
        #expect(read["command"] == .string("SELECT"))
        #expect(read["roles"] == .array([.string("public")]))
        #expect(read["permissive"] == .bool(true))
        #expect(read["using"]?.stringValue?.contains("app.customer_id") == true)
        #expect(read["withCheck"] == nil)
        let small = try #require(CatalogTestSupport.named("orders_small", in: rls["policies"]))
        #expect(small["command"] == .string("INSERT"))
        #expect(small["permissive"] == .bool(false))
        #expect(small["roles"] == .array([.string("pg_monitor"), .string("pg_read_all_stats")]))
        #expect(small["withCheck"] == .string("(quantity < 1000)"))

        let touch = try #require(CatalogTestSupport.named("orders_touch", in: orders["triggers"]))
        #expect(touch["enabled"] == .bool(true))
        #expect(touch["definition"]?.stringValue?.contains("BEFORE UPDATE ON") == true)
        #expect(touch["definition"]?.stringValue?.contains("touch_updated_at()") == true)
        #expect(CatalogTestSupport.named("orders_audit", in: orders["triggers"])?["enabled"] == .bool(false))
        // Internal triggers (those enforcing foreign keys) are left out.
        #expect(orders["triggers"]?.arrayValue?.count == 2)

        let customer = try describe("customer")
        #expect(customer["rls"]?["enabled"] == .bool(true))
        #expect(customer["rls"]?["forced"] == .bool(false))
        let invoice = try describe("invoice", schema: "sales")
        #expect(invoice["rls"] == .object(["enabled": .bool(false), "forced": .bool(false), "policies": .array([])]))
        #expect(invoice["foreignKeys"] == .array([]))
    }

    @Test("a view shows its definition; a materialized view its definition and indexes")
    func views() throws {
        let view = try describe("customer_orders")
        #expect(view["kind"] == .string("view"))
        #expect(view["definition"]?.stringValue?.contains("LEFT JOIN orders o ON o.customer_id = c.id") == true)
        #expect(view["columns"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == ["customer_id", "full_name", "order_count", "spent"])
        #expect(view["comment"] == .string("Orders and spending per customer."))
        #expect(view["rls"] == nil)
        #expect(view["foreignKeys"] == nil)

        let materialized = try describe("daily_revenue", schema: "sales")
        #expect(materialized["kind"] == .string("materialized_view"))
        #expect(materialized["definition"]?.stringValue?.contains("date_trunc") == true)
        #expect(CatalogTestSupport.named("daily_revenue_day_key", in: materialized["indexes"])?["unique"] == .bool(true))
    }

    @Test("a partitioned table lists its partitions and key; a partition names its parent")
    func partitions() throws {
        let payment = try describe("payment")
        #expect(payment["schema"] == .string("sales"))
        #expect(payment["kind"] == .string("partitioned_table"))
        #expect(payment["partitionKey"] == .string("RANGE (paid_at)"))
        let partitions = try #require(payment["partitions"]?.arrayValue)
        #expect(partitions.compactMap { $0["name"]?.stringValue } == ["payment_2024", "payment_2025", "payment_default"])
        #expect(partitions[0]["bound"]?.stringValue?.hasPrefix("FOR VALUES FROM ('2024-01-01") == true)
        #expect(partitions[2]["bound"] == .string("DEFAULT"))
        #expect(payment["partitionCount"]?.intValue == 3)
        #expect(payment["partitionsOmitted"] == nil)
        #expect(payment["partitionOf"] == nil)
        #expect(CatalogTestSupport.named("payment_order_id_fkey", in: payment["foreignKeys"]) != nil)

        let partition = try describe("payment_2024", schema: "sales")
        #expect(partition["kind"] == .string("table"))
        #expect(partition["partitionOf"]?["schema"] == .string("sales"))
        #expect(partition["partitionOf"]?["name"] == .string("payment"))
        #expect(partition["partitionOf"]?["bound"]?.stringValue?.contains("2024-01-01") == true)
        #expect(partition["partitions"] == nil)
        // The key inherited from the parent applies to the partition too.
        #expect(partition["foreignKeys"]?.arrayValue?.count == 1)
    }

    @Test("an unknown table is relation_not_found with the closest names")
    func unknownTable() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let error = try CatalogTestSupport.error(describe(["table": .string("custmer")], url: url))
        #expect(error.code == .relationNotFound)
        #expect(error.message.contains("public.customer"))
        let matches = try #require(error.details["closeMatches"]?.arrayValue)
        #expect(matches.first == .object(["schema": .string("public"), "name": .string("customer")]))
        #expect(matches.count <= 5)

        // In the wrong schema: the one in another schema is offered.
        let wrongSchema = try CatalogTestSupport.error(describe(["table": .string("customer"), "schema": .string("sales")], url: url))
        #expect(wrongSchema.code == .relationNotFound)
        #expect(wrongSchema.details["closeMatches"]?.arrayValue?.first == .object(["schema": .string("public"), "name": .string("customer")]))

        let noSchema = try CatalogTestSupport.error(describe(["table": .string("orders"), "schema": .string("shop")], url: url))
        #expect(noSchema.code == .relationNotFound)
        #expect(noSchema.message.contains("no schema named 'shop'"))

        let nothingClose = try CatalogTestSupport.error(describe(["table": .string("zzzzzzzzzz")], url: url))
        #expect(nothingClose.details["closeMatches"] == .array([]))
        #expect(nothingClose.message.contains("list_tables"))
    }

    @Test("a name in several user schemas is ambiguous; a schema or a qualified name settles it")
    func ambiguousName() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let error = try CatalogTestSupport.error(describe(["table": .string("invoice")], url: url))
        #expect(error.code == .invalidArguments)
        #expect(error.message.contains("public, sales"))
        #expect(error.details["schemas"] == .array([.string("public"), .string("sales")]))

        #expect(try describe("invoice", schema: "sales")["columns"]?.arrayValue?.count == 2)
        let qualified = try describe("sales.invoice")
        #expect(qualified["schema"] == .string("sales"))
        #expect(qualified["name"] == .string("invoice"))
        #expect(try describe("Audit Log.v2")["kind"] == .string("table"))
    }

    @Test("platform schemas are searched last: a user table wins, and the others are named")
    func platformSchemas() throws {
        let url = try FixtureDatabase.create(prefix: "catalogplatform")
        // Only in auth: found there.
        let authUsers = try CatalogTestSupport.data(describe(["table": .string("users")], url: url))
        #expect(authUsers["schema"] == .string("auth"))
        try PostgresConnection(connectionString: url).execute("CREATE TABLE public.users (id uuid PRIMARY KEY REFERENCES auth.users (id))")
        let users = try CatalogTestSupport.data(describe(["table": .string("users")], url: url))
        #expect(users["schema"] == .string("public"))
        #expect(users["alsoIn"] == .array([.string("auth")]))
    }

    @Test("bad arguments are invalid_arguments naming the field")
    func badArguments() throws {
        let url = try CatalogTestSupport.sharedFixtureURL()
        let cases: [([String: JSONValue], String)] = [
            ([:], "'table'"),
            (["table": .null], "'table'"),
            (["table": .number(5)], "'table'"),
            (["table": .string("")], "'table'"),
            (["table": .string("orders"), "scheme": .string("public")], "'scheme'"),
            (["table": .string("orders"), "schema": .bool(true)], "'schema'"),
        ]
        for (arguments, field) in cases {
            let error = try CatalogTestSupport.error(describe(arguments, url: url))
            #expect(error.code == .invalidArguments, "\(arguments)")
            #expect(error.message.contains(field), "\(error.message)")
        }
        let notAnObject = try CatalogTestSupport.error(GetSchemaTool().execute(.array([]), context: CatalogTestSupport.context(url)))
        #expect(notAnObject.code == .invalidArguments)
    }

    @Test("a very wide table is cut to the output budget through its columns")
    func wideTable() throws {
        let url = try FixtureDatabase.create(prefix: "catalogwide")
        let columns = (1...1200).map { "column_number_\($0) numeric(12,2) DEFAULT 0" }.joined(separator: ", ")
        try PostgresConnection(connectionString: url).execute("CREATE TABLE public.wide (\(columns))")
        let settings = ToolSettings()
        let output = ToolRegistry(tools: [ListTablesTool(), GetSchemaTool()])
            .run("get_schema", arguments: #"{"table": "wide"}"#, context: CatalogTestSupport.context(url, settings: settings))
        #expect(output.rendered.utf8.count <= settings.outputBudgetBytes)
        let object = try #require(try JSONValue.parse(output.rendered).objectValue)
        #expect(object["success"] == .bool(true))
        #expect(object["truncated"] == .bool(true))
        let shown = object["columns"]?.arrayValue?.count ?? 0
        #expect(shown > 10)
        #expect(object["omitted"]?.intValue == 1200 - shown)
        #expect(object["columns"]?.arrayValue?.first?["name"] == .string("column_number_1"))
    }

    @Test("a table locked by a schema change is sql_timeout after the lock timeout, naming the table")
    func lockedTable() throws {
        let url = try FixtureDatabase.create(prefix: "catalogschemalock")
        let migration = try PostgresConnection(connectionString: url)
        try migration.execute("BEGIN; LOCK TABLE public.orders IN ACCESS EXCLUSIVE MODE")
        defer { try? migration.execute("ROLLBACK") }
        var settings = ToolSettings()
        settings.lockTimeoutMilliseconds = 300
        let context = CatalogTestSupport.context(url, settings: settings)
        let started = ContinuousClock.now
        let error = try CatalogTestSupport.error(GetSchemaTool().execute(.object(["table": .string("orders")]), context: context))
        #expect(ContinuousClock.now - started < .seconds(3))
        #expect(error.code == .sqlTimeout)
        #expect(error.message.contains("public.orders"))
        // Other tables are unaffected.
        _ = try CatalogTestSupport.data(GetSchemaTool().execute(.object(["table": .string("product")]), context: context))
    }

    @Test("an unreachable database is db_unreachable, without hanging")
    func unreachable() throws {
        let started = ContinuousClock.now
        let error = try CatalogTestSupport.error(describe(["table": .string("orders")], url: try CatalogTestSupport.unreachableURL()))
        #expect(error.code == .dbUnreachable)
        #expect(ContinuousClock.now - started < .seconds(10))
    }
}
