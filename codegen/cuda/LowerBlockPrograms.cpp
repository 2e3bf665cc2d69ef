//===- LowerBlockPrograms.cpp - sluice ops -> block programs -> GPU / CPU -===//
//
// sluice-cuda-lower-ops: sluice ops with a CUDA schedule become block
//   programs over buffers (tensor boundary: bufferization.to_buffer /
//   to_tensor), before one-shot bufferization.
// sluice-cuda-to-gpu: warp collectives -> gpu.shuffle xor butterflies,
//   block foralls -> gpu.launch with a dynamic grid and workgroup
//   attributions, thread foralls -> thread ids + barriers.
// sluice-cuda-to-cpu: warp collectives -> the same butterfly as loops over
//   a 32-lane buffer, foralls -> scf.for (thread phases optionally in
//   reverse order), workgroup memory space erased.
//
//===----------------------------------------------------------------------===//

#include "codegen/common/EqualDims.h"
#include "codegen/common/Lowering.h"
#include "codegen/cuda/BlockProgram.h"
#include "dialect/SluiceOps.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/GPU/TransformOps/GPUTransformOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/IR/AttrTypeSubElements.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"
#include "mlir/Interfaces/FunctionInterfaces.h"


using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using IP = arith::CmpIPredicate;

/// The kernel name a block forall carries to its gpu.launch.
static constexpr StringLiteral kKernelAttr = "sluice.kernel";

ArrayRef<StringRef> cuda::cudaLoweredOps() {
  static const StringRef names[] = {
#define SLUICE_CUDA_SCHEDULE(OpClass, builder) OpClass::getOperationName(),
#include "codegen/cuda/BlockProgramOps.def"
  };
  return names;
}

//===----------------------------------------------------------------------===//
// sluice-cuda-lower-ops
//===----------------------------------------------------------------------===//

/// Why the CUDA schedule of `op` does not apply (dynamic weight shapes, a
/// rank too large for shared memory), or nothing.
static std::optional<std::string> unsupportedShapes(Operation *op) {
  if (isa<linalg::LinalgOp>(op))
    return unsupportedLinalg(op);
  auto isStatic = [](Value v) {
    return !v || cast<ShapedType>(v.getType()).hasStaticShape();
  };
  if (auto o = dyn_cast<TopkGateOp>(op)) {
    if (cast<ShapedType>(o.getLogits().getType()).isDynamicDim(1))
      return std::string("a dynamic expert count");
  }
  if (auto o = dyn_cast<ExpertChoiceGateOp>(op))
    if (cast<ShapedType>(o.getLogits().getType()).isDynamicDim(1))
      return std::string("a dynamic expert count");
  if (auto o = dyn_cast<GluOp>(op))
    if (cast<ShapedType>(o.getType()).getRank() > 3)
      return std::string("rank above 3 (grid of 3 dims)");
  if (auto o = dyn_cast<GroupedMatmulOp>(op))
    if (!isStatic(o.getW()))
      return std::string("dynamic weight shapes");
  // lora_matmul: any rank (a dynamic or large one is a loop bound).
  if (auto o = dyn_cast<LoraMatmulOp>(op))
    if (!isStatic(o.getW()))
      return std::string("a dynamic w shape");
  if (auto o = dyn_cast<MultiLoraMatmulOp>(op)) {
    if (!isStatic(o.getW()) || !isStatic(o.getA()) || !isStatic(o.getB()))
      return std::string("dynamic w, a or b shapes");
    if (cast<ShapedType>(o.getIds().getType()).isDynamicDim(1))
      return std::string("a dynamic slot count");
    int64_t rank = cast<ShapedType>(o.getA().getType()).getDimSize(2);
    int64_t slots = cast<ShapedType>(o.getIds().getType()).getDimSize(1);
    if (rank > 128 || slots > 32)
      return "rank " + std::to_string(rank) + ", " + std::to_string(slots) +
             " slots (at most 128 and 32: x a and the ids of a row block "
             "stay in shared memory)";
  }
  if (auto o = dyn_cast<LowrankMatmulOp>(op)) {
    if (!isStatic(o.getU()) || !isStatic(o.getV()))
      return std::string("dynamic u or v shapes");
    int64_t rank = cast<ShapedType>(o.getU().getType()).getDimSize(1);
    if (rank > 128)
      return "rank " + std::to_string(rank) +
             " (at most 128: x u of a row block stays in shared memory)";
  }
  return std::nullopt;
}

