import Foundation

extension Process {
    /// Polls `ready` every 20 ms until it holds; throws, with `log()` in the message, when the
    /// process exits first or `seconds` pass. `what` completes "… did not …" in the message.
    func waitUntilReady(_ what: String, seconds: Double = 10, log: () -> String, _ ready: () -> Bool) throws {
        let name = executableURL?.lastPathComponent ?? "process"
        let deadline = Date().addingTimeInterval(seconds)
        while !ready() {
            if !isRunning {
                throw TestSupportError("\(name) exited with status \(terminationStatus) before it did \(what):\n\(log())")
            }
            if Date() >= deadline {
                throw TestSupportError("\(name) did not \(what) within \(Int(seconds)) s:\n\(log())")
            }
            usleep(20_000)
        }
    }
}
