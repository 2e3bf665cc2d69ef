//===- FrontendFuzzer.cpp - libFuzzer target for the model language -------===//
//
// Feeds arbitrary bytes to the lexer, parser, AST dump and MLIRGen, and
// verifies what MLIRGen accepts. A crash, a sanitizer report or a hang is a
// bug. With SLUICE_FUZZ_STRICT=1 in the environment, a model the frontend
// accepts but the MLIR verifier rejects also aborts: a check the frontend
// misses (its diagnostics would not be in the language's terms).
//
//===----------------------------------------------------------------------===//

#include "dialect/SluiceOps.h"
#include "frontend/AST.h"
#include "frontend/MLIRGen.h"
#include "frontend/Parser.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/Verifier.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <memory>

namespace fe = sluice::frontend;

static std::unique_ptr<mlir::MLIRContext> makeContext() {
  mlir::DialectRegistry registry;
  registry.insert<mlir::sluice::SluiceDialect, mlir::arith::ArithDialect,
                  mlir::func::FuncDialect, mlir::linalg::LinalgDialect,
                  mlir::math::MathDialect, mlir::tensor::TensorDialect>();
  auto ctx = std::make_unique<mlir::MLIRContext>(registry);
  ctx->loadAllAvailableDialects();
  ctx->disableMultithreading();
  return ctx;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static std::unique_ptr<mlir::MLIRContext> ctx;
  static unsigned runs = 0;
  static bool strict = std::getenv("SLUICE_FUZZ_STRICT") != nullptr;
  // The context keeps every type and attribute ever built: start afresh
  // now and then so that long runs stay within the memory limit.
  if (!ctx || ++runs % 2000 == 0)
    ctx = makeContext();

  llvm::SourceMgr sourceMgr;
  unsigned buf = sourceMgr.AddNewSourceBuffer(
      llvm::MemoryBuffer::getMemBufferCopy(
          llvm::StringRef(reinterpret_cast<const char *>(data), size),
          "fuzz.sl"),
      llvm::SMLoc());
  fe::DiagEngine diags(sourceMgr, llvm::nulls());
  std::unique_ptr<fe::Model> model = fe::parseModel(diags, buf);
  if (!model)
    return 0;
  fe::dumpModel(llvm::nulls(), *model, sourceMgr);

  // Also exercise --param overrides: for most inputs, every parameter gets
  // a small value (-1 to 8) drawn from the input's bytes, which turns the
  // seeds' valid models into models with empty, unit and odd sizes.
  std::vector<fe::ParamOverride> overrides;
  if (size % 4 != 0)
    for (size_t i = 0; i < model->params.size(); ++i)
      overrides.push_back({model->params[i].name,
                           (int64_t)(data[(i * 7 + 3) % size] % 10) - 1});

  std::string verifierErrors;
  mlir::ScopedDiagnosticHandler handler(ctx.get(), [&](mlir::Diagnostic &d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error)
      verifierErrors += d.str() + "\n";
    return mlir::success();
  });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      fe::mlirGen(*ctx, *model, diags, overrides);
  if (!module)
    return 0;
  bool ok = mlir::succeeded(mlir::verify(*module));
  if (ok) {
    module->print(llvm::nulls());
  } else if (strict) {
    llvm::errs() << "the frontend accepted a model the verifier rejects:\n"
                 << verifierErrors;
    module->print(llvm::errs());
    std::abort();
  }
  return 0;
}
