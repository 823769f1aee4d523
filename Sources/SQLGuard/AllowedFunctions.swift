/// The built-in functions a query may call: default-deny, so only functions known to be free of
/// side effects outside the query are here (reading, computing, formatting). A name is allowed
/// in every overload. Volatile entries (random(), clock_timestamp(), gen_random_uuid(), …) are
/// allowed because they change nothing outside the transaction.
///
/// Not here on purpose: anything that sleeps, signals, locks, notifies, touches files, large
/// objects, sequences, settings or other servers, or runs SQL given as text (`DeniedFunctions`
/// lists the dangerous ones explicitly for `allowUserFunctions`).
enum AllowedFunctions {
    /// Every allowed name.
    static let names: Set<String> = postgres15.union(addedAfter15)

    /// Names that exist in PostgreSQL 15's pg_catalog, as functions or as types that work as
    /// function-style casts (`date('2024-01-01')`); the test suite checks this against a server.
    static let postgres15: Set<String> = aggregates
        .union(windowFunctions).union(mathematics).union(strings).union(dateTime)
        .union(json).union(arrays).union(ranges).union(textSearch).union(network).union(geometry)
        .union(xml).union(sessionInformation).union(privileges).union(catalogInformation)
        .union(sizes).union(miscellaneous).union(functionStyleCasts).union(sqlSyntax)

    /// Side-effect-free functions added in PostgreSQL 16 to 18, for servers newer than the parser. Not
    /// pg_input_is_valid or pg_input_error_info: they run the input function (and CHECK constraints) of a
    /// type named by a string, which no check can see.
    static let addedAfter15: Set<String> = [
        "any_value", "json_agg_strict", "json_object_agg_strict", "json_object_agg_unique",
        "json_object_agg_unique_strict", "jsonb_agg_strict", "jsonb_object_agg_strict",
        "jsonb_object_agg_unique", "jsonb_object_agg_unique_strict", "random_normal", "erf", "erfc",
        "gamma", "lgamma", "date_add", "date_subtract", "array_sample", "array_shuffle",
        "array_reverse", "array_sort", "xmltext",
        "uuid_extract_version", "uuid_extract_timestamp", "uuidv4", "uuidv7", "pg_basetype",
        "to_regtypemod", "casefold", "crc32", "crc32c",
        "has_largeobject_privilege", "pg_get_acl", "to_bin", "to_oct",
    ]

    static let aggregates: Set<String> = [
        "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "json_agg", "jsonb_agg",
        "json_object_agg", "jsonb_object_agg", "bool_and", "bool_or", "every", "bit_and", "bit_or",
        "bit_xor", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
        "percentile_cont", "percentile_disc", "mode", "corr", "covar_pop", "covar_samp", "regr_avgx",
        "regr_avgy", "regr_count", "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy",
        "regr_syy", "range_agg", "range_intersect_agg", "xmlagg",
    ]

    static let windowFunctions: Set<String> = [
        "row_number", "rank", "dense_rank", "percent_rank", "cume_dist", "ntile", "lag", "lead",
        "first_value", "last_value", "nth_value",
    ]

    static let mathematics: Set<String> = [
        "abs", "cbrt", "ceil", "ceiling", "degrees", "div", "exp", "factorial", "floor", "gcd", "lcm",
        "ln", "log", "log10", "min_scale", "mod", "pi", "power", "pow", "radians", "round", "scale",
        "sign", "sqrt", "trim_scale", "trunc", "width_bucket", "random", "acos", "acosd", "asin",
        "asind", "atan", "atand", "atan2", "atan2d", "cos", "cosd", "cot", "cotd", "sin", "sind", "tan",
        "tand", "sinh", "cosh", "tanh", "asinh", "acosh", "atanh",
    ]

    static let strings: Set<String> = [
        "ascii", "bit_length", "btrim", "char_length", "character_length", "chr", "concat",
        "concat_ws", "convert", "convert_from", "convert_to", "decode", "encode", "format", "initcap",
        "left", "length", "lower", "lpad", "ltrim", "md5", "normalize", "is_normalized", "octet_length",
        "overlay", "parse_ident", "position", "quote_ident", "quote_literal", "quote_nullable",
        "regexp_count", "regexp_instr", "regexp_like", "regexp_match", "regexp_matches",
        "regexp_replace", "regexp_split_to_array", "regexp_split_to_table", "regexp_substr", "repeat",
        "replace", "reverse", "right", "rpad", "rtrim", "split_part", "starts_with", "string_to_array",
        "string_to_table", "strpos", "substr", "substring", "to_ascii", "to_hex", "translate",
        "unistr", "upper", "sha224", "sha256", "sha384", "sha512", "get_bit", "get_byte", "set_bit",
        "set_byte", "bit_count", "to_char", "to_number", "like", "notlike",
    ]

