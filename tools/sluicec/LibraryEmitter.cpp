//===- LibraryEmitter.cpp - --emit=library: static library + C header -----===//

#include "LibraryEmitter.h"
#include "Compile.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/Object/Archive.h"
#include "llvm/Object/ArchiveWriter.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <cstdlib>
#include <deque>
#include <map>
#include <unistd.h>

using mlir::ModuleOp;

void sluicec::emitInputDescriptor(llvm::raw_ostream &os, size_t i, size_t r,
                                  llvm::StringRef v, llvm::StringRef ptr) {
  os << "  desc" << r << " a" << i << " = { " << ptr << ", " << ptr << ", 0";
  if (r) {
    os << ", {";
    for (size_t k = 0; k < r; ++k)
      os << (k ? ", " : "") << v << "->shape[" << k << "]";
    os << "}, {";
    for (size_t k = 0; k < r; ++k) {
      os << (k ? ", " : "") << "1";
      for (size_t q = k + 1; q < r; ++q)
        os << " * " << v << "->shape[" << q << "]";
    }
    os << "}";
  }
  os << " };\n";
}

void sluicec::emitEntryCall(llvm::raw_ostream &os, const FunctionSig &f,
                            llvm::StringRef impl, llvm::StringRef before) {
  if (f.outputs.size() == 1)
    os << "  desc" << f.outputs[0].dims.size() << " res;\n";
  else if (f.outputs.size() > 1)
    os << "  results_" << f.name << " res;\n";
  os << before << "  _mlir_ciface_" << impl << "(";
  bool first = true;
  if (!f.outputs.empty()) {
    os << "&res";
    first = false;
  }
  for (size_t i = 0; i < f.inputs.size(); ++i) {
    os << (first ? "" : ", ") << "&a" << i;
    first = false;
  }
  os << ");\n";
}

void sluicec::emitDescriptorTypes(llvm::raw_ostream &os, const ModelSig &sig) {
  std::map<size_t, bool> ranks;
  for (const auto &f : sig.functions) {
    for (const auto &t : f.inputs)
      ranks[t.dims.size()] = true;
    for (const auto &t : f.outputs)
      ranks[t.dims.size()] = true;
  }
  for (auto &[r, _] : ranks) {
    os << "typedef struct { void *allocated; void *aligned; int64_t offset;";
    if (r)
      os << " int64_t sizes[" << r << "]; int64_t strides[" << r << "];";
    os << " } desc" << r << ";\n";
  }
}

void sluicec::emitImplPrototype(llvm::raw_ostream &os, const FunctionSig &f,
                                llvm::StringRef impl) {
  if (f.outputs.size() > 1) {
    os << "typedef struct {";
    for (size_t j = 0; j < f.outputs.size(); ++j)
      os << " desc" << f.outputs[j].dims.size() << " r" << j << ";";
    os << " } results_" << f.name << ";\n";
  }
  os << "extern void _mlir_ciface_" << impl << "(";
  bool first = true;
  if (f.outputs.size() == 1) {
    os << "desc" << f.outputs[0].dims.size() << " *";
    first = false;
  } else if (f.outputs.size() > 1) {
    os << "results_" << f.name << " *";
    first = false;
  }
  for (const auto &t : f.inputs) {
    os << (first ? "" : ", ") << "desc" << t.dims.size() << " *";
    first = false;
  }
  if (first)
    os << "void";
  os << ");\n\n";
}

static bool isCIdentifier(llvm::StringRef s) {
  if (s.empty() || !(isalpha(s[0]) || s[0] == '_'))
    return false;
  return llvm::all_of(s, [](char c) { return isalnum(c) || c == '_'; });
}

std::string sluicec::libraryHeaderPath(llvm::StringRef libPath) {
  // DIR/libNAME.a -> DIR/NAME.h
  llvm::SmallString<256> p(libPath);
  llvm::sys::path::remove_filename(p);
  llvm::StringRef stem = llvm::sys::path::stem(libPath);
  stem.consume_front("lib");
  llvm::sys::path::append(p, stem + ".h");
  return p.str().str();
}

