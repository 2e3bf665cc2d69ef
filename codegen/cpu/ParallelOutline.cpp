//===- ParallelOutline.cpp - scf.parallel onto the runtime's thread pool --===//
//
// Two passes that run the outermost scf.parallel loops of the CPU code on the
// runtime's pool, `sluice_rt_parallel_for(begin, end, body, ctx)`:
//
// sluice-cpu-outline-parallel (buffers, before LLVM): the loop
//     scf.parallel (%i) = (%lb) to (%ub) step (%s) { body(%i, captures) }
// becomes a private function
//     @__sluice_par_N(%lo, %hi, %lb, %s, captures...)   // i in [lo, hi)
// and a call to a declared dispatcher with the same signature,
//     @__sluice_par_N_dispatch(0, n, %lb, %s, captures...)
//     {sluice.parallel_body = "__sluice_par_N"}.
//
// sluice-cpu-parallel-runtime (LLVM dialect, after conversion): defines each
// dispatcher: store its arguments after the first two (memref descriptors
// are scalars by then) into a stack struct and call the pool with a
// trampoline that unpacks the struct and calls the body on a chunk.
//
//===----------------------------------------------------------------------===//

#include "codegen/cpu/CpuPipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Transforms/RegionUtils.h"

using namespace mlir;

static constexpr StringLiteral kBodyAttr = "sluice.parallel_body";
static constexpr StringLiteral kPoolFn = "sluice_rt_parallel_for";

namespace {

struct OutlineParallelPass
    : PassWrapper<OutlineParallelPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(OutlineParallelPass)
  StringRef getArgument() const override {
    return "sluice-cpu-outline-parallel";
  }
  StringRef getDescription() const override {
    return "Outline outermost 1-D scf.parallel loops into functions run by "
           "the runtime's thread pool";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, scf::SCFDialect, arith::ArithDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> loops;
    module.walk<WalkOrder::PreOrder>([&](scf::ParallelOp op) {
      if (op.getNumLoops() == 1 && op.getNumResults() == 0)
        loops.push_back(op);
      return WalkResult::skip(); // nested loops run inside the chunk
    });
    unsigned counter = 0;
    for (scf::ParallelOp loop : loops)
      if (failed(outline(module, loop, counter++)))
        return signalPassFailure();
  }

  LogicalResult outline(ModuleOp module, scf::ParallelOp loop, unsigned n) {
    Location loc = loop.getLoc();
    SetVector<Value> used, captures;
    SmallVector<Operation *> constants; // cloned into the body, not passed
    getUsedValuesDefinedAbove(loop.getRegion(), used);
    for (Value v : used) {
      Operation *def = v.getDefiningOp();
      if (def && def->hasTrait<OpTrait::ConstantLike>())
        constants.push_back(def);
      else
        captures.insert(v);
    }
    OpBuilder b(module.getContext());
    auto parent = loop->getParentOfType<func::FuncOp>();
    std::string name = ("__sluice_par_" + parent.getSymName() + "_" +
                        std::to_string(n)).str();
    Type idx = b.getIndexType();
    SmallVector<Type> argTypes = {idx, idx, idx, idx};
    for (Value v : captures)
      argTypes.push_back(v.getType());
    auto type = b.getFunctionType(argTypes, {});

    // The body: for i in [lo, hi): iv = lb + i * step.
    b.setInsertionPoint(parent);
    auto body = func::FuncOp::create(b, loc, name, type);
    body.setPrivate();
    Block *entry = body.addEntryBlock();
    b.setInsertionPointToStart(entry);
    Value lo = entry->getArgument(0), hi = entry->getArgument(1),
          lb = entry->getArgument(2), step = entry->getArgument(3);
    IRMapping map;
    for (auto [i, v] : llvm::enumerate(captures))
      map.map(v, entry->getArgument(4 + i));
    for (Operation *c : constants)
      b.clone(*c, map);
    Value one = arith::ConstantIndexOp::create(b, loc, 1);
    auto forOp = scf::ForOp::create(b, loc, lo, hi, one);
    b.setInsertionPointToStart(forOp.getBody());
    Value iv = arith::AddIOp::create(
        b, loc, lb, arith::MulIOp::create(b, loc, forOp.getInductionVar(), step));
    map.map(loop.getInductionVars()[0], iv);
    for (Operation &op : loop.getBody()->without_terminator())
      b.clone(op, map);
    b.setInsertionPointToEnd(entry);
    func::ReturnOp::create(b, loc);

    // The dispatcher, defined by sluice-cpu-parallel-runtime.
    b.setInsertionPoint(parent);
    auto dispatch = func::FuncOp::create(b, loc, name + "_dispatch", type);
    dispatch.setPrivate();
    dispatch->setAttr(kBodyAttr, b.getStringAttr(name));

    // The call: n = ceil((ub - lb) / step) iterations.
    b.setInsertionPoint(loop);
    Value lbV = loop.getLowerBound()[0], ubV = loop.getUpperBound()[0],
          stepV = loop.getStep()[0];
    Value span = arith::SubIOp::create(b, loc, ubV, lbV);
    Value count = arith::CeilDivSIOp::create(b, loc, span, stepV);
    Value zero = arith::ConstantIndexOp::create(b, loc, 0);
    count = arith::MaxSIOp::create(b, loc, count, zero);
    SmallVector<Value> args = {zero, count, lbV, stepV};
    args.append(captures.begin(), captures.end());
    func::CallOp::create(b, loc, dispatch, args);
    loop.erase();
    return success();
  }
};

