import Synchronization

/// Where retried model requests are reported, for the worker's metrics: one observer per process,
/// told the error of each attempt that is retried. The model client itself knows nothing of metrics.
public enum ProviderRetries {
    /// Called on the retrying thread, once per retry, with the failed attempt's error code.
    public typealias Observer = @Sendable (ModelError.Code) -> Void

    private static let observer = Mutex<Observer?>(nil)

    /// Sets the process's observer, replacing any earlier one.
    public static func observe(_ observer: @escaping Observer) {
        self.observer.withLock { $0 = observer }
    }

    /// Tells the observer, if there is one, that a request is retried after `error`.
    static func report(_ error: ModelError) {
        let current = observer.withLock { $0 }
        current?(error.code)
    }
}
