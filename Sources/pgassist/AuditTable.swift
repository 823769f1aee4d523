import AssistantHTTP
import ChatEngine
import Platform
import Policies
import Store

/// Audit events as a plain-text table for people: one row per event, columns padded to fit.
struct AuditTable {
    /// The longest arguments text shown, in characters (the full text is in `--json`).
    static let argumentsWidth = 60

    let events: [AuditEvent]

    /// The header and rows, each ending in a newline; `no audit events` when there are none.
    var rendered: String {
        guard !events.isEmpty else { return "no audit events\n" }
        let header = ["TIME", "KIND", "USER", "PROJECT", "TOOL", "RESULT", "MS", "RUN", "ARGUMENTS"]
        let rows = [header] + events.map(Self.cells)
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        return rows.map { row in
            row.indices.map { column in
                column == row.count - 1 ? row[column] : row[column].padding(to: widths[column])
            }.joined(separator: "  ").trimmingTrailingSpaces() + "\n"
        }.joined()
    }

    private static func cells(_ event: AuditEvent) -> [String] {
        let result: String = switch event.success {
        case true?: "ok"
        case false?: event.errorCode ?? "failed"
        case nil: "-"
        }
        var arguments = event.arguments ?? "-"
        if arguments.count > argumentsWidth { arguments = String(arguments.prefix(argumentsWidth - 1)) + "…" }
        return [WallClock.iso8601(event.createdAt), event.kind.rawValue, event.userId, event.projectRef ?? "-",
                event.tool ?? "-", result, event.durationMs.map(String.init) ?? "-", event.runId ?? "-",
                arguments.replacingNewlines()]
    }
}

private extension String {
    func padding(to width: Int) -> String {
        count >= width ? self : self + String(repeating: " ", count: width - count)
    }

    func trimmingTrailingSpaces() -> String {
        var text = self
        while text.last == " " { text.removeLast() }
        return text
    }

    /// Newlines and tabs as spaces, so each event stays on one line.
    func replacingNewlines() -> String {
        String(map { $0.isNewline || $0 == "\t" ? " " : $0 })
    }
}
