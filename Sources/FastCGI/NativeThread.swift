import Glibc

/// A POSIX thread running a closure, for work that must stay on one OS thread from start to end
/// (blocking libfcgi, libpq and libcurl calls; never Swift's cooperative pool).
final class NativeThread {
    private let thread: pthread_t

    private final class Start {
        let body: () -> Void
        init(body: @escaping () -> Void) { self.body = body }
    }

    /// Starts `body` on a new thread, or fails with `.threadFailed` when the system refuses one.
    static func start(_ body: @escaping () -> Void) -> Result<NativeThread, FastCGIError> {
        let start = Unmanaged.passRetained(Start(body: body))
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { argument in
            let start = Unmanaged<Start>.fromOpaque(argument!).takeRetainedValue()
            start.body()
            return nil
        }, start.toOpaque())
        guard result == 0 else {
            start.release()
            return .failure(FastCGIError(code: .threadFailed, message: "pthread_create failed: \(String(cString: strerror(result)))"))
        }
        return .success(NativeThread(thread: thread))
    }

    private init(thread: pthread_t) {
        self.thread = thread
    }

    /// Waits until the thread's closure has returned.
    func join() {
        pthread_join(thread, nil)
    }
}
