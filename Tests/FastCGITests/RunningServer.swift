import FastCGI
import Foundation
import Logging

/// A `FastCGIServer` running on its own thread inside the test process.
final class RunningServer: @unchecked Sendable {
    let server: FastCGIServer
    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)
    private var result: Result<Void, FastCGIError>?
    private var runThread: pthread_t?

    /// Starts `run` on a new thread; each worker thread gets a handler calling `handle(threadIndex, exchange)`.
    init(configuration: FastCGIServerConfiguration, events: EventLog? = nil,
         handle: @escaping @Sendable (Int, FastCGIExchange) -> Void) {
        var logger = Logger(label: "FastCGITests")
        logger.logLevel = .info
        let server = FastCGIServer(configuration: configuration, logger: logger)
        self.server = server
        let thread = Thread { [self] in
            lock.withLock { runThread = pthread_self() }
            let outcome: Result<Void, FastCGIError>
            do throws(FastCGIError) {
                try server.run { index in ClosureHandler(threadIndex: index, handle: handle) }
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            events?.append("run returned")
            lock.withLock { result = outcome }
            finished.signal()
        }
        thread.start()
    }

    /// The thread that called `run` (for sending it a signal).
    var thread: pthread_t? { lock.withLock { runThread } }

    /// Waits until the unix socket file exists (the server is listening and handles stop signals).
    func waitUntilListening(on path: String) throws {
        for _ in 0..<500 {
            var status = stat()
            if lstat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK { return }
            if let result = lock.withLock({ result }) {
                throw TestClientError(description: "server exited early: \(result)")
            }
            usleep(10_000)
        }
        throw TestClientError(description: "server did not start listening on \(path)")
    }

    /// Waits up to `seconds` for `run` to return; nil when it is still running.
    func waitForExit(seconds: Double) -> Result<Void, FastCGIError>? {
        guard finished.wait(timeout: .now() + seconds) == .success else { return nil }
        finished.signal()
        return lock.withLock { result }
    }

    /// Stops the server and waits for `run` to return.
    @discardableResult
    func stopAndWait() -> Result<Void, FastCGIError>? {
        server.stop()
        return waitForExit(seconds: 10)
    }
}
