/// Random, URL-safe identifiers in the style clients know from OpenAI (`thread_…`, `run_…`).
public enum Identifier {
    private static let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    /// `prefix_` followed by 24 random base-62 characters (about 143 bits from the system's CSPRNG).
    public static func make(_ prefix: String) -> String {
        var generator = SystemRandomNumberGenerator()
        var text = prefix + "_"
        for _ in 0..<24 { text.append(alphabet[Int(generator.next(upperBound: UInt64(alphabet.count)))]) }
        return text
    }
}