bool sluicec::prepareLibrary(ModuleOp module, const ModelSig &sig,
                            llvm::StringRef prefix) {
  if (!isCIdentifier(prefix)) {
    llvm::errs() << "sluicec: error: library prefix '" << prefix
                 << "' is not a C identifier (use --prefix=NAME)\n";
    return false;
  }
  for (const FunctionSig &f : sig.functions) {
    if (!isCIdentifier(f.name)) {
      llvm::errs() << "sluicec: error: function '" << f.name
                   << "' is not a C identifier; rename it to emit a library\n";
      return false;
    }
    auto fn = module.lookupSymbol<mlir::func::FuncOp>(f.name);
    if (failed(mlir::SymbolTable::replaceAllSymbolUses(
            fn, mlir::StringAttr::get(module.getContext(),
                                prefix + "_" + f.name + "_impl"),
            module)))
      return false;
    fn.setSymName((prefix + "_" + f.name + "_impl").str());
  }
  return true;
}

int64_t sluicec::elemSize(const std::string &dtype) {
  if (dtype == "i64")
    return 8;
  if (dtype == "i8" || dtype == "i1")
    return 1;
  return 4;
}

static void describe(llvm::raw_ostream &os, const sluicec::TensorSig &t) {
  os << t.name << ": " << t.dtype << "[";
  for (size_t i = 0; i < t.dims.size(); ++i)
    os << (i ? ", " : "") << t.dims[i];
  os << "]";
}

void sluicec::emitSignatureComment(llvm::raw_ostream &os,
                                   llvm::StringRef prefix,
                                   const FunctionSig &f) {
  os << "/* " << prefix << "_" << f.name << "\n";
  for (const TensorSig &t : f.inputs) {
    os << " *   in   ";
    describe(os, t);
    os << "\n";
  }
  for (const TensorSig &t : f.outputs) {
    os << " *   out  ";
    describe(os, t);
    os << "\n";
  }
}

std::string sluicec::libraryHeader(const ModelSig &sig, llvm::StringRef prefix) {
  std::string out;
  llvm::raw_string_ostream os(out);
  std::string guard = prefix.upper() + "_H";
  os << "/* Generated by sluicec --emit=library. Do not edit. */\n"
     << "#ifndef " << guard << "\n#define " << guard << "\n\n"
     << "#include <stdint.h>\n\n#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n"
     << "#ifndef SLUICE_BUFFER_T_DEFINED\n#define SLUICE_BUFFER_T_DEFINED\n"
     << "/* A dense row-major tensor: `rank` sizes in `shape`. */\n"
     << "typedef struct sluice_buffer_t {\n  void *data;\n  int32_t rank;\n"
     << "  int64_t shape[8];\n} sluice_buffer_t;\n#endif\n\n";
  for (const FunctionSig &f : sig.functions) {
    emitSignatureComment(os, prefix, f);
    os << " * Inputs are read, never written. Each output's `data` is malloc'ed\n"
       << " * by the library; release it with free(). Returns 0, or nonzero\n"
       << " * with " << prefix
       << "_last_error() saying why (shape, dtype or run-time error). */\n"
       << "int " << prefix << "_" << f.name << "(";
    bool first = true;
    for (const TensorSig &t : f.inputs) {
      os << (first ? "" : ", ") << "const sluice_buffer_t *" << t.name;
      first = false;
    }
    for (const TensorSig &t : f.outputs) {
      os << (first ? "" : ", ") << "sluice_buffer_t *" << t.name;
      first = false;
    }
    if (first)
      os << "void";
    os << ");\n\n";
  }
  os << "/* The message of the calling thread's last failed call. */\n"
     << "const char *" << prefix << "_last_error(void);\n\n"
     << "#ifdef __cplusplus\n}\n#endif\n\n#endif /* " << guard << " */\n";
  return out;
}

