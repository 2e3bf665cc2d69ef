/*===- sluice/runtime.h - C API of the Sluice runtime ------------*- C -*-===*\
|*                                                                            *|
|* Loads modules compiled by `sluicec` (docs/abi.md), binds their inputs and *|
|* weights, runs them and returns their outputs; reads and writes `.npy` and *|
|* `.safetensors` files. Usable from C and C++. Reference: docs/runtime.md.  *|
|*                                                                            *|
|* Conventions:                                                               *|
|*  - Functions that can fail return a sluice_status_t; on failure the       *|
|*    message of the error is sluice_last_error() on the calling thread.     *|
|*    Nothing in the runtime aborts on bad input.                            *|
|*  - Handles are opaque. Objects returned through `**out` are owned by the  *|
|*    caller and released with their `_free` function. Pointers described as *|
|*    "borrowed" are owned by another object and must not be freed.          *|
|*  - Tensors and modules are reference counted: binding a tensor to a call, *|
|*    adding it to a weight collection or creating a call on a module takes *|
|*    a reference, so freeing in any order is safe.                          *|
|*                                                                            *|
\*===----------------------------------------------------------------------===*/

#ifndef SLUICE_RUNTIME_H
#define SLUICE_RUNTIME_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#define SLUICE_API __declspec(dllexport)
#else
#define SLUICE_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/** The module ABI version this runtime loads (docs/abi.md). */
#define SLUICE_ABI_VERSION 1
/** The largest tensor rank the runtime handles. */
#define SLUICE_MAX_RANK 32

/*===----------------------------------------------------------------------===*
 * Status and errors
 *===----------------------------------------------------------------------===*/

typedef enum sluice_status {
  SLUICE_OK = 0,
  /** A null handle, an out-of-range index, a bad option value. */
  SLUICE_ERROR_INVALID_ARGUMENT = 1,
  /** A missing file, function, input, output, tensor or symbol name. */
  SLUICE_ERROR_NOT_FOUND = 2,
  /** A read or write failed. */
  SLUICE_ERROR_IO = 3,
  /** A malformed module, signature, `.npy` or `.safetensors` file. */
  SLUICE_ERROR_FORMAT = 4,
  /** A shape that does not match (rank, static size, symbol, overflow). */
  SLUICE_ERROR_SHAPE = 5,
  /** An element type that does not match or cannot be converted. */
  SLUICE_ERROR_DTYPE = 6,
  /** An error raised by compiled code while it ran (sluice_rt_error). */
  SLUICE_ERROR_RUNTIME = 7,
  /** An allocation failed. */
  SLUICE_ERROR_OUT_OF_MEMORY = 8,
  /** No usable CUDA driver or device, or a driver call failed
   *  (sluice_cuda_last_status() says which; sluice/cuda.h). */
  SLUICE_ERROR_DEVICE = 9
} sluice_status_t;

/** The one-line message of the last failed call on this thread; "" after a
 *  call that succeeded. Valid until the next runtime call on this thread. */
SLUICE_API const char *sluice_last_error(void);
/** The name of a status code ("SLUICE_ERROR_SHAPE"); never null. */
SLUICE_API const char *sluice_status_string(sluice_status_t status);

/*===----------------------------------------------------------------------===*
 * Element types
 *===----------------------------------------------------------------------===*/

typedef enum sluice_dtype {
  SLUICE_DTYPE_INVALID = 0,
  SLUICE_DTYPE_F32 = 1,
  SLUICE_DTYPE_I32 = 2,
  SLUICE_DTYPE_I64 = 3,
  SLUICE_DTYPE_I8 = 4,
  /** Booleans, one byte each holding 0 or 1 (MLIR i1). */
  SLUICE_DTYPE_I1 = 5,
  /** File I/O only: modules take f32/i32/i64/i8/i1. */
  SLUICE_DTYPE_U8 = 6,
  /** File I/O only. */
  SLUICE_DTYPE_F64 = 7
} sluice_dtype_t;

/** "f32", "i32", "i64", "i8", "i1", "u8", "f64"; "invalid" otherwise. */
SLUICE_API const char *sluice_dtype_name(sluice_dtype_t dtype);
/** Bytes per element; 0 for an invalid dtype. */
SLUICE_API size_t sluice_dtype_size(sluice_dtype_t dtype);

/*===----------------------------------------------------------------------===*
 * Host tensors: dense, row-major, 64-byte aligned
 *===----------------------------------------------------------------------===*/

