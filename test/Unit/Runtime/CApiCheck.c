/*===- CApiCheck.c - the runtime header compiled as C ------------*- C -*-===*\
|*                                                                            *|
|* Proves sluice/runtime.h is plain C: this file is compiled by the C        *|
|* compiler and called from TensorTest.cpp.                                  *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "sluice/runtime.h"

#include <string.h>

/* Returns 0 when a small create / fill / convert / free sequence works. */
int sluice_test_c_api_smoke(void) {
  int64_t shape[2] = {2, 3};
  sluice_tensor_t *t = NULL, *c = NULL;
  if (sluice_tensor_create(SLUICE_DTYPE_I32, 2, shape, &t) != SLUICE_OK)
    return 1;
  int32_t *data = (int32_t *)sluice_tensor_data(t);
  for (int i = 0; i < 6; ++i)
    data[i] = i;
  if (sluice_tensor_convert(t, SLUICE_DTYPE_F32, &c) != SLUICE_OK)
    return 2;
  const float *f = (const float *)sluice_tensor_data(c);
  int ok = f[5] == 5.0f && sluice_tensor_dim(c, 1) == 3 &&
           strcmp(sluice_dtype_name(sluice_tensor_dtype(c)), "f32") == 0 &&
           sluice_last_error()[0] == '\0';
  sluice_tensor_free(c);
  sluice_tensor_free(t);
  return ok ? 0 : 3;
}
