import JSON
import Policies

/// The one stage every tool result passes on its way to the model provider.
///
/// Tool results are stored as the user sees them (`toolResult` of the thread's tool messages); this view derives
/// the model's copy each time a model request is built, history replays included, so what the model receives
/// always follows the current rules and level, for old threads too:
/// - at `DataSharing.schema`, a result's `rows` are withheld (columns, types, row count and timing stay, with a
///   note that the user has seen the rows) and error messages lose the values they quote (`Redaction.errorValues`);
/// - at every level, secret-shaped values are masked (`Redaction.secretShapes`), in rows, errors and any other
///   string, and their number is told to the model.
/// Schema tools' results have no `rows` and are unchanged but for secret shapes.
struct ModelView: Sendable {
    /// How much data the model receives.
    let sharing: DataSharing

    /// The note that replaces withheld rows.
    static let rowsNote = "The user has seen the rows of this result in their own view; they are not shared with you "
        + "(data sharing level: schema). Work from the columns, types and row count, and refer the user to the rows."

    /// The model's copy of the result `stored` (JSON text, or any text) of tool `tool`, wrapped in
    /// `ToolOutputEnvelope`.
    func toolOutput(tool: String, stored: String) -> String {
        var result = (try? JSONValue.parse(stored)) ?? .string(stored)
        if sharing == .schema { result = Self.withoutValues(result) }
        var redactions = 0
        result = Redaction.secretShapes(result, count: &redactions)
        return ToolOutputEnvelope.wrap(tool: tool, result: result, redactions: redactions)
    }

    /// `result` without row values: its `rows` withheld, and its error message without quoted values.
    static func withoutValues(_ result: JSONValue) -> JSONValue {
        guard var object = result.objectValue else { return result }
        if object["rows"]?.arrayValue != nil {
            object.removeValue(forKey: "rows")
            object["rowsWithheld"] = .bool(true)
            object["rowsNote"] = .string(rowsNote)
        }
        if var error = object["error"]?.objectValue, let message = error["message"]?.stringValue {
            error["message"] = .string(Redaction.errorValues(message).text)
            object["error"] = .object(error)
        }
        return .object(object)
    }
}
