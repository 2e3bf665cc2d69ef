//===- FakeKernels.cpp - the generated GPU kernels built for the host -----===//
//
// `sluice-cuda-fake-kernels` and `sluice-cuda-fake-kernel-wrappers`: the
// outlined kernels of sluice-cuda-gpu-pipeline lowered for the host so the
// fake CUDA driver can run them block by block, every thread a fiber
// (FakeKernels.h, docs/cuda-runtime.md).
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/FakeKernels.h"

#include "codegen/cuda/CudaPipeline.h"
#include "codegen/cpu/LlvmConversion.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/PassRegistry.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::cuda;

namespace {

/// The number of kernel parameters an argument of type `t` becomes in the
/// default (non-bare-pointer) calling convention; 0 if unsupported.
int64_t expandedParams(Type t) {
  if (auto m = dyn_cast<MemRefType>(t))
    return 3 + 2 * m.getRank();
  if (isa<IndexType, IntegerType, FloatType>(t))
    return 1;
  return 0;
}

/// `t` without a #gpu.address_space memory space.
Type stripAddressSpace(Type t) {
  auto m = dyn_cast<MemRefType>(t);
  if (!m || !m.getMemorySpace())
    return t;
  return MemRefType::get(m.getShape(), m.getElementType(), m.getLayout());
}

/// Loads the context's uint32_t at byte `offset` as an index.
Value loadCtxIndex(OpBuilder &b, Location loc, Value ctx, int64_t offset) {
  auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
  Value addr = LLVM::GEPOp::create(b, loc, ptrTy, b.getI8Type(), ctx,
                                   ArrayRef<LLVM::GEPArg>{int32_t(offset)});
  Value v = LLVM::LoadOp::create(b, loc, b.getI32Type(), addr);
  return arith::IndexCastUIOp::create(b, loc, b.getIndexType(), v);
}

/// Loads the context's function pointer at `offset` and calls it with
/// (ctx, args...).
Value callCtx(OpBuilder &b, Location loc, Value ctx, int64_t offset,
              Type result, ArrayRef<Value> args) {
  auto ptrTy = LLVM::LLVMPointerType::get(b.getContext());
  Value addr = LLVM::GEPOp::create(b, loc, ptrTy, b.getI8Type(), ctx,
                                   ArrayRef<LLVM::GEPArg>{int32_t(offset)});
  Value fn = LLVM::LoadOp::create(b, loc, ptrTy, addr);
  SmallVector<Type> argTys{ptrTy};
  SmallVector<Value> operands{fn, ctx};
  for (Value a : args) {
    argTys.push_back(a.getType());
    operands.push_back(a);
  }
  auto fnTy = LLVM::LLVMFunctionType::get(result, argTys);
  auto call = LLVM::CallOp::create(b, loc, fnTy, operands);
  return isa<LLVM::LLVMVoidType>(result) ? Value() : call.getResult();
}

Value i32(OpBuilder &b, Location loc, int64_t v) {
  return arith::ConstantIntOp::create(b, loc, v, 32);
}

/// Rewrites the GPU ops of `body` (now a func.func body whose last argument
/// is the context) into context loads and calls.
LogicalResult lowerGpuOps(func::FuncOp f, Value ctx) {
  OpBuilder b(f.getContext());
  int32_t site = 0;
  SmallVector<Operation *> gpuOps;
  f.walk([&](Operation *op) {
    if (isa<gpu::GPUDialect>(op->getDialect()))
      gpuOps.push_back(op);
  });
  for (Operation *op : gpuOps) {
    Location loc = op->getLoc();
    b.setInsertionPoint(op);
    auto idOf = [&](gpu::Dimension d, int64_t base) {
      op->getResult(0).replaceAllUsesWith(
          loadCtxIndex(b, loc, ctx, base + 4 * int64_t(d)));
      op->erase();
    };
    if (auto o = dyn_cast<gpu::ThreadIdOp>(op)) {
      idOf(o.getDimension(), kFakeCtxThreadIdx);
    } else if (auto o = dyn_cast<gpu::BlockIdOp>(op)) {
      idOf(o.getDimension(), kFakeCtxBlockIdx);
    } else if (auto o = dyn_cast<gpu::BlockDimOp>(op)) {
      idOf(o.getDimension(), kFakeCtxBlock);
    } else if (auto o = dyn_cast<gpu::GridDimOp>(op)) {
      idOf(o.getDimension(), kFakeCtxGrid);
    } else if (isa<gpu::BarrierOp>(op)) {
      callCtx(b, loc, ctx, kFakeCtxBarrier,
              LLVM::LLVMVoidType::get(b.getContext()), {i32(b, loc, site++)});
      op->erase();
    } else if (auto o = dyn_cast<gpu::ShuffleOp>(op)) {
      Type t = o.getValue().getType();
      if (!t.isInteger(32) && !t.isF32())
        return o.emitError("fake kernels: gpu.shuffle of ") << t
               << " (expected i32 or f32)";
      Value v = o.getValue();
      if (t.isF32())
        v = arith::BitcastOp::create(b, loc, b.getI32Type(), v);
      Value r = callCtx(b, loc, ctx, kFakeCtxShuffle, b.getI64Type(),
                        {i32(b, loc, site++),
                         i32(b, loc, int64_t(o.getMode())), v, o.getOffset(),
                         o.getWidth()});
      Value lo = arith::TruncIOp::create(b, loc, b.getI32Type(), r);
      if (t.isF32())
        lo = arith::BitcastOp::create(b, loc, b.getF32Type(), lo);
      Value hi = arith::ShRUIOp::create(
          b, loc, r, arith::ConstantIntOp::create(b, loc, 32, 64));
      Value valid = arith::TruncIOp::create(b, loc, b.getI1Type(), hi);
      o.getShuffleResult().replaceAllUsesWith(lo);
      o.getValid().replaceAllUsesWith(valid);
      o.erase();
    } else if (auto o = dyn_cast<gpu::ReturnOp>(op)) {
      func::ReturnOp::create(b, loc, o.getOperands());
      o.erase();
    } else {
      return op->emitError("fake kernels: ")
             << op->getName() << " is not supported on the fake driver";
    }
  }
  // Workgroup buffers are plain host memory now.
  f.walk([&](Operation *op) {
    for (Value r : op->getResults())
      r.setType(stripAddressSpace(r.getType()));
    for (Region &region : op->getRegions())
      for (Block &block : region)
        for (BlockArgument a : block.getArguments())
          a.setType(stripAddressSpace(a.getType()));
  });
  return success();
}

struct FakeKernelsPass
    : PassWrapper<FakeKernelsPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FakeKernelsPass)
  StringRef getArgument() const override { return "sluice-cuda-fake-kernels"; }
  StringRef getDescription() const override {
    return "Replace the module by its gpu.module's kernels as host functions "
           "over (arguments, workgroup buffers, fake-driver context)";
  }
  void getDependentDialects(DialectRegistry &r) const override {
    r.insert<arith::ArithDialect, func::FuncDialect, LLVM::LLVMDialect,
             memref::MemRefDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    gpu::GPUModuleOp kernels;
    for (auto gm : module.getOps<gpu::GPUModuleOp>()) {
      if (kernels) {
        gm.emitError("fake kernels: expected one gpu.module");
        return signalPassFailure();
      }
      kernels = gm;
    }
    if (!kernels) {
      // gpu-kernel-outlining creates no gpu.module when nothing launches
      // (e.g. a function of copies, or k = 0): the kernel set is empty. A
      // module that still holds device work was not outlined yet.
      Operation *pending = nullptr;
      module.walk([&](Operation *op) {
        StringRef ns = op->getName().getDialectNamespace();
        if (ns == "sluice" || ns == "sluice_gpu" || ns == "gpu" ||
            ns == "linalg" || isa<scf::ForallOp>(op)) {
          pending = op;
          return WalkResult::interrupt();
        }
        return WalkResult::advance();
      });
      if (pending) {
        module.emitError("fake kernels: the module has no gpu.module (run "
                         "sluice-cuda-gpu-pipeline first)");
        return signalPassFailure();
      }
    }
    // Drop the host side; keep the kernels' own module-level ops.
    for (Operation &op : llvm::make_early_inc_range(module.getOps()))
      if (!kernels || &op != kernels.getOperation())
        op.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());
    if (!kernels)
      return; // An empty kernel set: a shared object without kernels.
    OpBuilder b(module.getBodyRegion());
    b.setInsertionPointToEnd(module.getBody());
    auto ptrTy = LLVM::LLVMPointerType::get(&getContext());
    for (Operation &op : llvm::make_early_inc_range(kernels.getOps())) {
      auto k = dyn_cast<gpu::GPUFuncOp>(op);
      if (!k) {
        op.moveBefore(module.getBody(), module.getBody()->end());
        continue;
      }
      if (!k.isKernel() || k.getNumPrivateAttributions() != 0) {
        k.emitError("fake kernels: only kernels without private "
                    "attributions are supported");
        return signalPassFailure();
      }
      int64_t params = 0;
      for (Type t : k.getArgumentTypes()) {
        int64_t n = expandedParams(t);
        if (n == 0) {
          k.emitError("fake kernels: unsupported kernel argument type ") << t;
          return signalPassFailure();
        }
        params += n;
      }
      SmallVector<Type> types(k.getArgumentTypes());
      SmallVector<Attribute> shared;
      for (BlockArgument a : k.getWorkgroupAttributions()) {
        auto m = cast<MemRefType>(stripAddressSpace(a.getType()));
        if (!m.hasStaticShape() || !m.getLayout().isIdentity()) {
          k.emitError("fake kernels: workgroup buffer ")
              << a.getType() << " is not static with the identity layout";
          return signalPassFailure();
        }
        types.push_back(m);
        shared.push_back(TypeAttr::get(m));
      }
      types.push_back(ptrTy);
      auto f = func::FuncOp::create(
          b, k.getLoc(), (k.getName() + "__sluice_fake_body").str(),
          b.getFunctionType(types, {}));
      f.setPrivate();
      f.getBody().takeBody(k.getBody());
      Value ctx = f.getBody().front().addArgument(ptrTy, k.getLoc());
      f->setAttr("sluice.fake_kernel", b.getStringAttr(k.getName()));
      f->setAttr("sluice.fake_params", b.getI64IntegerAttr(params));
      f->setAttr("sluice.fake_shared", b.getArrayAttr(shared));
      SmallVector<int32_t, 3> block{0, 0, 0};
      if (auto known = k.getKnownBlockSizeAttr())
        block.assign(known.asArrayRef().begin(), known.asArrayRef().end());
      f->setAttr("sluice.fake_block", b.getDenseI32ArrayAttr(block));
      if (failed(lowerGpuOps(f, ctx)))
        return signalPassFailure();
    }
    kernels.erase();
  }
};

