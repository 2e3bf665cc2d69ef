//===- CudaHost.cpp - host code of CUDA modules: device buffers, launches -===//
//
// The host side of `--target=cuda` (docs/cuda.md, "Host code"):
//
// sluice-cuda-host-prepare (memref level, after sluice-cuda-gpu-pipeline)
//   - rejects host code that reads or writes a device buffer: in the host
//     functions a buffer may only be allocated, freed, reshaped, passed to a
//     kernel or returned (the fake driver keeps device memory in host memory,
//     so such a bug would otherwise pass every test);
//   - turns memref.copy between contiguous buffers into sluice_rt_cuda_copy
//     (device to device), or sluice_rt_cuda_download / _upload when one side
//     is host scratch (a memref.alloca, e.g. route's result size);
//   - before every return of a public function, calls sluice_rt_cuda_finish,
//     which synchronizes and reports the first device error
//     (`sluice_device_error`, its site named by the module attribute
//     `sluice.device_error_sites`).
//
// sluice-cuda-host-to-runtime (LLVM level, after gpu-module-to-binary and
// gpu-to-llvm)
//   - embeds the kernels as one image (a fatbin with a cubin and PTX per chip
//     when ptxas and fatbinary are found, else the PTX of the oldest chip);
//   - replaces every gpu.launch_func (whose operands gpu-to-llvm expanded to
//     the kernel ABI's parameters) by a call of sluice_rt_cuda_launch with
//     one pointer per parameter, as cuLaunchKernel takes them;
//   - allocates buffers on the device: the host code's malloc / free
//     (memref.alloc / dealloc) become sluice_rt_cuda_alloc / _free;
//   - unloads the image when the module is unloaded (a global destructor).
//
// Launches are lowered to the runtime's own entry points, not to upstream's
// mgpu* wrappers: the module handle must be reachable after the launches to
// read the device-error global, loading is lazy (errors are reported through
// the call that needed the kernels, not at dlopen), and the runtime's driver
// layer (dlopen'ed libcuda, statuses, the fake driver) is reused as it is.
//
//===----------------------------------------------------------------------===//

#include "codegen/cuda/CudaPipeline.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/NVVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Pass/Pass.h"

#include "llvm/ADT/TypeSwitch.h"
#include "llvm/Support/raw_ostream.h"

using namespace mlir;

namespace {

constexpr const char *kSlot = "__sluice_cuda_module";
constexpr const char *kSites = "__sluice_cuda_error_sites";

/// Declares `name` as a private func.func of `type` unless present.
void declareFunc(ModuleOp module, StringRef name, FunctionType type) {
  if (module.lookupSymbol(name))
    return;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  auto fn = func::FuncOp::create(b, module.getLoc(), name, type);
  fn.setPrivate();
}

/// Declares `name` as an external llvm.func of `type` unless present.
LLVM::LLVMFuncOp declareLLVMFunc(ModuleOp module, StringRef name,
                                 LLVM::LLVMFunctionType type) {
  if (auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(name))
    return fn;
  OpBuilder b = OpBuilder::atBlockBegin(module.getBody());
  return LLVM::LLVMFuncOp::create(b, module.getLoc(), name, type);
}

/// A NUL-terminated string constant global named `name`.
LLVM::GlobalOp stringGlobal(OpBuilder &b, Location loc, StringRef name,
                            StringRef text) {
  std::string data = text.str();
  data.push_back('\0');
  auto type = LLVM::LLVMArrayType::get(IntegerType::get(b.getContext(), 8),
                                       data.size());
  return LLVM::GlobalOp::create(b, loc, type, /*isConstant=*/true,
                                LLVM::Linkage::Internal, name,
                                b.getStringAttr(data), /*alignment=*/8);
}

/// Whether `v` is host memory: rooted (through views) in a memref.alloca.
bool isHostBuffer(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (isa<memref::AllocaOp>(def))
      return true;
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      v = view.getViewSource();
      continue;
    }
    return false;
  }
  return false;
}

