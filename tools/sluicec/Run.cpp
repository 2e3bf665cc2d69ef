//===- Run.cpp - sluicec run: compile if needed, bind, run, check ---------===//

#include "Run.h"
#include "Compile.h"
#include "ModelSignature.h"
#include "RefInterpreter.h"

#include "sluice/runtime.h"
#include "sluice/ukernels.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/SHA256.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <chrono>
#include <cmath>
#include <random>

using namespace mlir;
using llvm::errs;
using llvm::outs;

namespace {

/// Bumped whenever the generated code changes meaning: part of the cache key.
constexpr const char *kCodegenVersion = "sluice-cpu-1";

int fail(const std::string &msg) {
  errs() << "sluicec: error: " << msg << "\n";
  return 1;
}

std::string rtError() { return sluice_last_error(); }

/// The folder compiled modules are cached in.
std::string cacheDir() {
  if (auto d = llvm::sys::Process::GetEnv("SLUICE_CACHE_DIR"))
    return *d;
  llvm::SmallString<256> p;
  if (auto x = llvm::sys::Process::GetEnv("XDG_CACHE_HOME")) {
    p = *x;
  } else if (auto h = llvm::sys::Process::GetEnv("HOME")) {
    p = *h;
    llvm::sys::path::append(p, ".cache");
  } else {
    p = "/tmp";
  }
  llvm::sys::path::append(p, "sluice");
  return p.str().str();
}

sluice_dtype_t dtypeFromName(const std::string &n) {
  if (n == "f32")
    return SLUICE_DTYPE_F32;
  if (n == "i32")
    return SLUICE_DTYPE_I32;
  if (n == "i64")
    return SLUICE_DTYPE_I64;
  if (n == "i8")
    return SLUICE_DTYPE_I8;
  return SLUICE_DTYPE_I1;
}

/// Splits NAME=VALUE.
bool splitAssign(const std::string &s, std::string &name, std::string &value) {
  size_t eq = s.find('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == s.size())
    return false;
  name = s.substr(0, eq);
  value = s.substr(eq + 1);
  return true;
}

/// Seeded random contents for a tensor (inputs and weights).
void fillRandom(sluice_tensor_t *t, uint64_t seed, const sluicec::TensorSig &sig) {
  std::mt19937_64 rng(seed);
  int64_t n = sluice_tensor_num_elements(t);
  void *data = sluice_tensor_data(t);
  int64_t lo = 0, hi = 2;
  if (sig.range) {
    lo = sig.range->first;
    hi = std::max(sig.range->second, lo + 1);
  }
  std::uniform_int_distribution<int64_t> ints(lo, hi - 1);
  switch (sluice_tensor_dtype(t)) {
  case SLUICE_DTYPE_F32: {
    // Weights of rank >= 2 are scaled by 1/sqrt(fan-in) (the second-to-last
    // dim) so that deep blocks keep activations of order 1.
    float scale = 1.0f;
    int64_t rank = sluice_tensor_rank(t);
    if (sig.weight && rank >= 2 && sluice_tensor_dim(t, rank - 2) > 0)
      scale = 1.0f / std::sqrt((float)sluice_tensor_dim(t, rank - 2));
    std::uniform_real_distribution<float> u(-scale, scale);
    for (int64_t i = 0; i < n; ++i)
      static_cast<float *>(data)[i] = u(rng);
    break;
  }
  case SLUICE_DTYPE_I32:
    for (int64_t i = 0; i < n; ++i)
      static_cast<int32_t *>(data)[i] = (int32_t)ints(rng);
    break;
  case SLUICE_DTYPE_I64:
    for (int64_t i = 0; i < n; ++i)
      static_cast<int64_t *>(data)[i] = ints(rng);
    break;
  case SLUICE_DTYPE_I8:
    for (int64_t i = 0; i < n; ++i)
      static_cast<int8_t *>(data)[i] = (int8_t)ints(rng);
    break;
  default: { // i1: masks mostly valid
    std::bernoulli_distribution b(0.75);
    for (int64_t i = 0; i < n; ++i)
      static_cast<uint8_t *>(data)[i] = sig.range ? (uint8_t)(ints(rng) != 0)
                                                  : (uint8_t)b(rng);
  }
  }
}

::sluice::ref::Tensor toRef(sluice_tensor_t *t) {
  ::sluice::ref::Tensor r;
  int64_t rank = sluice_tensor_rank(t);
  const int64_t *shape = sluice_tensor_shape(t);
  r.shape.assign(shape, shape + rank);
  int64_t n = sluice_tensor_num_elements(t);
  void *d = sluice_tensor_data(t);
  switch (sluice_tensor_dtype(t)) {
  case SLUICE_DTYPE_F32:
    r.dtype = ::sluice::ref::DType::f32;
    r.f.assign(static_cast<float *>(d), static_cast<float *>(d) + n);
    return r;
  case SLUICE_DTYPE_I1:
    r.dtype = ::sluice::ref::DType::i1;
    for (int64_t i = 0; i < n; ++i)
      r.i.push_back(static_cast<uint8_t *>(d)[i] != 0);
    return r;
  case SLUICE_DTYPE_I64:
    r.dtype = ::sluice::ref::DType::i32;
    for (int64_t i = 0; i < n; ++i)
      r.i.push_back((int32_t) static_cast<int64_t *>(d)[i]);
    return r;
  case SLUICE_DTYPE_I8:
    r.dtype = ::sluice::ref::DType::i32;
    for (int64_t i = 0; i < n; ++i)
      r.i.push_back(static_cast<int8_t *>(d)[i]);
    return r;
  default:
    r.dtype = ::sluice::ref::DType::i32;
    r.i.assign(static_cast<int32_t *>(d), static_cast<int32_t *>(d) + n);
    return r;
  }
}

std::string shapeStr(sluice_tensor_t *t) {
  std::string s = std::string(sluice_dtype_name(sluice_tensor_dtype(t))) + "[";
  for (int64_t i = 0; i < sluice_tensor_rank(t); ++i)
    s += (i ? ", " : "") + std::to_string(sluice_tensor_dim(t, i));
  return s + "]";
}

/// One-line summary of an output's values.
std::string summary(sluice_tensor_t *t) {
  int64_t n = sluice_tensor_num_elements(t);
  if (n == 0)
    return "(empty)";
  std::string out;
  llvm::raw_string_ostream os(out);
  void *d = sluice_tensor_data(t);
  double mn = INFINITY, mx = -INFINITY, sum = 0;
  int64_t nans = 0;
  for (int64_t i = 0; i < n; ++i) {
    double v;
    switch (sluice_tensor_dtype(t)) {
    case SLUICE_DTYPE_F32:
      v = static_cast<float *>(d)[i];
      break;
    case SLUICE_DTYPE_I32:
      v = static_cast<int32_t *>(d)[i];
      break;
    case SLUICE_DTYPE_I64:
      v = (double)static_cast<int64_t *>(d)[i];
      break;
    case SLUICE_DTYPE_I8:
      v = static_cast<int8_t *>(d)[i];
      break;
    default:
      v = static_cast<uint8_t *>(d)[i];
    }
    if (std::isnan(v)) {
      ++nans;
      continue;
    }
    mn = std::min(mn, v);
    mx = std::max(mx, v);
    sum += v;
  }
  os << "min " << llvm::format("%.6g", mn) << ", max "
     << llvm::format("%.6g", mx) << ", mean "
     << llvm::format("%.6g", sum / std::max<int64_t>(1, n - nans));
  if (nans)
    os << ", " << nans << " NaN";
  return out;
}

/// Compares a compiled output with the reference; prints one line.
bool compare(const std::string &name, sluice_tensor_t *got,
             const ::sluice::ref::Tensor &want, double tol) {
  ::sluice::ref::Tensor g = toRef(got);
  if (g.shape != want.shape) {
    outs() << "check " << name << ": FAILED: shape " << shapeStr(got)
           << " but the reference has " << ::sluice::ref::describe(want) << "\n";
    return false;
  }
  if (want.dtype != ::sluice::ref::DType::f32) {
    int64_t bad = 0, first = -1;
    for (int64_t i = 0; i < (int64_t)want.i.size(); ++i)
      if (g.i[i] != want.i[i]) {
        if (first < 0)
          first = i;
        ++bad;
      }
    if (bad) {
      outs() << "check " << name << ": FAILED: " << bad << " of "
             << want.i.size() << " integers differ (first at flat index "
             << first << ": " << g.i[first] << " vs " << want.i[first] << ")\n";
      return false;
    }
    outs() << "check " << name << ": ok (" << want.i.size()
           << " integers equal)\n";
    return true;
  }
  double maxAbs = 0, maxRef = 0;
  int64_t nanMismatch = 0;
  for (size_t i = 0; i < want.f.size(); ++i) {
    double a = g.f[i], b = want.f[i];
    if (std::isnan(a) || std::isnan(b)) {
      nanMismatch += std::isnan(a) != std::isnan(b);
      continue;
    }
    if (std::isinf(a) || std::isinf(b)) {
      if (a != b)
        maxAbs = INFINITY;
      continue;
    }
    maxAbs = std::max(maxAbs, std::fabs(a - b));
    maxRef = std::max(maxRef, std::fabs(b));
  }
  double rel = maxRef > 0 ? maxAbs / maxRef : maxAbs;
  bool ok = nanMismatch == 0 && rel <= tol;
  outs() << "check " << name << ": " << (ok ? "ok" : "FAILED")
         << ": max abs diff " << llvm::format("%.3g", maxAbs)
         << ", max rel diff " << llvm::format("%.3g", rel) << " (tolerance "
         << llvm::format("%.3g", tol) << ")";
  if (nanMismatch)
    outs() << ", " << nanMismatch << " NaN mismatches";
  outs() << "\n";
  return ok;
}

} // namespace

int sluicec::runModel(MLIRContext &ctx, llvm::SourceMgr &sourceMgr,
                     const RunOptions &opts) {
  bool cuda = opts.target == RunTarget::Cuda;
  std::string deviceLine;
  if (cuda && !checkCudaDevice(deviceLine))
    return 1;
  auto module = loadModel(ctx, opts.model, sourceMgr, opts.params);
  if (!module)
    return 1;
  std::optional<ModelSig> sig = extractSignature(*module);
  if (!sig)
    return 1;
  const FunctionSig *fsig = &sig->functions.front();
  if (!opts.function.empty()) {
    fsig = nullptr;
    std::string names;
    for (const FunctionSig &f : sig->functions) {
      names += (names.empty() ? "" : ", ") + f.name;
      if (f.name == opts.function)
        fsig = &f;
    }
    if (!fsig)
      return fail("no function '" + opts.function + "' in " + opts.model +
                  " (functions: " + names + ")");
  }
  OwningOpRef<ModuleOp> refModule;
  if (opts.check)
    refModule = module->clone();
  if (cuda) {
    // Only the function that runs is compiled for the device: the others
    // may use ops without a CUDA schedule.
    for (auto fn : llvm::make_early_inc_range(module->getOps<func::FuncOp>()))
      if (fn.isPublic() && fn.getName() != fsig->name)
        fn.erase();
  }

  // Compile into the cache unless an identical module is there.
  std::string text;
  {
    llvm::raw_string_ostream os(text);
    // With locations: run-time error messages embed file:line:col, so two
    // models that differ only in where they come from are different modules.
    module->print(os, mlir::OpPrintingFlags().enableDebugInfo());
  }
  // The key covers the model (locations included), the compiler build (its executable's size and
  // time) and the host CPU, so a rebuilt sluicec never reuses stale code.
  std::string key = text + kCodegenVersion + llvm::sys::getHostCPUName().str();
  key += "cuda-emulate=" + std::to_string(cudaOptions().emulate);
  if (cuda) {
    key += "target=cuda";
    for (const std::string &a : cudaOptions().archs)
      key += a + ",";
  }
  {
    std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
    llvm::sys::fs::file_status st;
    if (!llvm::sys::fs::status(exe, st))
      key += exe + std::to_string(st.getSize()) +
             std::to_string(st.getLastModificationTime().time_since_epoch().count());
  }
  for (auto &f : llvm::sys::getHostCPUFeatures())
    key += f.getKey().str() + (f.second ? "+" : "-");
  auto digest = llvm::SHA256::hash(
      llvm::ArrayRef<uint8_t>((const uint8_t *)key.data(), key.size()));
  std::string hex;
  for (int i = 0; i < 12; ++i)
    {
      char buf[3];
      snprintf(buf, sizeof buf, "%02x", digest[i]);
      hex += buf;
    }
  std::string dir = cacheDir();
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return fail("cannot create the module cache '" + dir + "': " + ec.message());
  llvm::SmallString<256> soPath(dir);
  llvm::sys::path::append(soPath, hex + ".so");
  if (!llvm::sys::fs::exists(soPath)) {
    auto t0 = std::chrono::steady_clock::now();
    if (!compileModel(*module, EmitKind::Module, soPath, ""))
      return 1;
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    outs() << "compiled " << opts.model << " in "
           << llvm::format("%.0f", ms) << " ms\n";
  }

  if (sluice_set_num_threads(opts.threads) != SLUICE_OK)
    return fail(rtError());
  sluice_module_t *mod = nullptr;
  if (sluice_module_load(soPath.c_str(), &mod) != SLUICE_OK)
    return fail(rtError());
  sluice_call_t *call = nullptr;
  int rc = 0;
  std::vector<sluice_tensor_t *> owned;
  std::vector<sluice_tensor_t *> bound(fsig->inputs.size(), nullptr);
  sluice_weights_t *weights = nullptr;
  auto cleanup = [&] {
    for (sluice_tensor_t *t : owned)
      sluice_tensor_free(t);
    if (weights)
      sluice_weights_free(weights);
    if (call)
      sluice_call_free(call);
    sluice_module_free(mod);
  };
  auto error = [&](const std::string &msg) {
    cleanup();
    return fail(msg);
  };
  if (sluice_call_create(mod, fsig->name.c_str(), &call) != SLUICE_OK)
    return error(rtError());

  // When weights are packed into the GEMM kernels' layout (docs/abi.md,
  // "Prepacked weights"): --prepack, else with --repeat when they are bound
  // (the runtime packs the GEMMs the compiler listed); a single run would
  // pay for copies it reads once, so then from the second call on (never).
  sluice_uk_weights_set_policy(opts.prepack >= 0 ? opts.prepack
                               : opts.repeat > 1 ? SLUICE_UK_PREPACK_AT_BIND
                                                 : SLUICE_UK_PREPACK_SECOND_CALL);
  double bindMs = 0;
  // Binds input i, timing the binding (packing included).
  auto bindIndex = [&](size_t i, sluice_tensor_t *t) {
    auto t0 = std::chrono::steady_clock::now();
    sluice_status_t st = sluice_call_bind_index(call, i, t);
    bindMs += std::chrono::duration<double, std::milli>(
                  std::chrono::steady_clock::now() - t0)
                  .count();
    return st;
  };

  auto inputIndex = [&](const std::string &name) -> int {
    for (size_t i = 0; i < fsig->inputs.size(); ++i)
      if (fsig->inputs[i].name == name)
        return (int)i;
    return -1;
  };
  auto inputNames = [&] {
    std::string s;
    for (const TensorSig &t : fsig->inputs)
      s += (s.empty() ? "" : ", ") + t.name;
    return s;
  };

  // Explicit inputs.
  for (const std::string &spec : opts.inputs) {
    std::string name, file;
    if (!splitAssign(spec, name, file))
      return error("--input expects NAME=FILE.npy, got '" + spec + "'");
    int idx = inputIndex(name);
    if (idx < 0)
      return error("unknown input '" + name + "' for function '" + fsig->name +
                   "' (inputs: " + inputNames() + ")");
    sluice_tensor_t *t = nullptr;
    if (sluice_tensor_load_npy(file.c_str(), &t) != SLUICE_OK)
      return error(rtError());
    owned.push_back(t);
    sluice_dtype_t want = dtypeFromName(fsig->inputs[idx].dtype);
    sluice_dtype_t have = sluice_tensor_dtype(t);
    // Only NumPy's default widths convert implicitly (f64 -> f32, i64 -> i32
    // when in range); any other difference is an error.
    bool convertible = (have == SLUICE_DTYPE_F64 && want == SLUICE_DTYPE_F32) ||
                       (have == SLUICE_DTYPE_I64 && want == SLUICE_DTYPE_I32);
    if (have != want && !convertible)
      return error("input '" + name + "' expects " + sluice_dtype_name(want) +
                   ", got " + sluice_dtype_name(have) + " (" + file + ")");
    if (have != want) {
      sluice_tensor_t *c = nullptr;
      if (sluice_tensor_convert(t, want, &c) != SLUICE_OK)
        return error("input '" + name + "' from " + file + ": " + rtError());
      owned.push_back(c);
      t = c;
    }
    if (bindIndex(idx, t) != SLUICE_OK)
      return error(rtError());
    bound[idx] = t;
  }
  // Weights from a file.
  if (!opts.weightsFile.empty()) {
    if (sluice_weights_load_safetensors(opts.weightsFile.c_str(), &weights) !=
        SLUICE_OK)
      return error(rtError());
    for (size_t i = 0; i < fsig->inputs.size(); ++i) {
      if (bound[i])
        continue;
      sluice_tensor_t *t = nullptr;
      if (sluice_weights_get(weights, fsig->inputs[i].name.c_str(), &t) !=
          SLUICE_OK)
        continue;
      if (bindIndex(i, t) != SLUICE_OK)
        return error("weight '" + fsig->inputs[i].name + "' from " +
                     opts.weightsFile + ": " + rtError());
      bound[i] = t;
    }
  }
  // Sizes of dynamic dims for generated inputs.
  llvm::StringMap<int64_t> symbols;
  for (const std::string &spec : opts.dims) {
    std::string name, value;
    long long v;
    if (!splitAssign(spec, name, value) ||
        llvm::StringRef(value).getAsInteger(10, v) || v < 0)
      return error("--dim expects SYMBOL=N with N >= 0, got '" + spec + "'");
    symbols[name] = v;
  }
  std::vector<std::string> defaulted;
  for (size_t i = 0; i < fsig->inputs.size(); ++i) {
    if (bound[i])
      continue;
    const TensorSig &ts = fsig->inputs[i];
    if (ts.weight && !opts.randomWeights)
      return error("missing weight '" + ts.name + "' of function '" +
                   fsig->name +
                   "': pass --weights FILE.safetensors (with a tensor of that "
                   "name) or --random-weights");
    std::vector<int64_t> shape;
    for (const std::string &d : ts.dims) {
      if (isdigit(d[0])) {
        shape.push_back(std::stoll(d));
        continue;
      }
      int64_t v;
      if (symbols.count(d)) {
        v = symbols[d];
      } else if (sluice_call_symbol(call, d.c_str(), &v) != SLUICE_OK) {
        v = 8;
        symbols[d] = v;
        defaulted.push_back(d);
      }
      shape.push_back(v);
    }
    sluice_tensor_t *t = nullptr;
    if (sluice_tensor_create(dtypeFromName(ts.dtype), shape.size(),
                             shape.data(), &t) != SLUICE_OK)
      return error(rtError());
    owned.push_back(t);
    uint64_t s = ts.weight ? opts.weightSeed * 1000003ull + i
                           : (uint64_t)opts.seed * 1000003ull + i + 7919;
    fillRandom(t, s, ts);
    if (bindIndex(i, t) != SLUICE_OK)
      return error(rtError());
    bound[i] = t;
  }
  for (const std::string &d : defaulted)
    outs() << "note: dynamic dim " << d << " defaults to 8 (set it with --dim "
           << d << "=N)\n";

  int64_t packedAtBind = sluice_uk_weights_packed_bytes();
  double firstMs = 0, bestMs = INFINITY;
  for (unsigned r = 0; r < std::max(1u, opts.repeat); ++r) {
    auto t0 = std::chrono::steady_clock::now();
    if ((cuda ? sluice_cuda_call_run(call) : sluice_call_run(call)) !=
        SLUICE_OK)
      return error(rtError());
    double ms = std::chrono::duration<double, std::milli>(
                    std::chrono::steady_clock::now() - t0)
                    .count();
    if (r == 0)
      firstMs = ms;
    bestMs = std::min(bestMs, ms);
  }
  if (cuda)
    outs() << "ran " << fsig->name << " on the CUDA device ("
           << llvm::StringRef(deviceLine).drop_front(4).split(" (").first
           << "): first call (with copies) " << llvm::format("%.3f", firstMs)
           << " ms";
  else
    outs() << "ran " << fsig->name << " on " << sluice_get_num_threads()
           << " thread(s): first call " << llvm::format("%.3f", firstMs)
           << " ms";
  if (opts.repeat > 1)
    outs() << ", best of " << opts.repeat << " " << llvm::format("%.3f", bestMs)
           << " ms";
  outs() << "\n";
  // Which copies binding made and which the calls added (none when the
  // compiler listed every GEMM on weights: tests check this).
  if (int64_t packedAfter = sluice_uk_weights_packed_bytes(); packedAfter > 0)
    outs() << "packed weights: "
           << (packedAtBind >= 1048576
                   ? llvm::format("%.1f MiB", packedAtBind / 1048576.0)
                   : llvm::format("%.1f KiB", packedAtBind / 1024.0))
           << " (" << packedAtBind << " bytes) when bound (binding took "
           << llvm::format("%.1f", bindMs) << " ms), " << packedAfter
           << " bytes after the calls\n";
  std::vector<sluice_tensor_t *> results;
  for (size_t j = 0; j < fsig->outputs.size(); ++j) {
    sluice_tensor_t *t = nullptr;
    if (sluice_call_output(call, j, &t) != SLUICE_OK)
      return error(rtError());
    results.push_back(t);
    outs() << "output " << fsig->outputs[j].name << ": " << shapeStr(t) << "  "
           << summary(t) << "\n";
  }
  for (const std::string &spec : opts.outputs) {
    std::string name, file;
    if (!splitAssign(spec, name, file))
      return error("--output expects NAME=FILE.npy, got '" + spec + "'");
    int idx = -1;
    std::string names;
    for (size_t j = 0; j < fsig->outputs.size(); ++j) {
      names += (names.empty() ? "" : ", ") + fsig->outputs[j].name;
      if (fsig->outputs[j].name == name)
        idx = j;
    }
    // An input's name writes the tensor bound to it (e.g. a generated
    // input, so another tool can replay the call).
    const sluice_tensor_t *t = idx >= 0 ? results[idx] : nullptr;
    for (size_t j = 0; j < fsig->inputs.size() && !t; ++j)
      if (fsig->inputs[j].name == name)
        t = bound[j];
    if (!t)
      return error("unknown output '" + name + "' (outputs: " + names +
                   "; or an input's name)");
    if (sluice_tensor_save_npy(t, file.c_str()) != SLUICE_OK)
      return error(rtError());
  }

  if (opts.check) {
    auto fn = refModule->lookupSymbol<func::FuncOp>(fsig->name);
    std::vector<::sluice::ref::Tensor> refIn, refOut;
    for (sluice_tensor_t *t : bound)
      refIn.push_back(toRef(t));
    ::sluice::ref::Status s = interpretFunction(fn, refIn, refOut);
    if (!s.ok)
      return error("--check: the reference evaluator failed: " + s.message);
    bool ok = true;
    for (size_t j = 0; j < results.size(); ++j)
      ok &= compare(fsig->outputs[j].name, results[j], refOut[j], opts.tolerance);
    if (!ok)
      rc = 1;
  }
  cleanup();
  return rc;
}
