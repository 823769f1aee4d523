#ifndef PGASSIST_CFASTCGI_SHIM_H
#define PGASSIST_CFASTCGI_SHIM_H
// libfcgi's FCGX_* API only; fcgi_stdio.h redefines stdio with macros Swift cannot see.
#include <fcgiapp.h>
#endif
