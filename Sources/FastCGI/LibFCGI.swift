import CFastCGI

/// Process-wide libfcgi set-up.
enum LibFCGI {
    /// `FCGX_Init` is not thread-safe; a static let runs it exactly once, on first use.
    /// It also installs a do-nothing SIGPIPE handler, so writes to a closed peer fail with EPIPE.
    private static let initResult: Int32 = FCGX_Init()

    /// Initialises libfcgi once per process.
    static func initialize() throws(FastCGIError) {
        if initResult != 0 {
            throw FastCGIError(code: .initFailed, message: "FCGX_Init failed with \(initResult)")
        }
    }
}
