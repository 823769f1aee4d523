// libcurl, loaded on first use (see LazyLibraries.h).
#define CURL_DISABLE_TYPECHECK
#include <curl/curl.h>
#include <stdarg.h>
#include "loader.h"

#undef curl_easy_setopt
#undef curl_easy_getinfo

#define LIBRARY "curl"
#define FUNCTIONS(X) \
    X(CURLcode, curl_global_init, (long flags), (flags)) \
    X(CURL *, curl_easy_init, (void), ()) \
    X(CURLcode, curl_easy_perform, (CURL *curl), (curl)) \
    X(const char *, curl_easy_strerror, (CURLcode code), (code)) \
    X(struct curl_slist *, curl_slist_append, (struct curl_slist *list, const char *text), (list, text))
#define VOID_FUNCTIONS(X) \
    X(void, curl_easy_cleanup, (CURL *curl), (curl)) \
    X(void, curl_easy_reset, (CURL *curl), (curl)) \
    X(void, curl_slist_free_all, (struct curl_slist *list), (list))
// The two variadic functions, defined by hand below.
#define VARIADIC_FUNCTIONS(X) \
    X(CURLcode, curl_easy_setopt, (CURL *curl, CURLoption option, ...), ()) \
    X(CURLcode, curl_easy_getinfo, (CURL *curl, CURLINFO info, ...), ())

LAZY_LIBRARY(FUNCTIONS, VOID_FUNCTIONS, VARIADIC_FUNCTIONS, "libcurl.so.4", "libcurl.so")

// Every option takes exactly one argument, whose type the option's number range tells (as libcurl's own
// curl_easy_setopt reads it): long, object pointer, function pointer, curl_off_t, or blob pointer.
CURLcode curl_easy_setopt(CURL *curl, CURLoption option, ...) {
    pthread_once(&once, load);
    va_list arguments;
    va_start(arguments, option);
    CURLcode result;
    if (option < CURLOPTTYPE_OBJECTPOINT) {
        result = table.curl_easy_setopt(curl, option, va_arg(arguments, long));
    } else if (option < CURLOPTTYPE_FUNCTIONPOINT) {
        result = table.curl_easy_setopt(curl, option, va_arg(arguments, void *));
    } else if (option < CURLOPTTYPE_OFF_T) {
        result = table.curl_easy_setopt(curl, option, va_arg(arguments, void (*)(void)));
    } else if (option < CURLOPTTYPE_BLOB) {
        result = table.curl_easy_setopt(curl, option, va_arg(arguments, curl_off_t));
    } else {
        result = table.curl_easy_setopt(curl, option, va_arg(arguments, void *));
    }
    va_end(arguments);
    return result;
}

// Every CURLINFO takes one pointer to where the answer goes.
CURLcode curl_easy_getinfo(CURL *curl, CURLINFO info, ...) {
    pthread_once(&once, load);
    va_list arguments;
    va_start(arguments, info);
    CURLcode result = table.curl_easy_getinfo(curl, info, va_arg(arguments, void *));
    va_end(arguments);
    return result;
}