namespace {
struct LowerToBlockProgramsPass
    : PassWrapper<LowerToBlockProgramsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(LowerToBlockProgramsPass)
  LowerToBlockProgramsPass() = default;
  LowerToBlockProgramsPass(const LowerToBlockProgramsPass &other)
      : PassWrapper(other) {}
  explicit LowerToBlockProgramsPass(bool strictMode) { strict = strictMode; }

  Option<bool> strict{*this, "strict",
                      llvm::cl::desc("Reject sluice / linalg ops that have no "
                                     "CUDA schedule (else they stay for the "
                                     "CPU lowering)"),
                      llvm::cl::init(true)};

  StringRef getArgument() const override { return "sluice-cuda-lower-ops"; }
  StringRef getDescription() const override {
    return "Lower sluice ops with a CUDA schedule to block programs over "
           "buffers";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<arith::ArithDialect, bufferization::BufferizationDialect,
                    func::FuncDialect, gpu::GPUDialect, LLVM::LLVMDialect,
                    math::MathDialect, memref::MemRefDialect,
                    scf::SCFDialect, sluice_gpu::SluiceGpuDialect>();
  }

  DenseMap<Operation *, unsigned> kernelCount;

  void runOnOperation() override {
    // Aggregates (linalg.softmax) -> linalg.generic / fill first.
    SmallVector<linalg::AggregatedOpInterface> aggregates;
    getOperation()->walk([&](linalg::AggregatedOpInterface op) {
      if (isa<linalg::SoftmaxOp>(op))
        aggregates.push_back(op);
    });
    for (auto op : aggregates) {
      IRRewriter rw(op->getContext());
      rw.setInsertionPoint(op);
      FailureOr<SmallVector<Value>> parts = op.decomposeOperation(rw);
      if (failed(parts)) {
        op->emitOpError("cannot be decomposed for the CUDA mapping");
        return signalPassFailure();
      }
      rw.replaceOp(op, *parts);
    }
    SmallVector<Operation *> todo;
    bool ok = true;
    getOperation()->walk([&](Operation *op) {
      if (isa<linalg::LinalgOp>(op) && !unsupportedLinalg(op)) {
        todo.push_back(op);
        return;
      }
      if (op->getDialect() &&
          op->getDialect()->getNamespace() == SluiceDialect::getDialectNamespace()) {
        if (llvm::is_contained(cudaLoweredOps(),
                               op->getName().getStringRef())) {
          todo.push_back(op);
          return;
        }
      }
      bool compute =
          (op->getDialect() &&
           op->getDialect()->getNamespace() ==
               SluiceDialect::getDialectNamespace()) ||
          isa<linalg::LinalgOp>(op) || isa<linalg::SoftmaxOp>(op);
      if (strict && compute) {
        op->emitOpError("has no CUDA schedule yet (scheduled: ")
            << llvm::join(cudaLoweredOps(), ", ")
            << ", and linalg ops on tensors with projected-permutation "
               "outputs)";
        ok = false;
      }
    });
    if (!ok)
      return signalPassFailure();
    for (Operation *op : todo) {
      if (std::optional<std::string> why = unsupportedShapes(op)) {
        if (!strict)
          continue; // the CPU lowering takes it
        op->emitOpError("has no CUDA schedule for these shapes: ") << *why;
        return signalPassFailure();
      }
      OpBuilder b(op);
      Emit e(b, op->getLoc());
      SmallVector<Value> buffers;
      for (Value v : op->getOperands()) {
        auto t = dyn_cast<RankedTensorType>(v.getType());
        if (!t) {
          buffers.push_back(v);
          continue;
        }
        auto m = MemRefType::get(t.getShape(), t.getElementType());
        buffers.push_back(bufferization::ToBufferOp::create(
            b, op->getLoc(), m, v, /*readOnly=*/true));
      }
      // The ops scheduled here share the CPU lowering's host-side checks of
      // dims that must agree (same messages; a mismatching operand becomes
      // a zero buffer of the expected sizes, so no kernel leaves a buffer).
      if (isa<PoolOp, TopkGateOp, GroupedMatmulOp, LoraMatmulOp,
              SegmentPoolOp, AdaptivePoolOp, SpatialPyramidPoolOp,
              AttentionPoolOp, MultiLoraMatmulOp, LowrankMatmulOp, SparsifyOp,
              SparseMatmulOp>(op))
        buffers = guardEqualDimsOnDevice(e, op, buffers);
      FailureOr<SmallVector<Value>> results = failure();
#define SLUICE_CUDA_SCHEDULE(OpClass, builder)                                 \
  if (isa<OpClass>(op))                                                        \
    results = builder(e, op, buffers);                                         \
  else
#include "codegen/cuda/BlockProgramOps.def"
      if (isa<linalg::LinalgOp>(op))
        results = buildLinalgKernel(e, op, buffers);
      if (failed(results))
        return signalPassFailure();
      // Kernel names: <function>_<op>_<n> (gpu.launch function attribute).
      auto fn = op->getParentOfType<FunctionOpInterface>();
      StringRef opName = op->getName().stripDialect();
      fn->walk([&](scf::ForallOp f) {
        if (!isBlockForall(f) || f->hasAttr(kKernelAttr))
          return;
        std::string name = (fn.getName() + "_" + opName + "_" +
                            Twine(kernelCount[fn.getOperation()]++))
                               .str();
        f->setAttr(kKernelAttr, b.getStringAttr(name));
      });
      SmallVector<Value> tensors;
      for (auto [res, buf] : llvm::zip(op->getResults(), *results))
        tensors.push_back(bufferization::ToTensorOp::create(
            b, op->getLoc(), res.getType(), buf, /*restrict=*/b.getUnitAttr(),
            /*writable=*/b.getUnitAttr()));
      op->replaceAllUsesWith(tensors);
      op->erase();
    }
  }
};
} // namespace

