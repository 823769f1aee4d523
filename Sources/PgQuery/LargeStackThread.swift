import Glibc

/// Runs a closure on a new POSIX thread with a stack of a given size and waits for it to finish.
///
/// libpg_query turns its parse tree into JSON by recursion without a depth check, so a long chain
/// such as `1+1+1+…` would overflow the caller's stack (512 KiB on some thread pools) and kill the
/// process. The stack is reserved address space; only the pages the parser touches are used.
enum LargeStackThread {
    private final class Job {
        let body: () -> Void
        init(body: @escaping () -> Void) { self.body = body }
    }

    /// Runs `body` on a thread with at least `stackBytes` of stack; returns false when the system
    /// refused to start the thread (then `body` did not run).
    static func run(stackBytes: Int, _ body: @escaping () -> Void) -> Bool {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return false }
        defer { pthread_attr_destroy(&attributes) }
        let granule = 64 * 1024
        let size = max(stackBytes, Int(PTHREAD_STACK_MIN))
        guard pthread_attr_setstacksize(&attributes, (size + granule - 1) / granule * granule) == 0 else { return false }

        let job = Unmanaged.passRetained(Job(body: body))
        var thread = pthread_t()
        let created = pthread_create(&thread, &attributes, { argument in
            Unmanaged<Job>.fromOpaque(argument!).takeRetainedValue().body()
            return nil
        }, job.toOpaque())
        guard created == 0 else {
            job.release()
            return false
        }
        pthread_join(thread, nil)
        return true
    }
}
