/// The PostgreSQL advisory lock of a run: two int4 keys, a fixed namespace and a hash of the run id.
public struct RunLockKey: Sendable, Hashable {
    /// The namespace of run locks (`pgas` in ASCII), so they cannot meet other advisory locks.
    static let namespace: Int64 = 0x7067_6173
    /// How long after the store server starts a free run lock is not taken as proof that the driver is gone,
    /// in milliseconds: every driver takes its locks again within this window (`RunLockKeeper`).
    public static let retakeWindowMilliseconds: Int64 = 10_000

    /// The second key: a 32-bit FNV-1a hash of the run id.
    public let key: Int64

    /// The lock of run `runId`.
    public init(runId: String) {
        var hash: UInt32 = 2_166_136_261
        for byte in runId.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        key = Int64(Int32(bitPattern: hash))
    }

    /// `$1` and `$2` of the lock functions (`pg_try_advisory_lock($1::int, $2::int)`).
    public var parameters: [String] { [String(Self.namespace), String(key)] }
}
