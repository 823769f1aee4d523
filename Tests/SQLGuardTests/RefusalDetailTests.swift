import SQLGuard
import Testing

/// What a refusal tells the model: where the problem is (1-based characters) and what it is.
@Suite("Refusal positions and messages")
struct RefusalDetailTests {
    static let guardian = ReadOnlyGuard()

    static let positions: [(sql: String, position: Int)] = [
        ("SELECT pg_sleep(1)", 8),
        ("SELECT 1, lower('x'), pg_sleep(1)", 23),
        ("SELECT 'éé', pg_sleep(1)", 14),
        ("SELECT '日本', U&\"\\0070g_sleep\"(1)", 14),
        ("SELECT pg_sleep(1), pg_terminate_backend(2)", 8),
        ("SELECT pg_terminate_backend(2), pg_sleep(1)", 8),
        ("SELECT * FROM t WHERE a = 1 AND pg_catalog.pg_sleep(1) IS NULL", 33),
        ("SELECT *\nFROM t\nORDER BY nextval('s')", 26),
        ("SELECT * FROM pg_authid", 15),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", 6),
        ("SELECT * INTO x FROM t", 15),
        ("EXPLAIN (FORMAT JSON, ANALYZE) SELECT 1", 23),
        ("SELECT 1; DELETE FROM t", 11),
        ("DELETE FROM t", 1),
        ("  DELETE FROM t", 3),
        ("SELECT 1 +", 11),
        ("SELEC 1", 1),
        ("SELECT 1 OPERATOR(public.+) 2", 10),
    ]

    @Test("a refusal reports where the offending part starts, in characters", arguments: positions)
    func position(sql: String, position: Int) {
        #expect(Self.guardian.check(sql).refusal?.position == position, "\(sql)")
    }

    @Test("every function refusal carries a position", arguments: RefusedQueryTests.cases.filter { $0.reason == .functionNotAllowed })
    func functionRefusalHasPosition(sql: String, reason: GuardRefusal.Reason) {
        #expect(Self.guardian.check(sql).refusal?.position != nil, "\(sql)")
    }

    static let messages: [(sql: String, message: String)] = [
        ("SELECT pg_sleep(1)", "pg_sleep() is not allowed: it makes the session sleep"),
        ("SELECT PG_SLEEP(1)", "pg_sleep() is not allowed: it makes the session sleep"),
        ("SELECT pg_catalog.pg_sleep(1)", "pg_catalog.pg_sleep() is not allowed: it makes the session sleep"),
        ("SELECT U&\"\\0070g_sleep\"(1)", "pg_sleep() is not allowed: it makes the session sleep"),
        ("SELECT \"PG_SLEEP\"(1)", "\"PG_SLEEP\"() is not allowed: it makes the session sleep"),
        ("SELECT \"Lower\"(1)", "\"Lower\"() is not allowed: only side-effect-free built-in functions may be called"),
        ("SELECT my_report()", "my_report() is not allowed: only side-effect-free built-in functions may be called"),
        ("SELECT public.f()", "public.f() is not allowed: only side-effect-free built-in functions may be called, not user-defined functions"),
        ("SELECT set_config('a.b', 'c', false)", "set_config() is not allowed: it changes session or server settings"),
        ("SELECT pg_advisory_lock(1)", "pg_advisory_lock() is not allowed: it takes advisory locks, which can outlive the transaction"),
        ("SELECT nextval('s')", "nextval() is not allowed: it uses a sequence, whose changes are not rolled back"),
        ("SELECT query_to_xml('select 1', true, true, '')", "query_to_xml() is not allowed: it runs SQL given as text or reads whole tables, which the guard cannot check"),
        ("DELETE FROM t", "DELETE is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("SET search_path = x", "SET is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("RESET ALL", "RESET is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("BEGIN", "BEGIN is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("ANALYZE t", "ANALYZE is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("CREATE TABLE x AS SELECT 1", "CREATE TABLE AS is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO public", "ALTER DEFAULT PRIVILEGES is not allowed: only SELECT, EXPLAIN (without ANALYZE) and SHOW statements may be run"),
        ("EXPLAIN DELETE FROM t", "EXPLAIN DELETE is not allowed: EXPLAIN may only show the plan of a SELECT"),
        ("EXPLAIN ANALYZE SELECT 1", "EXPLAIN ANALYZE is not allowed: it runs the statement; use EXPLAIN without ANALYZE"),
        ("WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "DELETE inside a query is not allowed: the query must not change data"),
        ("SELECT * INTO new_table FROM t", "SELECT … INTO new_table is not allowed: it creates a table; use a plain SELECT"),
        ("SELECT * FROM t FOR NO KEY UPDATE", "FOR NO KEY UPDATE is not allowed: it locks rows; remove the locking clause"),
        ("SELECT * FROM pg_catalog.pg_authid", "reading pg_catalog.pg_authid is not allowed: it holds password hashes"),
        ("SELECT 1 OPERATOR(public.+) 2", "OPERATOR(public.+) is not allowed: only built-in operators may be used"),
        ("SELECT 1; SELECT 2; SELECT 3", "the query holds 3 statements: send exactly one statement per call"),
        ("/* nothing */", "the query is empty: send one SELECT, EXPLAIN or SHOW statement"),
        ("SELECT 1 +", "syntax error at end of input"),
    ]

    @Test("a refusal's message names what was refused and why", arguments: messages)
    func message(sql: String, message: String) {
        #expect(Self.guardian.check(sql).refusal?.message == message, "\(sql)")
    }

    @Test("the description leaves the message out, so logs do not copy SQL")
    func descriptionIsGeneric() throws {
        let refusal = try #require(Self.guardian.check("SELECT 'secret' FROMM t").refusal)
        #expect(refusal.isParseError)
        #expect(!refusal.description.contains("secret"))
        #expect(!refusal.description.contains("FROMM"))
        #expect(refusal.debugDescription.contains(refusal.message))
    }
}
