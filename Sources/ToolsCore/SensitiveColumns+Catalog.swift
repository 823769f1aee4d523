import Postgres

/// The sensitive columns as the target database has them: every entry and name looked up in its catalogs.
extension SensitiveColumns {
    /// The query parameters `listedCTE` takes as `$2`–`$5`: the entries' schemas, tables and columns (`''`
    /// for a whole relation), and the names.
    package var catalogParameters: [String] {
        let sorted = entries.sorted { $0.description < $1.description }
        return [Self.textArray(sorted.map(\.schema)), Self.textArray(sorted.map(\.table)),
                Self.textArray(sorted.map { $0.column ?? "" }), Self.textArray(names.map { $0.lowercased() })]
    }

    /// The sensitive columns of the relation `oid`, by name, and whether it is listed whole.
    package func columns(ofRelation oid: UInt32, on connection: PostgresConnection) throws(ToolError) -> (whole: Bool, names: Set<String>) {
        let found: PostgresResult
        do throws(PostgresError) {
            found = try connection.query("""
                WITH RECURSIVE candidates(relid) AS (SELECT $1::pg_catalog.oid), \(Self.listedCTE)
                SELECT coalesce(a.attname::pg_catalog.text, '') FROM listed l
                LEFT JOIN pg_catalog.pg_attribute a ON a.attrelid = l.relid AND a.attnum = l.attnum AND l.attnum > 0
                WHERE l.relid = $1::pg_catalog.oid
                """, [String(oid)] + catalogParameters)
        } catch {
            throw ToolError.from(error)
        }
        let names = (0..<found.count).compactMap { found.string($0, 0) }
        return (names.contains(""), Set(names.filter { !$0.isEmpty }))
    }

    /// A `text[]` literal of `values` in their order.
    package static func textArray(_ values: [String]) -> String {
        "{" + values.map { "\"" + $0.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"") + "\"" }
            .joined(separator: ",") + "}"
    }

    /// `listed(relid, attnum)`, a recursive CTE (the query starts `WITH RECURSIVE`) of the sensitive columns
    /// of the database (`attnum` 0: a relation listed whole), from the parameters `catalogParameters` (`$2`–`$5`).
    /// Names count in every schema but the system ones, for the relations of `candidates(relid)`, which the
    /// query defines (scanning every column of a large database for names takes long); inheritance parents and
    /// children (partitions) of a listed column's table have the same column listed.
    package static let listedCTE = """
        listed(relid, attnum) AS (
        SELECT c.oid, coalesce(a.attnum, 0)::pg_catalog.int4
        FROM ROWS FROM (pg_catalog.unnest($2::pg_catalog.text[]), pg_catalog.unnest($3::pg_catalog.text[]),
                       pg_catalog.unnest($4::pg_catalog.text[])) AS e(s, t, col)
        JOIN pg_catalog.pg_namespace n ON pg_catalog.lower(n.nspname) = pg_catalog.lower(e.s)
        JOIN pg_catalog.pg_class c ON c.relnamespace = n.oid AND pg_catalog.lower(c.relname) = pg_catalog.lower(e.t)
        LEFT JOIN pg_catalog.pg_attribute a ON e.col <> '' AND a.attrelid = c.oid
             AND pg_catalog.lower(a.attname) = pg_catalog.lower(e.col) AND a.attnum > 0 AND NOT a.attisdropped
        WHERE e.col = '' OR a.attnum IS NOT NULL
        UNION
        SELECT a.attrelid, a.attnum::pg_catalog.int4
        FROM pg_catalog.pg_attribute a
        JOIN pg_catalog.pg_class c ON c.oid = a.attrelid AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
        JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
        WHERE a.attrelid IN (SELECT relid FROM candidates) AND a.attnum > 0 AND NOT a.attisdropped
          AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
          AND EXISTS (
              -- The column's own name, or (a column of a composite type, or an array of one) a field's name.
              SELECT 1 FROM pg_catalog.unnest($5::pg_catalog.text[]) AS p(name)
              CROSS JOIN LATERAL (SELECT a.attname
                                  UNION ALL
                                  SELECT f.attname FROM pg_catalog.pg_type t
                                  LEFT JOIN pg_catalog.pg_type e ON e.oid = t.typelem AND t.typcategory = 'A'
                                  JOIN pg_catalog.pg_attribute f
                                       ON f.attrelid = coalesce(NULLIF(t.typrelid, 0), e.typrelid) AND f.attnum > 0
                                  WHERE t.oid = a.atttypid) AS named(attname)
              WHERE pg_catalog.lower(named.attname) = p.name
                 OR pg_catalog.right(pg_catalog.lower(named.attname), pg_catalog.length(p.name) + 1) = '_' || p.name)
        UNION
        -- Inheritance parents and children (partitions) hold the same column's values; a generated column
        -- computed from a listed column holds what it derives from it.
        SELECT x.relid, x.attnum
        FROM listed l
        CROSS JOIN LATERAL (
            SELECT o.oid, coalesce(oa.attnum, 0)::pg_catalog.int4
            FROM (SELECT i.inhrelid FROM pg_catalog.pg_inherits i WHERE i.inhparent = l.relid
                  UNION SELECT i.inhparent FROM pg_catalog.pg_inherits i WHERE i.inhrelid = l.relid) AS o(oid)
            LEFT JOIN pg_catalog.pg_attribute la ON la.attrelid = l.relid AND la.attnum = l.attnum AND l.attnum > 0
            LEFT JOIN pg_catalog.pg_attribute oa ON oa.attrelid = o.oid AND oa.attname = la.attname
            WHERE l.attnum = 0 OR oa.attnum IS NOT NULL
            UNION ALL
            SELECT g.attrelid, g.attnum::pg_catalog.int4
            FROM pg_catalog.pg_depend d
            JOIN pg_catalog.pg_attrdef ad ON ad.oid = d.objid
            JOIN pg_catalog.pg_attribute g ON g.attrelid = ad.adrelid AND g.attnum = ad.adnum AND g.attgenerated <> ''
            WHERE l.attnum > 0 AND d.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass
              AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.refobjid = l.relid
              AND d.refobjsubid = l.attnum
        ) AS x(relid, attnum)
        )
        """
}
