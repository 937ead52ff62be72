/* skiff's version and the versions of the libraries it is linked with. */
#ifndef SK_VERSION_H
#define SK_VERSION_H

#include <stdio.h>

#define SK_KUBE_MAJOR   "1"
#define SK_KUBE_MINOR   "32"
#define SK_KUBE_VERSION "v1.32.0"

const char *sk_version(void); /* "0.1.0" */
/* Print "skiff version ..." and one line per linked library. */
void sk_version_print(FILE *f);

#endif
