/*===- sluice/cuda.h - the CUDA device of the Sluice runtime -----*- C -*-===*\
|*                                                                            *|
|* Device buffers, host<->device copies, module images (cubin, fatbin, PTX)  *|
|* and kernel launches with the memref-expanded kernel ABI, through the CUDA *|
|* driver API loaded at run time with dlopen("libcuda.so.1") (the path can  *|
|* be overridden with SLUICE_CUDA_DRIVER). Nothing links libcuda; without a  *|
|* usable driver or device every call fails with SLUICE_ERROR_DEVICE and     *|
|* sluice_cuda_last_status() says why. Reference: docs/cuda-runtime.md.      *|
|*                                                                            *|
|* Included by sluice/runtime.h; may also be included on its own.           *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SLUICE_CUDA_H
#define SLUICE_CUDA_H

#include "sluice/runtime.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Why the CUDA device is (or a CUDA call was) not usable. */
typedef enum sluice_cuda_status {
  SLUICE_CUDA_OK = 0,
  /** dlopen of the driver failed (no libcuda.so.1, or a bad override). */
  SLUICE_CUDA_NO_DRIVER = 1,
  /** The toolkit's link-time stub was loaded (CUDA_ERROR_STUB_LIBRARY, 34). */
  SLUICE_CUDA_STUB_LIBRARY = 2,
  /** The driver found no device (CUDA_ERROR_NO_DEVICE, 100). */
  SLUICE_CUDA_NO_DEVICE = 3,
  /** The device or driver is unavailable or misconfigured (46
   *  DEVICE_UNAVAILABLE, 802 SYSTEM_NOT_READY, 803 SYSTEM_DRIVER_MISMATCH,
   *  804 COMPAT_NOT_SUPPORTED_ON_DEVICE, 3 NOT_INITIALIZED, 999 UNKNOWN). */
  SLUICE_CUDA_UNAVAILABLE = 4,
  /** The library lacks a driver entry point the runtime needs. */
  SLUICE_CUDA_BAD_DRIVER = 5,
  /** The PTX needs a newer driver (CUDA_ERROR_UNSUPPORTED_PTX_VERSION, 222). */
  SLUICE_CUDA_UNSUPPORTED_PTX = 6,
  /** The image has no code for this GPU (CUDA_ERROR_NO_BINARY_FOR_GPU, 209). */
  SLUICE_CUDA_NO_BINARY_FOR_GPU = 7,
  /** The PTX does not compile (CUDA_ERROR_INVALID_PTX, 218). */
  SLUICE_CUDA_INVALID_PTX = 8,
  /** The image is not a cubin, fatbin or PTX (CUDA_ERROR_INVALID_IMAGE, 200). */
  SLUICE_CUDA_INVALID_IMAGE = 9,
  /** No kernel of that name in the module (CUDA_ERROR_NOT_FOUND, 500). */
  SLUICE_CUDA_KERNEL_NOT_FOUND = 10,
  /** Device memory is exhausted (CUDA_ERROR_OUT_OF_MEMORY, 2). */
  SLUICE_CUDA_OUT_OF_MEMORY = 11,
  /** Any other driver error (the message names it). */
  SLUICE_CUDA_DRIVER_ERROR = 12
} sluice_cuda_status_t;

/** Initializes the CUDA device on first use (dlopen, cuInit, device 0, its
 *  primary context) and returns whether it is usable. When `message` is not
 *  null, writes a NUL-terminated one-line description (truncated to `size`
 *  bytes), e.g. "no driver: dlopen(libcuda.so.1): ... cannot open shared
 *  object file" or "ok: driver 13.0, 1 device, device 0 sm_90". Sets no
 *  error of its own: sluice_last_error() is "" after it. */
SLUICE_API sluice_cuda_status_t sluice_cuda_status(char *message, size_t size);
/** A short name: "ok", "no driver", "stub library", "no device",
 *  "unavailable", "bad driver", "unsupported PTX", "no binary for this GPU",
 *  "invalid PTX", "invalid image", "kernel not found", "out of memory",
 *  "driver error"; "unknown" otherwise. Never null. */
SLUICE_API const char *sluice_cuda_status_name(sluice_cuda_status_t status);
/** The classification of the last CUDA call that failed on this thread
 *  (SLUICE_CUDA_OK after one that succeeded). */
SLUICE_API sluice_cuda_status_t sluice_cuda_last_status(void);
/** The CUresult of the last failed driver call on this thread (0 if the last
 *  CUDA call succeeded or failed before reaching the driver; -1 when no
 *  driver could be loaded). */
SLUICE_API int sluice_cuda_last_result(void);
/** The driver's name of a CUresult from the runtime's own table
 *  ("CUDA_ERROR_NO_DEVICE"); "CUDA_ERROR_UNKNOWN_CODE" otherwise. */
