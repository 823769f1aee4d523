/// Parses PostgreSQL's text form of a one-dimensional array: `{1,2,NULL,"a b","q\"x"}`.
enum ArrayLiteral {
    /// The elements as text (nil for NULL), or nil when `text` is not a one-dimensional array literal
    /// (multi-dimensional arrays and explicit bounds stay text).
    static func parse(_ text: String) -> [String?]? {
        let characters = Array(text)
        guard characters.first == "{", characters.last == "}" else { return nil }
        var elements: [String?] = []
        var index = 1
        let end = characters.count - 1
        if index == end { return [] }
        while index < end {
            if characters[index] == "{" { return nil }
            var element = ""
            var quoted = false
            if characters[index] == "\"" {
                quoted = true
                index += 1
                while index < end, characters[index] != "\"" {
                    if characters[index] == "\\", index + 1 < end { index += 1 }
                    element.append(characters[index])
                    index += 1
                }
                index += 1  // closing quote
            } else {
                while index < end, characters[index] != "," {
                    element.append(characters[index])
                    index += 1
                }
            }
            elements.append(!quoted && element == "NULL" ? nil : element)
            guard index == end || characters[index] == "," else { return nil }
            index += 1
        }
        return elements
    }
}
