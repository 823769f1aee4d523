#if canImport(Glibc)
import Glibc
#endif

/// A POSIX thread running a closure, for work that must stay on one OS thread from start to end
/// (blocking libfcgi, libpq and libcurl calls, a stream's heartbeat, housekeeping); never Swift's
/// cooperative pool.
public final class NativeThread: Sendable {
    private let thread: pthread_t

    private final class Start {
        let body: () -> Void
        init(body: @escaping () -> Void) { self.body = body }
    }

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Starts `body` on a new thread with the system's default stack, or with at least `stackBytes` of
    /// stack (rounded up to 64 KiB); throws when the system refuses the thread (then `body` does not run).
    /// The stack is reserved address space: only the pages the thread touches are used.
    public static func start(stackBytes: Int? = nil,
                             _ body: @escaping @Sendable () -> Void) throws(NativeThreadError) -> NativeThread {
        NativeThread(thread: try create(stackBytes: stackBytes, body))
    }

    /// Runs `body` on a new thread with at least `stackBytes` of stack and waits for it to return; for
    /// work that needs a deeper stack than the caller's. Throws when the thread could not start (then
    /// `body` did not run).
    public static func run(stackBytes: Int, _ body: @escaping () -> Void) throws(NativeThreadError) {
        let thread = try create(stackBytes: stackBytes, body)
        pthread_join(thread, nil)
    }

    /// Waits until the thread's closure has returned. Call it once.
    public func join() {
        pthread_join(thread, nil)
    }

    private static func create(stackBytes: Int?, _ body: @escaping () -> Void) throws(NativeThreadError) -> pthread_t {
        var attributes = pthread_attr_t()
        var result = pthread_attr_init(&attributes)
        guard result == 0 else { throw NativeThreadError(call: "pthread_attr_init", code: result) }
        defer { pthread_attr_destroy(&attributes) }
        if let stackBytes {
            let granule = 64 * 1024
            let size = max(stackBytes, Int(PTHREAD_STACK_MIN))
            result = pthread_attr_setstacksize(&attributes, (size + granule - 1) / granule * granule)
            guard result == 0 else { throw NativeThreadError(call: "pthread_attr_setstacksize", code: result) }
        }
        let start = Unmanaged.passRetained(Start(body: body))
        var thread = pthread_t()
        result = pthread_create(&thread, &attributes, { argument in
            Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, start.toOpaque())
        guard result == 0 else {
            start.release()
            throw NativeThreadError(call: "pthread_create", code: result)
        }
        return thread
    }
}
