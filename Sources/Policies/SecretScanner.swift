/// Recognises the secret shapes of `Redaction.SecretShape` in UTF-8 text, one position at a time.
///
/// Every shape is ASCII, so a match starts and ends on a character boundary and the rest of the text is
/// copied as it is.
enum SecretScanner {
    /// A shape that starts with a fixed prefix followed by a run of key characters.
    private struct Prefixed {
        let prefix: [UInt8]
        let shape: Redaction.SecretShape
        /// The fewest characters after the prefix.
        let minimum: Int
        /// The characters the body may hold.
        let alphabet: Alphabet
        /// Whether the body must mix upper case, lower case and digits (random keys do, words and slugs do not).
        var mixed = false
        /// The exact length of the body, when fixed.
        var exactly: Int? = nil

        init(_ prefix: String, _ shape: Redaction.SecretShape, minimum: Int, _ alphabet: Alphabet,
             mixed: Bool = false, exactly: Int? = nil) {
            self.prefix = Array(prefix.utf8)
            self.shape = shape
            self.minimum = minimum
            self.alphabet = alphabet
            self.mixed = mixed
            self.exactly = exactly
        }
    }

    private enum Alphabet {
        /// Letters and digits.
        case alphanumeric
        /// Letters, digits, `_` and `-`.
        case key
        /// Letters, digits, `.` and `/` (crypt's base64).
        case crypt
        /// What a `$`-separated hash string holds: letters, digits, `+ / = $ , . : -`.
        case hash

        func contains(_ byte: UInt8) -> Bool {
            if SecretScanner.isAlphanumeric(byte) { return true }
            switch self {
            case .alphanumeric: return false
            case .key: return byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
            case .crypt: return byte == UInt8(ascii: ".") || byte == UInt8(ascii: "/")
            case .hash: return Array("+/=$,.:-".utf8).contains(byte)
            }
        }
    }

    /// Longer prefixes first, so `sk-ant-` is not taken for `sk-`.
    private static let prefixed: [Prefixed] = [
        Prefixed("sk-ant-", .anthropicKey, minimum: 20, .key, mixed: true),
        Prefixed("sk-", .openAIKey, minimum: 20, .key, mixed: true),
        Prefixed("sk_live_", .stripeKey, minimum: 16, .alphanumeric, mixed: true),
        Prefixed("sk_test_", .stripeKey, minimum: 16, .alphanumeric, mixed: true),
        Prefixed("rk_live_", .stripeKey, minimum: 16, .alphanumeric, mixed: true),
        Prefixed("rk_test_", .stripeKey, minimum: 16, .alphanumeric, mixed: true),
        Prefixed("whsec_", .stripeKey, minimum: 24, .key, mixed: true),
        Prefixed("AKIA", .awsKey, minimum: 16, .alphanumeric, exactly: 16),
        Prefixed("ASIA", .awsKey, minimum: 16, .alphanumeric, exactly: 16),
        Prefixed("github_pat_", .githubToken, minimum: 22, .key, mixed: true),
        Prefixed("ghp_", .githubToken, minimum: 30, .alphanumeric, mixed: true),
        Prefixed("gho_", .githubToken, minimum: 30, .alphanumeric, mixed: true),
        Prefixed("ghu_", .githubToken, minimum: 30, .alphanumeric, mixed: true),
        Prefixed("ghs_", .githubToken, minimum: 30, .alphanumeric, mixed: true),
        Prefixed("ghr_", .githubToken, minimum: 30, .alphanumeric, mixed: true),
        Prefixed("sbp_", .supabaseKey, minimum: 32, .key),
        Prefixed("sb_secret_", .supabaseKey, minimum: 16, .key),
        Prefixed("$argon2id$", .argon2, minimum: 20, .hash),
        Prefixed("$argon2i$", .argon2, minimum: 20, .hash),
        Prefixed("$argon2d$", .argon2, minimum: 20, .hash),
        Prefixed("$scrypt$", .scrypt, minimum: 20, .hash),
        Prefixed("$7$", .scrypt, minimum: 20, .hash),
        Prefixed("$5$", .cryptHash, minimum: 20, .hash),
        Prefixed("$6$", .cryptHash, minimum: 20, .hash),
        Prefixed("$y$", .cryptHash, minimum: 20, .hash),
        Prefixed("SCRAM-SHA-256$", .scram, minimum: 20, .hash),
    ]

