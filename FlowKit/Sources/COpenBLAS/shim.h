// Debian installs OpenBLAS's cblas.h under /usr/include/x86_64-linux-gnu (via alternatives).
#include <cblas.h>
// Declared by OpenBLAS but not always in cblas.h on every distribution.
extern char *openblas_get_corename(void);
extern char *openblas_get_config(void);
extern void openblas_set_num_threads(int num_threads);
extern int openblas_get_num_threads(void);
