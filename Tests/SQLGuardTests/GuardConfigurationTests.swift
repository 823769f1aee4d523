@testable import SQLGuard
import Testing

/// The two configuration knobs widen the function allow-list and nothing else.
@Suite("Guard configuration")
struct GuardConfigurationTests {
    static let permissive = ReadOnlyGuard(configuration: .init(allowUserFunctions: true))

    static let allowedWithUserFunctions: [String] = [
        "SELECT public.f()",
        "SELECT my_function(1)",
        "SELECT * FROM reporting.monthly_revenue(2024)",
        "SELECT \"MixedCase\"()",
        "SELECT pg_catalog.pg_stat_get_numscans('t'::regclass)",
        "SELECT 1 OPERATOR(public.+) 2",
    ]

    @Test("allowUserFunctions allows functions and operators off the allow-list", arguments: allowedWithUserFunctions)
    func userFunctionsAllowed(sql: String) {
        #expect(Self.permissive.check(sql) == .allowed(.select), "\(sql)")
    }

    static let stillRefused: [(sql: String, reason: GuardRefusal.Reason)] = [
        ("SELECT pg_sleep(1)", .functionNotAllowed),
        ("SELECT pg_catalog.pg_terminate_backend(1)", .functionNotAllowed),
        ("SELECT extensions.dblink_exec('host=x', 'DROP TABLE t')", .functionNotAllowed),
        ("SELECT net.http_get('https://example.com')", .functionNotAllowed),
        ("SELECT public.lo_export(1, '/tmp/x')", .functionNotAllowed),
        ("SELECT nextval('s')", .functionNotAllowed),
        ("SELECT \"PG_SLEEP\"(1)", .functionNotAllowed),
        ("SELECT * FROM pg_authid", .relationNotAllowed),
        ("DELETE FROM t", .statementNotAllowed),
        ("WITH d AS (DELETE FROM t RETURNING 1) SELECT * FROM d", .dataModifyingCTE),
        ("SELECT * FROM t FOR UPDATE", .lockingClause),
    ]

    @Test("allowUserFunctions still refuses the deny-list and everything that is not a function", arguments: stillRefused)
    func denyListWins(sql: String, reason: GuardRefusal.Reason) {
        #expect(Self.permissive.check(sql).refusal?.reason == reason, "\(sql)")
    }

    static let extra = ReadOnlyGuard(configuration: .init(
        extraAllowedFunctions: ["postgis_full_version", "reporting.revenue", "pg_sleep", "pg_catalog.pg_stat_get_numscans"]))

    static let extraCases: [(sql: String, allowed: Bool)] = [
        ("SELECT postgis_full_version()", true),
        ("SELECT pg_catalog.postgis_full_version()", true),
        ("SELECT extensions.postgis_full_version()", false),
        ("SELECT reporting.revenue(2024)", true),
        ("SELECT * FROM reporting.revenue(2024)", true),
        ("SELECT revenue(2024)", false),
        ("SELECT other.revenue(2024)", false),
        ("SELECT pg_stat_get_numscans(1)", true),
        ("SELECT pg_catalog.pg_stat_get_numscans(1)", true),
        ("SELECT pg_sleep(1)", false),
        ("SELECT public.f()", false),
    ]

    @Test("extraAllowedFunctions allows exactly the names given; the deny-list still wins", arguments: extraCases)
    func extraAllowed(sql: String, allowed: Bool) {
        #expect((Self.extra.check(sql) == .allowed(.select)) == allowed, "\(sql)")
    }

    @Test("no function is both allowed and denied", arguments: AllowedFunctions.names.sorted())
    func allowListAvoidsDenyList(name: String) {
        #expect(DeniedFunctions.reason(for: name) == nil, "\(name)")
    }

    @Test("every denied name is refused, bare or qualified, even with allowUserFunctions",
          arguments: DeniedFunctions.exact.keys.sorted() + DeniedFunctions.prefixes.map { $0.0 + "x" })
    func deniedNameRefused(name: String) {
        for sql in ["SELECT \(name)()", "SELECT pg_catalog.\(name)()", "SELECT s.\(name)()", "SELECT * FROM \(name)()"] {
            #expect(Self.permissive.check(sql).refusal?.reason == .functionNotAllowed, "\(sql)")
        }
    }

    @Test("every allow-listed name is allowed bare and pg_catalog-qualified",
          arguments: AllowedFunctions.names.sorted().filter { $0 != "current_setting" })  // needs a readable setting name
    func allowedNameAllowed(name: String) {
        #expect(ReadOnlyGuard().check("SELECT pg_catalog.\(name)()") == .allowed(.select), "\(name)")
        #expect(ReadOnlyGuard().check("SELECT \"\(name)\"()") == .allowed(.select), "\(name)")
    }
}