typedef struct sluice_tensor sluice_tensor_t;

/** A zero-filled tensor. `shape` holds `rank` sizes (may be null if rank is
 *  0). Fails with SLUICE_ERROR_SHAPE on negative sizes or a size overflow. */
SLUICE_API sluice_status_t sluice_tensor_create(sluice_dtype_t dtype,
                                                int64_t rank,
                                                const int64_t *shape,
                                                sluice_tensor_t **out);
/** Like sluice_tensor_create, then copies num_bytes(tensor) bytes from data
 *  (which may be null only when that is 0). */
SLUICE_API sluice_status_t sluice_tensor_create_copy(sluice_dtype_t dtype,
                                                     int64_t rank,
                                                     const int64_t *shape,
                                                     const void *data,
                                                     sluice_tensor_t **out);
/** Converts element by element, only when every value is exact in `dtype`
 *  (f64->f32 round trips, integers in range, i1 values 0/1, floats integral
 *  for integer targets); otherwise SLUICE_ERROR_DTYPE naming the element. */
SLUICE_API sluice_status_t sluice_tensor_convert(const sluice_tensor_t *src,
                                                 sluice_dtype_t dtype,
                                                 sluice_tensor_t **out);
/** Takes one more reference. */
SLUICE_API void sluice_tensor_retain(sluice_tensor_t *tensor);
/** Drops one reference; the last one frees the tensor. Null is ignored. */
SLUICE_API void sluice_tensor_free(sluice_tensor_t *tensor);

/** Announces that the tensor's elements were changed in place (through
 *  sluice_tensor_data). Required for a tensor that is or was bound to a
 *  weight input: the GEMM micro-kernel keeps a packed copy of such weights
 *  between runs (docs/abi.md, "Prepacked weights") and packs it again only
 *  after this call. Call it after the writes and before the next run that
 *  reads the tensor; never while a run that reads it is in flight. Null and
 *  tensors never bound to a weight are ignored. */
SLUICE_API void sluice_tensor_contents_changed(sluice_tensor_t *tensor);

/** The elements, row-major; never null for a valid tensor. */
SLUICE_API void *sluice_tensor_data(const sluice_tensor_t *tensor);
SLUICE_API sluice_dtype_t sluice_tensor_dtype(const sluice_tensor_t *tensor);
SLUICE_API int64_t sluice_tensor_rank(const sluice_tensor_t *tensor);
/** Size of dimension `dim`; -1 if out of range. */
SLUICE_API int64_t sluice_tensor_dim(const sluice_tensor_t *tensor,
                                     int64_t dim);
/** The `rank` sizes (borrowed). */
SLUICE_API const int64_t *sluice_tensor_shape(const sluice_tensor_t *tensor);
SLUICE_API int64_t sluice_tensor_num_elements(const sluice_tensor_t *tensor);
SLUICE_API size_t sluice_tensor_num_bytes(const sluice_tensor_t *tensor);

/*===----------------------------------------------------------------------===*
 * Tensor files
 *===----------------------------------------------------------------------===*/

/** Reads a NumPy `.npy` file (format 1.0, 2.0, 3.0; C order; dtypes <f4 <f8
 *  <i4 <i8 |i1 |u1 |b1) into a tensor of the file's dtype. */
SLUICE_API sluice_status_t sluice_tensor_load_npy(const char *path,
                                                  sluice_tensor_t **out);
/** Writes a `.npy` file (format 1.0). */
SLUICE_API sluice_status_t sluice_tensor_save_npy(const sluice_tensor_t *tensor,
                                                  const char *path);

/** An ordered collection of named tensors (the weights of a model). */
typedef struct sluice_weights sluice_weights_t;

SLUICE_API sluice_status_t sluice_weights_create(sluice_weights_t **out);
SLUICE_API void sluice_weights_free(sluice_weights_t *weights);
/** Adds `tensor` (takes a reference) under `name`; a duplicate name is
 *  SLUICE_ERROR_INVALID_ARGUMENT. */
SLUICE_API sluice_status_t sluice_weights_add(sluice_weights_t *weights,
                                              const char *name,
                                              sluice_tensor_t *tensor);
SLUICE_API int64_t sluice_weights_count(const sluice_weights_t *weights);
/** Name of entry `index` (borrowed); null if out of range. */
SLUICE_API const char *sluice_weights_name(const sluice_weights_t *weights,
                                           int64_t index);
