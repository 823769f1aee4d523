import Postgres
import ToolsCore

/// The one catalog query behind `list_tables`: a page of relations in (schema, name) order with
/// the counts around it, in a single round trip however many tables the database has.
enum ListTablesQuery {
    /// What to list.
    struct Filter {
        /// Only this schema (shown even when it is a system or platform schema).
        var schema: String?
        var kinds: [RelationKind]
        /// Show system and platform schemas too.
        var includeSystem: Bool
        var platformSchemas: [String]
        /// The (schema, name) of the last relation already seen: the page starts after it.
        var after: (schema: String, name: String)?
        var limit: Int
    }

    /// A relation on the page.
    struct Relation {
        let schema: String
        let name: String
        let kind: RelationKind
        let estimatedRows: Int64?
        let sizeBytes: Int64?
        let rowLevelSecurity: Bool
        /// The comment's first 201 characters at most (longer ones are shortened by the caller).
        let comment: String?
        let partitionOf: (schema: String, name: String)?
    }

    /// The page and the counts around it.
    struct Page {
        var relations: [Relation] = []
        /// Relations matching the filter, on every page.
        var total = 0
        /// Matching relations up to and including the cursor.
        var before = 0
        var schemaExists = true
        /// Platform schemas that exist but were left out.
        var hiddenSchemas: [String] = []
        /// Whether sizes are estimates from the planner's page counts (exact ones were locked out).
        var sizesEstimated = false
    }

    /// Runs the query; sizes are exact unless a relation on the page is locked by someone else
    /// (then it falls back at once to the planner's page counts rather than waiting).
    static func run(_ filter: Filter, on connection: PostgresConnection) throws(ToolError) -> Page {
        let parameters: [String?] = [
            RelationKind.relkindArray(filter.kinds), filter.schema, filter.includeSystem ? "true" : "false",
            CatalogQueries.textArrayLiteral(filter.platformSchemas), filter.after?.schema, filter.after?.name,
            String(filter.limit),
        ]
        do {
            try connection.execute("SAVEPOINT pgassist_list_tables")
            _ = try connection.query("SELECT pg_catalog.set_config('lock_timeout', '500ms', true)")
            do {
                return page(from: try connection.query(sql(exactSizes: true), parameters), estimated: false)
            } catch where error.sqlState == "55P03" || error.sqlState == "53200" {
                // A lock we would wait for, or too many locks for the shared lock table.
                try connection.execute("ROLLBACK TO SAVEPOINT pgassist_list_tables")
                return page(from: try connection.query(sql(exactSizes: false), parameters), estimated: true)
            }
        } catch {
            throw ToolError.from(error)
        }
    }

    private static func page(from result: PostgresResult, estimated: Bool) -> Page {
        var page = Page(sizesEstimated: estimated)
        guard result.count > 0 else { return page }
        page.total = Int(result.int(0, 0) ?? 0)
        page.before = Int(result.int(0, 1) ?? 0)
        page.schemaExists = result.bool(0, 2) ?? true
        page.hiddenSchemas = CatalogQueries.parseJSON(result.string(0, 3)).arrayValue?.compactMap(\.stringValue) ?? []
        for row in 0..<result.count {
            guard let schema = result.string(row, 4), let name = result.string(row, 5),
                  let kind = result.string(row, 6).flatMap(RelationKind.init(relkind:)) else { continue }
            let parent = result.string(row, 11).flatMap { parentSchema in
                result.string(row, 12).map { (schema: parentSchema, name: $0) }
            }
            page.relations.append(Relation(
                schema: schema, name: name, kind: kind, estimatedRows: result.int(row, 7),
                sizeBytes: result.int(row, 8), rowLevelSecurity: result.bool(row, 9) ?? false,
                comment: result.string(row, 10), partitionOf: parent))
        }
        return page
    }

    /// Parameters: $1 relkinds, $2 schema, $3 include system, $4 platform schemas, $5/$6 cursor, $7 limit.
    package static func sql(exactSizes: Bool) -> String {
        let size = exactSizes ? exactSize : estimatedSize
        return """
            WITH matching AS MATERIALIZED (
                SELECT c.oid, n.nspname, c.relname
                  FROM pg_catalog.pg_class c
                  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                 WHERE c.relkind = ANY ($1::"char"[])
                   AND ($2::name IS NULL OR n.nspname = $2::name)
                   AND ($2::name IS NOT NULL OR $3::boolean OR \(CatalogQueries.userSchemaCondition("n.nspname", platformParameter: "$4")))
            ),
            counts AS (
                SELECT (SELECT pg_catalog.count(*) FROM matching) AS total,
                       (SELECT pg_catalog.count(*) FROM matching m WHERE (m.nspname, m.relname) <= ($5::name, $6::name)) AS before,
                       ($2::name IS NULL OR EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = $2::name)) AS schema_exists,
                       CASE WHEN $2::name IS NULL AND NOT $3::boolean THEN
                           (SELECT pg_catalog.json_agg(ns.nspname ORDER BY ns.nspname) FROM pg_catalog.pg_namespace ns
                             WHERE ns.nspname = ANY ($4::text[]))
                       END AS hidden
            ),
            page AS (
                SELECT m.oid FROM matching m
                 WHERE $5::name IS NULL OR (m.nspname, m.relname) > ($5::name, $6::name)
                 ORDER BY m.nspname, m.relname
                 LIMIT $7::integer
            )
            SELECT counts.total, counts.before, counts.schema_exists, counts.hidden,
                   n.nspname, c.relname, c.relkind::text, \(CatalogQueries.estimatedRows) AS estimated_rows,
                   \(size) AS size_bytes,
                   c.relrowsecurity, pg_catalog.left(pg_catalog.obj_description(c.oid, 'pg_class'), 201) AS comment,
                   pn.nspname AS parent_schema, pc.relname AS parent_name
              FROM counts
              LEFT JOIN page ON true
              LEFT JOIN pg_catalog.pg_class c ON c.oid = page.oid
              LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
              LEFT JOIN pg_catalog.pg_inherits i ON c.relispartition AND i.inhrelid = c.oid
              LEFT JOIN pg_catalog.pg_class pc ON pc.oid = i.inhparent
              LEFT JOIN pg_catalog.pg_namespace pn ON pn.oid = pc.relnamespace
             ORDER BY n.nspname, c.relname
            """
    }

    /// On-disk bytes of table, TOAST and indexes; a partitioned table adds up its partitions.
    /// Takes a share lock on each relation (hence the short lock timeout).
    private static let exactSize = """
        CASE WHEN c.relkind IN ('r', 'm') THEN pg_catalog.pg_total_relation_size(c.oid)
             WHEN c.relkind = 'p' THEN (SELECT pg_catalog.sum(pg_catalog.pg_total_relation_size(t.relid))::bigint
                                          FROM pg_catalog.pg_partition_tree(c.oid) t)
        END
        """

    /// The planner's page counts (as of the last VACUUM or ANALYZE) times the block size; takes no locks.
    private static let estimatedSize = """
        CASE WHEN c.relkind IN ('r', 'm') THEN
            (c.relpages::bigint
             + coalesce((SELECT t.relpages FROM pg_catalog.pg_class t WHERE t.oid = c.reltoastrelid), 0)
             + coalesce((SELECT pg_catalog.sum(ix.relpages) FROM pg_catalog.pg_index x
                           JOIN pg_catalog.pg_class ix ON ix.oid = x.indexrelid WHERE x.indrelid = c.oid), 0)
            ) * pg_catalog.current_setting('block_size')::bigint
        END
        """
}
