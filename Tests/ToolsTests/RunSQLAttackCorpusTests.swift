import Foundation
import JSON
import Postgres
import QueryTools
import SchemaTools
import TestSupport
import Testing
import ToolsCore
import TrashTools

/// An attacker's corpus for `run_sql`: SQL the model (an untrusted caller) might send to reach user code,
/// effects that outlive the ROLLBACK, or secrets. Every case must be refused by the tool
/// (`sql_not_read_only`), and the database must show that nothing happened (see `AttackFixture`).
///
/// Placeholders: `{db}` the current database's name, `{victim}` the pid of a backend that must survive,
/// `{secretfile}` a server file with secret content, `{out}` a file path that must not be written,
/// `{loid}` an existing large object.
enum AttackCorpus {
    static let attributeNotation: [AttackCase] = [
        // Any one-argument function, called as if it were a column of its argument.
        .init("attr-read-file", .attributeNotation, "SELECT ('{secretfile}'::text).pg_read_file"),
        .init("attr-read-file-nested-parentheses", .attributeNotation, "SELECT ((('{secretfile}'::text))).pg_read_file AS f"),
        .init("attr-read-file-quoted", .attributeNotation, #"SELECT ('{secretfile}'::text)."pg_read_file""#),
        .init("attr-read-file-upper-case", .attributeNotation, "SELECT ('{secretfile}'::TEXT).PG_READ_FILE"),
        .init("attr-read-file-from-column", .attributeNotation, "SELECT (f).pg_read_file FROM (VALUES ('{secretfile}'::text)) AS v(f)"),
        .init("attr-read-file-in-cte", .attributeNotation,
              "WITH p AS (SELECT '{secretfile}'::text AS path) SELECT (p.path).pg_read_file AS f FROM p"),
        .init("attr-read-binary-file-as-argument", .attributeNotation,
              "SELECT convert_from(('{secretfile}'::text).pg_read_binary_file, 'UTF8') AS f"),
        .init("attr-lo-import", .attributeNotation, "SELECT ('{secretfile}'::text).lo_import AS o"),
        .init("attr-ls-dir", .attributeNotation, "SELECT ('/tmp'::text).pg_ls_dir AS f"),
        .init("attr-terminate", .attributeNotation, "SELECT ({victim}).pg_terminate_backend"),
        .init("attr-terminate-from-column", .attributeNotation,
              "SELECT (pid).pg_terminate_backend FROM (SELECT {victim} AS pid) AS s"),
        .init("attr-terminate-in-where", .attributeNotation, "SELECT 1 AS one WHERE ({victim}).pg_terminate_backend"),
        .init("attr-terminate-in-lateral", .attributeNotation,
              "SELECT i.id FROM items AS i, LATERAL (SELECT ({victim}).pg_terminate_backend AS k) AS x WHERE i.id = 1"),
        .init("attr-terminate-as-argument", .attributeNotation,
              "SELECT coalesce(({victim}::int4).pg_terminate_backend, false) AS k"),
        .init("attr-terminate-in-values", .attributeNotation, "VALUES (({victim}).pg_terminate_backend)"),
        .init("attr-cancel", .attributeNotation, "SELECT (({victim})::integer).pg_cancel_backend"),
        .init("attr-cancel-in-order-by", .attributeNotation, "SELECT id FROM items ORDER BY ({victim}).pg_cancel_backend, id"),
        .init("attr-cancel-in-having", .attributeNotation, "SELECT count(*) FROM items HAVING ({victim}).pg_cancel_backend"),
        .init("attr-cancel-in-subquery", .attributeNotation, "SELECT (SELECT ({victim}).pg_cancel_backend) AS c"),
        .init("attr-advisory-lock", .attributeNotation, "SELECT (42::bigint).pg_advisory_lock"),
        .init("attr-advisory-lock-in-window", .attributeNotation,
              "SELECT row_number() OVER (ORDER BY (43::bigint).pg_try_advisory_lock) AS r FROM items"),
        .init("attr-advisory-lock-in-tablesample", .attributeNotation,
              "SELECT count(*) FROM items TABLESAMPLE BERNOULLI (100) REPEATABLE (length(((44::bigint).pg_try_advisory_lock)::text))"),
        .init("attr-log-memory-contexts", .attributeNotation, "SELECT ({victim}).pg_log_backend_memory_contexts"),
        .init("attr-stat-reset-table", .attributeNotation, "SELECT ('public.items'::regclass::oid).pg_stat_reset_single_table_counters"),
        .init("attr-stat-get-activity", .attributeNotation, "SELECT (null::int).pg_stat_get_activity"),
        .init("attr-stat-get-activity-field", .attributeNotation, "SELECT ((NULL::integer).pg_stat_get_activity).query AS q"),
        // A user function on a table's row type: t.f is f(t).
        .init("attr-row-function", .attributeNotation, "SELECT t.evil FROM items AS t"),
        .init("attr-row-function-parenthesised", .attributeNotation, "SELECT (t).evil FROM items AS t"),
        .init("attr-row-function-table-name", .attributeNotation, "SELECT items.evil FROM items"),
        .init("attr-row-function-quoted-alias", .attributeNotation, #"SELECT ("T")."evil" FROM items AS "T""#),
        .init("attr-row-function-upper-case", .attributeNotation, "SELECT T.EVIL FROM ITEMS T"),
        .init("attr-row-function-in-where", .attributeNotation, "SELECT id FROM items AS t WHERE t.evil = 1"),
        .init("attr-row-function-in-order-by", .attributeNotation, "SELECT id FROM items AS t ORDER BY t.evil"),
        .init("attr-row-function-in-subquery", .attributeNotation,
              "SELECT (SELECT x.evil FROM items AS x ORDER BY x.id LIMIT 1) AS e"),
        .init("attr-row-function-through-cte", .attributeNotation,
              "WITH r AS (SELECT t FROM items AS t) SELECT (r.t).evil AS e FROM r"),
        .init("attr-row-function-in-lateral", .attributeNotation,
              "SELECT e FROM items AS t CROSS JOIN LATERAL (SELECT t.evil AS e) AS l"),
        .init("attr-row-function-as-argument", .attributeNotation, "SELECT abs(t.evil) AS e FROM items AS t"),
        .init("attr-row-function-on-row-constructor", .attributeNotation, "SELECT (ROW(9, 'x', 1.0)::items).evil"),
        .init("attr-row-function-on-function-result", .attributeNotation,
              #"SELECT (json_populate_record(NULL::items, '{"id": 1, "name": "x"}')).evil"#),
    ]

    static let sqlAsText: [AttackCase] = [
        .init("text-ts-stat-authid", .sqlAsText,
              "SELECT * FROM ts_stat('SELECT to_tsvector(''simple'', rolpassword) FROM pg_authid WHERE rolpassword IS NOT NULL')"),
        .init("text-ts-stat-setting", .sqlAsText,
              "SELECT word FROM ts_stat($$SELECT to_tsvector('simple', current_setting('app.jwt_secret'))$$)"),
        .init("text-ts-stat-attribute", .sqlAsText,
              "SELECT ($$SELECT to_tsvector('simple', current_setting('app.jwt_secret'))$$::text).ts_stat"),
        .init("text-ts-stat-qualified-upper-case", .sqlAsText,
              "SELECT * FROM PG_CATALOG.TS_STAT('SELECT to_tsvector(''simple'', pg_read_file(''{secretfile}''))')"),
        .init("text-ts-stat-lock", .sqlAsText,
              "SELECT count(*) FROM ts_stat('SELECT to_tsvector(pg_advisory_lock(4301)::text)')"),
        .init("text-ts-stat-database-qualified", .sqlAsText,
              "SELECT * FROM {db}.pg_catalog.ts_stat('SELECT to_tsvector(''simple'', umoptions::text) FROM pg_user_mapping')"),
        .init("text-ts-rewrite-setting", .sqlAsText,
              "SELECT ts_rewrite('a'::tsquery, $$SELECT 'a'::tsquery, plainto_tsquery('simple', current_setting('app.jwt_secret'))$$)"),
        .init("text-ts-rewrite-role", .sqlAsText,
              "SELECT ts_rewrite('a'::tsquery, $$SELECT 'a'::tsquery, 'b'::tsquery FROM (SELECT set_config('role', 'none', true)) AS s$$)"),
        .init("text-ts-rewrite-reload", .sqlAsText,
              "SELECT ts_rewrite('a'::tsquery, 'SELECT ''a''::tsquery, ''b''::tsquery FROM (SELECT pg_reload_conf()) AS s')"),
        .init("text-query-to-xml-authid", .sqlAsText,
              "SELECT query_to_xml('SELECT rolname, rolpassword FROM pg_authid', true, false, '')"),
        .init("text-query-to-xml-role", .sqlAsText,
              "SELECT query_to_xml('SELECT set_config(''role'', ''none'', true)', true, false, '')"),
        .init("text-query-to-xml-reload", .sqlAsText, "SELECT query_to_xml('SELECT pg_reload_conf()', true, false, '')"),
        .init("text-query-to-xml-txid", .sqlAsText, "SELECT query_to_xml('SELECT txid_current()', true, false, '')"),
        .init("text-query-to-xml-lo-export", .sqlAsText,
              "SELECT query_to_xml('SELECT lo_export({loid}, ''{out}'')', true, false, '')"),
        .init("text-query-to-xml-lock-database-qualified", .sqlAsText,
              #"SELECT "{db}".pg_catalog.query_to_xml('SELECT pg_advisory_lock(4302)', true, false, '')"#),
        .init("text-query-to-xml-upper-case-file", .sqlAsText,
              "SELECT QUERY_TO_XML('SELECT pg_read_file(''{secretfile}'')', TRUE, FALSE, '')"),
        .init("text-query-to-xml-quoted-attribute-lock", .sqlAsText,
              #"SELECT "query_to_xml"('SELECT (4303::bigint).pg_advisory_lock', true, false, '')"#),
        .init("text-query-to-xml-and-xmlschema", .sqlAsText,
              "SELECT query_to_xml_and_xmlschema('SELECT current_setting(''app.jwt_secret'') AS s', true, false, '')"),
        .init("text-query-to-xml-in-cte", .sqlAsText,
              "WITH x AS (SELECT query_to_xml('SELECT umoptions FROM pg_user_mapping', true, false, '') AS doc) SELECT xpath('//text()', doc) FROM x"),
        .init("text-cursor-to-xml", .sqlAsText, "SELECT cursor_to_xml('pgassist_rows'::refcursor, 10, true, false, '')"),
        .init("text-table-to-xml-authid", .sqlAsText, "SELECT table_to_xml('pg_catalog.pg_authid'::regclass, true, false, '')"),
        .init("text-table-to-xml-view", .sqlAsText, "SELECT table_to_xml('public.auth_view', true, false, '')"),
        .init("text-schema-to-xml", .sqlAsText, "SELECT schema_to_xml('public', true, false, '')"),
        .init("text-database-to-xml", .sqlAsText, "SELECT database_to_xml(true, false, '')"),
    ]

    static let nameForms: [AttackCase] = [
        .init("name-database-qualified", .nameForms, "SELECT {db}.pg_catalog.current_setting('app.jwt_secret') AS s"),
        .init("name-database-qualified-quoted", .nameForms,
              #"SELECT "{db}"."pg_catalog"."current_setting"('app.role_secret') AS s"#),
        .init("name-database-qualified-missing-ok", .nameForms,
              "SELECT {db}.pg_catalog.current_setting('app.jwt_secret', true) AS s"),
        .init("name-other-database", .nameForms, "SELECT postgres.pg_catalog.current_setting('app.jwt_secret') AS s",
              anyError: "PostgreSQL refuses a cross-database name (not implemented), so any error will do"),
        .init("name-pg-catalog", .nameForms, "SELECT pg_catalog.current_setting('app.jwt_secret') AS s"),
        .init("name-quoted", .nameForms, #"SELECT "current_setting"('app.jwt_secret') AS s"#),
        .init("name-upper-case", .nameForms, "SELECT CURRENT_SETTING('APP.JWT_SECRET') AS s"),
        .init("name-parenthesised-argument", .nameForms, "SELECT current_setting(('app.jwt_secret')) AS s"),
        .init("name-computed-concatenation", .nameForms, "SELECT current_setting('app.' || 'jwt_secret') AS s"),
        .init("name-computed-function", .nameForms, "SELECT current_setting(concat('app.', 'jwt', '_secret')) AS s"),
        .init("name-computed-column", .nameForms, "SELECT current_setting(n) AS s FROM (VALUES ('app.jwt_secret')) AS v(n)"),
        .init("name-cast-argument", .nameForms, "SELECT current_setting('app.jwt_secret'::text) AS s"),
        .init("name-escape-string", .nameForms, #"SELECT current_setting(E'app.jwt\x5fsecret') AS s"#),
        .init("name-unicode-string", .nameForms, #"SELECT current_setting(U&'app.jwt\005fsecret') AS s"#),
        .init("name-attribute", .nameForms, "SELECT ('app.jwt_secret'::text).current_setting"),
        .init("name-attribute-unknown-literal", .nameForms, "SELECT ('app.role_secret').current_setting"),
        .init("name-attribute-quoted-from-column", .nameForms,
              #"SELECT (s)."current_setting" FROM (VALUES ('app.jwt_secret'::text)) AS v(s)"#),
        .init("name-missing-ok", .nameForms, "SELECT current_setting('app.jwt_secret', true) AS s"),
        .init("name-role-secret", .nameForms, "SELECT current_setting('app.role_secret') AS s"),
        .init("name-in-lateral", .nameForms,
              "SELECT l.s FROM items, LATERAL (SELECT current_setting('app.jwt_secret') AS s) AS l LIMIT 1"),
        .init("name-encoded", .nameForms,
              "SELECT encode(convert_to(pg_catalog.current_setting('app.jwt_secret'), 'UTF8'), 'base64') AS s"),
        .init("name-show", .nameForms, "SHOW app.jwt_secret"),
        .init("name-show-quoted", .nameForms, #"SHOW "app.jwt_secret""#),
        .init("name-show-upper-case", .nameForms, "SHOW APP.ROLE_SECRET"),
        .init("name-show-all", .nameForms, "SHOW ALL"),
    ]

    static let secretCatalogs: [AttackCase] = [
        .init("catalog-user-mapping-options", .secretCatalogs, "SELECT option_value FROM information_schema.user_mapping_options"),
        .init("catalog-user-mapping-options-upper-case", .secretCatalogs,
              "SELECT OPTION_VALUE FROM INFORMATION_SCHEMA.USER_MAPPING_OPTIONS"),
        .init("catalog-user-mapping-options-quoted", .secretCatalogs,
              #"SELECT "option_value" FROM "information_schema"."user_mapping_options""#),
        .init("catalog-user-mapping-options-whole-row", .secretCatalogs,
              "SELECT row_to_json(o) FROM information_schema.user_mapping_options AS o"),
        .init("catalog-internal-user-mappings", .secretCatalogs, "SELECT umoptions FROM information_schema._pg_user_mappings"),
        .init("catalog-internal-user-mappings-star", .secretCatalogs, #"SELECT * FROM information_schema."_pg_user_mappings""#),
        .init("catalog-pg-user-mappings", .secretCatalogs, "SELECT umoptions FROM pg_user_mappings"),
        .init("catalog-pg-user-mappings-qualified", .secretCatalogs, "SELECT m.umoptions FROM pg_catalog.pg_user_mappings AS m"),
        .init("catalog-pg-user-mapping", .secretCatalogs, "SELECT umoptions FROM pg_user_mapping"),
        .init("catalog-pg-user-mapping-database-qualified", .secretCatalogs, "SELECT UMOPTIONS FROM {db}.PG_CATALOG.PG_USER_MAPPING"),
        .init("catalog-mapping-view", .secretCatalogs, "SELECT * FROM mapping_view"),
        .init("catalog-authid", .secretCatalogs, "SELECT rolname, rolpassword FROM pg_authid"),
        .init("catalog-authid-quoted", .secretCatalogs, #"SELECT "rolpassword" FROM "pg_catalog"."pg_authid""#),
        .init("catalog-authid-whole-row", .secretCatalogs, "SELECT a FROM pg_authid AS a"),
        .init("catalog-authid-subquery", .secretCatalogs, "SELECT (SELECT max(rolpassword) FROM pg_authid) AS p"),
        .init("catalog-authid-quoted-upper-case", .secretCatalogs, #"SELECT * FROM "PG_AUTHID""#,
              anyError: "no relation is called \"PG_AUTHID\": PostgreSQL refuses it"),
        .init("catalog-auth-view", .secretCatalogs, "SELECT * FROM auth_view"),
        .init("catalog-auth-view-qualified", .secretCatalogs, "SELECT v.rolpassword FROM public.auth_view AS v"),
        .init("catalog-shadow", .secretCatalogs, "SELECT usename, passwd FROM pg_shadow"),
        .init("catalog-shadow-whole-row", .secretCatalogs, "SELECT row_to_json(s) FROM PG_SHADOW AS s"),
        .init("catalog-statistic", .secretCatalogs, "SELECT stavalues1::text FROM pg_statistic WHERE starelid = 'pg_authid'::regclass"),
        .init("catalog-statistic-whole-row", .secretCatalogs,
              "SELECT s::text FROM pg_catalog.pg_statistic AS s WHERE s.starelid = 'pg_catalog.pg_authid'::regclass"),
        .init("catalog-stats-histogram", .secretCatalogs,
              "SELECT histogram_bounds::text FROM pg_stats WHERE tablename = 'pg_authid'"),
        .init("catalog-stats-common-values", .secretCatalogs,
              "SELECT most_common_vals::text, histogram_bounds::text FROM pg_catalog.pg_stats WHERE tablename = 'pg_authid' AND attname = 'rolpassword'"),
        .init("catalog-stats-whole-row", .secretCatalogs, "SELECT to_jsonb(s) FROM pg_stats AS s WHERE s.tablename = 'pg_authid'"),
        .init("catalog-stats-star", .secretCatalogs, "SELECT * FROM pg_stats WHERE tablename = 'pg_authid'"),
        .init("catalog-stats-renamed-columns", .secretCatalogs,
              "SELECT j::text FROM pg_stats AS s(a, b, c, d, e, f, g, h, i, j) WHERE b = 'pg_authid'"),
        .init("catalog-stats-through-subquery", .secretCatalogs,
              "SELECT x.histogram_bounds::text FROM (SELECT * FROM pg_stats) AS x WHERE x.tablename = 'pg_authid'"),
        .init("catalog-roles-rolconfig", .secretCatalogs, "SELECT rolname, rolconfig FROM pg_roles WHERE rolconfig IS NOT NULL"),
        .init("catalog-roles-whole-row", .secretCatalogs, "SELECT r FROM pg_roles AS r"),
        .init("catalog-roles-row-to-json", .secretCatalogs, "SELECT row_to_json(r) FROM pg_roles AS r"),
        .init("catalog-roles-star", .secretCatalogs, "SELECT r.* FROM pg_catalog.pg_roles AS r"),
        .init("catalog-roles-renamed-columns", .secretCatalogs, "SELECT l FROM pg_roles AS p(a, b, c, d, e, f, g, h, i, j, k, l)"),
        .init("catalog-roles-unnest", .secretCatalogs, #"SELECT unnest(rolconfig) AS c FROM "pg_roles""#),
        .init("catalog-role-config-view", .secretCatalogs, "SELECT * FROM role_config_view"),
        .init("catalog-user-useconfig", .secretCatalogs, "SELECT usename, useconfig FROM pg_user"),
        .init("catalog-user-whole-row", .secretCatalogs, "SELECT u FROM pg_user AS u"),
        .init("catalog-db-role-setting", .secretCatalogs, "SELECT setconfig FROM pg_db_role_setting"),
        .init("catalog-db-role-setting-upper-case", .secretCatalogs, "SELECT SETCONFIG FROM PG_CATALOG.PG_DB_ROLE_SETTING"),
        .init("catalog-db-role-setting-options", .secretCatalogs,
              "SELECT o.* FROM pg_db_role_setting AS d, pg_options_to_table(d.setconfig) AS o"),
        .init("catalog-settings-view", .secretCatalogs, "SELECT * FROM settings_view"),
        .init("catalog-pg-settings", .secretCatalogs, "SELECT name, setting FROM pg_settings"),
        .init("catalog-pg-settings-whole-row", .secretCatalogs,
              "SELECT s FROM pg_catalog.pg_settings AS s WHERE s.name = 'data_directory'"),
        .init("catalog-pg-file-settings", .secretCatalogs, "SELECT * FROM pg_file_settings"),
        .init("catalog-largeobject", .secretCatalogs, "SELECT convert_from(data, 'UTF8') AS c FROM pg_largeobject"),
        .init("catalog-stat-activity", .secretCatalogs, "SELECT query FROM pg_stat_activity WHERE pid = {victim}"),
        .init("catalog-stat-activity-whole-row", .secretCatalogs, "SELECT row_to_json(a) FROM pg_catalog.pg_stat_activity AS a"),
        .init("catalog-stat-activity-subquery", .secretCatalogs,
              "SELECT (SELECT string_agg(query, ';') FROM pg_stat_activity) AS q"),
    ]

    static let hiddenUserCode: [AttackCase] = [
        // A user overload that PostgreSQL prefers to the built-in for these argument types.
        .init("code-overloaded-lower", .hiddenUserCode, "SELECT lower(1) AS l"),
        .init("code-overloaded-lower-on-column", .hiddenUserCode, "SELECT lower(id) AS l FROM items"),
        .init("code-overloaded-lower-nested", .hiddenUserCode, "SELECT upper(lower(length('abc'))) AS l"),
        .init("code-overloaded-lower-attribute", .hiddenUserCode, "SELECT (7).lower"),
        // User operators on a user type, reached through syntax that names no operator or a bare one.
        .init("code-operator-equals", .hiddenUserCode, "SELECT id FROM feelings WHERE m = 'ok'"),
        .init("code-operator-any-subquery", .hiddenUserCode, "SELECT id FROM feelings WHERE m = ANY (SELECT m FROM feelings)"),
        .init("code-operator-in-subquery", .hiddenUserCode, "SELECT id FROM feelings WHERE m IN (SELECT m FROM feelings)"),
        .init("code-operator-in-list", .hiddenUserCode, "SELECT id FROM feelings WHERE m IN ('ok', 'sad')"),
        .init("code-operator-not-in-list", .hiddenUserCode, "SELECT id FROM feelings WHERE m NOT IN ('happy')"),
        .init("code-operator-all-array", .hiddenUserCode, "SELECT m = ALL (ARRAY['ok'::mood]) AS a FROM feelings"),
        .init("code-operator-simple-case", .hiddenUserCode, "SELECT CASE m WHEN 'ok' THEN 1 ELSE 0 END AS c FROM feelings"),
        .init("code-operator-nullif", .hiddenUserCode, "SELECT NULLIF(m, 'ok') AS n FROM feelings"),
        .init("code-operator-is-distinct-from", .hiddenUserCode, "SELECT m IS DISTINCT FROM 'ok' AS d FROM feelings"),
        .init("code-operator-is-not-distinct-from", .hiddenUserCode, "SELECT id FROM feelings WHERE m IS NOT DISTINCT FROM 'sad'"),
        .init("code-operator-between", .hiddenUserCode, "SELECT m BETWEEN 'sad' AND 'happy' AS b FROM feelings"),
        .init("code-operator-order-by-using", .hiddenUserCode, "SELECT m FROM feelings ORDER BY m USING <"),
        .init("code-operator-row-less-than", .hiddenUserCode, "SELECT (m, 1) < (m, 2) AS lt FROM feelings"),
        .init("code-operator-row-equals", .hiddenUserCode, "SELECT (m, id) = (m, id) AS eq FROM feelings"),
        .init("code-operator-join-using", .hiddenUserCode, "SELECT f.id FROM feelings AS f JOIN feelings AS g USING (m)"),
        // A domain whose CHECK calls a user function: every conversion to it runs the function.
        .init("code-domain-cast", .hiddenUserCode, "SELECT 'x'::dom AS d"),
        .init("code-domain-cast-syntax", .hiddenUserCode, "SELECT CAST('x' AS public.dom) AS d"),
        .init("code-domain-array", .hiddenUserCode, "SELECT '{x,y}'::dom[] AS d"),
        .init("code-domain-null", .hiddenUserCode, "SELECT NULL::dom AS d"),
        .init("code-domain-in-where", .hiddenUserCode, "SELECT id FROM items WHERE name::dom IS NOT NULL"),
        .init("code-domain-column-definition-list", .hiddenUserCode, #"SELECT * FROM jsonb_to_record('{"a": "x"}') AS t(a dom)"#),
        .init("code-domain-recordset-definition-list", .hiddenUserCode,
              #"SELECT * FROM json_to_recordset('[{"a": "x"}]') AS t(a dom)"#),
        .init("code-domain-populate-record", .hiddenUserCode,
              #"SELECT * FROM json_populate_record(NULL::with_dom, '{"a": "x"}')"#),
        .init("code-domain-populate-record-field", .hiddenUserCode,
              #"SELECT (jsonb_populate_record(NULL::with_dom, '{"a": "x"}')).a"#),
        .init("code-domain-xmltable-column", .hiddenUserCode,
              "SELECT * FROM XMLTABLE('/r' PASSING '<r><b>x</b></r>' COLUMNS b dom)"),
        .init("code-domain-row-cast", .hiddenUserCode, "SELECT ROW('x')::with_dom AS r"),
        // Literals read when the query is parsed: the composite's or array's input function reads each
        // element with domain_in, so the CHECK runs during parse analysis (describe, PREPARE, CREATE VIEW).
        .init("code-domain-composite-literal", .hiddenUserCode, "SELECT '(x)'::with_dom AS r"),
        .init("code-domain-composite-array-literal", .hiddenUserCode, #"SELECT '{"(x)"}'::public.with_dom[] AS r"#),
        .init("code-domain-composite-literal-is-null", .hiddenUserCode, "SELECT '(x)'::with_dom IS NULL AS n"),
        .init("code-domain-literal-against-array-column", .hiddenUserCode, "SELECT id FROM dom_holder WHERE tags = '{x}'"),
        .init("code-domain-literal-in-array-containment", .hiddenUserCode, "SELECT id FROM dom_holder WHERE tags @> '{x}'"),
        .init("code-domain-literal-in-array-concatenation", .hiddenUserCode,
              "SELECT array_length(coalesce(tags, '{}') || '{x}', 1) AS n FROM dom_holder"),
        .init("code-domain-literal-in-coalesce", .hiddenUserCode, "SELECT coalesce(pair, '(y)') AS p FROM dom_holder"),
        .init("code-domain-literal-against-range-column", .hiddenUserCode, "SELECT id FROM dom_holder WHERE span && '[a,b]'"),
        // The DEFAULT operator classes of a user type: no operator is written, PostgreSQL picks them.
        .init("code-default-opclass-order-by", .hiddenUserCode, "SELECT id FROM levels ORDER BY l"),
        .init("code-default-opclass-order-by-position", .hiddenUserCode, "SELECT l FROM levels ORDER BY 1"),
        .init("code-default-opclass-distinct", .hiddenUserCode, "SELECT DISTINCT l FROM levels"),
        .init("code-default-opclass-distinct-on", .hiddenUserCode, "SELECT DISTINCT ON (l) id FROM levels"),
        .init("code-default-opclass-group-by", .hiddenUserCode, "SELECT l, count(*) AS n FROM levels GROUP BY l"),
        .init("code-default-opclass-count-distinct", .hiddenUserCode, "SELECT count(DISTINCT l) AS n FROM levels"),
        .init("code-default-opclass-union", .hiddenUserCode, "SELECT l FROM levels UNION SELECT l FROM levels"),
        .init("code-default-opclass-window", .hiddenUserCode, "SELECT row_number() OVER (ORDER BY l) AS r FROM levels"),
        .init("code-default-opclass-partition", .hiddenUserCode, "SELECT rank() OVER (PARTITION BY l ORDER BY id) AS r FROM levels"),
        .init("code-default-opclass-aggregate-order", .hiddenUserCode, "SELECT array_agg(l ORDER BY l) AS a FROM levels"),
        .init("code-default-opclass-ordered-set", .hiddenUserCode,
              "SELECT percentile_disc(0.5) WITHIN GROUP (ORDER BY l) AS p FROM levels"),
        .init("code-default-opclass-greatest", .hiddenUserCode, "SELECT greatest(l, l) AS g FROM levels"),
        .init("code-default-opclass-least", .hiddenUserCode, "SELECT LEAST(a.l, b.l) AS g FROM levels AS a JOIN levels AS b ON a.id = b.id"),
        .init("code-default-opclass-array-equality", .hiddenUserCode, "SELECT ARRAY[l] = ARRAY[l] AS e FROM levels"),
        .init("code-default-opclass-array-order", .hiddenUserCode, "SELECT ARRAY[l] AS a FROM levels ORDER BY 1"),
        .init("code-default-opclass-array-contains", .hiddenUserCode, "SELECT ARRAY[l] @> ARRAY[l] AS c FROM levels"),
        .init("code-default-opclass-array-position", .hiddenUserCode, "SELECT array_position(ARRAY[l, l], l) AS p FROM levels"),
        .init("code-default-opclass-array-remove", .hiddenUserCode, "SELECT array_remove(ARRAY[l], l) AS a FROM levels"),
        .init("code-default-opclass-whole-row-equality", .hiddenUserCode,
              "SELECT a = b AS e FROM levels AS a JOIN levels AS b ON a.id = b.id"),
        .init("code-default-opclass-whole-row-less", .hiddenUserCode, "SELECT (a.*) < (b.*) AS lt FROM levels AS a, levels AS b"),
        .init("code-default-opclass-whole-row-distinct", .hiddenUserCode, "SELECT DISTINCT t FROM levels AS t"),
        .init("code-default-opclass-join-using", .hiddenUserCode, "SELECT a.id FROM levels AS a JOIN levels AS b USING (l)"),
        .init("code-default-opclass-max-of-arrays", .hiddenUserCode, "SELECT max(ARRAY[l]) AS m FROM levels"),
        .init("code-default-opclass-order-by-row", .hiddenUserCode, "SELECT id FROM levels ORDER BY ROW(l, id)"),
        .init("code-default-opclass-distinct-arrays", .hiddenUserCode, "SELECT DISTINCT ARRAY[l] AS a FROM levels"),
        .init("code-default-opclass-group-by-array", .hiddenUserCode, "SELECT ARRAY[l] AS a, count(*) AS n FROM levels GROUP BY 1"),
        .init("code-default-opclass-array-overlap", .hiddenUserCode, "SELECT id FROM levels WHERE ARRAY[l] && ARRAY[l]"),
        .init("code-default-opclass-width-bucket", .hiddenUserCode, "SELECT width_bucket(l, ARRAY[l, l]) AS b FROM levels"),
        .init("code-default-opclass-whole-row-is-distinct", .hiddenUserCode,
              "SELECT a IS DISTINCT FROM b AS d FROM levels AS a, levels AS b"),
        .init("code-default-opclass-array-replace", .hiddenUserCode, "SELECT array_replace(ARRAY[l], l, l) AS a FROM levels"),
        // A user cast, explicit and implicit.
        .init("code-cast-explicit", .hiddenUserCode, "SELECT m::int AS n FROM feelings"),
        .init("code-cast-syntax", .hiddenUserCode, "SELECT CAST(m AS integer) AS n FROM feelings"),
        .init("code-cast-implicit-operator", .hiddenUserCode, "SELECT m + 1 AS n FROM feelings"),
        .init("code-cast-implicit-function-argument", .hiddenUserCode, "SELECT abs(m) AS n FROM feelings"),
        .init("code-cast-implicit-in-list", .hiddenUserCode, "SELECT m IN (1, 2) AS i FROM feelings"),
        // An operator class whose support function is user code, on a partition key and on an index:
        // every operator the query names is built in.
        .init("code-partition-key-opclass-scan", .hiddenUserCode, "SELECT count(*) AS n FROM parted"),
        .init("code-partition-key-opclass-pruning", .hiddenUserCode, "SELECT note FROM parted WHERE id = 1"),
        .init("code-partition-key-opclass-in-subquery", .hiddenUserCode,
              "SELECT s.id FROM (SELECT * FROM public.parted) AS s WHERE s.id < 50"),
        .init("code-index-opclass-equality", .hiddenUserCode, "SELECT note FROM indexed WHERE id = 42"),
        .init("code-index-opclass-planner-probe", .hiddenUserCode, "SELECT count(*) AS n FROM indexed WHERE id > 100000"),
        // Views a low-privilege role made: they run with the caller's rights.
        .init("code-low-role-view-function", .hiddenUserCode, "SELECT * FROM low_marker"),
        .init("code-low-role-view-terminate", .hiddenUserCode, "SELECT * FROM low_kill"),
        .init("code-low-role-view-lock", .hiddenUserCode, "SELECT locked FROM public.low_lock"),
        // A TABLESAMPLE method that is not built in (here a wrapper of SYSTEM's handler, so no marker).
        .init("code-tablesample-user-method", .hiddenUserCode, "SELECT count(*) FROM items TABLESAMPLE public.user_sample (100)"),
        .init("code-tablesample-user-method-unqualified", .hiddenUserCode,
              "SELECT count(*) FROM items TABLESAMPLE user_sample (100) REPEATABLE (1)"),
    ]

    static let sessionState: [AttackCase] = [
        .init("session-advisory-lock", .sessionState, "SELECT pg_advisory_lock(4401)"),
        .init("session-try-advisory-lock", .sessionState, "SELECT pg_try_advisory_lock(4402)"),
        .init("session-advisory-lock-shared", .sessionState, "SELECT pg_advisory_lock_shared(4403)"),
        .init("session-try-advisory-lock-shared-two-keys", .sessionState, "SELECT pg_try_advisory_lock_shared(44, 4)"),
        .init("session-advisory-lock-qualified", .sessionState, "SELECT pg_catalog.pg_advisory_lock(44, 5)"),
        .init("session-advisory-lock-database-qualified", .sessionState, "SELECT {db}.pg_catalog.pg_try_advisory_lock(4406)"),
        .init("session-advisory-lock-upper-case", .sessionState, "SELECT PG_ADVISORY_LOCK(4407)"),
        .init("session-advisory-lock-attribute-shared", .sessionState,
              "SELECT (k).pg_advisory_lock_shared FROM (VALUES (4408::bigint)) AS v(k)"),
        .init("session-advisory-lock-attribute-try-shared", .sessionState, "SELECT ((4409)::bigint).pg_try_advisory_lock_shared"),
        .init("session-setseed", .sessionState, "SELECT setseed(0.25)"),
        .init("session-setseed-attribute", .sessionState, "SELECT (0.25::float8).setseed"),
        .init("session-setseed-attribute-numeric", .sessionState, "SELECT (0.25).setseed"),
        .init("session-setseed-qualified", .sessionState, "SELECT pg_catalog.setseed(1 / 4::float8)"),
        .init("session-setseed-database-qualified", .sessionState, "SELECT {db}.pg_catalog.setseed(0.25)"),
        .init("session-backup-start", .sessionState, "SELECT pg_backup_start('pgassist', true)"),
        .init("session-backup-start-attribute", .sessionState, "SELECT ('pgassist'::text).pg_backup_start"),
        .init("session-backup-start-named-arguments", .sessionState,
              "SELECT pg_catalog.pg_backup_start(label => 'pgassist', fast => true)"),
        // Server state a ROLLBACK does not undo either.
        .init("server-reload-conf", .sessionState, "SELECT pg_reload_conf()"),
        .init("server-reload-conf-database-qualified", .sessionState, #"SELECT "{db}".pg_catalog."pg_reload_conf"()"#),
        .init("server-reload-conf-in-cte", .sessionState, "WITH r AS (SELECT PG_RELOAD_CONF() AS done) SELECT done FROM r"),
        .init("server-stat-reset", .sessionState, "SELECT pg_stat_reset()"),
        .init("server-stat-reset-single-table", .sessionState,
              "SELECT pg_catalog.pg_stat_reset_single_table_counters('public.items'::regclass)"),
        .init("server-switch-wal", .sessionState, "SELECT pg_switch_wal()"),
        .init("server-restore-point-attribute", .sessionState, "SELECT ('pgassist'::text).pg_create_restore_point"),
    ]

    static let all: [AttackCase] = attributeNotation + sqlAsText + nameForms + secretCatalogs + hiddenUserCode + sessionState

    /// Queries that must keep running, with their answers, on the attack fixture and on a plain database.
    static let allowed: [AllowedQuery] = [
        .init("join-group-by", "SELECT i.name, sum(o.qty) AS qty FROM items AS i JOIN orders AS o ON o.item_id = i.id GROUP BY i.name ORDER BY i.name",
              rows: #"[{"name": "alpha", "qty": 3}, {"name": "gamma", "qty": 5}]"#),
        .init("cte", "WITH cheap AS (SELECT id FROM items WHERE price < 10) SELECT count(*) AS n FROM cheap", rows: #"[{"n": 2}]"#),
        .init("window-rows", "SELECT id, row_number() OVER (ORDER BY price DESC NULLS LAST) AS r FROM items ORDER BY id",
              rows: #"[{"id": 1, "r": 1}, {"id": 2, "r": 3}, {"id": 3, "r": 2}, {"id": 4, "r": 4}]"#),
        .init("window-range-offset", "SELECT id, sum(id) OVER (ORDER BY id RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) AS s FROM items ORDER BY id",
              rows: #"[{"id": 1, "s": 1}, {"id": 2, "s": 3}, {"id": 3, "s": 5}, {"id": 4, "s": 7}]"#),
        .init("in-list-and-any", "SELECT count(*) AS n FROM items WHERE id IN (1, 2) OR id = ANY (ARRAY[4])", rows: #"[{"n": 3}]"#),
        .init("in-subquery", "SELECT name FROM items WHERE id IN (SELECT item_id FROM orders) ORDER BY name",
              rows: #"[{"name": "alpha"}, {"name": "gamma"}]"#),
        .init("case-nullif-between",
              "SELECT id, CASE id WHEN 1 THEN 'one' ELSE 'other' END AS c, NULLIF(id, 2) AS n, id BETWEEN 2 AND 3 AS mid FROM items WHERE id <= 2 ORDER BY id",
              rows: #"[{"id": 1, "c": "one", "n": 1, "mid": false}, {"id": 2, "c": "other", "n": null, "mid": true}]"#),
        .init("is-distinct-and-row-comparison", "SELECT 'a' IS DISTINCT FROM 'b' AS d, (1, 2) < (1, 3) AS lt, (1, 2) = (1, 2) AS eq",
              rows: #"[{"d": true, "lt": true, "eq": true}]"#),
        .init("order-by-using", "SELECT id FROM items ORDER BY id USING > LIMIT 1", rows: #"[{"id": 4}]"#),
        .init("built-in-casts", "SELECT '42'::int + 1 AS n, CAST('2024-01-02' AS date)::text AS d, 3.5::text AS t",
              rows: #"[{"n": 43, "d": "2024-01-02", "t": "3.5"}]"#),
        .init("domain-with-built-in-check", "SELECT 'abc'::word AS w, CAST('xyz' AS public.word) AS w2", rows: #"[{"w": "abc", "w2": "xyz"}]"#),
        .init("column-definition-list", #"SELECT * FROM jsonb_to_record('{"a": 1}') AS t(a int)"#, rows: #"[{"a": 1}]"#),
        .init("qualified-columns-and-field-selection",
              "SELECT i.name, (i).price FROM items AS i WHERE i.price IS NOT NULL ORDER BY i.price LIMIT 1",
              rows: #"[{"name": "beta", "price": "3.00"}]"#),
        .init("pg-roles-rolname", "SELECT rolname FROM pg_roles WHERE rolname = 'pg_monitor'", rows: #"[{"rolname": "pg_monitor"}]"#),
        .init("pg-roles-all-names", "SELECT rolname FROM pg_roles", rows: nil),
        .init("pg-stats-harmless-columns",
              "SELECT attname, null_frac, n_distinct FROM pg_stats WHERE tablename = 'items' ORDER BY attname",
              rows: #"[{"attname": "id", "null_frac": 0, "n_distinct": -1}, {"attname": "name", "null_frac": 0, "n_distinct": -1}, {"attname": "price", "null_frac": 0.25, "n_distinct": -0.75}]"#),
        .init("explain", "EXPLAIN SELECT * FROM items WHERE id = 1", rows: nil),
        .init("show-search-path", "SHOW search_path", rows: #"[{"search_path": "\"$user\", public"}]"#),
        .init("current-setting-search-path", "SELECT current_setting('search_path') AS s", rows: #"[{"s": "\"$user\", public"}]"#),
        .init("tablesample-system", "SELECT count(*) AS n FROM items TABLESAMPLE SYSTEM (100) REPEATABLE (7)", rows: #"[{"n": 4}]"#),
        .init("tablesample-bernoulli", "SELECT count(*) AS n FROM items TABLESAMPLE BERNOULLI (100) REPEATABLE (1)", rows: #"[{"n": 4}]"#),
        .init("lower-built-in", "SELECT lower('ABC') AS l", rows: #"[{"l": "abc"}]"#),
        .init("view-reading-a-table", "SELECT id, name FROM item_names ORDER BY id LIMIT 2",
              rows: #"[{"id": 1, "name": "alpha"}, {"id": 2, "name": "beta"}]"#),
    ]
}

@Suite("run_sql attack corpus", .serialized)
struct RunSQLAttackCorpusTests {
    private static func run(_ sql: String, _ context: ToolContext) -> ToolResult {
        RunSQLTool().execute(.object(["query": .string(sql)]), context: context)
    }

    /// Appends `line` to the file named by PGASSIST_ATTACK_REPORT, when set (for a summary across cases).
    private static func report(_ line: String) {
        guard let path = ProcessInfo.processInfo.environment["PGASSIST_ATTACK_REPORT"], !path.isEmpty else { return }
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { return }
        handle.seekToEndOfFile()
        handle.write(Data((line + "\n").utf8))
        try? handle.close()
    }

    @Test("the corpus is large enough, with several spellings per class, and its ids are unique")
    func corpusShape() {
        #expect(AttackCorpus.all.count >= 110)
        for kind in AttackCase.Kind.allCases {
            #expect(AttackCorpus.all.filter { $0.kind == kind }.count >= 5, "class \(kind.rawValue)")
        }
        #expect(Set(AttackCorpus.all.map(\.id)).count == AttackCorpus.all.count)
        #expect(AttackCorpus.allowed.count >= 15)
    }

    @Test("an attack is refused and leaves no trace: no marker, lock, signal, setting, file, large object or secret",
          arguments: AttackCorpus.all)
    func attack(_ attack: AttackCase) throws {
        let fixture = try AttackFixture.shared()
        let run = try fixture.begin()
        defer { fixture.end(run) }
        let sql = fixture.expand(attack.sql, run)
        // Every attack should be refused at once; a shorter limit keeps a slipped-through one (a backup
        // waiting for a checkpoint) from stalling the suite.
        var settings = ToolSettings()
        settings.statementTimeoutMilliseconds = 5_000
        let (context, pool) = fixture.context(settings)
        let result = Self.run(sql, context)
        let verdict = attackVerdict(result)
        let findings = fixture.findings(after: run, context: context, pool: pool, resultJSON: result.json.serialized())
        let refused = verdict == "refused"
        if let why = attack.anyError {
            #expect(!result.isSuccess, "[\(attack.id)] \(sql) → \(verdict) (any error will do: \(why))")
        } else {
            #expect(refused, "[\(attack.id)] \(sql) → \(verdict), not a guard refusal")
        }
        for finding in findings {
            Issue.record("[\(attack.id)] \(sql) → \(finding)")
        }
        let passed = (attack.anyError != nil ? !result.isSuccess : refused) && findings.isEmpty
        Self.report("\(passed ? "PASS" : "FAIL")\t\(attack.kind.rawValue)\t\(attack.id)\t\(verdict)\t\(findings.joined(separator: " | "))")
        withExtendedLifetime(context) {}
    }

    @Test("still allowed on the attack fixture (user operators, casts and domains exist but are not used)",
          arguments: AttackCorpus.allowed)
    func allowedOnFixture(_ query: AllowedQuery) throws {
        let fixture = try AttackFixture.shared()
        let run = try fixture.begin()
        defer { fixture.end(run) }
        let (context, pool) = fixture.context()
        let result = Self.run(query.sql, context)
        let answered = Self.expectAnswer(query, result, where: "attack fixture")
        let findings = fixture.findings(after: run, context: context, pool: pool, resultJSON: result.json.serialized())
        for finding in findings {
            Issue.record("[\(query.id)] \(finding)")
        }
        Self.report("\(answered && findings.isEmpty ? "PASS" : "FAIL")\tallowed (fixture)\t\(query.id)\t\(attackVerdict(result))\t\(findings.joined(separator: " | "))")
    }

    @Test("still allowed on a plain database", arguments: AttackCorpus.allowed)
    func allowedOnPlainDatabase(_ query: AllowedQuery) throws {
        let database = try AttackBaseSchema.plainDatabase()
        let result = Self.run(query.sql, database.context())
        let answered = Self.expectAnswer(query, result, where: "plain database")
        Self.report("\(answered ? "PASS" : "FAIL")\tallowed (plain)\t\(query.id)\t\(attackVerdict(result))\t")
    }

    /// Checks the rows; true when they are the expected ones.
    @discardableResult
    private static func expectAnswer(_ query: AllowedQuery, _ result: ToolResult, where place: String) -> Bool {
        guard let data = result.data else {
            Issue.record("[\(query.id)] on the \(place): \(query.sql) → \(attackVerdict(result))")
            return false
        }
        let rows = data["rows"]?.arrayValue ?? []
        if let text = query.rows {
            let expected = (try? JSONValue.parse(text))?.arrayValue
            #expect(expected != nil, "[\(query.id)] the expected rows are not a JSON array")
            #expect(rows == expected, "[\(query.id)] on the \(place): \(query.sql)")
            return expected != nil && rows == expected
        }
        #expect(!rows.isEmpty, "[\(query.id)] on the \(place): \(query.sql)")
        return !rows.isEmpty
    }

    @Test("a database's event triggers stay quiet for a superuser login, and what an ALWAYS one does is rolled back",
          arguments: ["SELECT 1 AS one", "SELECT i.name FROM items AS i JOIN orders AS o ON o.item_id = i.id ORDER BY 1",
                      "EXPLAIN SELECT * FROM items WHERE id = 1", "SHOW search_path"])
    func eventTriggersDoNotRun(_ sql: String) throws {
        let database = try EventTriggerDatabase.shared()
        let result = Self.run(sql, database.database.context())
        #expect(result.isSuccess, "\(sql) → \(attackVerdict(result))")
        let fired = try database.firedAndCleared()
        #expect(fired.isEmpty, "\(sql) ran the database's event trigger function: \(fired)")
        #expect(try database.alwaysLogged() == "0", "\(sql): an ALWAYS event trigger's write outlived the call")
        Self.report("\(fired.isEmpty ? "PASS" : "FAIL")\tevent triggers\t\(sql)\t\(attackVerdict(result))\t\(fired)")
    }

    @Test("one pooled connection stays clean across calls: no advisory lock, prepared statement, cursor, seed or backup survives")
    func pooledConnectionStaysClean() throws {
        let fixture = try AttackFixture.shared()
        let run = try fixture.begin()
        defer { fixture.end(run) }
        var settings = ToolSettings()
        settings.statementTimeoutMilliseconds = 5_000
        let context = fixture.database.context(settings)  // one ConnectionPool: every call below reuses its connection
        let database = try context.requireDatabase()

        func toolBackend() throws -> String? {
            try fixture.database.scalar("""
                SELECT string_agg(pid::text, ',') FROM pg_stat_activity
                WHERE datname = current_database() AND application_name = 'pgassist-tools'
                """)
        }
        func locksOfToolBackends() throws -> String? {
            try fixture.database.scalar("""
                SELECT count(*) FROM pg_locks AS l JOIN pg_stat_activity AS a ON a.pid = l.pid
                WHERE l.locktype = 'advisory' AND a.application_name = 'pgassist-tools' AND a.datname = current_database()
                """)
        }
        /// Asked in the tool's own session (the pool lends the same connection): what a session keeps after ROLLBACK.
        func sessionLeftovers() throws -> String? {
            try database.transaction(readOnly: true) { connection throws(ToolError) -> String? in
                do throws(PostgresError) {
                    return try connection.query("""
                        SELECT pg_backend_pid() || ':' || (SELECT count(*) FROM pg_prepared_statements) || ':' || (SELECT count(*) FROM pg_cursors WHERE name <> '')
                        """).string(0, 0)
                } catch { throw ToolError.from(error) }
            }
        }

        let first = Self.run("SELECT pg_backend_pid() AS pid", context)
        let pid = try #require(first.data?["rows"]?.arrayValue?.first?["pid"]?.intValue, "\(first.json.serialized())")
        #expect(try toolBackend() == String(pid))

        let attempts = [
            "SELECT (42::bigint).pg_advisory_lock",
            "SELECT pg_try_advisory_lock_shared(43)",
            "SELECT query_to_xml('SELECT pg_advisory_lock(44)', true, false, '')",
            "SELECT * FROM low_lock",
            "SELECT (0.25::float8).setseed",
            "SELECT setseed(0.25)",
            "SELECT ('pgassist'::text).pg_backup_start",
            "SELECT query_to_xml('PREPARE leftover AS SELECT 1', true, false, '')",
            "SELECT query_to_xml('DECLARE leftover CURSOR WITH HOLD FOR SELECT 1', true, false, '')",
        ]
        for attempt in attempts {
            let result = Self.run(attempt, context)
            #expect(attackVerdict(result) == "refused", "\(attempt) → \(attackVerdict(result))")
            #expect(try locksOfToolBackends() == "0", "the tool's backend holds advisory locks (from this call or an earlier one) after: \(attempt)")
            #expect(try sessionLeftovers() == "\(pid):0:0", "the tool's session kept state after: \(attempt)")
            // random() in the same session must not be the value that follows setseed(0.25).
            let random = Self.run("SELECT random() AS r", context)
            guard case .number(let value)? = random.data?["rows"]?.arrayValue?.first?["r"] else {
                Issue.record("SELECT random() failed: \(random.json.serialized())")
                continue
            }
            #expect(abs(value - fixture.randomAfterSeed) > 1e-12, "random() is reproducible after: \(attempt)")
            let backup = Result { () throws(ToolError) -> PostgresResult in
                try database.transaction(readOnly: true) { connection throws(ToolError) -> PostgresResult in
                    do throws(PostgresError) { return try connection.query("SELECT pg_backup_stop(false)") } catch { throw ToolError.from(error) }
                }
            }
            if case .success = backup { Issue.record("a backup was left running in the tool's session after: \(attempt)") }
        }
        let last = Self.run("SELECT pg_backend_pid() AS pid, 1 AS one", context)
        #expect(last.data?["rows"]?.arrayValue?.first?["pid"]?.intValue == pid, "the pool did not reuse its connection")
        #expect(try fixture.database.scalar("""
            SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """) == "0")
    }
}

