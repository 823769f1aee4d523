/// Where a streaming response body goes: each call sends its bytes to the client at once.
///
/// Calls never overlap, but they may come from different threads one after another (an
/// `EventStream` sends its heartbeat from its own thread), so an implementation needs no lock
/// of its own.
public protocol ResponseBodyWriter: AnyObject {
    /// Writes `bytes` and flushes them to the client.
    ///
    /// Returns false when the client is gone; once it has returned false it keeps returning
    /// false without writing anything.
    func send(_ bytes: [UInt8]) -> Bool
}