/** Tensor of entry `index` (borrowed); null if out of range. */
SLUICE_API sluice_tensor_t *
sluice_weights_tensor(const sluice_weights_t *weights, int64_t index);
/** The tensor named `name` (borrowed), or SLUICE_ERROR_NOT_FOUND. */
SLUICE_API sluice_status_t sluice_weights_get(const sluice_weights_t *weights,
                                              const char *name,
                                              sluice_tensor_t **out);

/** Reads a `.safetensors` file (dtypes F32 F64 I32 I64 I8 U8 BOOL). */
SLUICE_API sluice_status_t
sluice_weights_load_safetensors(const char *path, sluice_weights_t **out);
/** Writes a `.safetensors` file with the entries in collection order. */
SLUICE_API sluice_status_t sluice_weights_save_safetensors(
    const sluice_weights_t *weights, const char *path);

/*===----------------------------------------------------------------------===*
 * Modules and their signatures
 *===----------------------------------------------------------------------===*/

typedef struct sluice_module sluice_module_t;
typedef struct sluice_function sluice_function_t;
typedef struct sluice_param sluice_param_t;

typedef enum sluice_role {
  SLUICE_ROLE_INPUT = 0,
  SLUICE_ROLE_WEIGHT = 1,
  SLUICE_ROLE_OUTPUT = 2
} sluice_role_t;

/** Loads a compiled module (a shared object, docs/abi.md): checks
 *  sluice_abi_version, parses sluice_signature and resolves every
 *  `_mlir_ciface_<name>`. */
SLUICE_API sluice_status_t sluice_module_load(const char *path,
                                              sluice_module_t **out);
/** Drops the caller's reference; the module is unloaded once no call made
 *  from it is alive. Null is ignored. */
SLUICE_API void sluice_module_free(sluice_module_t *module);
/** The signature text the module exports (borrowed). */
SLUICE_API const char *sluice_module_signature(const sluice_module_t *module);
SLUICE_API int64_t sluice_module_num_functions(const sluice_module_t *module);
/** Function `index` (borrowed, lives as long as the module); null if out of
 *  range. */
SLUICE_API const sluice_function_t *
sluice_module_function(const sluice_module_t *module, int64_t index);
/** The function named `name`, or SLUICE_ERROR_NOT_FOUND. */
SLUICE_API sluice_status_t
sluice_module_find_function(const sluice_module_t *module, const char *name,
                            const sluice_function_t **out);

SLUICE_API const char *sluice_function_name(const sluice_function_t *function);
SLUICE_API int64_t
sluice_function_num_inputs(const sluice_function_t *function);
SLUICE_API int64_t
sluice_function_num_outputs(const sluice_function_t *function);
/** Input (argument) `index`, in argument order; null if out of range. */
SLUICE_API const sluice_param_t *
sluice_function_input(const sluice_function_t *function, int64_t index);
/** Output (result) `index`, in result order; null if out of range. */
SLUICE_API const sluice_param_t *
sluice_function_output(const sluice_function_t *function, int64_t index);

SLUICE_API const char *sluice_param_name(const sluice_param_t *param);
SLUICE_API sluice_dtype_t sluice_param_dtype(const sluice_param_t *param);
SLUICE_API int64_t sluice_param_rank(const sluice_param_t *param);
/** The static size of dimension `dim`, or -1 when it is a symbol (or `dim` is
 *  out of range). */
SLUICE_API int64_t sluice_param_dim_size(const sluice_param_t *param,
                                         int64_t dim);
/** The symbol of dimension `dim` ("T", "arg0.1"), or null when it is
 *  static (or `dim` is out of range). */
SLUICE_API const char *sluice_param_dim_symbol(const sluice_param_t *param,
                                               int64_t dim);
/** SLUICE_ROLE_INPUT or SLUICE_ROLE_WEIGHT for inputs, SLUICE_ROLE_OUTPUT for
 *  outputs. */
SLUICE_API sluice_role_t sluice_param_role(const sluice_param_t *param);
/** 1 and [*lo, *hi) if the input has a `range=lo:hi` hint, else 0. */
SLUICE_API int sluice_param_range(const sluice_param_t *param, int64_t *lo,
                                  int64_t *hi);

/*===----------------------------------------------------------------------===*
 * Calls: bind, run, read outputs
 *===----------------------------------------------------------------------===*/