/// Ops of host code that may see a device buffer without touching its data.
bool mayTakeDeviceBuffer(Operation *op) {
  return isa<memref::AllocOp, memref::DeallocOp, memref::DimOp,
             memref::CollapseShapeOp, memref::ExpandShapeOp, memref::CastOp,
             memref::ReinterpretCastOp, memref::SubViewOp,
             memref::ExtractStridedMetadataOp,
             memref::ExtractAlignedPointerAsIndexOp, gpu::LaunchFuncOp,
             func::ReturnOp, func::CallOp, arith::SelectOp>(op);
}

struct CudaHostPreparePass
    : PassWrapper<CudaHostPreparePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CudaHostPreparePass)
  StringRef getArgument() const override { return "sluice-cuda-host-prepare"; }
  StringRef getDescription() const override {
    return "CUDA host code: reject host access to device buffers, copies "
           "as device-to-device copies, a device-error check before every "
           "return of a public function";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect, arith::ArithDialect,
                    memref::MemRefDialect, func::FuncDialect>();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    bool failed = false;

    SmallVector<func::FuncOp> hostFuncs;
    for (auto fn : module.getOps<func::FuncOp>())
      if (!fn.isDeclaration())
        hostFuncs.push_back(fn);

    // 0. Constants of host code (memref.get_global of a dense constant,
    // e.g. grouped_matmul's offsets written in the model) live in host
    // memory: every use gets a device copy, uploaded at the start of the
    // call and freed before each return. The fake driver keeps device memory
    // in host memory, so only a real GPU shows the difference
    // (test/CUDA/host-constants.mlir).
    SmallVector<memref::GetGlobalOp> globals;
    for (func::FuncOp fn : hostFuncs)
      fn.walk([&](memref::GetGlobalOp g) {
        if (g.getName() != "sluice_device_error")
          globals.push_back(g);
      });
    if (!globals.empty())
      declareFunc(module, "sluice_rt_cuda_upload",
                  FunctionType::get(ctx, {ptr, ptr, i64}, {}));
    for (memref::GetGlobalOp g : globals) {
      auto type = cast<MemRefType>(g.getType());
      auto fn = g->getParentOfType<func::FuncOp>();
      if (!type.hasStaticShape() || !type.getLayout().isIdentity()) {
        g.emitOpError() << "is a host constant of a non-contiguous or "
                           "dynamic type (not lowered for --target=cuda)";
        return signalPassFailure();
      }
      SmallVector<OpOperand *> uses;
      for (OpOperand &use : g->getUses())
        uses.push_back(&use);
      // get_global has no operands: hoist it so the copy dominates every use.
      g->moveBefore(&fn.getBody().front(), fn.getBody().front().begin());
      OpBuilder b(g->getContext());
      b.setInsertionPointAfter(g);
      Location loc = g.getLoc();
      Value dev = memref::AllocOp::create(b, loc, type);
      auto toPtr = [&](Value m) -> Value {
        Value idx = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, m);
        Value i = arith::IndexCastOp::create(b, loc, i64, idx);
        return LLVM::IntToPtrOp::create(b, loc, ptr, i);
      };
      Value dst = toPtr(dev), src = toPtr(g.getResult());
      int64_t bytes = type.getNumElements() *
                      std::max<int64_t>(1, type.getElementTypeBitWidth() / 8);
      Value n = arith::ConstantIntOp::create(b, loc, i64, bytes);
      func::CallOp::create(b, loc, "sluice_rt_cuda_upload", TypeRange{},
                           ValueRange{dst, src, n});
      for (OpOperand *use : uses)
        use->set(dev);
      // Freed before each return unless the call returns it (then the
      // caller owns it, as any returned buffer).
      bool returned = false;
      SmallVector<Value> worklist{dev};
      while (!worklist.empty()) {
        Value v = worklist.pop_back_val();
        for (Operation *user : v.getUsers()) {
          if (isa<func::ReturnOp>(user))
            returned = true;
          else if (auto view = dyn_cast<ViewLikeOpInterface>(user))
            worklist.push_back(view->getResult(0));
        }
      }
      if (!returned)
        fn.walk([&](func::ReturnOp ret) {
          OpBuilder rb(ret);
          memref::DeallocOp::create(rb, ret.getLoc(), dev);
        });
    }

    // 1. Host access to device buffers.
    for (func::FuncOp fn : hostFuncs) {
      fn.walk([&](Operation *op) {
        if (isa<memref::CopyOp>(op) || mayTakeDeviceBuffer(op))
          return;
        for (Value v : op->getOperands()) {
          if (!isa<BaseMemRefType>(v.getType()) || isHostBuffer(v))
            continue;
          op->emitOpError()
              << "accesses a device buffer in host code: with "
                 "--target=cuda, host code may only allocate, free, "
                 "reshape, copy or return buffers and pass them to kernels "
                 "(docs/cuda.md, \"Host code\")";
          failed = true;
          return;
        }
      });
    }
    if (failed)
      return signalPassFailure();

    // 2. Copies: device to device, contiguous buffers only.
    SmallVector<memref::CopyOp> copies;
    for (func::FuncOp fn : hostFuncs)
      fn.walk([&](memref::CopyOp c) { copies.push_back(c); });
    if (!copies.empty())
      for (StringRef f : {"sluice_rt_cuda_copy", "sluice_rt_cuda_upload",
                          "sluice_rt_cuda_download"})
        declareFunc(module, f, FunctionType::get(ctx, {ptr, ptr, i64}, {}));
    for (memref::CopyOp copy : copies) {
      // Host scratch (memref.alloca) on both sides: an ordinary copy.
      bool hostSrc = isHostBuffer(copy.getSource()),
           hostDst = isHostBuffer(copy.getTarget());
      if (hostSrc && hostDst)
        continue;
      auto srcTy = cast<MemRefType>(copy.getSource().getType());
      auto dstTy = cast<MemRefType>(copy.getTarget().getType());
      if (!srcTy.getLayout().isIdentity() || !dstTy.getLayout().isIdentity()) {
        copy.emitOpError() << "copies a strided device buffer in host code "
                              "(only contiguous copies are lowered for "
                              "--target=cuda)";
        return signalPassFailure();
      }
      OpBuilder b(copy);
      Location loc = copy.getLoc();
      Value bytes = arith::ConstantIndexOp::create(
          b, loc, srcTy.getElementTypeBitWidth() / 8);
      for (int64_t d = 0; d < srcTy.getRank(); ++d) {
        Value size = srcTy.isDynamicDim(d)
                         ? memref::DimOp::create(b, loc, copy.getSource(), d)
                               .getResult()
                         : arith::ConstantIndexOp::create(
                               b, loc, srcTy.getDimSize(d))
                               .getResult();
        bytes = arith::MulIOp::create(b, loc, bytes, size);
      }
      auto toPtr = [&](Value m) -> Value {
        Value idx = memref::ExtractAlignedPointerAsIndexOp::create(b, loc, m);
        Value i = arith::IndexCastOp::create(b, loc, i64, idx);
        return LLVM::IntToPtrOp::create(b, loc, ptr, i);
      };
      Value dst = toPtr(copy.getTarget()), src = toPtr(copy.getSource());
      Value n = arith::IndexCastOp::create(b, loc, i64, bytes);
      StringRef fn = hostDst   ? "sluice_rt_cuda_download"
                     : hostSrc ? "sluice_rt_cuda_upload"
                               : "sluice_rt_cuda_copy";
      func::CallOp::create(b, loc, fn, TypeRange{}, ValueRange{dst, src, n});
      copy.erase();
    }

    // 3. The module slot, the error-site table, a finish call per return.
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());
    Location loc = module.getLoc();
    if (!module.lookupSymbol(kSlot)) {
      auto slot = LLVM::GlobalOp::create(top, loc, ptr, /*isConstant=*/false,
                                         LLVM::Linkage::Internal, kSlot,
                                         Attribute(), /*alignment=*/8);
      Block *init = top.createBlock(&slot.getInitializerRegion());
      OpBuilder ib = OpBuilder::atBlockBegin(init);
      LLVM::ReturnOp::create(ib, loc,
                             LLVM::ZeroOp::create(ib, loc, ptr).getResult());
      top.setInsertionPointAfter(slot);
    }
    SmallVector<std::string> sites;
    if (auto attr = module->getAttrOfType<ArrayAttr>(
            "sluice.device_error_sites"))
      for (Attribute a : attr)
        if (auto s = dyn_cast<StringAttr>(a))
          sites.push_back(s.str());
    if (!sites.empty() && !module.lookupSymbol(kSites)) {
      SmallVector<LLVM::GlobalOp> texts;
      for (size_t i = 0; i < sites.size(); ++i)
        texts.push_back(stringGlobal(top, loc,
                                     (Twine(kSites) + "_" + Twine(i)).str(),
                                     sites[i]));
      auto arrTy = LLVM::LLVMArrayType::get(ptr, sites.size());
      auto table = LLVM::GlobalOp::create(top, loc, arrTy, /*isConstant=*/true,
                                          LLVM::Linkage::Internal, kSites,
                                          Attribute(), /*alignment=*/8);
      Block *init = top.createBlock(&table.getInitializerRegion());
      OpBuilder ib = OpBuilder::atBlockBegin(init);
      Value arr = LLVM::UndefOp::create(ib, loc, arrTy);
      for (size_t i = 0; i < texts.size(); ++i) {
        Value p = LLVM::AddressOfOp::create(ib, loc, texts[i]);
        arr = LLVM::InsertValueOp::create(ib, loc, arr, p, i);
      }
      LLVM::ReturnOp::create(ib, loc, arr);
    }
    declareFunc(module, "sluice_rt_cuda_finish",
                FunctionType::get(ctx, {ptr, ptr, i64}, {}));
    for (func::FuncOp fn : hostFuncs) {
      if (!fn.isPublic())
        continue;
      fn.walk([&](func::ReturnOp ret) {
        OpBuilder b(ret);
        Location l = ret.getLoc();
        Value slot = LLVM::AddressOfOp::create(b, l, ptr, kSlot);
        Value table =
            sites.empty()
                ? LLVM::ZeroOp::create(b, l, ptr).getResult()
                : LLVM::AddressOfOp::create(b, l, ptr, kSites).getResult();
        Value n = arith::ConstantIntOp::create(b, l, i64, sites.size());
        func::CallOp::create(b, l, "sluice_rt_cuda_finish", TypeRange{},
                             ValueRange{slot, table, n});
      });
    }
  }
};

