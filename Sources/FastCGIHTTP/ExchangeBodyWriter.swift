import FastCGI
import HTTP

/// A streaming response body written straight to a FastCGI exchange, flushed after every send.
///
/// Valid only while the handler that owns the exchange is running. After the first failed
/// write or flush (usually `.clientGone`) it writes nothing more and answers false.
final class ExchangeBodyWriter: ResponseBodyWriter {
    private let exchange: FastCGIExchange
    /// The first error a write or flush threw, if any.
    private(set) var failure: FastCGIError?

    /// Creates a writer over `exchange`, whose response head has already been written.
    init(exchange: FastCGIExchange) {
        self.exchange = exchange
    }

    /// Writes and flushes `bytes`; false once any write or flush has failed.
    func send(_ bytes: [UInt8]) -> Bool {
        guard failure == nil else { return false }
        do {
            try exchange.write(bytes)
            try exchange.flush()
            return true
        } catch {
            failure = error
            return false
        }
    }
}
