import JSON
import Postgres
@testable import QueryTools
@testable import SchemaTools
import TestSupport
import Testing
@testable import ToolsCore
@testable import TrashTools

@Suite("catalog query helpers")
struct CatalogQueriesTests {
    @Test("a text array literal survives quotes, backslashes, commas and braces")
    func textArrayLiteral() throws {
        let names = ["auth", #"we"ird"#, #"back\slash"#, "a,b", "{x}", "", "naïve"]
        let literal = CatalogQueries.textArrayLiteral(names)
        let connection = try PostgresConnection(connectionString: PostgresServer.shared().createDatabase(prefix: "catalogarray"))
        let result = try connection.query("SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS t(x, n) ORDER BY n", [literal])
        #expect((0..<result.count).map { result.string($0, 0) } == names)
        #expect(CatalogQueries.textArrayLiteral([]) == "{}")
    }

    @Test("a list_tables cursor round-trips any names and rejects anything else")
    func cursor() throws {
        for (schema, name) in [("public", "orders"), ("my.schema", #"odd "name".v2"#), ("ünï", "日本"), ("", "")] {
            let cursor = ListTablesCursor(schema: schema, name: name)
            #expect(!cursor.encoded.contains("="))
            #expect(try ListTablesCursor(decoding: cursor.encoded) == cursor)
        }
        for garbage in ["!!!", "WyJhIl0", "bm90IGpzb24", "WzEsMl0"] {
            let error = #expect(throws: ToolError.self) { try ListTablesCursor(decoding: garbage) }
            #expect(error?.code == .invalidArguments)
        }
    }

    @Test("null members are dropped at any depth, other values kept")
    func droppingNulls() {
        let value = JSONValue.object(["a": .null, "b": .array([.object(["c": .null, "d": .number(1)]), .null]), "e": .bool(false)])
        #expect(CatalogQueries.droppingNulls(value) == .object(["b": .array([.object(["d": .number(1)]), .null]), "e": .bool(false)]))
    }
}