SLUICE_API const char *sluice_cuda_result_name(int result);

/** The number of devices (0 when the device is not usable). */
SLUICE_API int sluice_cuda_device_count(void);
/** Device 0's compute capability (9, 0 for sm_90) and the driver version
 *  (13000 for 13.0); any pointer may be null. */
SLUICE_API sluice_status_t sluice_cuda_device_info(int *cc_major,
                                                   int *cc_minor,
                                                   int *driver_version);
/** Forgets the driver and everything made through it, then re-reads
 *  SLUICE_CUDA_DRIVER on the next call (tests switch drivers with it). Must
 *  not run concurrently with other CUDA calls. Buffers and modules made
 *  before it become stale: using them fails, freeing them only releases
 *  their host memory. */
SLUICE_API void sluice_cuda_reset(void);

/*===----------------------------------------------------------------------===*
 * Device buffers
 *===----------------------------------------------------------------------===*/

typedef struct sluice_cuda_buffer sluice_cuda_buffer_t;

/** Allocates `num_bytes` of device memory (cuMemAlloc_v2; 0 bytes gives a
 *  buffer with address 0). Its contents are undefined. */
SLUICE_API sluice_status_t sluice_cuda_buffer_create(size_t num_bytes,
                                                     sluice_cuda_buffer_t **out);
/** Frees the device memory and the handle. Null is ignored. */
SLUICE_API void sluice_cuda_buffer_free(sluice_cuda_buffer_t *buffer);
/** The device address (CUdeviceptr). */
SLUICE_API uint64_t
sluice_cuda_buffer_address(const sluice_cuda_buffer_t *buffer);
SLUICE_API size_t sluice_cuda_buffer_size(const sluice_cuda_buffer_t *buffer);

/** Copies `num_bytes` from host `src` to `dst` at byte `dst_offset`
 *  (cuMemcpyHtoD_v2; synchronous). Out-of-range ranges are refused. */
SLUICE_API sluice_status_t sluice_cuda_copy_to_device(
    sluice_cuda_buffer_t *dst, size_t dst_offset, const void *src,
    size_t num_bytes);
/** Copies `num_bytes` from `src` at byte `src_offset` to host `dst`
 *  (cuMemcpyDtoH_v2; waits for work launched before it). */
SLUICE_API sluice_status_t sluice_cuda_copy_to_host(
    void *dst, const sluice_cuda_buffer_t *src, size_t src_offset,
    size_t num_bytes);
/** A device buffer holding a copy of a host tensor's bytes. */
SLUICE_API sluice_status_t sluice_cuda_tensor_upload(
    const sluice_tensor_t *tensor, sluice_cuda_buffer_t **out);
/** Copies the buffer's first num_bytes(tensor) bytes into `tensor`. */
SLUICE_API sluice_status_t sluice_cuda_tensor_download(
    const sluice_cuda_buffer_t *buffer, sluice_tensor_t *tensor);

/*===----------------------------------------------------------------------===*
 * Modules and launches
 *===----------------------------------------------------------------------===*/

typedef struct sluice_cuda_module sluice_cuda_module_t;

/** Loads a module image with cuModuleLoadData: a cubin (ELF), a fatbin, or
 *  PTX text (NUL-terminated within `size` bytes or not: the runtime adds
 *  the NUL). Images the driver rejects give SLUICE_ERROR_DEVICE with
 *  sluice_cuda_last_status() = UNSUPPORTED_PTX, NO_BINARY_FOR_GPU,
 *  INVALID_PTX or INVALID_IMAGE. */
SLUICE_API sluice_status_t sluice_cuda_module_load_data(
    const void *image, size_t size, sluice_cuda_module_t **out);
/** Reads `path` and loads it as sluice_cuda_module_load_data does. */
SLUICE_API sluice_status_t sluice_cuda_module_load_file(
    const char *path, sluice_cuda_module_t **out);
/** Unloads the module. Null is ignored. */
SLUICE_API void sluice_cuda_module_free(sluice_cuda_module_t *module);

typedef enum sluice_cuda_arg_kind {
  /** A memref: 3 + 2 * rank kernel parameters of 8 bytes each, in order
   *  allocated pointer, aligned pointer, offset, sizes[rank], strides[rank]
   *  (the MLIR memref descriptor, expanded; offset/sizes/strides in
   *  elements, as i64). */
  SLUICE_CUDA_ARG_MEMREF = 0,
  /** One 4-byte i32 parameter. */
  SLUICE_CUDA_ARG_I32 = 1,
  /** One 8-byte i64 (or index) parameter. */
  SLUICE_CUDA_ARG_I64 = 2,
  /** One 4-byte f32 parameter. */
  SLUICE_CUDA_ARG_F32 = 3,
  /** One 8-byte device pointer parameter. */
  SLUICE_CUDA_ARG_PTR = 4
} sluice_cuda_arg_kind_t;