    /// The end of the secret starting at `index` and its shape, if one starts there.
    static func match(_ bytes: [UInt8], at index: Int) -> (end: Int, shape: Redaction.SecretShape)? {
        switch bytes[index] {
        case UInt8(ascii: "e"): return jwt(bytes, at: index).map { ($0, .jwt) }
        case UInt8(ascii: "-"): return privateKey(bytes, at: index).map { ($0, .privateKey) }
        case UInt8(ascii: "$"): if let end = bcrypt(bytes, at: index) { return (end, .bcrypt) }
        default: break
        }
        for candidate in prefixed where hasPrefix(bytes, candidate.prefix, at: index) {
            let start = index + candidate.prefix.count
            var end = start
            while end < bytes.count, candidate.alphabet.contains(bytes[end]) { end += 1 }
            let length = end - start
            guard length >= candidate.minimum else { continue }
            if let exactly = candidate.exactly, length != exactly { continue }
            if candidate.mixed, !isMixed(bytes[start..<end]) { continue }
            return (end, candidate.shape)
        }
        return nil
    }

    /// Whether `byte` can be part of a key: a letter, a digit, `_` or `-`.
    static func isKeyByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Shapes

    /// `eyJ<header>.eyJ<payload>.<signature>` in base64url: header and payload are JSON objects.
    private static func jwt(_ bytes: [UInt8], at index: Int) -> Int? {
        let eyJ = Array("eyJ".utf8)
        guard hasPrefix(bytes, eyJ, at: index) else { return nil }
        let headerEnd = base64URLRun(bytes, from: index)
        guard headerEnd - index >= 10, headerEnd < bytes.count, bytes[headerEnd] == UInt8(ascii: "."),
              hasPrefix(bytes, eyJ, at: headerEnd + 1) else { return nil }
        let payloadEnd = base64URLRun(bytes, from: headerEnd + 1)
        guard payloadEnd - headerEnd > 10, payloadEnd < bytes.count, bytes[payloadEnd] == UInt8(ascii: ".") else { return nil }
        return base64URLRun(bytes, from: payloadEnd + 1)
    }

    /// `-----BEGIN … PRIVATE KEY-----` through the matching END line (or to the end of the text when it is cut).
    private static func privateKey(_ bytes: [UInt8], at index: Int) -> Int? {
        let begin = Array("-----BEGIN ".utf8), dashes = Array("-----".utf8), end = Array("-----END ".utf8)
        guard hasPrefix(bytes, begin, at: index),
              let labelEnd = find(dashes, in: bytes, from: index + begin.count) else { return nil }
        let label = bytes[(index + begin.count)..<labelEnd]
        guard label.count <= 40, !label.contains(UInt8(ascii: "\n")),
              String(decoding: label, as: UTF8.self).hasSuffix("PRIVATE KEY") else { return nil }
        guard let footer = find(end, in: bytes, from: labelEnd + dashes.count),
              let footerEnd = find(dashes, in: bytes, from: footer + end.count) else { return bytes.count }
        return footerEnd + dashes.count
    }

    /// `$2a$`, `$2b$`, `$2x$` or `$2y$`, two digits of cost, `$`, and 53 characters of crypt's base64.
    private static func bcrypt(_ bytes: [UInt8], at index: Int) -> Int? {
        guard index + 60 <= bytes.count, bytes[index + 1] == UInt8(ascii: "2"),
              Array("abxy".utf8).contains(bytes[index + 2]), bytes[index + 3] == UInt8(ascii: "$"),
              isDigit(bytes[index + 4]), isDigit(bytes[index + 5]), bytes[index + 6] == UInt8(ascii: "$"),
              bytes[(index + 7)..<(index + 60)].allSatisfy(Alphabet.crypt.contains) else { return nil }
        return index + 60
    }

    // MARK: Helpers

    private static func base64URLRun(_ bytes: [UInt8], from start: Int) -> Int {
        var end = start
        while end < bytes.count, isKeyByte(bytes[end]) { end += 1 }
        return end
    }

    private static func hasPrefix(_ bytes: [UInt8], _ prefix: [UInt8], at index: Int) -> Bool {
        index + prefix.count <= bytes.count && bytes[index..<(index + prefix.count)].elementsEqual(prefix)
    }

    private static func find(_ needle: [UInt8], in bytes: [UInt8], from start: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var index = start
        while index + needle.count <= bytes.count {
            if hasPrefix(bytes, needle, at: index) { return index }
            index += 1
        }
        return nil
    }

    /// Whether `body` holds an upper-case letter, a lower-case letter and a digit.
    private static func isMixed(_ body: ArraySlice<UInt8>) -> Bool {
        body.contains(where: { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") })
            && body.contains(where: { $0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z") })
            && body.contains(where: isDigit)
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isAlphanumeric(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
    }
}
