//===- BlockProgram.cpp - block-program builders, verifier, sluice_gpu ----===//

#include "codegen/cuda/BlockProgram.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::cuda;

#include "codegen/cuda/SluiceGpuDialect.cpp.inc"
#include "codegen/cuda/SluiceGpuEnums.cpp.inc"
#define GET_OP_CLASSES
#include "codegen/cuda/SluiceGpuOps.cpp.inc"

void sluice_gpu::SluiceGpuDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "codegen/cuda/SluiceGpuOps.cpp.inc"
      >();
}

LogicalResult sluice_gpu::WarpReduceOp::verify() {
  auto type = cast<MemRefType>(getBuffer().getType());
  if (type.getRank() != 1 || type.isDynamicDim(0))
    return emitOpError("expects a static rank-1 buffer, got ") << type;
  if (type.getDimSize(0) % kWarpSize != 0)
    return emitOpError("expects a buffer of whole warps (a multiple of ")
           << kWarpSize << "), got " << type.getDimSize(0);
  Type elt = type.getElementType();
  bool isFloatKind = getKind() != sluice_gpu::WarpReduceKind::maxui;
  if (isFloatKind && !elt.isF32())
    return emitOpError("expects f32 elements for ")
           << stringifyWarpReduceKind(getKind()) << ", got " << elt;
  if (!isFloatKind && !elt.isInteger(64))
    return emitOpError("expects i64 elements for maxui, got ") << elt;
  return success();
}

LogicalResult sluice_gpu::ReportErrorOp::verify() {
  if (getValues().size() > 2)
    return emitOpError("takes at most two values, got ")
           << getValues().size();
  return success();
}

void cuda::reportError(codegen::Emit &e, Operation *op, Value cond,
                       StringRef message, Value v0, Value v1) {
  SmallVector<Value, 2> values;
  for (Value v : {v0, v1})
    if (v)
      values.push_back(e.toI64(v));
  sluice_gpu::ReportErrorOp::create(e.b, e.loc, cond,
                                    codegen::runtimeErrorText(op, message),
                                    values);
}

//===----------------------------------------------------------------------===//
// Builders
//===----------------------------------------------------------------------===//

static bool hasMapping(Operation *op, bool blocks) {
  auto forall = dyn_cast_or_null<scf::ForallOp>(op);
  if (!forall || !forall.getMapping())
    return false;
  ArrayAttr mapping = *forall.getMapping();
  if (mapping.empty())
    return false;
  return llvm::all_of(mapping, [&](Attribute a) {
    return blocks ? isa<gpu::GPUBlockMappingAttr>(a)
                  : isa<gpu::GPUThreadMappingAttr>(a);
  });
}

bool cuda::isBlockForall(Operation *op) { return hasMapping(op, true); }
bool cuda::isThreadForall(Operation *op) { return hasMapping(op, false); }

void cuda::buildBlockProgram(OpBuilder &b, Location loc, ArrayRef<Value> grid,
                             function_ref<void(ValueRange)> body) {
  assert(!grid.empty() && grid.size() <= 3 && "1 to 3 grid dims");
  static const gpu::MappingId ids[] = {gpu::MappingId::DimX,
                                       gpu::MappingId::DimY,
                                       gpu::MappingId::DimZ};
  SmallVector<Attribute> mapping;
  SmallVector<OpFoldResult> ubs;
  for (auto [i, g] : llvm::enumerate(grid)) {
    mapping.push_back(gpu::GPUBlockMappingAttr::get(b.getContext(), ids[i]));
    ubs.push_back(g);
  }
  auto forall = scf::ForallOp::create(b, loc, ubs, ValueRange{},
                                      b.getArrayAttr(mapping));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  body(forall.getInductionVars());
}

void cuda::buildThreadPhase(OpBuilder &b, Location loc, int64_t threads,
                            function_ref<void(Value)> body) {
  SmallVector<OpFoldResult> ubs{b.getIndexAttr(threads)};
  auto forall = scf::ForallOp::create(
      b, loc, ubs, ValueRange{},
      b.getArrayAttr({gpu::GPUThreadMappingAttr::get(b.getContext(),
                                                     gpu::MappingId::DimX)}));
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(forall.getBody()->getTerminator());
  body(forall.getInductionVars()[0]);
}

Value cuda::allocWorkgroup(OpBuilder &b, Location loc, ArrayRef<int64_t> shape,
                           Type elementType) {
  auto space = gpu::AddressSpaceAttr::get(b.getContext(),
                                          gpu::AddressSpace::Workgroup);
  auto type = MemRefType::get(shape, elementType, MemRefLayoutAttrInterface(),
                              space);
  return memref::AllocaOp::create(b, loc, type);
}

//===----------------------------------------------------------------------===//
// Verifier
//===----------------------------------------------------------------------===//

static bool isWorkgroup(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  if (!m)
    return false;
  auto space = dyn_cast_or_null<gpu::AddressSpaceAttr>(m.getMemorySpace());
  return space && space.getValue() == gpu::AddressSpace::Workgroup;
}

static bool isNormalized(scf::ForallOp forall) {
  return llvm::all_of(forall.getMixedLowerBound(),
                      [](OpFoldResult r) { return isZeroInteger(r); }) &&
         llvm::all_of(forall.getMixedStep(),
                      [](OpFoldResult r) { return isOneInteger(r); });
}

/// The thread forall enclosing `op` (itself excluded) below `stop`, if any.
static Operation *enclosingThreadPhase(Operation *op) {
  for (Operation *p = op->getParentOp(); p; p = p->getParentOp()) {
    if (isThreadForall(p))
      return p;
    if (isBlockForall(p))
      return nullptr;
  }
  return nullptr;
}

