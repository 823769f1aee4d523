import JSON

/// The SQL words for a statement node, for messages: `DeleteStmt` → "DELETE",
/// `TransactionStmt` of kind begin → "BEGIN".
enum StatementName {
    static func sql(nodeType: String, node: JSONValue?) -> String {
        switch nodeType {
        case "VariableSetStmt":
            switch node?["kind"]?.stringValue {
            case "VAR_RESET", "VAR_RESET_ALL": return "RESET"
            default: return "SET"
            }
        case "TransactionStmt":
            let kind = node?["kind"]?.stringValue ?? ""
            return transactionKinds[kind] ?? "transaction control"
        case "FetchStmt":
            return node?["ismove"]?.boolValue == true ? "MOVE" : "FETCH"
        case "VacuumStmt":
            return node?["is_vacuumcmd"]?.boolValue == true ? "VACUUM" : "ANALYZE"
        case "CreateTableAsStmt":
            return node?["objtype"]?.stringValue == "OBJECT_MATVIEW" ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS"
        case "GrantStmt":
            return node?["is_grant"]?.boolValue == true ? "GRANT" : "REVOKE"
        case "GrantRoleStmt":
            return node?["is_grant"]?.boolValue == true ? "GRANT" : "REVOKE"
        default:
            return fixed[nodeType] ?? words(nodeType)
        }
    }

    private static let transactionKinds: [String: String] = [
        "TRANS_STMT_BEGIN": "BEGIN", "TRANS_STMT_START": "START TRANSACTION",
        "TRANS_STMT_COMMIT": "COMMIT", "TRANS_STMT_ROLLBACK": "ROLLBACK",
        "TRANS_STMT_SAVEPOINT": "SAVEPOINT", "TRANS_STMT_RELEASE": "RELEASE SAVEPOINT",
        "TRANS_STMT_ROLLBACK_TO": "ROLLBACK TO SAVEPOINT", "TRANS_STMT_PREPARE": "PREPARE TRANSACTION",
        "TRANS_STMT_COMMIT_PREPARED": "COMMIT PREPARED", "TRANS_STMT_ROLLBACK_PREPARED": "ROLLBACK PREPARED",
    ]

    /// Node names whose words differ from the SQL.
    private static let fixed: [String: String] = [
        "SelectStmt": "SELECT", "DeclareCursorStmt": "DECLARE", "ClosePortalStmt": "CLOSE",
        "CheckPointStmt": "CHECKPOINT", "CreateStmt": "CREATE TABLE", "ViewStmt": "CREATE VIEW",
        "IndexStmt": "CREATE INDEX", "CreateFunctionStmt": "CREATE FUNCTION",
        "CreateTrigStmt": "CREATE TRIGGER", "CreateSeqStmt": "CREATE SEQUENCE",
        "AlterSeqStmt": "ALTER SEQUENCE", "CreateSchemaStmt": "CREATE SCHEMA", "DropStmt": "DROP",
        "RenameStmt": "ALTER … RENAME", "RuleStmt": "CREATE RULE", "LoadStmt": "LOAD",
        "CreatedbStmt": "CREATE DATABASE", "DropdbStmt": "DROP DATABASE",
        "SecLabelStmt": "SECURITY LABEL", "CreateExtensionStmt": "CREATE EXTENSION",
        "AlterSystemStmt": "ALTER SYSTEM", "ReassignOwnedStmt": "REASSIGN OWNED",
        "DropOwnedStmt": "DROP OWNED", "RefreshMatViewStmt": "REFRESH MATERIALIZED VIEW",
        "CreatePLangStmt": "CREATE LANGUAGE", "DeallocateStmt": "DEALLOCATE",
        "VariableShowStmt": "SHOW", "ExplainStmt": "EXPLAIN",
    ]

    /// `AlterDefaultPrivilegesStmt` → "ALTER DEFAULT PRIVILEGES".
    private static func words(_ nodeType: String) -> String {
        let base = nodeType.hasSuffix("Stmt") ? String(nodeType.dropLast(4)) : nodeType
        var text = ""
        for character in base {
            if character.isUppercase, !text.isEmpty { text.append(" ") }
            text.append(contentsOf: character.uppercased())
        }
        return text
    }
}