struct CudaHostToRuntimePass
    : PassWrapper<CudaHostToRuntimePass, OperationPass<ModuleOp>> {
  MLIR_DEFINE_EXPLICIT_INTERNAL_INLINE_TYPE_ID(CudaHostToRuntimePass)
  CudaHostToRuntimePass() = default;
  CudaHostToRuntimePass(const CudaHostToRuntimePass &other)
      : PassWrapper(other) {}
  explicit CudaHostToRuntimePass(StringRef img) { image = img.str(); }
  StringRef getArgument() const override {
    return "sluice-cuda-host-to-runtime";
  }
  StringRef getDescription() const override {
    return "CUDA host code on the LLVM dialect: embed the kernels' image, "
           "gpu.launch_func -> sluice_rt_cuda_launch, malloc / free -> "
           "device allocations";
  }
  void getDependentDialects(DialectRegistry &registry) const override {
    registry.insert<LLVM::LLVMDialect>();
  }
  Option<std::string> image{
      *this, "image",
      llvm::cl::desc("Embedded image: auto (fatbin when ptxas and fatbinary "
                     "are found, else PTX), fatbin or ptx"),
      llvm::cl::init("auto")};

  void runOnOperation() override {
    ModuleOp module = getOperation();
    MLIRContext *ctx = &getContext();
    auto ptr = LLVM::LLVMPointerType::get(ctx);
    auto i64 = IntegerType::get(ctx, 64);
    auto i32 = IntegerType::get(ctx, 32);
    Location loc = module.getLoc();
    OpBuilder top = OpBuilder::atBlockBegin(module.getBody());

    // 1. The image.
    SmallVector<gpu::BinaryOp> binaries(module.getOps<gpu::BinaryOp>());
    if (binaries.size() > 1) {
      module.emitError("expected one gpu.binary (the kernels), got ")
          << binaries.size();
      return signalPassFailure();
    }
    LLVM::GlobalOp imageGlobal;
    int64_t imageSize = 0;
    if (!binaries.empty()) {
      std::vector<std::pair<std::string, std::string>> objects;
      for (Attribute a : binaries[0].getObjects()) {
        auto obj = cast<gpu::ObjectAttr>(a);
        auto target = dyn_cast<NVVM::NVVMTargetAttr>(obj.getTarget());
        if (!target || obj.getFormat() != gpu::CompilationTarget::Assembly) {
          binaries[0].emitError("expected PTX objects for NVVM targets "
                                "(gpu-module-to-binary{format=isa})");
          return signalPassFailure();
        }
        objects.emplace_back(target.getChip().str(),
                             obj.getObject().getValue().str());
      }
      llvm::sort(objects);
      std::string data, error;
      bool tools = !sluice::findCudaTool("ptxas").empty() &&
                   !sluice::findCudaTool("fatbinary").empty();
      std::string kind = image;
      if (kind == "auto")
        kind = tools ? "fatbin" : "ptx";
      if (kind == "fatbin") {
        if (!sluice::assembleCuda(objects, /*cubinOnly=*/false, data, error)) {
          module.emitError("cannot build the CUDA fatbin: ") << error;
          return signalPassFailure();
        }
      } else if (kind == "ptx") {
        data = objects.front().second; // the oldest chip: JIT-compiled on newer
        data.push_back('\0');
      } else {
        module.emitError("unknown image kind '") << kind << "'";
        return signalPassFailure();
      }
      std::string chips;
      for (auto &o : objects)
        chips += (chips.empty() ? "" : ",") + o.first;
      module->setAttr("sluice.cuda_image",
                      StringAttr::get(ctx, kind == "fatbin"
                                               ? "fatbin:" + chips
                                               : "ptx:" + objects.front().first));
      imageSize = data.size();
      auto type = LLVM::LLVMArrayType::get(IntegerType::get(ctx, 8),
                                           data.size());
      imageGlobal = LLVM::GlobalOp::create(
          top, loc, type, /*isConstant=*/true, LLVM::Linkage::Internal,
          "__sluice_cuda_image", StringAttr::get(ctx, data),
          /*alignment=*/16);
    }

    // 2. Launches.
    auto launchTy = LLVM::LLVMFunctionType::get(
        LLVM::LLVMVoidType::get(ctx),
        {ptr, ptr, i64, ptr, i64, i64, i64, i64, i64, i64, i32, ptr, i64});
    SmallVector<gpu::LaunchFuncOp> launches;
    module.walk([&](gpu::LaunchFuncOp l) { launches.push_back(l); });
    if (!launches.empty())
      declareLLVMFunc(module, "sluice_rt_cuda_launch", launchTy);
    llvm::StringMap<LLVM::GlobalOp> names;
    for (gpu::LaunchFuncOp launch : launches) {
      if (!imageGlobal) {
        launch.emitOpError("has no kernel image (gpu.binary)");
        return signalPassFailure();
      }
      if (launch.getAsyncToken() || !launch.getAsyncDependencies().empty() ||
          launch.hasClusterSize()) {
        launch.emitOpError("async and cluster launches are not supported");
        return signalPassFailure();
      }
      StringRef kernel = launch.getKernelName().getValue();
      LLVM::GlobalOp &name = names[kernel];
      if (!name) {
        OpBuilder nb = OpBuilder::atBlockBegin(module.getBody());
        name = stringGlobal(nb, loc, ("__sluice_cuda_kernel_" + kernel).str(),
                            kernel);
      }
      auto fn = launch->getParentOfType<LLVM::LLVMFuncOp>();
      OpBuilder entry = OpBuilder::atBlockBegin(&fn.getBody().front());
      Location l = launch.getLoc();
      SmallVector<Type> types;
      for (Value v : launch.getKernelOperands())
        types.push_back(v.getType());
      int64_t n = types.size();
      auto one = LLVM::ConstantOp::create(entry, l, i64, 1);
      Value params;
      Value values;
      auto structTy = LLVM::LLVMStructType::getLiteral(ctx, types);
      if (n > 0) {
        values = LLVM::AllocaOp::create(entry, l, ptr, structTy, one, 8);
        params = LLVM::AllocaOp::create(
            entry, l, ptr, ptr, LLVM::ConstantOp::create(entry, l, i64, n), 8);
      }
      OpBuilder b(launch);
      for (int64_t i = 0; i < n; ++i) {
        Value field = LLVM::GEPOp::create(
            b, l, ptr, structTy, values,
            ArrayRef<LLVM::GEPArg>{0, static_cast<int32_t>(i)});
        LLVM::StoreOp::create(b, l, launch.getKernelOperands()[i], field);
        Value slotPtr = LLVM::GEPOp::create(b, l, ptr, ptr, params,
                                            ArrayRef<LLVM::GEPArg>{
                                                static_cast<int32_t>(i)});
        LLVM::StoreOp::create(b, l, field, slotPtr);
      }
      if (n == 0)
        params = LLVM::ZeroOp::create(b, l, ptr);
      auto toI64 = [&](Value v) -> Value {
        if (v.getType() == i64)
          return v;
        return LLVM::SExtOp::create(b, l, i64, v);
      };
      Value smem = launch.getDynamicSharedMemorySize();
      if (!smem)
        smem = LLVM::ConstantOp::create(b, l, i32, 0);
      SmallVector<Value> args{
          LLVM::AddressOfOp::create(b, l, ptr, kSlot),
          LLVM::AddressOfOp::create(b, l, imageGlobal),
          LLVM::ConstantOp::create(b, l, i64, imageSize),
          LLVM::AddressOfOp::create(b, l, name),
          toI64(launch.getGridSizeX()),
          toI64(launch.getGridSizeY()),
          toI64(launch.getGridSizeZ()),
          toI64(launch.getBlockSizeX()),
          toI64(launch.getBlockSizeY()),
          toI64(launch.getBlockSizeZ()),
          smem,
          params,
          LLVM::ConstantOp::create(b, l, i64, n)};
      LLVM::CallOp::create(b, l, TypeRange{},
                           SymbolRefAttr::get(ctx, "sluice_rt_cuda_launch"),
                           args);
      launch.erase();
    }
    for (gpu::BinaryOp bin : binaries)
      bin.erase();
    module->removeAttr(gpu::GPUDialect::getContainerModuleAttrName());

    // 3. Device allocations: every malloc / free of host code is a buffer's.
    auto rename = [&](StringRef from, StringRef to) -> LogicalResult {
      auto fn = module.lookupSymbol<LLVM::LLVMFuncOp>(from);
      if (!fn)
        return success();
      if (module.lookupSymbol(to)) {
        module.emitError("both ") << from << " and " << to << " are declared";
        return failure();
      }
      if (failed(SymbolTable::replaceAllSymbolUses(
              fn, StringAttr::get(ctx, to), module)))
        return failure();
      SymbolTable::setSymbolName(fn, to);
      return success();
    };
    if (module.lookupSymbol("aligned_alloc")) {
      module.emitError("host code uses aligned_alloc; expected malloc");
      return signalPassFailure();
    }
    if (failed(rename("malloc", "sluice_rt_cuda_alloc")) ||
        failed(rename("free", "sluice_rt_cuda_free")))
      return signalPassFailure();

    // 4. Unload the image with the module.
    if (imageGlobal) {
      auto voidFnTy =
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {ptr});
      declareLLVMFunc(module, "sluice_rt_cuda_unload", voidFnTy);
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      auto dtor = LLVM::LLVMFuncOp::create(
          b, loc, "__sluice_cuda_unload_image",
          LLVM::LLVMFunctionType::get(LLVM::LLVMVoidType::get(ctx), {}));
      dtor.setLinkage(LLVM::Linkage::Internal);
      OpBuilder db = OpBuilder::atBlockBegin(dtor.addEntryBlock(b));
      LLVM::CallOp::create(
          db, loc, TypeRange{}, SymbolRefAttr::get(ctx, "sluice_rt_cuda_unload"),
          ValueRange{LLVM::AddressOfOp::create(db, loc, ptr, kSlot)});
      LLVM::ReturnOp::create(db, loc, ValueRange{});
      b.setInsertionPointToEnd(module.getBody());
      LLVM::GlobalDtorsOp::create(
          b, loc, b.getArrayAttr({FlatSymbolRefAttr::get(dtor)}),
          b.getI32ArrayAttr({65535}), b.getArrayAttr({LLVM::ZeroAttr::get(ctx)}));
    }
  }
};

} // namespace

std::unique_ptr<Pass> mlir::sluice::createCudaHostPreparePass() {
  return std::make_unique<CudaHostPreparePass>();
}

std::unique_ptr<Pass> mlir::sluice::createCudaHostToRuntimePass(StringRef img) {
  return std::make_unique<CudaHostToRuntimePass>(img);
}
