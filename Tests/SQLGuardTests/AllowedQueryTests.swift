import SQLGuard
import Testing

/// Queries an analyst (or the model) writes every day: each must pass the guard unchanged.
@Suite("Allowed queries")
struct AllowedQueryTests {
    static let guardian = ReadOnlyGuard()

    static let selects: [String] = [
        "SELECT 1",
        "select * from orders",
        "SELECT id, name FROM public.customers WHERE id = 42",
        "SELECT count(*) FROM orders",
        "SELECT count(DISTINCT customer_id), sum(total), avg(total), min(total), max(total) FROM orders",
        "SELECT customer_id, array_agg(id ORDER BY id), string_agg(name, ', ') FROM orders GROUP BY customer_id",
        "SELECT json_agg(o), jsonb_agg(o.total), json_object_agg(o.id, o.total) FROM orders o",
        "SELECT bool_and(paid), bool_or(paid), every(paid) FROM orders",
        "SELECT stddev(total), stddev_samp(total), variance(total), var_pop(total), corr(a, b), covar_samp(a, b), regr_slope(a, b) FROM t",
        "SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY total), mode() WITHIN GROUP (ORDER BY status) FROM orders",
        "SELECT id, row_number() OVER (PARTITION BY customer_id ORDER BY created_at) FROM orders",
        "SELECT rank() OVER w, dense_rank() OVER w, percent_rank() OVER w, cume_dist() OVER w, ntile(4) OVER w FROM orders WINDOW w AS (ORDER BY total DESC)",
        "SELECT lag(total) OVER (ORDER BY id), lead(total, 2, 0) OVER (ORDER BY id), first_value(total) OVER (ORDER BY id), last_value(total) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING), nth_value(total, 3) OVER (ORDER BY id) FROM orders",
        "SELECT sum(total) OVER (ORDER BY created_at RANGE BETWEEN INTERVAL '7 days' PRECEDING AND CURRENT ROW) FROM orders",
        "SELECT count(*) FILTER (WHERE paid), sum(total) FILTER (WHERE NOT paid) FROM orders",
        "WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '30 days') SELECT count(*) FROM recent",
        "WITH RECURSIVE tree(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM nodes WHERE parent_id IS NULL UNION ALL SELECT n.id, n.parent_id, t.depth + 1 FROM nodes n JOIN tree t ON n.parent_id = t.id) SELECT * FROM tree",
        "WITH a AS MATERIALIZED (SELECT 1 AS x), b AS NOT MATERIALIZED (SELECT x FROM a) SELECT * FROM b",
        "VALUES (1), (2)",
        "VALUES (1, 'one'), (2, 'two') ORDER BY 1 DESC LIMIT 1",
        "TABLE orders",
        "TABLE public.orders",
        "SELECT * FROM a JOIN b ON a.id = b.a_id LEFT JOIN c USING (id) FULL OUTER JOIN d ON true CROSS JOIN e",
        "SELECT * FROM customers c, LATERAL (SELECT * FROM orders o WHERE o.customer_id = c.id ORDER BY created_at DESC LIMIT 3) last_orders",
        "SELECT * FROM customers c LEFT JOIN LATERAL jsonb_array_elements(c.tags) tag ON true",
        "SELECT * FROM orders WHERE customer_id IN (SELECT id FROM customers WHERE country = 'DE')",
        "SELECT * FROM customers c WHERE EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id)",
        "SELECT * FROM customers WHERE NOT EXISTS (SELECT FROM orders) AND id = ANY (ARRAY[1, 2, 3])",
        "SELECT (SELECT max(total) FROM orders) AS biggest",
        "SELECT country, city, sum(total) FROM sales GROUP BY GROUPING SETS ((country, city), (country), ())",
        "SELECT country, city, sum(total), grouping(country, city) FROM sales GROUP BY ROLLUP (country, city)",
        "SELECT a, b, count(*) FROM t GROUP BY CUBE (a, b) HAVING count(*) > 1",
        "SELECT jsonb_build_object('id', id, 'tags', tags) -> 'tags' ->> 0 FROM items",
        "SELECT json_build_object('a', 1), json_build_array(1, 2), jsonb_build_array(1), to_json(t), to_jsonb(t), row_to_json(t) FROM t",
        "SELECT data #>> '{a,b}', jsonb_extract_path_text(data, 'a', 'b'), json_extract_path(data::json, 'a'), jsonb_typeof(data), jsonb_array_length(data -> 'list') FROM docs",
        "SELECT key, value FROM docs, jsonb_each_text(docs.data)",
        "SELECT jsonb_set(data, '{a}', '1'), jsonb_pretty(data), jsonb_strip_nulls(data), jsonb_path_query_array(data, '$.items[*].id') FROM docs WHERE data @> '{\"active\": true}' AND data ? 'id'",
        "SELECT * FROM json_array_elements_text('[\"a\", \"b\"]'), jsonb_object_keys('{\"a\": 1}')",
        "SELECT CAST(total AS numeric(10, 2)), total::text, '2024-01-01'::date, 'orders'::regclass, 'now'::timestamptz, 'pg_sleep'::regproc FROM orders",
        "SELECT int4('42'), date('2024-01-02'), float8('1.5'), text(42)",
        "SELECT CASE WHEN total > 100 THEN 'big' WHEN total > 10 THEN 'medium' ELSE 'small' END FROM orders",
        "SELECT coalesce(a, b, 0), nullif(a, 0), greatest(a, b), least(a, b) FROM t",
        "SELECT * FROM generate_series(1, 10) AS g(n)",
        "SELECT d::date FROM generate_series('2024-01-01'::timestamp, '2024-12-31', interval '1 month') d",
        "SELECT generate_subscripts(ARRAY[1,2,3], 1), unnest(ARRAY['a','b']), array_length(ARRAY[1], 1), cardinality(ARRAY[1])",
        "SELECT * FROM unnest(ARRAY[1,2], ARRAY['a','b']) WITH ORDINALITY AS u(n, s, i)",
        "SELECT * FROM ROWS FROM (generate_series(1, 3), unnest(ARRAY['x'])) AS r(a, b)",
        "SELECT array_position(a, 1), array_positions(a, 1), array_remove(a, 1), array_replace(a, 1, 2), array_cat(a, a), array_append(a, 3), array_prepend(0, a), array_to_string(a, ','), string_to_array('a,b', ',') FROM (SELECT ARRAY[1, 2] AS a) s",
        "SELECT lower(name), upper(name), initcap(name), length(name), char_length(name), substr(name, 1, 3), substring(name FROM 2 FOR 3), position('a' IN name), strpos(name, 'a') FROM customers",
        "SELECT replace(s, 'a', 'b'), split_part(s, ',', 2), trim(s), trim(BOTH 'x' FROM s), ltrim(s), rtrim(s), btrim(s), lpad(s, 5, '0'), rpad(s, 5), concat(s, 1), concat_ws('-', s, s), format('%s = %L', s, s) FROM t",
        "SELECT left(s, 2), right(s, 2), reverse(s), repeat(s, 2), md5(s), encode(sha256(s::bytea), 'hex'), decode('00', 'hex'), to_hex(255), quote_ident(s), quote_literal(s), starts_with(s, 'a') FROM t",
        "SELECT regexp_match(s, 'a(b)'), regexp_matches(s, 'a', 'g'), regexp_replace(s, '\\d', 'x', 'g'), regexp_split_to_array(s, ','), regexp_substr(s, 'a+'), regexp_count(s, 'a'), regexp_like(s, '^a') FROM t",
        "SELECT * FROM regexp_split_to_table('a,b', ',')",
        "SELECT s ~ '^a', s ~* 'A', s LIKE 'a%', s ILIKE 'A%', s SIMILAR TO '(a|b)%', s NOT LIKE 'x%' ESCAPE '!' FROM t",
        "SELECT now(), current_date, current_time, current_timestamp, localtimestamp, clock_timestamp(), statement_timestamp(), transaction_timestamp()",
        "SELECT date_trunc('month', created_at), date_part('year', created_at), extract(epoch FROM created_at), age(created_at), to_char(created_at, 'YYYY-MM'), created_at AT TIME ZONE 'UTC' FROM orders",
        "SELECT to_date('2024-01-01', 'YYYY-MM-DD'), to_timestamp(0), make_date(2024, 1, 1), make_interval(days => 3), justify_days(interval '40 days'), date_bin('15 minutes', now(), '2000-01-01'), isfinite(now()), timezone('UTC', now())",
        "SELECT (DATE '2024-01-01', DATE '2024-02-01') OVERLAPS (DATE '2024-01-15', DATE '2024-03-01')",
        "SELECT abs(-1), ceil(1.5), floor(1.5), round(1.2345, 2), trunc(1.5), sqrt(2), power(2, 10), exp(1), ln(2), log(100), mod(7, 3), div(7, 2), pi(), random(), sign(-3), width_bucket(5, 0, 10, 5), gcd(12, 18)",
        "SELECT to_number('1,234', '9,999'), 7 / 2, 7 % 2, 2 ^ 3, |/ 16, @ -5, 1 << 2",
        "SELECT version(), current_setting('search_path'), current_user, session_user, current_role, user, current_schema, current_schemas(true), current_database(), pg_backend_pid()",
        "SELECT pg_typeof(1), format_type(atttypid, atttypmod) FROM pg_attribute LIMIT 1",
        "SELECT pg_get_viewdef('v'::regclass), pg_get_indexdef(indexrelid), pg_get_constraintdef(c.oid), pg_get_functiondef(p.oid) FROM pg_index, pg_constraint c, pg_proc p LIMIT 1",
        "SELECT relname, pg_size_pretty(pg_total_relation_size(oid)), pg_relation_size(oid), pg_table_size(oid), pg_indexes_size(oid) FROM pg_class WHERE relkind = 'r' ORDER BY pg_total_relation_size(oid) DESC LIMIT 10",
        "SELECT pg_size_pretty(pg_database_size(current_database()))",
        "SELECT obj_description('orders'::regclass, 'pg_class'), col_description('orders'::regclass, 1), pg_get_userbyid(relowner) FROM pg_class LIMIT 1",
        "SELECT has_table_privilege('orders', 'SELECT'), has_schema_privilege('public', 'USAGE'), to_regclass('public.orders'), to_regtype('int4'), num_nonnulls(1, NULL), num_nulls(1, NULL)",
        "SELECT pg_catalog.lower('A'), pg_catalog.count(*) FROM pg_catalog.pg_class",
        "SELECT rolname, rolsuper, rolcanlogin FROM pg_catalog.pg_roles",
        "SELECT count(*) FROM pg_stat_user_tables WHERE n_live_tup > 0",
        "SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'",
        "SELECT gen_random_uuid()",
        "SELECT 'DROP TABLE users; --' AS s",
        "SELECT 'a;b;c', 'it''s', E'line\\nbreak', $$ DELETE FROM t; $$, $tag$ pg_sleep(10) $tag$",
        "SELECT 1 -- DROP TABLE users;",
        "SELECT /* DELETE FROM t; /* nested */ still comment */ 2",
        "-- leading comment\nSELECT 3;",
        "SELECT 1;",
        "  \n\tSELECT 1  ;  \n",
        "SELECT \"Mixed Case\".\"Id\" FROM \"Mixed Case\"",
        "SELECT a FROM t ORDER BY a USING <",
        "SELECT a FROM t WHERE a OPERATOR(pg_catalog.=) 1",
        "SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT SELECT 4",
        "SELECT DISTINCT ON (customer_id) * FROM orders ORDER BY customer_id, created_at DESC",
        "SELECT * FROM orders LIMIT 10 OFFSET 20",
        "SELECT * FROM orders ORDER BY total FETCH FIRST 5 ROWS WITH TIES",
        "SELECT * FROM orders TABLESAMPLE SYSTEM (1) REPEATABLE (42)",
        "SELECT ARRAY(SELECT id FROM t), ROW(1, 'a'), (t.*)::text FROM t",
        "SELECT x IS NULL, x IS NOT DISTINCT FROM y, x BETWEEN 1 AND 2, x IS TRUE FROM t",
        "SELECT xmlelement(name a, 'b'), xpath('/a', '<a/>'::xml)",
        "SELECT to_tsvector('english', body) @@ to_tsquery('english', 'cat & dog'), ts_rank(to_tsvector(body), plainto_tsquery('cat')) FROM docs",
        "SELECT 'é' || 'ü' AS unicode, length('日本語')",
        "SELECT enum_range(NULL::mood)",
        "SELECT int4range(1, 10) @> 5, lower(int4range(1, 10)), upper(daterange('2024-01-01', '2024-02-01'))",
        "SELECT inet '10.0.0.1' << inet '10.0.0.0/8', host('10.0.0.1'::inet), masklen('10.0.0.0/8'::cidr)",
        "SELECT U&\"\\0069d\" FROM t",
        "SELECT pg_catalog.pg_relation_size('t'), pg_catalog.current_setting('work_mem')",
    ]

