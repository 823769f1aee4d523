// libpg_query, loaded on first use (see LazyLibraries.h).
#include <pg_query.h>
#include "loader.h"

#define LIBRARY "pg_query"
#define FUNCTIONS(X) \
    X(PgQueryParseResult, pg_query_parse, (const char *input), (input))
#define VOID_FUNCTIONS(X) \
    X(void, pg_query_free_parse_result, (PgQueryParseResult result), (result))

// The versioned name is Debian's libpg-query-dev 15-4.0.0; the unversioned one comes with any -dev package.
LAZY_LIBRARY(FUNCTIONS, VOID_FUNCTIONS, LAZY_NONE, "libpg_query.so.1504.0", "libpg_query.so")