/// The C source of the entry points: argument checks, memref descriptors,
/// the call, result ownership and run-time error capture.
static std::string wrapperSource(const sluicec::ModelSig &sig,
                                 llvm::StringRef prefix,
                                 llvm::StringRef header) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << header << "\n#include <math.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n\n"
     << "__attribute__((weak)) __thread int sluice_rt_error_flag;\n"
     << "__attribute__((weak)) __thread char sluice_rt_error_text[512];\n"
     << "__attribute__((weak)) void sluice_rt_error(const char *m, int64_t v0, "
        "int64_t v1) {\n"
     << "  if (sluice_rt_error_flag) return;\n  sluice_rt_error_flag = 1;\n"
     << "  size_t n = 0;\n"
     << "  for (; *m && n + 24 < sizeof sluice_rt_error_text; ++m) {\n"
     << "    if (m[0] == '{' && (m[1] == '0' || m[1] == '1') && m[2] == '}') {\n"
     << "      n += snprintf(sluice_rt_error_text + n, sizeof sluice_rt_error_text - n,\n"
     << "                    \"%lld\", (long long)(m[1] == '0' ? v0 : v1));\n"
     << "      m += 2;\n    } else {\n      sluice_rt_error_text[n++] = *m;\n    }\n  }\n"
     << "  sluice_rt_error_text[n] = 0;\n}\n\n"
     << "/* Without the Sluice runtime, parallel loops run on the calling thread. */\n"
     << "__attribute__((weak)) void sluice_rt_parallel_for(int64_t b, int64_t e,\n"
     << "    void (*body)(int64_t, int64_t, void *), void *ctx) {\n"
     << "  if (b < e) body(b, e, ctx);\n}\n\n"
     << "static int sluice_fail(const char *fmt, const char *a, long long b, "
        "long long c) {\n"
     << "  snprintf(sluice_rt_error_text, sizeof sluice_rt_error_text, fmt, a, b, c);\n"
     << "  sluice_rt_error_flag = 1;\n  return 1;\n}\n\n"
     << "const char *" << prefix << "_last_error(void) { return sluice_rt_error_text; }\n\n";
  emitDescriptorTypes(os, sig);
  os << "\n";
  for (const auto &f : sig.functions) {
    std::string impl = (prefix + "_" + f.name + "_impl").str();
    std::string entry = (prefix + "_" + f.name).str();
    emitImplPrototype(os, f, impl);
    // The entry point.
    os << "int " << entry << "(";
    bool first = true;
    for (const auto &t : f.inputs) {
      os << (first ? "" : ", ") << "const sluice_buffer_t *in_" << t.name;
      first = false;
    }
    for (const auto &t : f.outputs) {
      os << (first ? "" : ", ") << "sluice_buffer_t *out_" << t.name;
      first = false;
    }
    if (first)
      os << "void";
    os << ") {\n  sluice_rt_error_flag = 0;\n  sluice_rt_error_text[0] = 0;\n";
    // Symbols: one slot each.
    std::map<std::string, int> syms;
    for (const auto &t : f.inputs)
      for (const auto &d : t.dims)
        if (!isdigit(d[0]) && !syms.count(d))
          syms.emplace(d, (int)syms.size());
    if (!syms.empty())
      os << "  int64_t sym[" << syms.size() << "]; int have[" << syms.size()
         << "] = {0};\n";
    for (size_t i = 0; i < f.inputs.size(); ++i) {
      const auto &t = f.inputs[i];
      std::string v = "in_" + t.name;
      size_t r = t.dims.size();
      os << "  if (!" << v << ") return sluice_fail(\"" << entry
         << ": input '%s' is null\", \"" << t.name << "\", 0, 0);\n";
      os << "  if (" << v << "->rank != " << r << ") return sluice_fail(\""
         << entry << ": input '%s' expects rank %lld, got %lld\", \"" << t.name
         << "\", " << r << ", " << v << "->rank);\n";
      for (size_t k = 0; k < r; ++k) {
        const std::string &d = t.dims[k];
        if (isdigit(d[0])) {
          os << "  if (" << v << "->shape[" << k << "] != " << d
             << ") return sluice_fail(\"" << entry << ": input '%s' dim " << k
             << " expects %lld, got %lld\", \"" << t.name << "\", " << d << ", "
             << v << "->shape[" << k << "]);\n";
        } else {
          int s = syms[d];
          os << "  if (" << v << "->shape[" << k << "] < 0) return sluice_fail(\""
             << entry << ": input '%s' dim " << k
             << " is negative (%lld)\", \"" << t.name << "\", " << v
             << "->shape[" << k << "], 0);\n";
          os << "  if (have[" << s << "] && sym[" << s << "] != " << v
             << "->shape[" << k << "]) return sluice_fail(\"" << entry
             << ": input '%s' dim " << k << " (" << d
             << ") is %lld but an earlier input has %lld\", \"" << t.name
             << "\", " << v << "->shape[" << k << "], sym[" << s << "]);\n";
          os << "  sym[" << s << "] = " << v << "->shape[" << k << "]; have["
             << s << "] = 1;\n";
        }
      }
      sluicec::emitInputDescriptor(os, i, r, v, v + "->data");
    }
    sluicec::emitEntryCall(os, f, impl, "");
    // Results: take ownership, copying what aliases an input or another
    // result or is not at the start of its allocation.
    for (size_t j = 0; j < f.outputs.size(); ++j) {
      const auto &t = f.outputs[j];
      size_t r = t.dims.size();
      std::string d = f.outputs.size() == 1 ? "res" : "res.r" + std::to_string(j);
      std::string o = "out_" + t.name;
      os << "  {\n    int64_t n = 1;\n";
      for (size_t k = 0; k < r; ++k)
        os << "    n *= " << d << ".sizes[" << k << "];\n";
      os << "    int shared = " << d << ".aligned != " << d << ".allocated || "
         << d << ".offset != 0";
      for (size_t i = 0; i < f.inputs.size(); ++i)
        os << " || " << d << ".allocated == a" << i << ".allocated";
      for (size_t q = 0; q < j; ++q)
        os << " || " << d << ".allocated == "
           << (f.outputs.size() == 1 ? "res" : "res.r" + std::to_string(q))
           << ".allocated";
      os << ";\n    size_t bytes = (size_t)n * " << sluicec::elemSize(t.dtype) << ";\n"
         << "    void *data = " << d << ".allocated;\n"
         << "    if (shared) {\n      data = malloc(bytes ? bytes : 1);\n"
         << "      if (data && bytes) memcpy(data, (char *)" << d
         << ".aligned + " << d << ".offset * " << sluicec::elemSize(t.dtype)
         << ", bytes);\n    }\n"
         << "    if (" << o << ") {\n      " << o << "->data = data;\n      " << o
         << "->rank = " << r << ";\n";
      for (size_t k = 0; k < r; ++k)
        os << "      " << o << "->shape[" << k << "] = " << d << ".sizes[" << k
           << "];\n";
      os << "    } else {\n      free(data);\n    }\n  }\n";
    }
    os << "  if (sluice_rt_error_flag) {\n";
    for (const auto &t : f.outputs)
      os << "    if (out_" << t.name << ") { free(out_" << t.name
         << "->data); out_" << t.name << "->data = 0; }\n";
    os << "    return 1;\n  }\n  return 0;\n}\n\n";
  }
  return out;
}