/** One argument of a kernel. Fill it with the sluice_cuda_arg_* helpers.
 *  The sizes / strides arrays are read during sluice_cuda_launch only. */
typedef struct sluice_cuda_arg {
  int32_t kind;           /**< a sluice_cuda_arg_kind_t */
  int32_t rank;           /**< MEMREF: 0 .. SLUICE_MAX_RANK */
  uint64_t allocated;     /**< MEMREF: device address */
  uint64_t aligned;       /**< MEMREF: device address of element 0 - offset */
  int64_t offset;         /**< MEMREF: in elements */
  const int64_t *sizes;   /**< MEMREF: `rank` sizes (null only if rank 0) */
  const int64_t *strides; /**< MEMREF: `rank` strides, or null: row-major */
  int64_t i64;            /**< I64, I32 (low 32 bits) */
  float f32;              /**< F32 */
  uint64_t ptr;           /**< PTR */
} sluice_cuda_arg_t;

/** A memref over `buffer` (allocated == aligned == its address). */
SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_memref(
    const sluice_cuda_buffer_t *buffer, int64_t offset, int32_t rank,
    const int64_t *sizes, const int64_t *strides);
SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_i32(int32_t value);
SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_i64(int64_t value);
SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_f32(float value);
SLUICE_API sluice_cuda_arg_t sluice_cuda_arg_ptr(uint64_t address);

/** Launches kernel `kernel` of `module` on grid grid[0..2] x block[0..2]
 *  with `shared_bytes` of dynamic shared memory, on the default stream
 *  (asynchronous: see sluice_cuda_synchronize). The arguments are expanded
 *  to kernel parameters in order (sluice_cuda_arg_kind_t). A grid with a
 *  zero dimension launches nothing and succeeds (an empty dynamic grid);
 *  a zero block dimension, a bad argument or more than 32764 parameter
 *  bytes is SLUICE_ERROR_INVALID_ARGUMENT. */
SLUICE_API sluice_status_t sluice_cuda_launch(
    sluice_cuda_module_t *module, const char *kernel, const uint32_t grid[3],
    const uint32_t block[3], uint32_t shared_bytes,
    const sluice_cuda_arg_t *args, int64_t num_args);
/** Waits for all launched work (cuCtxSynchronize); errors of asynchronous
 *  work surface here. */
SLUICE_API sluice_status_t sluice_cuda_synchronize(void);

/*===----------------------------------------------------------------------===*
 * Compiled CUDA host modules (sluicec --target=cuda, docs/cuda-runtime.md)
 *===----------------------------------------------------------------------===*/

/** Runs `call` of a module compiled for CUDA (sluice-cuda-host-pipeline,
 *  loaded with sluice_module_load like a CPU module): uploads every bound
 *  input to a new device buffer, calls the entry point with device pointers,
 *  downloads the outputs into host tensors (sluice_call_output) and frees
 *  the device buffers. Errors of the compiled code, the driver or the
 *  device (sluice_device_error) fail the run with their message. */
SLUICE_API sluice_status_t sluice_cuda_call_run(sluice_call_t *call);

/** Brackets a call of a compiled CUDA host function from a generated
 *  library entry point: errors reported in between (sluice_rt_error, the
 *  driver, the device) make sluice_cuda_entry_end return
 *  SLUICE_ERROR_RUNTIME with the first message as sluice_last_error(). */
SLUICE_API void sluice_cuda_entry_begin(void);
SLUICE_API sluice_status_t sluice_cuda_entry_end(void);

/* Imported by the generated host code; not for direct use. `slot` is the
 * module's lazily loaded kernel image (a sluice_cuda_module_t *). Failures
 * are reported through sluice_rt_error. */
SLUICE_API void *sluice_rt_cuda_alloc(int64_t bytes);
SLUICE_API void sluice_rt_cuda_free(void *device_ptr);
SLUICE_API void sluice_rt_cuda_upload(void *dst, const void *src, int64_t bytes);
SLUICE_API void sluice_rt_cuda_download(void *dst, const void *src,
                                        int64_t bytes);
SLUICE_API void sluice_rt_cuda_copy(void *dst, const void *src, int64_t bytes);
SLUICE_API void sluice_rt_cuda_launch(void **slot, const void *image,
                                      int64_t image_size, const char *kernel,
                                      int64_t gx, int64_t gy, int64_t gz,
                                      int64_t bx, int64_t by, int64_t bz,
                                      int32_t shared_bytes, void **params,
                                      int64_t num_params);
SLUICE_API void sluice_rt_cuda_finish(void **slot, const char *const *sites,
                                      int64_t num_sites);
SLUICE_API void sluice_rt_cuda_unload(void **slot);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* SLUICE_CUDA_H */