/// Bytes of a kernel parameter of LLVM type `t` (0: unsupported).
int64_t paramBytes(Type t) {
  if (isa<LLVM::LLVMPointerType>(t))
    return 8;
  if (auto i = dyn_cast<IntegerType>(t))
    return (i.getWidth() + 7) / 8;
  if (auto f = dyn_cast<FloatType>(t))
    return f.getWidth() / 8;
  return 0;
}

struct FakeKernelWrappersPass
    : PassWrapper<FakeKernelWrappersPass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(FakeKernelWrappersPass)
  StringRef getArgument() const override {
    return "sluice-cuda-fake-kernel-wrappers";
  }
  StringRef getDescription() const override {
    return "Export sluice_fake_kernel_K(void **kernelParams, ctx *) and "
           "sluice_fake_sig_K for every fake kernel body (LLVM dialect)";
  }
  void getDependentDialects(DialectRegistry &r) const override {
    r.insert<LLVM::LLVMDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<LLVM::LLVMFuncOp> bodies;
    module.walk([&](LLVM::LLVMFuncOp f) {
      if (f->hasAttr("sluice.fake_kernel"))
        bodies.push_back(f);
    });
    for (LLVM::LLVMFuncOp body : bodies)
      if (failed(wrap(module, body)))
        return signalPassFailure();
  }

  LogicalResult wrap(ModuleOp module, LLVM::LLVMFuncOp body) {
    MLIRContext *ctx = &getContext();
    Location loc = body.getLoc();
    auto name = body->getAttrOfType<StringAttr>("sluice.fake_kernel");
    auto numParams = body->getAttrOfType<IntegerAttr>("sluice.fake_params");
    auto shared = body->getAttrOfType<ArrayAttr>("sluice.fake_shared");
    auto block = body->getAttrOfType<DenseI32ArrayAttr>("sluice.fake_block");
    if (!name || !numParams || !shared || !block)
      return body.emitError("fake kernels: incomplete sluice.fake_* "
                            "attributes");
    ArrayRef<Type> bodyTys = body.getFunctionType().getParams();
    int64_t k = numParams.getInt();
    int64_t expected = k + 1;
    for (Attribute a : shared)
      expected += 3 + 2 * cast<MemRefType>(cast<TypeAttr>(a).getValue())
                              .getRank();
    if (int64_t(bodyTys.size()) != expected)
      return body.emitError("fake kernels: the lowered body has ")
             << bodyTys.size() << " parameters, expected " << expected;

    OpBuilder b(ctx);
    b.setInsertionPointToEnd(module.getBody());
    auto ptrTy = LLVM::LLVMPointerType::get(ctx);
    auto i64 = b.getI64Type();
    // The signature: {1, #params, #shared, block x, y, z, param bytes...,
    // shared bytes...}.
    SmallVector<int64_t> sig{1, k, int64_t(shared.size())};
    for (int32_t d : block.asArrayRef())
      sig.push_back(d);
    for (int64_t i = 0; i < k; ++i) {
      int64_t n = paramBytes(bodyTys[i]);
      if (n == 0)
        return body.emitError("fake kernels: unsupported parameter type ")
               << bodyTys[i];
      sig.push_back(n);
    }
    for (Attribute a : shared) {
      auto m = cast<MemRefType>(cast<TypeAttr>(a).getValue());
      sig.push_back(m.getNumElements() *
                    ((m.getElementTypeBitWidth() + 7) / 8));
    }
    auto arrTy = LLVM::LLVMArrayType::get(i64, sig.size());
    auto value = DenseElementsAttr::get(
        RankedTensorType::get({int64_t(sig.size())}, i64),
        ArrayRef<int64_t>(sig));
    LLVM::GlobalOp::create(b, loc, arrTy, /*isConstant=*/true,
                           LLVM::Linkage::External,
                           ("sluice_fake_sig_" + name.getValue()).str(), value);

    auto wrapperTy = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx), {ptrTy, ptrTy});
    auto wrapper = LLVM::LLVMFuncOp::create(
        b, loc, ("sluice_fake_kernel_" + name.getValue()).str(), wrapperTy);
    Block *entry = wrapper.addEntryBlock(b);
    b.setInsertionPointToStart(entry);
    Value params = entry->getArgument(0), fctx = entry->getArgument(1);
    SmallVector<Value> args;
    for (int64_t i = 0; i < k; ++i) {
      Value slotAddr = LLVM::GEPOp::create(b, loc, ptrTy, ptrTy, params,
                                           ArrayRef<LLVM::GEPArg>{int32_t(i)});
      Value slot = LLVM::LoadOp::create(b, loc, ptrTy, slotAddr);
      args.push_back(LLVM::LoadOp::create(b, loc, bodyTys[i], slot));
    }
    Value sharedAddr =
        LLVM::GEPOp::create(b, loc, ptrTy, b.getI8Type(), fctx,
                            ArrayRef<LLVM::GEPArg>{int32_t(kFakeCtxShared)});
    Value sharedArr = LLVM::LoadOp::create(b, loc, ptrTy, sharedAddr);
    auto c64 = [&](int64_t v) {
      return LLVM::ConstantOp::create(b, loc, i64, b.getI64IntegerAttr(v));
    };
    for (auto [j, a] : llvm::enumerate(shared)) {
      auto m = cast<MemRefType>(cast<TypeAttr>(a).getValue());
      Value at = LLVM::GEPOp::create(b, loc, ptrTy, ptrTy, sharedArr,
                                     ArrayRef<LLVM::GEPArg>{int32_t(j)});
      Value p = LLVM::LoadOp::create(b, loc, ptrTy, at);
      args.append({p, p, c64(0)});
      for (int64_t d : m.getShape())
        args.push_back(c64(d));
      int64_t stride = 1;
      SmallVector<Value> strides(m.getRank());
      for (int64_t d = m.getRank() - 1; d >= 0; --d) {
        strides[d] = c64(stride);
        stride *= m.getDimSize(d);
      }
      args.append(strides.begin(), strides.end());
    }
    args.push_back(fctx);
    LLVM::CallOp::create(b, loc, body, args);
    LLVM::ReturnOp::create(b, loc, ValueRange());
    return success();
  }
};

} // namespace

