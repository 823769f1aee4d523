import Dispatch
import Postgres
import Synchronization

/// The last word on a tool call's deadline: `statement_timeout` cancels a query only where the server checks
/// for it, and a long stretch without a check (one expression over huge values) can outlast it. When the
/// deadline plus a grace period passes with the call still running, the watchdog abandons the connection
/// (`PostgresConnection.abandon`), so the call ends with an error on time; the pool drops the connection.
package final class CallWatchdog: Sendable {
    private let state = Atomic<Int>(0)  // 0 running, 1 finished, 2 fired

    /// Arms the watchdog for `connection`, to fire `milliseconds` from now.
    package init(connection: PostgresConnection, milliseconds: Int) {
        nonisolated(unsafe) let target = connection
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(milliseconds)) { [self] in
            if state.compareExchange(expected: 0, desired: 2, ordering: .acquiringAndReleasing).exchanged {
                target.abandon()
            }
        }
    }

    /// Disarms it; true when it had already fired (the call's error is then a timeout).
    package func finish() -> Bool {
        !state.compareExchange(expected: 0, desired: 1, ordering: .acquiringAndReleasing).exchanged
    }

    /// The grace past the deadline before the watchdog acts, in milliseconds.
    package static let graceMilliseconds = 750
}
