import CFastCGI

/// One worker thread's `FCGX_Request`: accepts requests on the shared listening socket, one at a time.
final class RequestSlot {
    let request: UnsafeMutablePointer<FCGX_Request>

    /// Prepares a request on `listeningSocket`; an interrupted accept returns instead of retrying inside libfcgi.
    init(listeningSocket: Int32) {
        request = .allocate(capacity: 1)
        FCGX_InitRequest(request, listeningSocket, FCGI_FAIL_ACCEPT_ON_INTR)
    }

    /// Waits for the next request; returns 0 or a negative errno. Callers serialise this call.
    func accept() -> Int32 {
        FCGX_Accept_r(request)
    }

    /// The connection of the current request (-1 when there is none).
    var connection: Int32 { request.pointee.ipcFd }

    /// Ends the current request: flushes the response, sends END_REQUEST, closes the connection.
    func finish() {
        FCGX_Finish_r(request)
        // A web server asking for FastCGI keep-alive would pin this thread inside the next accept
        // (under the accept lock) waiting for its next request: always close the connection.
        if request.pointee.ipcFd >= 0 {
            FCGX_Free(request, 1)
        }
    }

    deinit {
        finish()
        request.deallocate()
    }
}