std::unique_ptr<Pass> cuda::createFakeKernelsPass() {
  return std::make_unique<FakeKernelsPass>();
}

std::unique_ptr<Pass> cuda::createFakeKernelWrappersPass() {
  return std::make_unique<FakeKernelWrappersPass>();
}

LogicalResult cuda::buildCudaFakeKernelsPipeline(OpPassManager &pm,
                                                bool outlined) {
  if (!outlined && failed(buildCudaGpuPipeline(pm)))
    return failure();
  pm.addPass(createFakeKernelsPass());
  if (failed(addLlvmConversionPasses(pm)))
    return failure();
  pm.addPass(createFakeKernelWrappersPass());
  return parsePassPipeline("canonicalize,cse", pm);
}

void cuda::registerFakeKernelsPasses() {
  PassRegistration<Pass>([] { return createFakeKernelsPass(); });
  PassRegistration<Pass>([] { return createFakeKernelWrappersPass(); });
  PassPipelineRegistration<>(
      "sluice-cuda-fake-kernels-pipeline",
      "sluice-cuda-gpu-pipeline, then the outlined kernels as host functions "
      "the fake CUDA driver runs (sluicec --target=cuda --emit=fake-kernels)",
      [](OpPassManager &pm) {
        (void)buildCudaFakeKernelsPipeline(pm, /*outlined=*/false);
      });
}