struct ParallelRuntimePass
    : PassWrapper<ParallelRuntimePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(ParallelRuntimePass)
  StringRef getArgument() const override {
    return "sluice-cpu-parallel-runtime";
  }
  StringRef getDescription() const override {
    return "Define the dispatchers of outlined parallel loops: pack their "
           "arguments and call sluice_rt_parallel_for with a trampoline";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = module.getContext();
    OpBuilder b(ctx);
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = b.getI64Type();
    auto voidTy = LLVM::LLVMVoidType::get(ctx);
    SmallVector<LLVM::LLVMFuncOp> dispatchers;
    module.walk([&](LLVM::LLVMFuncOp f) {
      if (f->hasAttr(kBodyAttr) && f.isExternal())
        dispatchers.push_back(f);
    });
    if (dispatchers.empty())
      return;
    auto pool = module.lookupSymbol<LLVM::LLVMFuncOp>(kPoolFn);
    if (!pool) {
      b.setInsertionPointToStart(module.getBody());
      pool = LLVM::LLVMFuncOp::create(
          b, module.getLoc(), kPoolFn,
          LLVM::LLVMFunctionType::get(voidTy, {i64, i64, ptr, ptr}));
    }
    for (LLVM::LLVMFuncOp d : dispatchers) {
      auto bodyName = d->getAttrOfType<StringAttr>(kBodyAttr);
      auto body = module.lookupSymbol<LLVM::LLVMFuncOp>(bodyName);
      if (!body) {
        d.emitError("parallel body ") << bodyName << " not found";
        return signalPassFailure();
      }
      Location loc = d.getLoc();
      auto fnType = d.getFunctionType();
      ArrayRef<Type> params = fnType.getParams();
      if (params.size() < 2 || params[0] != i64 || params[1] != i64) {
        d.emitError("unexpected parallel dispatcher signature");
        return signalPassFailure();
      }
      auto ctxType =
          LLVM::LLVMStructType::getLiteral(ctx, params.drop_front(2));

      // trampoline(lo, hi, ctx): body(lo, hi, *ctx...).
      b.setInsertionPointAfter(d);
      auto tramp = LLVM::LLVMFuncOp::create(
          b, loc, (bodyName.getValue() + "_tramp").str(),
          LLVM::LLVMFunctionType::get(voidTy, {i64, i64, ptr}),
          LLVM::Linkage::Internal);
      Block *tb = tramp.addEntryBlock(b);
      b.setInsertionPointToStart(tb);
      SmallVector<Value> callArgs = {tb->getArgument(0), tb->getArgument(1)};
      for (unsigned i = 2; i < params.size(); ++i) {
        Value field = LLVM::GEPOp::create(
            b, loc, ptr, ctxType, tb->getArgument(2),
            ArrayRef<LLVM::GEPArg>{0, (int32_t)(i - 2)});
        callArgs.push_back(LLVM::LoadOp::create(b, loc, params[i], field));
      }
      LLVM::CallOp::create(b, loc, body, callArgs);
      LLVM::ReturnOp::create(b, loc, ValueRange{});

      // dispatcher(begin, end, rest...): pack rest, run the pool.
      d->removeAttr(kBodyAttr);
      d.setLinkage(LLVM::Linkage::Internal);
      Block *db = d.addEntryBlock(b);
      b.setInsertionPointToStart(db);
      Value one = LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(1));
      Value slot = LLVM::AllocaOp::create(b, loc, ptr, ctxType, one);
      for (unsigned i = 2; i < params.size(); ++i) {
        Value field = LLVM::GEPOp::create(
            b, loc, ptr, ctxType, slot, ArrayRef<LLVM::GEPArg>{0, (int32_t)(i - 2)});
        LLVM::StoreOp::create(b, loc, db->getArgument(i), field);
      }
      Value fn = LLVM::AddressOfOp::create(b, loc, ptr, tramp.getSymName());
      LLVM::CallOp::create(b, loc, pool,
                           ValueRange{db->getArgument(0), db->getArgument(1),
                                      fn, slot});
      LLVM::ReturnOp::create(b, loc, ValueRange{});
    }
  }
};

} // namespace

std::unique_ptr<Pass> sluice::createCpuOutlineParallelPass() {
  return std::make_unique<OutlineParallelPass>();
}
std::unique_ptr<Pass> sluice::createCpuParallelRuntimePass() {
  return std::make_unique<ParallelRuntimePass>();
}
