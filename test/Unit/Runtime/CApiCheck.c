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

/* Returns 0 when the CUDA argument helpers of sluice/cuda.h fill their
 * structs as documented (compiled as C: struct returns, int32_t kind). */
int sluice_test_c_cuda_args(void) {
  int64_t sizes[2] = {3, 4};
  sluice_cuda_arg_t m = sluice_cuda_arg_memref(NULL, 5, 2, sizes, NULL);
  sluice_cuda_arg_t f = sluice_cuda_arg_f32(2.5f);
  sluice_cuda_arg_t i = sluice_cuda_arg_i32(-3);
  sluice_cuda_arg_t p = sluice_cuda_arg_ptr(0x1000);
  if (m.kind != SLUICE_CUDA_ARG_MEMREF || m.rank != 2 || m.offset != 5 ||
      m.sizes != sizes || m.strides != NULL || m.allocated != 0)
    return 1;
  if (f.kind != SLUICE_CUDA_ARG_F32 || f.f32 != 2.5f)
    return 2;
  if (i.kind != SLUICE_CUDA_ARG_I32 || i.i64 != -3)
    return 3;
  if (p.kind != SLUICE_CUDA_ARG_PTR || p.ptr != 0x1000)
    return 4;
  return strcmp(sluice_cuda_status_name(SLUICE_CUDA_NO_DEVICE), "no device");
}
