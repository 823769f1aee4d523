#ifndef PGASSIST_LAZY_LIBRARIES_H
#define PGASSIST_LAZY_LIBRARIES_H
// libcurl, libpq, libcrypto and libpg_query, loaded on first use instead of at start.
//
// This target defines every function of those libraries that the Swift code calls (curl_easy_init,
// PQexec, EVP_Digest, pg_query_parse, ...). The first call into a library dlopen()s it and resolves all
// of its functions at once; each call then goes through a function pointer. The module maps of CCurl,
// CLibPQ, CCrypto and CPgQuery give the declarations but no longer link the libraries, so a worker that
// only reads threads never maps them, nor the ~30 libraries they pull in (TLS, Kerberos, LDAP, SSH...).
// A library that cannot be loaded, or lacks a function, ends the process with a message on stderr,
// as a missing library at start did before.
//
// Using another function of these libraries from Swift: add it to the list in its library's .c file
// (the link fails with an undefined symbol until then).

/// Whether `library` ("curl", "pq", "crypto" or "pg_query") has been loaded in this process: 1 or 0.
int LazyLibraries_isLoaded(const char *library);

#endif
