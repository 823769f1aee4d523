/// Names of the built-in types results most often have, by OID, as `format_type` prints them.
package enum BuiltinTypes {
    package static let names: [UInt32: String] = [
        16: "boolean", 17: "bytea", 18: "\"char\"", 19: "name", 20: "bigint", 21: "smallint", 23: "integer",
        25: "text", 26: "oid", 114: "json", 700: "real", 701: "double precision", 1042: "character",
        1043: "character varying", 1082: "date", 1083: "time without time zone",
        1114: "timestamp without time zone", 1184: "timestamp with time zone", 1186: "interval",
        1700: "numeric", 2950: "uuid", 3802: "jsonb", 869: "inet", 650: "cidr", 1266: "time with time zone",
        1000: "boolean[]", 1005: "smallint[]", 1007: "integer[]", 1016: "bigint[]", 1009: "text[]",
        1015: "character varying[]", 1021: "real[]", 1022: "double precision[]", 1231: "numeric[]",
        3807: "jsonb[]", 2951: "uuid[]", 1182: "date[]", 1115: "timestamp without time zone[]",
        1185: "timestamp with time zone[]", 2249: "record", 705: "unknown",
    ]
}
