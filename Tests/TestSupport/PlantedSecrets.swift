/// Secret-shaped values planted in ordinary text, built from pieces so the repository holds no whole secret.
public enum PlantedSecrets {
    public static let jwt = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9" + ".eyJyb2xlIjoic2VydmljZV9yb2xlIiwiaXNzIjoic3VwYWJhc2UifQ"
        + ".dGhpc2lzbm90YXJlYWxzaWduYXR1cmVhdGFsbDEyMzQ"
    public static let pem = "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nYWJjZGVm\n-----END RSA PRIVATE KEY-----"
    public static let openAI = "sk-" + "proj-Ab3dEf9hIjKlMn0pQrStUvWxYz12"
    public static let anthropic = "sk-" + "ant-api03-AbCdEf123456GhIjKlMnOpQrSt"
    public static let stripe = "sk_" + "live_51HxYzAbCdEf0123456789GhIj"
    public static let stripeWebhook = "whsec_" + "AbCdEf0123456789GhIjKlMnOpQr"
    public static let aws = "AKIA" + "IOSFODNN7EXAMPLE"
    public static let github = "ghp_" + "aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"
    public static let githubPAT = "github_pat_" + "11ABCDEFG0123456789_abcdefghijKLMNOPQ"
    public static let supabase = "sbp_" + "0123456789abcdef0123456789abcdef01234567"
    public static let supabaseSecret = "sb_secret_" + "AbCdEf0123456789xyz"
    public static let bcrypt = "$2b$10$" + "N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy"
    public static let argon2 = "$argon2id$" + "v=19$m=65536,t=3,p=4$c29tZXNhbHQ$RdescudvJCsgt3ub+b+dWRWJTmaaJObG"
    public static let scrypt = "$scrypt$" + "ln=16,r=8,p=1$aM15713r3Xsvxbi31lqr1Q$nFNh2CVHVjNldFVKDHDlm4CbdRSCdEBsjjJxD+iCs5E"
    public static let scram = "SCRAM-SHA-256$" + "4096:c2FsdHNhbHQ=$OmRkZXN0b3JlZGtleQ==:c2VydmVya2V5c2VydmVya2V5"
    public static let urlPassword = "hunter2pass"
    public static let url = "postgres://app:\(urlPassword)@db.internal:5432/prod"

    /// Each secret with the name of the kind it is masked as (`[redacted: name]`).
    public static let all: [(value: String, kind: String)] = [
        (jwt, "jwt"), (pem, "private_key"), (openAI, "openai_key"), (anthropic, "anthropic_key"), (stripe, "stripe_key"),
        (stripeWebhook, "stripe_key"), (aws, "aws_key"), (github, "github_token"), (githubPAT, "github_token"),
        (supabase, "supabase_key"), (supabaseSecret, "supabase_key"), (bcrypt, "bcrypt"), (argon2, "argon2"),
        (scrypt, "scrypt"), (scram, "scram_sha_256"),
    ]

    /// A run of 10 or more letters and digits of `secret` (its longest), to look for in text that may escape the
    /// rest (JSON escapes `/`).
    public static func fragment(of secret: String) -> String {
        let runs = secret.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) })
        return String(runs.max(by: { $0.count < $1.count }) ?? Substring(secret))
    }
}

