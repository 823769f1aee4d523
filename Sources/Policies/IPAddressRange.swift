import Store
/// A CIDR range of addresses (`10.0.0.0/8`, `fd00::/8`); a single address is a range of one.
public struct IPAddressRange: Sendable, Hashable, CustomStringConvertible {
    /// The range's first address (the bits after the prefix are zero).
    public let network: IPAddress
    /// How many leading bits an address must share with `network`: 0–32 for IPv4, 0–128 for IPv6.
    public let prefixLength: Int

    /// Reads `address/prefix` or a lone address, or nil when `text` is neither. Bits set past the prefix
    /// are ignored (`10.1.2.3/8` is `10.0.0.0/8`).
    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])) else { return nil }
        let bits = address.bytes.count * 8
        var length = bits
        if parts.count == 2 {
            // `::ffff:10.0.0.0/104` names IPv4 addresses: its prefix counts the 96 bits of the mapping.
            let mappedIPv6 = address.isIPv4 && parts[0].contains(":")
            guard parts[1].allSatisfy(\.isASCII), parts[1].allSatisfy(\.isNumber), parts[1].count <= 3,
                  let value = Int(parts[1]), value <= (mappedIPv6 ? 128 : bits) else { return nil }
            if mappedIPv6 {
                guard value >= 96 else { return nil }
                length = value - 96
            } else {
                length = value
            }
        }
        prefixLength = length
        network = IPAddress(bytes: Self.masked(address.bytes, length))
    }

    /// Whether `address` lies in this range (IPv4 never matches an IPv6 range, and the other way round).
    public func contains(_ address: IPAddress) -> Bool {
        address.bytes.count == network.bytes.count && Self.masked(address.bytes, prefixLength) == network.bytes
    }

    /// `network/prefixLength`.
    public var description: String { "\(network)/\(prefixLength)" }

    private static func masked(_ bytes: [UInt8], _ length: Int) -> [UInt8] {
        bytes.enumerated().map { index, byte in
            let kept = min(max(length - index * 8, 0), 8)
            return kept == 8 ? byte : byte & UInt8(truncatingIfNeeded: 0xff << (8 - kept))
        }
    }
}