std::unique_ptr<Pass> cuda::createLowerToBlockProgramsPass(bool strict) {
  return std::make_unique<LowerToBlockProgramsPass>(strict);
}

//===----------------------------------------------------------------------===//
// Warp collectives
//===----------------------------------------------------------------------===//

static Value combine(OpBuilder &b, Location loc, sluice_gpu::WarpReduceKind k,
                     Value mine, Value other) {
  switch (k) {
  case sluice_gpu::WarpReduceKind::addf:
    return arith::AddFOp::create(b, loc, mine, other);
  case sluice_gpu::WarpReduceKind::maximumf:
    return arith::MaximumFOp::create(b, loc, mine, other);
  case sluice_gpu::WarpReduceKind::minimumf:
    return arith::MinimumFOp::create(b, loc, mine, other);
  case sluice_gpu::WarpReduceKind::maxui:
    return arith::MaxUIOp::create(b, loc, mine, other);
  }
  llvm_unreachable("unknown warp reduce kind");
}

static constexpr int64_t kButterfly[] = {16, 8, 4, 2, 1};

/// GPU: one thread phase; v = op(v, shfl.xor(v, o)) for o = 16 .. 1.
static void warpReduceToShuffles(sluice_gpu::WarpReduceOp op) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  Value buf = op.getBuffer();
  auto type = cast<MemRefType>(buf.getType());
  buildThreadPhase(b, loc, type.getDimSize(0), [&](Value t) {
    Value v = memref::LoadOp::create(b, loc, buf, ValueRange{t});
    for (int64_t o : kButterfly) {
      Value other;
      if (type.getElementType().isInteger(64)) {
        // Two 32-bit shuffles.
        Type i32 = b.getI32Type(), i64 = b.getI64Type();
        Value lo = arith::TruncIOp::create(b, loc, i32, v);
        Value hi = arith::TruncIOp::create(
            b, loc, i32,
            arith::ShRUIOp::create(b, loc, v,
                                   arith::ConstantIntOp::create(b, loc, 32, 64)));
        Value slo = gpu::ShuffleOp::create(b, loc, lo, (int32_t)o, 32,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
        Value shi = gpu::ShuffleOp::create(b, loc, hi, (int32_t)o, 32,
                                           gpu::ShuffleMode::XOR)
                        .getShuffleResult();
        other = arith::OrIOp::create(
            b, loc, arith::ExtUIOp::create(b, loc, i64, slo),
            arith::ShLIOp::create(b, loc, arith::ExtUIOp::create(b, loc, i64, shi),
                                  arith::ConstantIntOp::create(b, loc, 32, 64)));
      } else {
        other = gpu::ShuffleOp::create(b, loc, v, (int32_t)o, 32,
                                       gpu::ShuffleMode::XOR)
                    .getShuffleResult();
      }
      v = combine(b, loc, op.getKind(), v, other);
    }
    memref::StoreOp::create(b, loc, v, buf, ValueRange{t});
  });
  op.erase();
}