static LogicalResult verifyBlockForall(scf::ForallOp block) {
  bool ok = true;
  auto fail = [&](Operation *op, const Twine &msg) {
    op->emitOpError("in a block program: ") << msg;
    ok = false;
  };
  if (!isNormalized(block) || !block.getOutputs().empty())
    fail(block, "a block forall must be normalized (from 0, step 1) and have "
                "no shared outputs");
  if (Operation *outer = block->getParentOp())
    for (Operation *p = outer; p; p = p->getParentOp())
      if (isBlockForall(p) || isThreadForall(p)) {
        fail(block, "a block forall cannot be nested in another forall");
        break;
      }
  block.getBody()->walk([&](Operation *op) {
    if (op->getDialect() && op->getDialect()->getNamespace() == "gpu") {
      fail(op, "GPU ops (barriers, thread/block ids, shuffles) are not "
               "written in a block program: a barrier is the boundary "
               "between two thread phases");
      return;
    }
    if (isBlockForall(op)) {
      fail(op, "a block forall cannot be nested in another forall");
      return;
    }
    if (auto alloca = dyn_cast<memref::AllocaOp>(op)) {
      if (isWorkgroup(alloca.getType()) &&
          (alloca->getParentOp() != block.getOperation() ||
           !alloca.getType().hasStaticShape()))
        fail(op, "a workgroup buffer must be a static allocation directly "
                 "in the block body");
      return;
    }
    if (isa<memref::AllocOp>(op) &&
        isWorkgroup(cast<memref::AllocOp>(op).getType())) {
      fail(op, "workgroup buffers are memref.alloca in the block body");
      return;
    }
    if (isa<sluice_gpu::WarpReduceOp>(op)) {
      if (enclosingThreadPhase(op))
        fail(op, "a warp collective is a block-level statement, not part of "
                 "a thread phase");
      return;
    }
    auto forall = dyn_cast<scf::ForallOp>(op);
    if (!forall)
      return;
    if (!isThreadForall(op)) {
      fail(op, "a forall in a block program must be mapped to #gpu.thread");
      return;
    }
    if (!isNormalized(forall) || !forall.getOutputs().empty() ||
        forall.getRank() != 1 || !forall.getStaticUpperBound()[0] ||
        ShapedType::isDynamic(forall.getStaticUpperBound()[0]))
      fail(op, "a thread phase must be a 1-D normalized forall with a static "
               "thread count and no shared outputs");
    if (enclosingThreadPhase(op)) {
      fail(op, "a thread phase cannot be nested in another thread phase "
               "(that would be a barrier in divergent code)");
      return;
    }
    // Every construct between the block body and the phase must be
    // block-uniform: scf.for / scf.if / alloca scopes whose operands are not
    // defined inside a thread phase.
    for (Operation *p = op->getParentOp(); p != block.getOperation();
         p = p->getParentOp()) {
      if (!isa<scf::ForOp, scf::IfOp, memref::AllocaScopeOp>(p)) {
        fail(op, Twine("a thread phase can only be nested in block-uniform "
                       "scf.for / scf.if, not in ") +
                     p->getName().getStringRef());
        break;
      }
      for (Value v : p->getOperands()) {
        Operation *def = v.getDefiningOp();
        if (def && (isThreadForall(def) || enclosingThreadPhase(def))) {
          fail(p, "the bounds or condition of a construct holding a thread "
                  "phase are defined inside a thread phase (thread-dependent "
                  "control flow around a barrier)");
          break;
        }
      }
    }
  });
  return success(ok);
}

LogicalResult cuda::verifyBlockPrograms(Operation *root) {
  bool ok = true;
  root->walk([&](Operation *op) {
    if (isBlockForall(op)) {
      if (failed(verifyBlockForall(cast<scf::ForallOp>(op))))
        ok = false;
    } else if (isThreadForall(op)) {
      bool inBlock = false;
      for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
        inBlock |= isBlockForall(p);
      if (!inBlock) {
        op->emitOpError("in a block program: a thread phase must be inside a "
                        "block forall");
        ok = false;
      }
    } else if (isa<sluice_gpu::WarpReduceOp>(op)) {
      bool inBlock = false;
      for (Operation *p = op->getParentOp(); p; p = p->getParentOp())
        inBlock |= isBlockForall(p);
      if (!inBlock) {
        op->emitOpError("in a block program: a warp collective must be inside "
                        "a block forall");
        ok = false;
      }
    }
  });
  return success(ok);
}

namespace {
struct VerifyBlockProgramPass
    : PassWrapper<VerifyBlockProgramPass, OperationPass<>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(VerifyBlockProgramPass)
  StringRef getArgument() const override {
    return "sluice-verify-block-program";
  }
  StringRef getDescription() const override {
    return "Check the block-program rules: no barriers or thread ids, thread "
           "phases only in block-uniform control flow, warp collectives at "
           "block level, static workgroup buffers in the block body";
  }
  void runOnOperation() override {
    if (failed(verifyBlockPrograms(getOperation())))
      signalPassFailure();
  }
};
} // namespace

std::unique_ptr<Pass> cuda::createVerifyBlockProgramPass() {
  return std::make_unique<VerifyBlockProgramPass>();
}

SmallVector<Value> cuda::guardEqualDimsOnDevice(codegen::Emit &e,
                                                Operation *op,
                                                ArrayRef<Value> operands) {
  // The substitute buffer is never read: a failed check fails the run, and
  // the runtime launches nothing once a run has failed
  // (sluice_rt_cuda_launch), so it needs no fill, and host code never
  // writes device memory.
  return codegen::guardEqualDims(e, op, operands,
                                 [](codegen::Emit &, Value) {});
}
