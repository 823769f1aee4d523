import FastCGI

/// A handler that forwards to a closure.
final class ClosureHandler: FastCGIHandler {
    let threadIndex: Int
    let handleClosure: @Sendable (Int, FastCGIExchange) -> Void

    init(threadIndex: Int, handle: @escaping @Sendable (Int, FastCGIExchange) -> Void) {
        self.threadIndex = threadIndex
        self.handleClosure = handle
    }

    func handle(_ exchange: FastCGIExchange) {
        handleClosure(threadIndex, exchange)
    }
}