/// CPU: per warp, five rounds of tmp[l] = op(buf[l], buf[l ^ o]); buf = tmp.
static void warpReduceToLoops(sluice_gpu::WarpReduceOp op) {
  OpBuilder b(op);
  Emit e(b, op.getLoc());
  Value buf = op.getBuffer();
  auto type = cast<MemRefType>(buf.getType());
  // The 32-lane scratch buffer lives with the block's workgroup buffers.
  Value tmp;
  {
    OpBuilder::InsertionGuard guard(b);
    Operation *block = op->getParentOp();
    while (block && !isBlockForall(block))
      block = block->getParentOp();
    if (block)
      b.setInsertionPointToStart(cast<scf::ForallOp>(block).getBody());
    tmp = memref::AllocaOp::create(
        b, op.getLoc(), MemRefType::get({kWarpSize}, type.getElementType()));
  }
  e.forLoop(e.c(type.getDimSize(0) / kWarpSize), [&](Value w) {
    Value base = e.muli(w, e.c(kWarpSize));
    for (int64_t o : kButterfly) {
      e.forLoop(e.c(kWarpSize), [&](Value l) {
        Value partner = arith::XOrIOp::create(b, op.getLoc(), l, e.c(o));
        Value mine = e.load(buf, {e.addi(base, l)});
        Value other = e.load(buf, {e.addi(base, partner)});
        e.store(combine(b, op.getLoc(), op.getKind(), mine, other), tmp, {l});
      });
      e.forLoop(e.c(kWarpSize), [&](Value l) {
        e.store(e.load(tmp, {l}), buf, {e.addi(base, l)});
      });
    }
  });
  op.erase();
}

//===----------------------------------------------------------------------===//
// Device-side run-time errors
//===----------------------------------------------------------------------===//

static constexpr StringLiteral kDeviceErrorGlobal = "sluice_device_error";
static constexpr StringLiteral kDeviceErrorSites = "sluice.device_error_sites";

/// GPU: the first error wins. CAS of sluice_device_error[0] from 0 to
/// 1 + site; the winner stores the values to [1] and [2]. The site table is
/// the string array `sluice.device_error_sites` on the top-level module.
static void reportErrorToGpu(ModuleOp module, sluice_gpu::ReportErrorOp op,
                             SmallVectorImpl<Attribute> &sites) {
  OpBuilder b(op);
  Location loc = op.getLoc();
  auto type = MemRefType::get({4}, b.getI64Type());
  if (!module.lookupSymbol<memref::GlobalOp>(kDeviceErrorGlobal)) {
    OpBuilder::InsertionGuard g(b);
    b.setInsertionPointToStart(module.getBody());
    auto init = DenseElementsAttr::get(
        RankedTensorType::get({4}, b.getI64Type()), b.getI64IntegerAttr(0));
    // Public: the host finds it in the loaded module by name.
    memref::GlobalOp::create(b, loc, kDeviceErrorGlobal,
                             /*sym_visibility=*/nullptr, type, init,
                             /*constant=*/false, /*alignment=*/nullptr);
  }
  auto text = b.getStringAttr(op.getMessage());
  int64_t site = llvm::find(sites, text) - sites.begin();
  if (site == (int64_t)sites.size())
    sites.push_back(text);
  Emit e(b, loc);
  e.ifThen(op.getCondition(), [&] {
    Value g = memref::GetGlobalOp::create(b, loc, type, kDeviceErrorGlobal);
    Value addr = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, g);
    auto ptrType = LLVM::LLVMPointerType::get(b.getContext());
    Value ptr = LLVM::IntToPtrOp::create(b, loc, ptrType, e.toI64(addr));
    auto cas = LLVM::AtomicCmpXchgOp::create(
        b, loc, ptr, e.ci64(0), e.ci64(site + 1),
        LLVM::AtomicOrdering::acq_rel, LLVM::AtomicOrdering::monotonic);
    if (op.getValues().empty())
      return;
    Value won = LLVM::ExtractValueOp::create(b, loc, cas, 1);
    e.ifThen(won, [&] {
      for (auto [i, v] : llvm::enumerate(op.getValues()))
        e.store(v, g, {e.c(i + 1)});
    });
  });
  op.erase();
}

