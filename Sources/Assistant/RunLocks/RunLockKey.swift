/// The PostgreSQL advisory lock of a run: two int4 keys, a fixed namespace and a hash of the run id.
struct RunLockKey: Sendable, Hashable {
    /// The namespace of run locks (`pgas` in ASCII), so they cannot meet other advisory locks.
    static let namespace: Int64 = 0x7067_6173

    /// The second key: a 32-bit FNV-1a hash of the run id.
    let key: Int64

    init(runId: String) {
        var hash: UInt32 = 2_166_136_261
        for byte in runId.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        key = Int64(Int32(bitPattern: hash))
    }

    /// `$1` and `$2` of the lock functions (`pg_try_advisory_lock($1::int, $2::int)`).
    var parameters: [String] { [String(Self.namespace), String(key)] }
}
