#include "LazyLibraries.h"
#include "loader.h"
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"curl", "pq", "crypto", "pg_query"};
static int loaded[sizeof names / sizeof names[0]];

static int indexOf(const char *library) {
    for (unsigned i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(names[i], library) == 0) return (int)i;
    }
    return -1;
}

void *LazyLibraries_open(const char *library, const char *const *files) {
    const char *failure = "no file to try";
    for (const char *const *file = files; *file != NULL; file++) {
        void *handle = dlopen(*file, RTLD_NOW | RTLD_LOCAL);
        if (handle != NULL) return handle;
        failure = dlerror();
    }
    fprintf(stderr, "pgassist: cannot load the %s library (%s): %s\n", library, files[0], failure);
    abort();
}

void *LazyLibraries_symbol(void *handle, const char *library, const char *symbol) {
    void *address = dlsym(handle, symbol);
    if (address == NULL) {
        fprintf(stderr, "pgassist: the %s library has no %s: %s\n", library, symbol, dlerror());
        abort();
    }
    return address;
}

void LazyLibraries_noteLoaded(const char *library) {
    int index = indexOf(library);
    if (index >= 0) __atomic_store_n(&loaded[index], 1, __ATOMIC_RELEASE);
}

int LazyLibraries_isLoaded(const char *library) {
    int index = indexOf(library);
    return index >= 0 ? __atomic_load_n(&loaded[index], __ATOMIC_ACQUIRE) : 0;
}
