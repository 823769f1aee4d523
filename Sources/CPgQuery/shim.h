#ifndef PGASSIST_CPGQUERY_SHIM_H
#define PGASSIST_CPGQUERY_SHIM_H
// libpg_query ships only a static library and no pkg-config file; the module map links it.
#include <pg_query.h>
#endif