typedef struct sluice_call sluice_call_t;

/** A call of function `function` of `module` (takes a module reference).
 *  One call object is used by one thread at a time; a module may serve many
 *  calls on many threads. */
SLUICE_API sluice_status_t sluice_call_create(sluice_module_t *module,
                                              const char *function,
                                              sluice_call_t **out);
SLUICE_API void sluice_call_free(sluice_call_t *call);
SLUICE_API const sluice_function_t *
sluice_call_function(const sluice_call_t *call);

/** Binds input `name` (input or weight) to `tensor` (takes a reference;
 *  the data is shared, not copied, and must not change until the run ends).
 *  Checks dtype, rank, static sizes and that inputs sharing a symbol agree;
 *  rebinding an input replaces it. */
SLUICE_API sluice_status_t sluice_call_bind(sluice_call_t *call,
                                            const char *name,
                                            sluice_tensor_t *tensor);
/** Same as sluice_call_bind for input `index`. */
SLUICE_API sluice_status_t sluice_call_bind_index(sluice_call_t *call,
                                                  int64_t index,
                                                  sluice_tensor_t *tensor);
/** Binds every input whose name is in `weights`; other entries are ignored.
 *  `num_bound` (may be null) receives how many were bound. */
SLUICE_API sluice_status_t sluice_call_bind_weights(
    sluice_call_t *call, const sluice_weights_t *weights, int64_t *num_bound);
/** The value of a dimension symbol: from the bound inputs, or after a run
 *  from the outputs (data-dependent sizes). SLUICE_ERROR_NOT_FOUND if the
 *  symbol has no value yet. */
SLUICE_API sluice_status_t sluice_call_symbol(const sluice_call_t *call,
                                              const char *symbol,
                                              int64_t *value);

/** Runs the function on the bound inputs. Every input must be bound. Errors
 *  raised by the compiled code give SLUICE_ERROR_RUNTIME with its message.
 *  The outputs of a previous run are released first. */
SLUICE_API sluice_status_t sluice_call_run(sluice_call_t *call);

SLUICE_API int64_t sluice_call_num_outputs(const sluice_call_t *call);
/** Output `index` of the last successful run (borrowed: valid until the next
 *  run or sluice_call_free; sluice_tensor_retain it to keep it longer). */
SLUICE_API sluice_status_t sluice_call_output(const sluice_call_t *call,
                                              int64_t index,
                                              sluice_tensor_t **out);
SLUICE_API sluice_status_t sluice_call_output_by_name(const sluice_call_t *call,
                                                      const char *name,
                                                      sluice_tensor_t **out);

/*===----------------------------------------------------------------------===*
 * Threads
 *===----------------------------------------------------------------------===*/

/** Sets the size of the CPU thread pool (the calling thread counts as one).
 *  `num_threads` <= 0 restores the default: SLUICE_NUM_THREADS from the
 *  environment if it is a positive integer, else all cores. Waits for a
 *  parallel loop in flight on another thread; refused
 *  (SLUICE_ERROR_INVALID_ARGUMENT) from inside a parallel loop body. */
SLUICE_API sluice_status_t sluice_set_num_threads(int num_threads);
/** The current pool size (>= 1). */
SLUICE_API int sluice_get_num_threads(void);

/*===----------------------------------------------------------------------===*
 * Called by compiled modules (resolved when a module is loaded)
 *===----------------------------------------------------------------------===*/

/** Records a run-time error for the current run (the first one wins); the
 *  compiled code then returns normally and the run fails with
 *  SLUICE_ERROR_RUNTIME and this message, in which "{0}" and "{1}" are
 *  replaced by v0 and v1 (docs/abi.md). */
SLUICE_API void sluice_rt_error(const char *msg, int64_t v0, int64_t v1);

/** Calls body(lo, hi, ctx) over disjoint chunks covering [begin, end), on
 *  the pool and the calling thread; returns when all are done. Nested calls
 *  run serially on the calling thread. */
SLUICE_API void sluice_rt_parallel_for(int64_t begin, int64_t end,
                                       void (*body)(int64_t lo, int64_t hi,
                                                    void *ctx),
                                       void *ctx);

#ifdef __cplusplus
} /* extern "C" */
#endif

/* The CUDA device: buffers, module images, launches (docs/cuda-runtime.md). */
#include "sluice/cuda.h"

#endif /* SLUICE_RUNTIME_H */
