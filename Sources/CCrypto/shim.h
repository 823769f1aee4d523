// OpenSSL's libcrypto (Debian's libssl-dev), for message digests only: the EVP interface, which
// OpenSSL 3 keeps undeprecated.
#include <openssl/evp.h>
