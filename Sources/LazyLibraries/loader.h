#ifndef PGASSIST_LAZY_LIBRARIES_LOADER_H
#define PGASSIST_LAZY_LIBRARIES_LOADER_H
#include <pthread.h>

/// Opens the first of `files` (a NULL-terminated list of file names) that dlopen() finds; ends the process
/// with a message naming `library` when none loads.
void *LazyLibraries_open(const char *library, const char *const *files);

/// The address of `symbol` in `handle`; ends the process with a message when it is missing.
void *LazyLibraries_symbol(void *handle, const char *library, const char *symbol);

/// Records that `library` is loaded (for LazyLibraries_isLoaded).
void LazyLibraries_noteLoaded(const char *library);

// A library's functions come in lists X(return type, name, (parameters), (arguments)): FUNCTIONS
// (returning a value), VOID_FUNCTIONS, and HAND_WRITTEN (resolved here, defined by hand: the variadic
// ones). LAZY_LIBRARY defines a table of pointers, a loader that opens the first of the files (after
// the lists) and fills the table once, and each listed function as a call through the table.
// The including file defines LIBRARY, the name LazyLibraries_isLoaded knows it by.
#define LAZY_NONE(X)
#define LAZY_FIELD(type, name, parameters, arguments) type (*name) parameters;
#define LAZY_RESOLVE(type, name, parameters, arguments) \
    table.name = (type (*) parameters)LazyLibraries_symbol(handle, LIBRARY, #name);
#define LAZY_DEFINE(type, name, parameters, arguments) \
    type name parameters { pthread_once(&once, load); return table.name arguments; }
#define LAZY_DEFINE_VOID(type, name, parameters, arguments) \
    type name parameters { pthread_once(&once, load); table.name arguments; }
#define LAZY_LIBRARY(FUNCTIONS, VOID_FUNCTIONS, HAND_WRITTEN, ...) \
    static struct { FUNCTIONS(LAZY_FIELD) VOID_FUNCTIONS(LAZY_FIELD) HAND_WRITTEN(LAZY_FIELD) } table; \
    static pthread_once_t once = PTHREAD_ONCE_INIT; \
    static void load(void) { \
        static const char *const files[] = {__VA_ARGS__, NULL}; \
        void *handle = LazyLibraries_open(LIBRARY, files); \
        FUNCTIONS(LAZY_RESOLVE) VOID_FUNCTIONS(LAZY_RESOLVE) HAND_WRITTEN(LAZY_RESOLVE) \
        LazyLibraries_noteLoaded(LIBRARY); \
    } \
    FUNCTIONS(LAZY_DEFINE) \
    VOID_FUNCTIONS(LAZY_DEFINE_VOID)

#endif
