import ChatEngine
import HTTP
import Policies

extension APIError.Code {
    /// A request's connection string names a database host that is not allowed.
    public static let dbHostNotAllowed = APIError.Code(rawValue: DatabaseHostError.Code.hostNotAllowed.rawValue)
    /// This server does not take connection strings from requests.
    public static let connectionStringNotAllowed =
        APIError.Code(rawValue: DatabaseHostError.Code.connectionStringNotAllowed.rawValue)
    /// A request's connection string sets a libpq option requests may not use.
    public static let connectionOptionNotAllowed =
        APIError.Code(rawValue: DatabaseHostError.Code.connectionOptionNotAllowed.rawValue)
    /// A request's connection string cannot be parsed.
    public static let invalidConnectionString =
        APIError.Code(rawValue: DatabaseHostError.Code.invalidConnectionString.rawValue)
    /// A value in a request's connection string holds a control character.
    public static let controlCharacterNotAllowed =
        APIError.Code(rawValue: DatabaseHostError.Code.controlCharacterNotAllowed.rawValue)
}

extension APIError {
    /// The response for a refused connection string: 403 (`db_host_not_allowed`,
    /// `connection_string_not_allowed`) or 400 (`invalid_connection_string`,
    /// `connection_option_not_allowed`, `control_character_not_allowed`), with the error's message.
    public init(_ error: DatabaseHostError) {
        self.init(ChatError(error))
    }
}