/// CPU: exactly the CPU lowering's `if (cond) sluice_rt_error(msg, v0, v1)`.
static void reportErrorToCpu(ModuleOp module, sluice_gpu::ReportErrorOp op) {
  OpBuilder b(op);
  Emit e(b, op.getLoc());
  ValueRange v = op.getValues();
  emitRuntimeErrorCall(e, module, op.getCondition(), op.getMessage(),
                       v.size() > 0 ? v[0] : Value(),
                       v.size() > 1 ? v[1] : Value());
  op.erase();
}

//===----------------------------------------------------------------------===//
// sluice-cuda-to-gpu
//===----------------------------------------------------------------------===//

static int64_t blockSize(scf::ForallOp block) {
  int64_t n = 1;
  block.getBody()->walk([&](scf::ForallOp f) {
    if (isThreadForall(f))
      n = std::max(n, f.getStaticUpperBound()[0]);
  });
  return n;
}

static LogicalResult blockForallToLaunch(RewriterBase &rw,
                                         scf::ForallOp block) {
  Location loc = block.getLoc();
  rw.setInsertionPoint(block);
  SmallVector<Value> grid = getValueOrCreateConstantIndexOp(
      rw, loc, block.getMixedUpperBound());
  Value one = arith::ConstantIndexOp::create(rw, loc, 1);
  while (grid.size() < 3)
    grid.push_back(one);
  int64_t threads = blockSize(block);
  // An empty grid is not launched (CUDA rejects zero-sized grids).
  Value count = arith::MulIOp::create(
      rw, loc, arith::MulIOp::create(rw, loc, grid[0], grid[1]), grid[2]);
  Value zero = arith::ConstantIndexOp::create(rw, loc, 0);
  Value nonEmpty =
      arith::CmpIOp::create(rw, loc, IP::sgt, count, zero);
  auto guard = scf::IfOp::create(rw, loc, nonEmpty, /*withElse=*/false);
  rw.setInsertionPoint(guard.thenBlock()->getTerminator());
  SmallVector<memref::AllocaOp> shared;
  for (Operation &op : *block.getBody())
    if (auto a = dyn_cast<memref::AllocaOp>(&op))
      if (auto s = dyn_cast_or_null<gpu::AddressSpaceAttr>(
              a.getType().getMemorySpace());
          s && s.getValue() == gpu::AddressSpace::Workgroup)
        shared.push_back(a);
  SmallVector<Type> sharedTypes;
  for (auto a : shared)
    sharedTypes.push_back(a.getType());
  Value bdx = arith::ConstantIndexOp::create(rw, loc, threads);
  auto launch = gpu::LaunchOp::create(rw, loc, grid[0], grid[1], grid[2], bdx,
                                      one, one, nullptr, nullptr, {},
                                      sharedTypes);
  if (auto name = block->getAttrOfType<StringAttr>(kKernelAttr)) {
    launch.setModuleAttr(FlatSymbolRefAttr::get(rw.getContext(),
                                                "sluice_kernels"));
    launch.setFunctionAttr(FlatSymbolRefAttr::get(name));
  }
  IRMapping map;
  gpu::KernelDim3 ids = launch.getBlockIds();
  Value idv[] = {ids.x, ids.y, ids.z};
  for (auto [i, iv] : llvm::enumerate(block.getInductionVars()))
    map.map(iv, idv[i]);
  for (auto [a, arg] : llvm::zip(shared, launch.getWorkgroupAttributions()))
    map.map(a.getResult(), arg);
  Block &body = launch.getBody().front();
  // gpu.launch's builder may or may not add the terminator.
  rw.setInsertionPointToEnd(&body);
  if (body.empty() || !body.back().hasTrait<OpTrait::IsTerminator>())
    gpu::TerminatorOp::create(rw, loc);
  rw.setInsertionPoint(body.getTerminator());
  for (Operation &op : block.getBody()->without_terminator()) {
    if (auto a = dyn_cast<memref::AllocaOp>(&op);
        a && llvm::is_contained(shared, a))
      continue;
    rw.clone(op, map);
  }
  rw.eraseOp(block);
  DiagnosedSilenceableFailure diag =
      transform::gpu::mapNestedForallToThreadsImpl(
          rw, std::nullopt, launch, {threads, 1, 1}, kWarpSize,
          /*syncAfterDistribute=*/true);
  if (!diag.succeeded()) {
    diag.silence();
    return launch.emitOpError("cannot map the block program's thread phases "
                              "to threads");
  }
  return success();
}

