internal import FoundationEssentials
import ToolsCore
import JSON

/// Where the next `list_tables` page starts: the (schema, name) of the last relation shown,
/// handed to the model as an opaque string (base64url of a JSON pair, so names may hold any character).
package struct ListTablesCursor: Equatable {
    package let schema: String
    package let name: String

    /// The string the model passes back as `cursor`.
    var encoded: String {
        let json = JSONValue.array([.string(schema), .string(name)]).serializedBytes()
        return Data(json).base64EncodedString()
            .replacingAll("+", with: "-").replacingAll("/", with: "_").replacingAll("=", with: "")
    }

    init(schema: String, name: String) {
        self.schema = schema
        self.name = name
    }

    /// Decodes a cursor from a previous answer; fails with `invalid_arguments` naming `cursor`.
    init(decoding text: String) throws(ToolError) {
        var base64 = text.replacingAll("-", with: "+").replacingAll("_", with: "/")
        while base64.utf8.count % 4 != 0 { base64 += "=" }
        guard let data = Data(base64Encoded: base64), let value = try? JSONValue.parse(Array(data)),
              let pair = value.arrayValue, pair.count == 2,
              let schema = pair[0].stringValue, let name = pair[1].stringValue else {
            throw ToolError(.invalidArguments,
                            "The argument 'cursor' is not a cursor from list_tables; pass the 'nextCursor' of the previous answer, or leave it out to start at the beginning.")
        }
        self.init(schema: schema, name: name)
    }
}
