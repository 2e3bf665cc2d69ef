/*===- BadModule.c - broken modules for the loader tests ---------*- C -*-===*\
|*                                                                            *|
|* Compiled once per variant (BAD_NO_VERSION, BAD_VERSION, BAD_NO_SIGNATURE, *|
|* BAD_SIGNATURE, BAD_MISSING_ENTRY, BAD_PREPACK, BAD_PREPACK_GROUPS); each  *|
|* breaks one rule of docs/abi.md.                                            *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include <stdint.h>

typedef struct {
  void *allocated;
  void *aligned;
  int64_t offset;
  int64_t sizes[1];
  int64_t strides[1];
} Desc1;

#ifndef BAD_NO_VERSION
int sluice_abi_version(void) {
#ifdef BAD_VERSION
  return 2;
#else
  return 1;
#endif
}
#endif

#ifndef BAD_NO_SIGNATURE
const char sluice_signature[] = "sluice-module 1\n"
                                "func f 1 1\n"
#ifdef BAD_SIGNATURE
                                "input x f16 1 N\n"
#else
                                "input x f32 1 N\n"
#endif
                                "output y f32 1 N\n"
#ifdef BAD_PREPACK
                                "prepack 4 4 1 b=1:0:4:0\n"
#endif
#ifdef BAD_PREPACK_GROUPS
                                "prepack 4 4 2000000 b=0:0:4:0\n"
#endif
#ifdef BAD_MISSING_ENTRY
                                "func g 1 1\n"
                                "input x f32 1 N\n"
                                "output y f32 1 N\n"
#endif
                                "end\n";
#endif

void _mlir_ciface_f(Desc1 *out, Desc1 *x) { *out = *x; }
