import AssistantHTTP
import ChatEngine
import HTTP
import Operations
import Platform
import Policies
import Store
import TestSupport
import Testing

@Suite("Per-user rate limits counted in the thread store on SQLite and PostgreSQL")
struct RateLimiterTests {
    /// A window start: a multiple of 60 s since the epoch.
    private let base: Int64 = 1_800_000_000_000

    @Test("settings come from RATE_LIMIT_*; unset or 0 means no limit, malformed values name the variable")
    func settings() throws {
        let none = try RateLimitSettings(environment: [:])
        #expect(none == RateLimitSettings(runsPerWindow: 0, tokensPerWindow: 0, windowSeconds: 3_600))
        #expect(!none.isEnabled)
        let set = try RateLimitSettings(environment: ["RATE_LIMIT_RUNS": "20", "RATE_LIMIT_TOKENS": " 500000 ",
                                                      "RATE_LIMIT_WINDOW_S": "600"])
        #expect(set == RateLimitSettings(runsPerWindow: 20, tokensPerWindow: 500_000, windowSeconds: 600))
        #expect(set.isEnabled)
        #expect(try RateLimitSettings(environment: ["RATE_LIMIT_RUNS": "0", "RATE_LIMIT_TOKENS": ""]).isEnabled == false)
        for (name, value) in [("RATE_LIMIT_RUNS", "-1"), ("RATE_LIMIT_TOKENS", "lots"), ("RATE_LIMIT_WINDOW_S", "0"),
                              ("RATE_LIMIT_WINDOW_S", "1.5")] {
            #expect { try RateLimitSettings(environment: [name: value]) } throws: { error in
                (error as? ConfigurationError)?.variable == name
            }
        }
    }

    @Test("windows are aligned to multiples of their length since the epoch")
    func windowAlignment() {
        let settings = RateLimitSettings(runsPerWindow: 1, windowSeconds: 3_600)
        #expect(settings.windowStart(at: 7_200_000) == 7_200_000)
        #expect(settings.windowStart(at: 7_200_000 + 3_599_999) == 7_200_000)
        #expect(settings.windowStart(at: 7_200_000 + 3_600_000) == 10_800_000)
    }

    @Test("with no limit set every run is allowed and nothing is counted", arguments: [StoreKind.sqlite, .postgres])
    func disabled(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let limiter = RateLimiter(settings: RateLimitSettings(), store: try fixture.open())
        for _ in 0..<5 { #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: base) == .allowed(nil)) }
        #expect(try limiter.addTokens(userId: "alice", count: 1_000, nowMilliseconds: base) == nil)
        #expect(try limiter.usage(userId: "alice", nowMilliseconds: base).runs == 0)
    }

    @Test("the run limit admits N runs per window, refuses the next without counting it, and resets with the window",
          arguments: [StoreKind.sqlite, .postgres])
    func runLimit(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let limiter = RateLimiter(settings: RateLimitSettings(runsPerWindow: 3, windowSeconds: 60), store: try fixture.open())
        let now = base + 15_500
        for expected in 1...3 {
            let decision = try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: now)
            #expect(decision == .allowed(UsageWindow(userId: "alice", windowStart: base, runs: Int64(expected), tokens: 0)))
        }
        let refusal = RateLimitRefusal(limit: .runs, maximum: 3, windowSeconds: 60, retryAfterSeconds: 45)
        #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: now) == .refused(refusal))
        #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: base + 59_999)
                == .refused(RateLimitRefusal(limit: .runs, maximum: 3, windowSeconds: 60, retryAfterSeconds: 1)))
        // Refused attempts are not counted.
        #expect(try limiter.usage(userId: "alice", nowMilliseconds: now).runs == 3)
        // Another user has their own budget.
        #expect(try limiter.checkAndCountRun(userId: "bob", nowMilliseconds: now).isAllowed)
        // The next window starts afresh, on another connection too, and the old window is removed.
        let other = RateLimiter(settings: limiter.settings, store: try fixture.open())
        #expect(try other.checkAndCountRun(userId: "alice", nowMilliseconds: base + 60_000)
                == .allowed(UsageWindow(userId: "alice", windowStart: base + 60_000, runs: 1, tokens: 0)))
        #expect(try other.usage(userId: "alice", nowMilliseconds: base).runs == 0)
    }

    @Test("the token limit refuses new runs once the window's tokens reach it", arguments: [StoreKind.sqlite, .postgres])
    func tokenLimit(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        defer { withExtendedLifetime(fixture) {} }
        let limiter = RateLimiter(settings: RateLimitSettings(tokensPerWindow: 1_000, windowSeconds: 60), store: try fixture.open())
        #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: base + 1_000).isAllowed)
        #expect(try limiter.addTokens(userId: "alice", count: 600, nowMilliseconds: base + 2_000)?.tokens == 600)
        #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: base + 3_000).isAllowed)
        // A run already admitted may go past the limit.
        #expect(try limiter.addTokens(userId: "alice", count: 500, nowMilliseconds: base + 4_000)
                == UsageWindow(userId: "alice", windowStart: base, runs: 2, tokens: 1_100))
        #expect(try limiter.addTokens(userId: "alice", count: 0, nowMilliseconds: base + 4_000) == nil)
        #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: base + 10_000)
                == .refused(RateLimitRefusal(limit: .tokens, maximum: 1_000, windowSeconds: 60, retryAfterSeconds: 50)))
        #expect(try limiter.usage(userId: "alice", nowMilliseconds: base).runs == 2)
        #expect(try limiter.checkAndCountRun(userId: "alice", nowMilliseconds: base + 60_000).isAllowed)
    }

    @Test("a refusal is a 429 rate_limited with Retry-After and a message naming the limit")
    func apiError() {
        let runs = APIError(ChatError(RateLimitRefusal(limit: .runs, maximum: 10, windowSeconds: 3_600, retryAfterSeconds: 42)))
        #expect(runs.status == 429)
        #expect(runs.code == .rateLimited)
        #expect(runs.code.rawValue == "rate_limited")
        #expect(runs.headers.contains { $0.name == "Retry-After" && $0.value == "42" })
        #expect(runs.message == "You reached the limit of 10 chat runs per hour; try again in 42 seconds.")
        let tokens = APIError(ChatError(RateLimitRefusal(limit: .tokens, maximum: 5_000, windowSeconds: 7_200, retryAfterSeconds: 60)))
        #expect(tokens.message == "You reached the limit of 5000 model tokens per 2 hours; try again in 1 minute.")
    }

    @Test("20 workers racing for one user with a limit of 10: exactly 10 runs are admitted", arguments: [StoreKind.sqlite, .postgres])
    func race(kind: StoreKind) throws {
        let fixture = try StoreFixture(kind)
        try fixture.open().migrate()
        let settings = RateLimitSettings(runsPerWindow: 10, windowSeconds: 3_600)
        let limiters = LimiterBox(try (0..<20).map { _ in RateLimiter(settings: settings, store: try fixture.open()) })
        let now = WallClock.nowMilliseconds()
        let admitted = try concurrently(20) { index in
            try limiters.limiters[index].checkAndCountRun(userId: "racer", nowMilliseconds: now).isAllowed
        }
        #expect(admitted.filter { $0 }.count == 10)
        #expect(try RateLimiter(settings: settings, store: fixture.open()).usage(userId: "racer", nowMilliseconds: now).runs == 10)
    }
}

/// Hands one limiter (with its own store connection) to each racing thread.
private final class LimiterBox: @unchecked Sendable {
    let limiters: [RateLimiter]
    init(_ limiters: [RateLimiter]) { self.limiters = limiters }
}
