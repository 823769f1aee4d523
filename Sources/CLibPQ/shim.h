#ifndef PGASSIST_CLIBPQ_SHIM_H
#define PGASSIST_CLIBPQ_SHIM_H
// The Debian path: the package no longer asks pkg-config, which would also link libpq (see LazyLibraries).
#include <postgresql/libpq-fe.h>

// PG_DIAG_* are character-literal macros ('C', 'M', ...) that Swift does not import.
static inline int CLibPQ_diagSQLState(void) { return 'C'; }
static inline int CLibPQ_diagMessagePrimary(void) { return 'M'; }
static inline int CLibPQ_diagMessageDetail(void) { return 'D'; }
static inline int CLibPQ_diagMessageHint(void) { return 'H'; }
static inline int CLibPQ_diagStatementPosition(void) { return 'P'; }
static inline int CLibPQ_diagSeverity(void) { return 'V'; }
#endif
