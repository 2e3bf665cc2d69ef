/*===- FakeCuda.h - hooks of the fake CUDA driver used by tests --*- C -*-===*\
|*                                                                            *|
|* libsluice_fake_cuda.so implements the driver entry points the runtime     *|
|* uses on the CPU (test/Unit/Runtime/FakeCuda/FakeCuda.cpp). Tests load it  *|
|* through SLUICE_CUDA_DRIVER and reach these hooks with dlopen + dlsym of   *|
|* the same path. Reference: docs/cuda-runtime.md, "The fake driver".        *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SLUICE_FAKE_CUDA_H
#define SLUICE_FAKE_CUDA_H

#include <stdint.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/** The indices of one CPU thread of a launch (CUDA's built-ins). */
typedef struct fake_cuda_thread {
  uint32_t grid[3];  /**< gridDim */
  uint32_t block[3]; /**< blockDim */
  uint32_t block_idx[3];
  uint32_t thread_idx[3];
} fake_cuda_thread_t;

/** A CPU kernel: called once per thread of the launch with the launch's
 *  kernelParams (params[i] points at parameter i, as on the device). */
typedef void (*fake_cuda_kernel_fn)(const fake_cuda_thread_t *thread,
                                    void **params);

/** One recorded cuLaunchKernel. */
typedef struct fake_cuda_launch {
  char kernel[128];
  uint32_t grid[3];
  uint32_t block[3];
  uint32_t shared_bytes;
  uint32_t num_params;
  /** The parameter buffer as the driver lays it out: every parameter at
   *  the next multiple of its size, padding bytes zero. */
  uint32_t param_bytes;
  uint8_t params[4096];
  /** Whether a CPU kernel ran it: 1 a registered one, 2 a generated one
   *  (SLUICE_FAKE_CUDA_KERNELS). */
  int executed;
  /** Why the generated kernel failed (divergent barrier, ...); empty if it
   *  did not. The launch's error surfaces at the next cuCtxSynchronize or
   *  cuMemcpyDtoH as CUDA_ERROR_LAUNCH_FAILED (719). */
  char error[256];
} fake_cuda_launch_t;

/** The per-thread context a generated kernel gets (sluicec --target=cuda
 *  --emit=fake-kernels; codegen/cuda/FakeKernels.h pins these offsets):
 *  every thread of a block runs as a fiber; barriers and warp shuffles
 *  switch fibers until every thread of the block (warp) has arrived. */
typedef struct fake_cuda_kernel_ctx {
  uint32_t grid[3];       /**< byte 0: gridDim */
  uint32_t block[3];      /**< byte 12: blockDim */
  uint32_t block_idx[3];  /**< byte 24 */
  uint32_t thread_idx[3]; /**< byte 36 */
  void **shared;          /**< byte 48: the block's workgroup buffers */
  /** byte 56: gpu.barrier number `site` of the kernel. */
  void (*barrier)(struct fake_cuda_kernel_ctx *ctx, int32_t site);
  /** byte 64: gpu.shuffle (mode 0 xor, 1 down, 2 up, 3 idx) of `value`;
   *  returns the lane's result in bits 0..31 and `valid` in bit 32. */
  uint64_t (*shuffle)(struct fake_cuda_kernel_ctx *ctx, int32_t site,
                      int32_t mode, uint32_t value, int32_t offset,
                      int32_t width);
} fake_cuda_kernel_ctx_t;

/** A generated kernel: `sluice_fake_kernel_<name>` of the shared object. */
typedef void (*fake_cuda_generated_kernel_fn)(void **params,
                                              fake_cuda_kernel_ctx_t *ctx);

/** Registers the CPU build of kernel `name` with its parameter sizes in
 *  bytes (used for cubins, checked against a PTX entry's own list). `fn`
 *  may be null: launches are then only recorded. */
typedef void (*fake_cuda_register_kernel_t)(const char *name, int num_params,
                                             const uint32_t *param_sizes,
                                             fake_cuda_kernel_fn fn);
/** Forgets launches and registrations. */
typedef void (*fake_cuda_clear_t)(void);
typedef int (*fake_cuda_num_launches_t)(void);
/** Copies launch `index` into `out`; 0 on success, -1 if out of range. */
typedef int (*fake_cuda_get_launch_t)(int index, fake_cuda_launch_t *out);
/** Device allocations and modules currently alive. */
typedef int (*fake_cuda_live_allocations_t)(void);
typedef int (*fake_cuda_live_modules_t)(void);
/* The device memory of global `name` of the first loaded module that has
 * one (as cuModuleGetGlobal_v2 gives it; zeroed at first use), or null;
 * `bytes` receives its size. */
typedef uint64_t *(*fake_cuda_global_t)(const char *name, size_t *bytes);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLUICE_FAKE_CUDA_H */