namespace {
struct BlockProgramsToGpuPass
    : PassWrapper<BlockProgramsToGpuPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BlockProgramsToGpuPass)
  StringRef getArgument() const override { return "sluice-cuda-to-gpu"; }
  StringRef getDescription() const override {
    return "Block programs -> gpu.launch (dynamic grid, workgroup "
           "attributions, thread ids and barriers), warp collectives -> "
           "gpu.shuffle xor";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<gpu::GPUDialect, scf::SCFDialect, arith::ArithDialect,
                    affine::AffineDialect, LLVM::LLVMDialect,
                    memref::MemRefDialect>();
  }
  void runOnOperation() override {
    if (failed(verifyBlockPrograms(getOperation())))
      return signalPassFailure();
    SmallVector<sluice_gpu::WarpReduceOp> warps;
    getOperation()->walk([&](sluice_gpu::WarpReduceOp op) { warps.push_back(op); });
    for (auto op : warps)
      warpReduceToShuffles(op);
    SmallVector<sluice_gpu::ReportErrorOp> reports;
    getOperation()->walk(
        [&](sluice_gpu::ReportErrorOp op) { reports.push_back(op); });
    SmallVector<Attribute> sites;
    if (auto old = getOperation()->getAttrOfType<ArrayAttr>(kDeviceErrorSites))
      sites.append(old.begin(), old.end());
    for (auto op : reports)
      reportErrorToGpu(getOperation(), op, sites);
    if (!sites.empty())
      getOperation()->setAttr(kDeviceErrorSites,
                              ArrayAttr::get(&getContext(), sites));
    SmallVector<scf::ForallOp> blocks;
    getOperation()->walk([&](scf::ForallOp f) {
      if (isBlockForall(f))
        blocks.push_back(f);
    });
    IRRewriter rw(&getContext());
    for (auto f : blocks)
      if (failed(blockForallToLaunch(rw, f)))
        return signalPassFailure();
  }
};
} // namespace

std::unique_ptr<Pass> cuda::createBlockProgramsToGpuPass() {
  return std::make_unique<BlockProgramsToGpuPass>();
}

//===----------------------------------------------------------------------===//
// sluice-cuda-to-cpu
//===----------------------------------------------------------------------===//

