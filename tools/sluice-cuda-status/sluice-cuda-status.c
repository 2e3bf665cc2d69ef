/*===- sluice-cuda-status.c - probe and exercise the CUDA device -*- C -*-===*\
|*                                                                            *|
|*   sluice-cuda-status                 print the status line; exit 0 when   *|
|*                                      there is a usable device, else 1     *|
|*   sluice-cuda-status --axpy K.ptx    also load K.ptx (test/Unit/Runtime/  *|
|*                                      Inputs/cuda/kernels.ptx), launch     *|
|*                                      sluice_test_axpy on 1000 elements    *|
|*                                      and check every result               *|
|*   --no-check                         launch but do not compare (for a     *|
|*                                      driver that only records launches)   *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#include "sluice/runtime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { N = 1000 };

static int fail(const char *what) {
  fprintf(stderr, "sluice-cuda-status: error: %s: %s (%s)\n", what,
          sluice_last_error(),
          sluice_cuda_status_name(sluice_cuda_last_status()));
  return 1;
}

/* out[i] = 0.5 * x[2 i] + y[i] through the memref ABI. */
static int runAxpy(const char *ptx, int check) {
  static float x[2 * N], y[N], out[N];
  for (int i = 0; i < 2 * N; ++i)
    x[i] = (float)i;
  for (int i = 0; i < N; ++i)
    y[i] = (float)(N - i);
  sluice_cuda_module_t *module = NULL;
  sluice_cuda_buffer_t *bx = NULL, *by = NULL, *bo = NULL;
  int rc = 1;
  if (sluice_cuda_module_load_file(ptx, &module) != SLUICE_OK) {
    rc = fail("load");
    goto done;
  }
  if (sluice_cuda_buffer_create(sizeof(x), &bx) != SLUICE_OK ||
      sluice_cuda_buffer_create(sizeof(y), &by) != SLUICE_OK ||
      sluice_cuda_buffer_create(sizeof(out), &bo) != SLUICE_OK ||
      sluice_cuda_copy_to_device(bx, 0, x, sizeof(x)) != SLUICE_OK ||
      sluice_cuda_copy_to_device(by, 0, y, sizeof(y)) != SLUICE_OK) {
    rc = fail("buffers");
    goto done;
  }
  {
    int64_t n = N, two = 2;
    sluice_cuda_arg_t args[4];
    args[0] = sluice_cuda_arg_memref(bx, 0, 1, &n, &two);
    args[1] = sluice_cuda_arg_memref(by, 0, 1, &n, NULL);
    args[2] = sluice_cuda_arg_f32(0.5f);
    args[3] = sluice_cuda_arg_memref(bo, 0, 1, &n, NULL);
    uint32_t block[3] = {128, 1, 1};
    uint32_t grid[3] = {(N + 127) / 128, 1, 1};
    if (sluice_cuda_launch(module, "sluice_test_axpy", grid, block, 0, args,
                           4) != SLUICE_OK ||
        sluice_cuda_synchronize() != SLUICE_OK ||
        sluice_cuda_copy_to_host(out, bo, 0, sizeof(out)) != SLUICE_OK) {
      rc = fail("launch");
      goto done;
    }
  }
  if (check) {
    for (int i = 0; i < N; ++i) {
      float want = 0.5f * x[2 * i] + y[i];
      if (out[i] != want) {
        fprintf(stderr,
                "sluice-cuda-status: error: axpy: element %d is %g, "
                "expected %g\n",
                i, out[i], want);
        goto done;
      }
    }
    printf("axpy: %d elements ok\n", N);
  } else {
    printf("axpy: launched\n");
  }
  rc = 0;
done:
  sluice_cuda_buffer_free(bx);
  sluice_cuda_buffer_free(by);
  sluice_cuda_buffer_free(bo);
  sluice_cuda_module_free(module);
  return rc;
}

int main(int argc, char **argv) {
  const char *ptx = NULL;
  int check = 1;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--axpy") == 0 && i + 1 < argc) {
      ptx = argv[++i];
    } else if (strcmp(argv[i], "--no-check") == 0) {
      check = 0;
    } else {
      fprintf(stderr, "usage: sluice-cuda-status [--axpy KERNELS.ptx "
                      "[--no-check]]\n");
      return 2;
    }
  }
  char message[1024];
  sluice_cuda_status_t status = sluice_cuda_status(message, sizeof(message));
  printf("cuda: %s\n", message);
  fflush(stdout);
  if (status != SLUICE_CUDA_OK || sluice_cuda_device_count() < 1)
    return 1;
  return ptx ? runAxpy(ptx, check) : 0;
}
