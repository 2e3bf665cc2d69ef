//===- LibraryEmitter.h - --emit=library: static library + C header -*- C++ -*-===//
//
// Like Halide's AOT generators: a static library and a header with one plain
// C entry point per model function, `int PREFIX_FN(const sluice_buffer_t
// *in..., sluice_buffer_t *out...)`, usable without the Sluice runtime.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_TOOLS_SLUICEC_LIBRARYEMITTER_H
#define SLUICE_TOOLS_SLUICEC_LIBRARYEMITTER_H

#include "ModelSignature.h"

#include "mlir/IR/BuiltinOps.h"

namespace sluicec {

/// Checks that `prefix` and the function names make C identifiers and
/// renames every public function FN to PREFIX_FN_impl.
bool prepareLibrary(mlir::ModuleOp module, const ModelSig &sig,
                    llvm::StringRef prefix);

/// The C header of the library.
std::string libraryHeader(const ModelSig &sig, llvm::StringRef prefix);

/// Writes `libPath` (a static archive of the model's object and the entry
/// point wrappers) and its header next to it (same stem, `.h`).
/// Writes the archive `libPath` (the model object, the entry points and the
/// micro-kernels; with `cuda`, the CUDA entry points and the whole runtime)
/// and its header next to it.
bool emitLibrary(const ModelSig &sig, llvm::StringRef prefix,
                 llvm::StringRef objPath, llvm::StringRef libPath,
                 std::string &error, bool cuda = false);

/// --target=cuda --emit=library (CudaLibraryEmitter.cpp): the header and
/// the C source of the entry points over device pointers plus their host
/// wrappers.
std::string cudaLibraryHeader(const ModelSig &sig, llvm::StringRef prefix);
std::string cudaWrapperSource(const ModelSig &sig, llvm::StringRef prefix,
                              llvm::StringRef header);

/// The header path written next to a library path.
std::string libraryHeaderPath(llvm::StringRef libPath);

// Pieces of the generated C wrappers that the CPU and CUDA libraries share.
/// `  descR aI = { PTR, PTR, 0, {shape}, {row-major strides} };` for input I
/// of rank R held by the sluice tensor variable V.
void emitInputDescriptor(llvm::raw_ostream &os, size_t i, size_t r,
                         llvm::StringRef v, llvm::StringRef ptr);
/// The result declaration, then BEFORE and the call
/// `_mlir_ciface_IMPL(&res, &a0, ...);`.
void emitEntryCall(llvm::raw_ostream &os, const FunctionSig &f,
                   llvm::StringRef impl, llvm::StringRef before);
/// The bytes of one element of a signature dtype (i64 8, i8 / i1 1, else 4).
int64_t elemSize(const std::string &dtype);
/// The opening of a function's header comment: `/* PREFIX_FN` and a line
/// ` *   in   name: dtype[dims]` / ` *   out  ...` per tensor.
void emitSignatureComment(llvm::raw_ostream &os, llvm::StringRef prefix,
                          const FunctionSig &f);
/// `typedef struct {...} descR;` for every rank R of an input or output.
void emitDescriptorTypes(llvm::raw_ostream &os, const ModelSig &sig);
/// The results struct of `f` (more than one output) and the prototype of
/// `_mlir_ciface_IMPL`.
void emitImplPrototype(llvm::raw_ostream &os, const FunctionSig &f,
                       llvm::StringRef impl);

} // namespace sluicec

#endif // SLUICE_TOOLS_SLUICEC_LIBRARYEMITTER_H
