/// A result value decoded by its column type: what a client of the database needs to show it
/// faithfully (exact numerics as text, JSON as JSON text, bytes as bytes, timestamps as ISO 8601).
public indirect enum PostgresValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// int2, int4, int8, oid.
    case integer(Int64)
    /// float4, float8 (finite values; NaN and infinities arrive as `.text`).
    case double(Double)
    /// numeric, kept exact as the server's text.
    case numeric(String)
    /// json or jsonb, as JSON text.
    case json(String)
    /// bytea.
    case bytes([UInt8])
    /// timestamp, timestamptz, date and time values in ISO 8601 form (`2024-05-01T12:00:00Z`).
    case timestamp(String)
    /// A one-dimensional array of decoded elements (nested arrays nest).
    case array([PostgresValue])
    /// Every other type, in the server's text form.
    case text(String)
}
