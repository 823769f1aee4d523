#ifndef PGASSIST_CPGQUERY_SHIM_H
#define PGASSIST_CPGQUERY_SHIM_H
// libpg_query has no pkg-config file; LazyLibraries loads it on first use (the module map links nothing).
#include <pg_query.h>
#endif