    @Test("a SELECT-family query is allowed", arguments: selects)
    func selectIsAllowed(sql: String) {
        #expect(Self.guardian.check(sql) == .allowed(.select), "\(sql)")
    }

    @Test("the allowed statement is handed back without its terminating semicolon and what follows", arguments: [
        ("SELECT 1", "SELECT 1"), ("SELECT 1;", "SELECT 1"), ("  select 'a;b' ; -- done\n", "  select 'a;b' "),
        ("SELECT 1 -- note", "SELECT 1 -- note"), ("/* é */ SELECT 'ü';", "/* é */ SELECT 'ü'"),
    ])
    func statementText(sql: String, statement: String) {
        let inspection = Self.guardian.inspect(sql)
        #expect(inspection.verdict == .allowed(.select))
        #expect(inspection.statement == statement, "\(sql)")
        #expect(Self.guardian.inspect("SELECT 1; SELECT 2").statement == "SELECT 1; SELECT 2", "a refused query is left as it is")
    }

    static let explains: [String] = [
        "EXPLAIN SELECT * FROM orders",
        "EXPLAIN VERBOSE SELECT 1",
        "EXPLAIN (FORMAT JSON) SELECT * FROM orders WHERE id = 1",
        "EXPLAIN (COSTS OFF, VERBOSE, SETTINGS) WITH x AS (SELECT 1) SELECT * FROM x",
        "EXPLAIN (ANALYZE false) SELECT 1",
        "EXPLAIN (ANALYZE off, FORMAT YAML) SELECT 1",
        "EXPLAIN (analyze OFF) SELECT 1",
        "EXPLAIN (ANALYZE 0) SELECT 1",
        "explain values (1)",
        "EXPLAIN TABLE orders",
    ]

    @Test("EXPLAIN without ANALYZE of a query is allowed", arguments: explains)
    func explainIsAllowed(sql: String) {
        #expect(Self.guardian.check(sql) == .allowed(.explain), "\(sql)")
    }

    static let shows: [String] = [
        "SHOW search_path",
        "SHOW TimeZone",
        "show work_mem;",
        "SHOW TIME ZONE",
        "SHOW TRANSACTION ISOLATION LEVEL",
    ]

    @Test("SHOW is allowed", arguments: shows)
    func showIsAllowed(sql: String) {
        #expect(Self.guardian.check(sql) == .allowed(.show), "\(sql)")
    }
}