    static let dateTime: Set<String> = [
        "age", "clock_timestamp", "date_bin", "date_part", "date_trunc", "extract", "isfinite",
        "justify_days", "justify_hours", "justify_interval", "make_date", "make_interval", "make_time",
        "make_timestamp", "make_timestamptz", "now", "statement_timestamp", "timeofday",
        "transaction_timestamp", "to_timestamp", "to_date", "timezone", "overlaps",
    ]

    /// Not json_populate_record and its relatives: they fill a row type from JSON while they run, which runs
    /// the CHECK constraints of domains in it for a row type no check sees (a table's, through `t`).
    static let json: Set<String> = [
        "array_to_json", "row_to_json", "to_json", "to_jsonb", "json_build_array", "json_build_object",
        "jsonb_build_array", "jsonb_build_object", "json_object", "jsonb_object", "json_array_elements",
        "json_array_elements_text", "jsonb_array_elements", "jsonb_array_elements_text",
        "json_array_length", "jsonb_array_length", "json_each", "json_each_text", "jsonb_each",
        "jsonb_each_text", "json_extract_path", "json_extract_path_text", "jsonb_extract_path",
        "jsonb_extract_path_text", "json_object_keys", "jsonb_object_keys",
        "json_to_record", "jsonb_to_record", "json_to_recordset", "jsonb_to_recordset",
        "json_strip_nulls", "jsonb_strip_nulls", "jsonb_set", "jsonb_set_lax", "jsonb_insert",
        "jsonb_pretty", "json_typeof", "jsonb_typeof", "jsonb_path_exists", "jsonb_path_exists_tz",
        "jsonb_path_match", "jsonb_path_match_tz", "jsonb_path_query", "jsonb_path_query_tz",
        "jsonb_path_query_array", "jsonb_path_query_array_tz", "jsonb_path_query_first",
        "jsonb_path_query_first_tz",
    ]

    static let arrays: Set<String> = [
        "array_append", "array_cat", "array_dims", "array_fill", "array_length", "array_lower",
        "array_ndims", "array_position", "array_positions", "array_prepend", "array_remove",
        "array_replace", "array_to_string", "array_upper", "cardinality", "trim_array", "unnest",
        "generate_series", "generate_subscripts",
    ]

    static let ranges: Set<String> = [
        "isempty", "lower_inc", "upper_inc", "lower_inf", "upper_inf", "range_merge", "multirange",
        "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange", "int4multirange",
        "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange", "datemultirange",
    ]

    /// Not ts_stat or ts_rewrite: both can run a query given as text.
    static let textSearch: Set<String> = [
        "array_to_tsvector", "get_current_ts_config", "numnode", "plainto_tsquery",
        "phraseto_tsquery", "querytree", "setweight", "strip", "to_tsquery", "to_tsvector",
        "json_to_tsvector", "jsonb_to_tsvector", "ts_delete", "ts_filter", "ts_headline", "ts_rank",
        "ts_rank_cd", "tsquery_phrase", "tsvector_to_array", "websearch_to_tsquery", "ts_debug",
        "ts_lexize", "ts_parse", "ts_token_type",
    ]

    static let network: Set<String> = [
        "abbrev", "broadcast", "family", "host", "hostmask", "inet_merge", "inet_same_family",
        "masklen", "netmask", "network", "set_masklen", "macaddr8_set7bit",
    ]

    static let geometry: Set<String> = [
        "area", "center", "diameter", "height", "isclosed", "isopen", "isvertical", "ishorizontal",
        "isparallel", "isperp", "npoints", "pclose", "popen", "radius", "slope", "width", "box",
        "bound_box", "circle", "line", "lseg", "path", "point", "polygon",
    ]

    /// Not query_to_xml and its relatives: they run SQL given as text or read whole tables.
    static let xml: Set<String> = [
        "xmlcomment", "xpath", "xpath_exists", "xml_is_well_formed", "xml_is_well_formed_document",
        "xml_is_well_formed_content", "xmlexists",
    ]

    static let sessionInformation: Set<String> = [
        "current_database", "current_query", "current_schema", "current_schemas", "current_setting",
        "inet_client_addr", "inet_client_port", "inet_server_addr", "inet_server_port", "version",
        "pg_backend_pid", "pg_blocking_pids", "pg_conf_load_time", "pg_current_logfile",
        "pg_my_temp_schema", "pg_is_other_temp_schema", "pg_jit_available", "pg_listening_channels",
        "pg_notification_queue_usage", "pg_postmaster_start_time", "pg_safe_snapshot_blocking_pids",
        "pg_trigger_depth", "pg_is_in_recovery", "pg_last_wal_receive_lsn", "pg_last_wal_replay_lsn",
        "pg_last_xact_replay_timestamp", "pg_current_wal_lsn", "pg_current_wal_insert_lsn",
        "pg_current_wal_flush_lsn", "pg_walfile_name", "pg_walfile_name_offset", "pg_wal_lsn_diff",
        "pg_is_wal_replay_paused", "pg_get_wal_replay_pause_state", "pg_control_checkpoint",
        "pg_control_system", "pg_control_init", "pg_control_recovery", "pg_current_snapshot",
        "pg_snapshot_xip", "pg_snapshot_xmax", "pg_snapshot_xmin", "pg_visible_in_snapshot",
        "pg_xact_status", "txid_current_snapshot", "txid_snapshot_xip", "txid_snapshot_xmax",
        "txid_snapshot_xmin", "txid_visible_in_snapshot", "txid_status", "txid_current_if_assigned",
        "pg_current_xact_id_if_assigned", "pg_xact_commit_timestamp", "pg_xact_commit_timestamp_origin",
        "pg_last_committed_xact", "mxid_age", "pg_get_backend_memory_contexts",
    ]

