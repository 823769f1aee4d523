import Logging

/// The JSON `null` as a metadata value: `Logger.MetadataValue.null`. The JSON line writes it as `null`,
/// the text format as `null`.
struct LogNull: CustomStringConvertible, Sendable {
    var description: String { "null" }
}

extension Logger.MetadataValue {
    /// A value that is JSON's `null` in a JSON log line (swift-log has no null of its own).
    public static let null = Logger.MetadataValue.stringConvertible(LogNull())
}
