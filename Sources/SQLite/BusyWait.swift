internal import CSQLite3
import Platform

/// A connection's SQLite busy handler: while another connection holds a lock the statement needs,
/// it tries again every 0.5–4 ms (randomized) until `timeoutMilliseconds` have passed since its
/// first try.
///
/// SQLite's own handler (`sqlite3_busy_timeout`) sleeps longer and longer, up to 100 ms between
/// tries. Under sustained contention, a connection that has waited a while then checks the lock
/// rarely and loses it, again and again, to newcomers that check every few milliseconds: it can
/// starve past its timeout while the database commits hundreds of other transactions. Short,
/// randomized pauses keep the waiters on an equal footing, at the cost of a few hundred wake-ups
/// a second per waiting connection.
final class BusyWait {
    /// The longest a statement waits for one lock, in milliseconds (0 or less: it fails at once).
    var timeoutMilliseconds: Int32
    private var firstTry = ContinuousClock.now

    init(timeoutMilliseconds: Int32) { self.timeoutMilliseconds = timeoutMilliseconds }

    /// Installs this handler on `database`; the connection must keep `self` alive while it is open.
    func install(on database: OpaquePointer) {
        sqlite3_busy_handler(database, { context, attempt in
            guard let context else { return 0 }
            return Unmanaged<BusyWait>.fromOpaque(context).takeUnretainedValue().pauseBeforeRetry(attempt: attempt) ? 1 : 0
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Called by SQLite each time the lock is found taken; `attempt` counts the earlier calls for
    /// the same lock. Sleeps and returns true to try again, or returns false to give up (SQLITE_BUSY).
    private func pauseBeforeRetry(attempt: Int32) -> Bool {
        let now = ContinuousClock.now
        if attempt == 0 { firstTry = now }
        let left = firstTry + .milliseconds(Int(timeoutMilliseconds)) - now
        guard timeoutMilliseconds > 0, left > .zero else { return false }
        // 1, 2, then at most 4 ms, each randomized down to half so waiters do not retry in lockstep.
        let ceilingMicroseconds = 1_000 << min(Int(attempt), 2)
        let pause = min(Duration.microseconds(Int.random(in: ceilingMicroseconds / 2...ceilingMicroseconds)), left)
        Sleep.duration(pause)
        return true
    }
}
