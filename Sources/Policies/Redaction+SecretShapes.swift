import JSON

extension Redaction {
    /// A kind of secret recognised by its shape alone, wherever it appears in a value.
    public enum SecretShape: String, Sendable, CaseIterable {
        /// A JSON Web Token: `eyJ….eyJ….signature` (Supabase's anon and service_role keys are ones).
        case jwt
        /// A PEM private key, `-----BEGIN … PRIVATE KEY-----` to its `-----END … PRIVATE KEY-----`.
        case privateKey = "private_key"
        /// An OpenAI key, `sk-…` (also `sk-proj-…`).
        case openAIKey = "openai_key"
        /// An Anthropic key, `sk-ant-…`.
        case anthropicKey = "anthropic_key"
        /// A Stripe secret or restricted key (`sk_live_`, `sk_test_`, `rk_live_`, `rk_test_`) or webhook secret (`whsec_`).
        case stripeKey = "stripe_key"
        /// An AWS access key id (`AKIA…`, `ASIA…`).
        case awsKey = "aws_key"
        /// A GitHub token (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).
        case githubToken = "github_token"
        /// A Supabase access token (`sbp_…`) or secret API key (`sb_secret_…`).
        case supabaseKey = "supabase_key"
        /// A bcrypt hash, `$2a$`/`$2b$`/`$2x$`/`$2y$` + cost + 53 characters.
        case bcrypt
        /// An Argon2 hash, `$argon2id$…`, `$argon2i$…`, `$argon2d$…`.
        case argon2
        /// An scrypt hash, `$scrypt$…` or `$7$…`.
        case scrypt
        /// A crypt(3) SHA-256/SHA-512/yescrypt hash, `$5$…`, `$6$…`, `$y$…`.
        case cryptHash = "crypt_hash"
        /// PostgreSQL's stored password verifier, `SCRAM-SHA-256$…`.
        case scram = "scram_sha_256"
        /// A password: of a URI (`postgres://user:password@host`), a `password=` pair, or SQL's `PASSWORD '…'`.
        case password

        /// What replaces a secret of this kind: `[redacted: jwt]`.
        public var mask: String { "[redacted: \(rawValue)]" }
    }

    /// A text with the secrets found in it masked.
    public struct Masked: Sendable, Equatable {
        /// The text, each secret replaced by its kind's mask.
        public let text: String
        /// How many secrets were masked.
        public let count: Int
    }

    /// `text` with every secret-shaped value (`SecretShape`) replaced by its mask, and how many were.
    ///
    /// Shapes are matched where a word starts (a key inside `task-…` or `mask_…` is not one), and key shapes whose
    /// alphabet is letters and digits must mix upper case, lower case and digits as random keys do, so slugs,
    /// e-mail addresses, UUIDs, hex ids and base64 images are left alone.
    public static func secretShapes(_ text: String) -> Masked {
        var count = 0
        let unpassworded = passwords(text, mask: Array(SecretShape.password.mask.unicodeScalars), count: &count)
        let bytes = Array(unpassworded.utf8)
        var output: [UInt8] = []
        var copied = 0, index = 0
        while index < bytes.count {
            let startsWord = index == 0 || !SecretScanner.isKeyByte(bytes[index - 1])
            if startsWord || bytes[index] == UInt8(ascii: "-"), let (end, shape) = SecretScanner.match(bytes, at: index) {
                output.append(contentsOf: bytes[copied..<index])
                output.append(contentsOf: shape.mask.utf8)
                count += 1
                copied = end
                index = end
                continue
            }
            index += 1
        }
        guard copied > 0 else { return Masked(text: unpassworded, count: count) }
        output.append(contentsOf: bytes[copied...])
        return Masked(text: String(decoding: output, as: UTF8.self), count: count)
    }

    /// `value` with `secretShapes` applied to every string and object key, adding how many secrets were masked
    /// to `count`.
    public static func secretShapes(_ value: JSONValue, count: inout Int) -> JSONValue {
        switch value {
        case .string(let string):
            let masked = secretShapes(string)
            count += masked.count
            return .string(masked.text)
        case .array(let elements):
            return .array(elements.map { secretShapes($0, count: &count) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for key in members.keys.sorted() {
                let name = secretShapes(key)
                count += name.count
                var unique = name.text, suffix = 2
                while result[unique] != nil { unique = "\(name.text) \(suffix)"; suffix += 1 }
                result[unique] = secretShapes(members[key] ?? .null, count: &count)
            }
            return .object(result)
        case .null, .bool, .number:
            return value
        }
    }
}
