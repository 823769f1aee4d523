/// What a pending action acts on besides its tool and arguments: the project and the database it was asked
/// for. An opaque key (the caller's digest, never a connection string); an approval acts only for the same key.
public struct PendingActionTarget: Sendable, Hashable, CustomStringConvertible {
    /// The key as stored with the action.
    public let key: String

    /// A target with this key.
    public init(key: String) { self.key = key }

    /// The key.
    public var description: String { key }
}