    static let privileges: Set<String> = [
        "has_any_column_privilege", "has_column_privilege", "has_database_privilege",
        "has_foreign_data_wrapper_privilege", "has_function_privilege", "has_language_privilege",
        "has_parameter_privilege", "has_schema_privilege", "has_sequence_privilege",
        "has_server_privilege", "has_table_privilege", "has_tablespace_privilege",
        "has_type_privilege", "pg_has_role", "row_security_active", "acldefault", "aclexplode",
        "makeaclitem",
    ]

    static let catalogInformation: Set<String> = [
        "format_type", "pg_get_catalog_foreign_keys", "pg_get_constraintdef", "pg_get_expr",
        "pg_get_functiondef", "pg_get_function_arguments", "pg_get_function_identity_arguments",
        "pg_get_function_result", "pg_get_function_arg_default", "pg_get_indexdef", "pg_get_keywords",
        "pg_get_ruledef", "pg_get_serial_sequence", "pg_get_statisticsobjdef",
        "pg_get_statisticsobjdef_columns", "pg_get_statisticsobjdef_expressions",
        "pg_get_triggerdef", "pg_get_userbyid", "pg_get_viewdef", "pg_get_partkeydef",
        "pg_get_partition_constraintdef", "pg_get_replica_identity_index", "pg_index_column_has_property",
        "pg_index_has_property", "pg_indexam_has_property", "pg_options_to_table",
        "pg_settings_get_flags", "pg_tablespace_databases", "pg_tablespace_location", "pg_typeof",
        "pg_collation_for", "to_regclass", "to_regcollation", "to_regnamespace", "to_regoper",
        "to_regoperator", "to_regproc", "to_regprocedure", "to_regrole", "to_regtype",
        "pg_describe_object", "pg_identify_object", "pg_identify_object_as_address",
        "pg_get_object_address", "col_description", "obj_description", "shobj_description",
        "pg_partition_tree", "pg_partition_ancestors", "pg_partition_root", "pg_char_to_encoding",
        "pg_encoding_to_char", "pg_client_encoding", "getdatabaseencoding",
        "pg_collation_is_visible", "pg_conversion_is_visible", "pg_function_is_visible",
        "pg_opclass_is_visible", "pg_operator_is_visible", "pg_opfamily_is_visible",
        "pg_statistics_obj_is_visible", "pg_table_is_visible", "pg_ts_config_is_visible",
        "pg_ts_dict_is_visible", "pg_ts_parser_is_visible", "pg_ts_template_is_visible",
        "pg_type_is_visible",
    ]

    static let sizes: Set<String> = [
        "pg_column_size", "pg_column_compression", "pg_database_size", "pg_indexes_size",
        "pg_relation_size", "pg_size_bytes", "pg_size_pretty", "pg_table_size", "pg_tablespace_size",
        "pg_total_relation_size", "pg_relation_filenode", "pg_relation_filepath",
        "pg_filenode_relation",
    ]

    static let miscellaneous: Set<String> = [
        "num_nonnulls", "num_nulls", "gen_random_uuid", "enum_first", "enum_last", "enum_range",
        "lower", "upper",
    ]

    /// Type names that work as function-style casts, such as `int4(x)` or `date(x)`.
    static let functionStyleCasts: Set<String> = [
        "bool", "int2", "int4", "int8", "float4", "float8", "numeric", "text", "varchar", "bpchar",
        "name", "date", "time", "timetz", "timestamp", "timestamptz", "interval", "bytea", "uuid",
        "json", "jsonb", "money", "oid", "bit", "varbit", "inet", "cidr", "macaddr", "macaddr8",
        "regclass", "regtype", "regproc", "regprocedure", "regnamespace", "regrole", "regoper",
        "regoperator", "regconfig", "regdictionary", "regcollation", "xml", "tsvector", "tsquery",
    ]

    /// Functions the grammar itself calls for SQL syntax: `x LIKE y ESCAPE z`, `x SIMILAR TO y`.
    static let sqlSyntax: Set<String> = [
        "like_escape", "similar_to_escape", "similar_escape",
    ]
}
