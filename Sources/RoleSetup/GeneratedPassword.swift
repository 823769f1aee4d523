/// A login password from the system's CSPRNG (`SystemRandomNumberGenerator`: `getrandom` on Linux), never
/// logged: it is only printed inside the login's connection string.
enum GeneratedPassword {
    /// Letters and digits: nothing a connection string or URI would need to quote.
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789")

    /// A new password of `length` characters (32: about 190 bits).
    static func make(length: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        return String((0..<length).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] })
    }
}
