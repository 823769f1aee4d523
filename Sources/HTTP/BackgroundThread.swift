import Glibc

/// A POSIX thread running a closure, for work that must keep running while the request's own
/// thread is blocked (a stream's heartbeat, a process's housekeeping); never Swift's cooperative pool.
public final class BackgroundThread: Sendable {
    private let thread: pthread_t

    private final class Start {
        let body: @Sendable () -> Void
        init(body: @escaping @Sendable () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread, or returns nil when the system refuses one.
    public static func start(_ body: @escaping @Sendable () -> Void) -> BackgroundThread? {
        let start = Unmanaged.passRetained(Start(body: body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            start.body()
            return nil
        }, start.toOpaque())
        guard result == 0 else {
            start.release()
            return nil
        }
        return BackgroundThread(thread: thread)
    }

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Waits until the thread's closure has returned. Call it once.
    public func join() {
        pthread_join(thread, nil)
    }
}