/// forall -> scf.for nest; `reverse` runs the iterations last to first.
/// With `hoistAllocas` the static allocas of the body (a block's workgroup
/// buffers) move before the loops: blocks run one after the other and reuse
/// them (no alloca_scope, whose lowering would split the loop body).
static void forallToLoops(RewriterBase &rw, scf::ForallOp forall, bool reverse,
                          bool hoistAllocas) {
  Location loc = forall.getLoc();
  if (hoistAllocas)
    for (Operation &op : llvm::make_early_inc_range(*forall.getBody()))
      if (auto a = dyn_cast<memref::AllocaOp>(&op);
          a && a.getType().hasStaticShape() && a->getNumOperands() == 0)
        a->moveBefore(forall);
  rw.setInsertionPoint(forall);
  Emit e(rw, loc);
  SmallVector<Value> lbs = getValueOrCreateConstantIndexOp(
      rw, loc, forall.getMixedLowerBound());
  SmallVector<Value> ubs = getValueOrCreateConstantIndexOp(
      rw, loc, forall.getMixedUpperBound());
  SmallVector<Value> steps =
      getValueOrCreateConstantIndexOp(rw, loc, forall.getMixedStep());
  SmallVector<Value> ivs;
  for (auto [lb, ub, step] : llvm::zip(lbs, ubs, steps)) {
    // Trip count n; iteration i visits lb + (reverse ? n - 1 - i : i) step.
    Value n = e.maxsi(e.divsi(e.addi(e.subi(ub, lb), e.subi(step, e.c(1))),
                              step),
                      e.c(0));
    auto loop = scf::ForOp::create(rw, loc, e.c(0), n, e.c(1));
    rw.setInsertionPoint(loop.getBody()->getTerminator());
    Value i = loop.getInductionVar();
    if (reverse)
      i = e.subi(e.subi(n, e.c(1)), i);
    ivs.push_back(e.addi(lb, e.muli(i, step)));
  }
  Operation *anchor = rw.getInsertionBlock()->getTerminator();
  Block *body = forall.getBody();
  rw.eraseOp(body->getTerminator());
  rw.inlineBlockBefore(body, anchor, ivs);
  rw.eraseOp(forall);
}

namespace {
struct BlockProgramsToCpuPass
    : PassWrapper<BlockProgramsToCpuPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(BlockProgramsToCpuPass)
  BlockProgramsToCpuPass() = default;
  BlockProgramsToCpuPass(const BlockProgramsToCpuPass &other)
      : PassWrapper(other) {}
  explicit BlockProgramsToCpuPass(bool rev) { reverse = rev; }

  Option<bool> reverse{*this, "reverse",
                       llvm::cl::desc("Run every thread phase last thread "
                                      "first (a result that changes means a "
                                      "missing barrier)"),
                       llvm::cl::init(false)};

  StringRef getArgument() const override { return "sluice-cuda-to-cpu"; }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<func::FuncDialect, LLVM::LLVMDialect, scf::SCFDialect>();
  }
  StringRef getDescription() const override {
    return "Block programs -> CPU loops: warp collectives as butterfly loops, "
           "foralls as scf.for (thread phases optionally reversed), "
           "workgroup memory space erased";
  }
  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (failed(verifyBlockPrograms(module)))
      return signalPassFailure();
    SmallVector<sluice_gpu::WarpReduceOp> warps;
    module->walk([&](sluice_gpu::WarpReduceOp op) { warps.push_back(op); });
    for (auto op : warps)
      warpReduceToLoops(op);
    SmallVector<sluice_gpu::ReportErrorOp> reports;
    module->walk([&](sluice_gpu::ReportErrorOp op) { reports.push_back(op); });
    for (auto op : reports)
      reportErrorToCpu(module, op);
    IRRewriter rw(&getContext());
    SmallVector<scf::ForallOp> threads, blocks;
    module->walk([&](scf::ForallOp f) {
      if (isThreadForall(f))
        threads.push_back(f);
      else if (isBlockForall(f))
        blocks.push_back(f);
    });
    for (auto f : threads)
      forallToLoops(rw, f, reverse, /*hoistAllocas=*/false);
    for (auto f : blocks)
      forallToLoops(rw, f, /*reverse=*/false, /*hoistAllocas=*/true);
    // Workgroup buffers become plain (stack) buffers.
    AttrTypeReplacer replacer;
    replacer.addReplacement([](MemRefType t) -> std::optional<Type> {
      auto s = dyn_cast_or_null<gpu::AddressSpaceAttr>(t.getMemorySpace());
      if (!s)
        return std::nullopt;
      return MemRefType::get(t.getShape(), t.getElementType(), t.getLayout());
    });
    replacer.recursivelyReplaceElementsIn(module, /*replaceAttrs=*/false,
                                          /*replaceLocs=*/false,
                                          /*replaceTypes=*/true);
  }
};
} // namespace

std::unique_ptr<Pass> cuda::createBlockProgramsToCpuPass(bool reverse) {
  return std::make_unique<BlockProgramsToCpuPass>(reverse);
}
