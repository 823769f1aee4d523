import Dispatch

extension RequestLogContext {
    /// `DispatchQueue.concurrentPerform` with the calling request's context installed on every thread that
    /// runs an iteration, so what they log carries the request's fields (task-locals do not cross threads).
    public static func concurrentPerform(iterations: Int, execute work: @Sendable (Int) -> Void) {
        let context = current
        DispatchQueue.concurrentPerform(iterations: iterations) { index in
            $current.withValue(context) { work(index) }
        }
    }
}
