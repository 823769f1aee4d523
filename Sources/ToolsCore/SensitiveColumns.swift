import Platform

/// The columns and relations whose values never reach the model: `run_sql` refuses any reference to them
/// (`sensitive_column`), and `get_schema` marks them `sensitive`.
///
/// Two kinds of entries, both looked up in the target database's catalogs when a tool runs (an entry that
/// does not exist there is ignored; names compare without letter case, and an inheritance parent or child
/// of a listed column's table has the same column listed):
/// - named ones, `schema.table.column` or `schema.table` (the whole relation): Supabase's platform secrets
///   (`builtIn`), `SENSITIVE_COLUMNS` and a project's `sensitiveColumns` in `PROJECTS_FILE`;
/// - column names, in any schema but the system ones: a column is sensitive when its name is one of
///   `names` or ends with `_` and one of them (`encrypted_password`, `client_secret`, `stripe_api_key`).
///   `SENSITIVE_COLUMN_NAMES` replaces the list (an empty value turns it off).
public struct SensitiveColumns: Sendable, Equatable {
    /// One named entry; `column` nil means the whole relation.
    public struct Entry: Sendable, Hashable, CustomStringConvertible {
        /// The schema, table (or view) and column.
        public let schema: String, table: String, column: String?

        /// Parses `schema.table.column` or `schema.table` (no quoting); nil when it has another shape.
        public init?(_ text: String) {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false).map {
                EnvironmentReader.trimmed(String($0))
            }
            guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && !$0.contains(" ") }) else { return nil }
            (schema, table, column) = (parts[0], parts[1], parts.count == 3 ? parts[2] : nil)
        }

        /// `schema.table.column` or `schema.table`.
        public var description: String { [schema, table, column].compactMap { $0 }.joined(separator: ".") }
    }

    /// The named entries.
    public var entries: Set<Entry>
    /// The column names sensitive in any schema.
    public var names: [String]

    /// Supabase's platform secrets: the vault's decrypted view and secrets, the password hash and tokens of
    /// `auth`, and pgsodium's keys (checked against Supabase's auth migrations, vault and pgsodium schemas;
    /// included where unsure).
    public static let builtIn: [String] = [
        "vault.decrypted_secrets", "vault.secrets.secret",
        "auth.users.encrypted_password", "auth.users.confirmation_token", "auth.users.recovery_token",
        "auth.users.email_change_token_new", "auth.users.email_change_token_current",
        "auth.users.phone_change_token", "auth.users.reauthentication_token",
        "auth.refresh_tokens.token", "auth.mfa_factors.secret", "auth.mfa_challenges.otp_code",
        "auth.mfa_challenges.web_authn_session_data", "auth.one_time_tokens.token_hash",
        "auth.flow_state.auth_code", "auth.flow_state.provider_access_token",
        "auth.flow_state.provider_refresh_token", "auth.identities.identity_data",
        "auth.sessions.refresh_token_hmac_key", "auth.saml_providers.metadata_xml", "auth.sso_providers.metadata_xml",
        "pgsodium.key", "pgsodium.decrypted_key", "pgsodium.valid_key", "pgsodium.key.raw_key",
        "pgsodium.key.raw_key_nonce",
    ]

    /// The column names sensitive in any schema by default (Pagila's `staff.password` holds SHA-1 hashes).
    public static let defaultNames: [String] = [
        "password", "passwd", "pwd", "password_hash", "passwordhash", "pass_hash", "secret", "secret_key",
        "client_secret", "api_key", "apikey", "api_secret", "access_token", "refresh_token", "auth_token",
        "session_token", "id_token", "bearer_token", "private_key", "privatekey", "secret_access_key",
        "encryption_key", "signing_key", "otp_secret", "totp_secret", "mfa_secret", "recovery_codes",
    ]

    /// The built-in entries and names.
    public init() {
        entries = Set(Self.builtIn.compactMap(Entry.init))
        names = Self.defaultNames
    }

    /// Adds `texts` (`schema.table[.column]`); fails with the first malformed one.
    public mutating func add(_ texts: [String]) throws(SensitiveColumnsError) {
        for text in texts {
            guard let entry = Entry(text) else { throw SensitiveColumnsError(entry: text) }
            entries.insert(entry)
        }
    }

    /// The settings from `SENSITIVE_COLUMNS` (entries added to the built-in ones) and
    /// `SENSITIVE_COLUMN_NAMES` (replacing the default names; set but empty turns them off).
    public init(environment: EnvironmentReader) throws(ConfigurationError) {
        self.init()
        if let extra = environment.list("SENSITIVE_COLUMNS") {
            do throws(SensitiveColumnsError) { try add(extra) } catch {
                throw ConfigurationError(variable: "SENSITIVE_COLUMNS", message: error.description)
            }
        }
        if environment.variables["SENSITIVE_COLUMN_NAMES"] != nil {
            names = (environment.list("SENSITIVE_COLUMN_NAMES") ?? []).map { $0.lowercased() }
        }
    }
}

/// An entry of a sensitive-column list that is not `schema.table.column` or `schema.table`.
public struct SensitiveColumnsError: Error, Sendable, CustomStringConvertible {
    /// The entry as given.
    public let entry: String
    /// What is wrong, for a configuration error.
    public var description: String { "'\(entry)' is not schema.table.column or schema.table" }
}
