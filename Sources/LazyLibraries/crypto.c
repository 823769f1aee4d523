// libcrypto (OpenSSL 3), loaded on first use (see LazyLibraries.h): message digests only.
#include <openssl/evp.h>
#include "loader.h"

#define LIBRARY "crypto"
#define FUNCTIONS(X) \
    X(int, EVP_Digest, (const void *data, size_t count, unsigned char *md, unsigned int *size, const EVP_MD *type, \
      ENGINE *impl), (data, count, md, size, type, impl)) \
    X(const EVP_MD *, EVP_sha256, (void), ())

LAZY_LIBRARY(FUNCTIONS, LAZY_NONE, LAZY_NONE, "libcrypto.so.3", "libcrypto.so")
