import JSON
import QueryTools
import SchemaTools
import TestSupport
import Testing
import ToolsCore
import TrashTools

/// The catalog tools on a real sample schema (Pagila), when the shared data folder has it.
@Suite("catalog tools on Pagila")
struct CatalogPagilaTests {
    @Test("list_tables shows Pagila's tables, the partitioned payment table and its partitions")
    func listTables() throws {
        guard let url = try FixtureDatabase.pagila() else {
            print("note: ../shared/data/pagila is missing; skipping the Pagila list_tables test")
            return
        }
        let data = try CatalogTestSupport.data(ListTablesTool().execute(.object(["schema": .string("public")]),
                                                                          context: CatalogTestSupport.context(url)))
        let tables = CatalogTestSupport.tablesByName(data)
        let plainTables = tables.values.filter { $0["kind"] == .string("table") && $0["partitionOf"] == nil }
        #expect(plainTables.count >= 14)
        for name in ["actor", "address", "category", "city", "country", "customer", "film", "film_actor", "film_category",
                     "inventory", "language", "rental", "staff", "store"] {
            #expect(tables["public.\(name)"]?["kind"] == .string("table"), "\(name)")
        }
        #expect(tables["public.payment"]?["kind"] == .string("partitioned_table"))
        let partitions = tables.values.filter { $0["partitionOf"] == .object(["schema": .string("public"), "name": .string("payment")]) }
        #expect(partitions.count >= 7)
        #expect(tables["public.payment_p2022_01"]?["partitionOf"]?["name"] == .string("payment"))
        #expect(tables["public.film"]?["estimatedRows"]?.intValue == 1000)
        #expect(tables["public.actor_info"]?["kind"] == .string("view"))
        #expect(tables["public.rental_by_category"]?["kind"] == .string("materialized_view"))
        #expect((tables["public.rental"]?["sizeBytes"]?.intValue ?? 0) > 100_000)
    }

    @Test("get_schema on film shows the enum-typed rating, the full-text column, triggers and keys")
    func film() throws {
        guard let url = try FixtureDatabase.pagila() else {
            print("note: ../shared/data/pagila is missing; skipping the Pagila get_schema test")
            return
        }
        let context = CatalogTestSupport.context(url)
        let film = try CatalogTestSupport.data(GetSchemaTool().execute(.object(["table": .string("film")]), context: context))
        let rating = try #require(CatalogTestSupport.named("rating", in: film["columns"]))
        #expect(rating["type"] == .string("mpaa_rating"))
        #expect(rating["enumValues"] == .array(["G", "PG", "PG-13", "R", "NC-17"].map(JSONValue.string)))
        #expect(rating["default"] == .string("'G'::mpaa_rating"))
        #expect(CatalogTestSupport.named("fulltext", in: film["columns"])?["type"] == .string("tsvector"))
        #expect(CatalogTestSupport.named("release_year", in: film["columns"])?["domainOf"] == .string("integer"))
        #expect(CatalogTestSupport.named("special_features", in: film["columns"])?["type"] == .string("text[]"))
        #expect(CatalogTestSupport.named("film_fulltext_trigger", in: film["triggers"])?["definition"]?.stringValue?
            .contains("tsvector_update_trigger") == true)
        #expect(CatalogTestSupport.named("last_updated", in: film["triggers"]) != nil)
        #expect(CatalogTestSupport.named("film_fulltext_idx", in: film["indexes"])?["definition"]?.stringValue?.contains("gist") == true)
        let outgoing = film["foreignKeys"]?.arrayValue?.compactMap { $0["references"]?["table"]?.stringValue } ?? []
        #expect(outgoing == ["language", "language"])
        let incoming = Set(film["referencedBy"]?.arrayValue?.compactMap { $0["from"]?["table"]?.stringValue } ?? [])
        #expect(incoming == ["film_actor", "film_category", "inventory"])
        #expect(film["primaryKey"]?["columns"] == .array([.string("film_id")]))

        let payment = try CatalogTestSupport.data(GetSchemaTool().execute(.object(["table": .string("payment")]), context: context))
        #expect(payment["kind"] == .string("partitioned_table"))
        #expect(payment["partitions"]?.arrayValue?.count == 7)

        let miss = try #require(GetSchemaTool().execute(.object(["table": .string("custmer")]), context: context).error)
        #expect(miss.details["closeMatches"]?.arrayValue?.first?["name"] == .string("customer"))
    }
}