/// The runtime's micro-kernel archive (libsluice_ukernels.a) whose members
/// every library gets, as model code may call sluice_uk_gemm: next to
/// sluicec (../lib, the build tree and an install prefix alike), else where
/// the build put it. SLUICE_UKERNELS_ARCHIVE overrides both.
static std::string ukernelArchivePath() {
  if (const char *env = std::getenv("SLUICE_UKERNELS_ARCHIVE"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  if (!exe.empty()) {
    llvm::SmallString<256> p(exe);
    llvm::sys::path::remove_filename(p);
    llvm::sys::path::append(p, "..", "lib", "libsluice_ukernels.a");
    if (llvm::sys::fs::exists(p))
      return p.str().str();
  }
#ifdef SLUICE_UKERNELS_ARCHIVE_PATH
  if (llvm::sys::fs::exists(SLUICE_UKERNELS_ARCHIVE_PATH))
    return SLUICE_UKERNELS_ARCHIVE_PATH;
#endif
  return "";
}

/// Appends the members of the micro-kernel archive to `members`, named
/// sluice_uk_<member>; `buffer` and `names` keep their bytes alive.
/// The runtime as a static archive (libsluice_runtime_static.a), whose
/// members CUDA libraries get (the host code drives the device through the
/// runtime's driver layer): next to sluicec, else where the build put it.
/// SLUICE_RUNTIME_STATIC_ARCHIVE overrides both.
static std::string runtimeArchivePath() {
  if (const char *env = std::getenv("SLUICE_RUNTIME_STATIC_ARCHIVE"))
    return env;
  std::string exe = llvm::sys::fs::getMainExecutable(nullptr, nullptr);
  if (!exe.empty()) {
    llvm::SmallString<256> p(exe);
    llvm::sys::path::remove_filename(p);
    llvm::sys::path::append(p, "..", "lib", "libsluice_runtime_static.a");
    if (llvm::sys::fs::exists(p))
      return p.str().str();
  }
#ifdef SLUICE_RUNTIME_STATIC_ARCHIVE_PATH
  if (llvm::sys::fs::exists(SLUICE_RUNTIME_STATIC_ARCHIVE_PATH))
    return SLUICE_RUNTIME_STATIC_ARCHIVE_PATH;
#endif
  return "";
}

static bool addArchiveMembers(llvm::StringRef path, llvm::StringRef prefix,
                              std::vector<llvm::NewArchiveMember> &members,
                              std::unique_ptr<llvm::MemoryBuffer> &buffer,
                              std::deque<std::string> &names,
                              std::string &error);

static bool addUkernelMembers(std::vector<llvm::NewArchiveMember> &members,
                              std::unique_ptr<llvm::MemoryBuffer> &buffer,
                              std::deque<std::string> &names,
                              std::string &error, bool cuda) {
  std::string path = cuda ? runtimeArchivePath() : ukernelArchivePath();
  if (path.empty()) {
    error = cuda ? "cannot find libsluice_runtime_static.a (the runtime a "
                   "CUDA library needs) next to sluicec; set "
                   "SLUICE_RUNTIME_STATIC_ARCHIVE"
                 : "cannot find libsluice_ukernels.a (the micro-kernels the "
                   "library needs) next to sluicec; set "
                   "SLUICE_UKERNELS_ARCHIVE";
    return false;
  }
  return addArchiveMembers(path, cuda ? "sluice_rt_" : "sluice_uk_", members,
                           buffer, names, error);
}

static bool addArchiveMembers(llvm::StringRef path, llvm::StringRef prefix,
                              std::vector<llvm::NewArchiveMember> &members,
                              std::unique_ptr<llvm::MemoryBuffer> &buffer,
                              std::deque<std::string> &names,
                              std::string &error) {
  auto file = llvm::MemoryBuffer::getFile(path);
  if (!file) {
    error = path.str() + ": " + file.getError().message();
    return false;
  }
  buffer = std::move(*file);
  auto archive = llvm::object::Archive::create(buffer->getMemBufferRef());
  if (!archive) {
    error = path.str() + ": " + llvm::toString(archive.takeError());
    return false;
  }
  llvm::Error err = llvm::Error::success();
  for (const llvm::object::Archive::Child &child : (*archive)->children(err)) {
    llvm::Expected<llvm::StringRef> name = child.getName();
    if (!name) {
      error = path.str() + ": " + llvm::toString(name.takeError());
      llvm::consumeError(std::move(err));
      return false;
    }
    llvm::Expected<llvm::NewArchiveMember> member =
        llvm::NewArchiveMember::getOldMember(child, /*Deterministic=*/true);
    if (!member) {
      error = path.str() + ": " + llvm::toString(member.takeError());
      llvm::consumeError(std::move(err));
      return false;
    }
    names.push_back((prefix + *name).str());
    member->MemberName = names.back();
    members.push_back(std::move(*member));
  }
  if (err) {
    error = path.str() + ": " + llvm::toString(std::move(err));
    return false;
  }
  return true;
}

bool sluicec::emitLibrary(const ModelSig &sig, llvm::StringRef prefix,
                         llvm::StringRef objPath, llvm::StringRef libPath,
                         std::string &error, bool cuda) {
  std::string header =
      cuda ? cudaLibraryHeader(sig, prefix) : libraryHeader(sig, prefix);
  llvm::SmallString<128> src, wrapObj;
  int fd;
  llvm::sys::fs::createTemporaryFile("sluicec-entry", "c", fd, src);
  {
    llvm::raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << (cuda ? cudaWrapperSource(sig, prefix, header)
                : wrapperSource(sig, prefix, header));
  }
  llvm::sys::fs::createTemporaryFile("sluicec-entry", "o", fd, wrapObj);
  ::close(fd);
  bool ok = runCCompiler({"-c", "-O2", "-fPIC", "-std=gnu11", "-o",
                          wrapObj.str().str(), src.str().str()},
                         error);
  if (ok) {
    std::vector<llvm::NewArchiveMember> members;
    for (llvm::StringRef p : {objPath, llvm::StringRef(wrapObj)}) {
      auto m = llvm::NewArchiveMember::getFile(p, /*Deterministic=*/true);
      if (!m) {
        error = llvm::toString(m.takeError());
        ok = false;
        break;
      }
      members.push_back(std::move(*m));
    }
    std::unique_ptr<llvm::MemoryBuffer> ukernels;
    std::deque<std::string> ukernelNames;
    if (ok) {
      members[0].MemberName = "model.o";
      members[1].MemberName = "entry.o";
      ok = addUkernelMembers(members, ukernels, ukernelNames, error, cuda);
    }
    if (ok) {
      ok = writeAtomically(
          libPath,
          [&](llvm::raw_ostream &os) {
            if (llvm::Error e = llvm::writeArchiveToStream(
                    os, members, llvm::SymtabWritingMode::NormalSymtab,
                    llvm::object::Archive::K_GNU, /*Deterministic=*/true,
                    /*Thin=*/false)) {
              error = llvm::toString(std::move(e));
              return false;
            }
            return true;
          },
          error);
    }
  }
  if (ok)
    ok = writeAtomically(
        libraryHeaderPath(libPath),
        [&](llvm::raw_ostream &os) {
          os << header;
          return true;
        },
        error);
  llvm::sys::fs::remove(src);
  llvm::sys::fs::remove(wrapObj);
  return ok;
}
