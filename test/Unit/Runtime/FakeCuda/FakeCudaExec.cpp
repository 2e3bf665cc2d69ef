//===- FakeCudaExec.cpp - the fake driver runs generated kernels ----------===//
//
// Every thread of a block is a fiber (makecontext / swapcontext on its own
// stack with a guard page). The scheduler runs each runnable fiber until it
// waits (gpu.barrier, gpu.shuffle) or returns; then it resolves the warps
// whose lanes all wait at the same shuffle, else releases the block if every
// thread waits at the same barrier, else reports the divergence. Workgroup
// buffers are allocated per launch and filled with 0xff bytes (NaN as f32,
// -1 as an integer) before every block, so a read of shared memory no
// thread of the block wrote shows up in the results.
//
//===----------------------------------------------------------------------===//

#include "FakeCudaExec.h"

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <dlfcn.h>
#include <sys/mman.h>
#include <ucontext.h>

namespace fakecuda {

static_assert(offsetof(fake_cuda_kernel_ctx_t, thread_idx) == 36 &&
                  offsetof(fake_cuda_kernel_ctx_t, shared) == 48 &&
                  offsetof(fake_cuda_kernel_ctx_t, barrier) == 56 &&
                  offsetof(fake_cuda_kernel_ctx_t, shuffle) == 64,
              "codegen/cuda/FakeKernels.h relies on this layout");

namespace {

constexpr size_t kStackBytes = 256 * 1024, kGuardBytes = 4096;
constexpr uint32_t kWarp = 32;

struct BlockRun;

struct Fiber {
  fake_cuda_kernel_ctx_t ctx; // first: the kernel's ctx pointer is the fiber
  ucontext_t uc;
  enum State { Run, Barrier, Shuffle, Done } state = Run;
  int32_t site = 0, mode = 0, offset = 0, width = 0;
  uint32_t value = 0;
  uint64_t result = 0;
  BlockRun *run = nullptr;
};

struct BlockRun {
  ucontext_t sched;
  std::vector<Fiber> fibers;
  const GeneratedKernel *kernel = nullptr;
  void **params = nullptr;
};

void fiberMain(unsigned hi, unsigned lo) {
  auto *f = reinterpret_cast<Fiber *>((uintptr_t(hi) << 32) | uintptr_t(lo));
  f->run->kernel->fn(f->run->params, &f->ctx);
  f->state = Fiber::Done; // uc_link returns to the scheduler
}

void barrierHook(fake_cuda_kernel_ctx_t *ctx, int32_t site) {
  auto *f = reinterpret_cast<Fiber *>(ctx);
  f->state = Fiber::Barrier;
  f->site = site;
  swapcontext(&f->uc, &f->run->sched);
}

uint64_t shuffleHook(fake_cuda_kernel_ctx_t *ctx, int32_t site, int32_t mode,
                     uint32_t value, int32_t offset, int32_t width) {
  auto *f = reinterpret_cast<Fiber *>(ctx);
  f->state = Fiber::Shuffle;
  f->site = site, f->mode = mode, f->value = value, f->offset = offset,
  f->width = width;
  swapcontext(&f->uc, &f->run->sched);
  return f->result;
}

/// Runs `f` until it waits or returns (a function of its own, so that no
/// local of the scheduler lives across the context switch).
__attribute__((noinline)) void resume(BlockRun &run, Fiber &f) {
  swapcontext(&run.sched, &f.uc);
}

/// Makes thread `t` of the block a fiber that starts at the kernel.
__attribute__((noinline)) void startFiber(BlockRun &run, uint32_t t,
                                          const uint32_t grid[3],
                                          const uint32_t block[3],
                                          const uint32_t bidx[3],
                                          void **shared, char *stack) {
  Fiber &f = run.fibers[t];
  f = Fiber();
  f.run = &run;
  std::memcpy(f.ctx.grid, grid, sizeof(f.ctx.grid));
  std::memcpy(f.ctx.block, block, sizeof(f.ctx.block));
  std::memcpy(f.ctx.block_idx, bidx, sizeof(f.ctx.block_idx));
  f.ctx.thread_idx[0] = t % block[0];
  f.ctx.thread_idx[1] = t / block[0] % block[1];
  f.ctx.thread_idx[2] = t / block[0] / block[1];
  f.ctx.shared = shared;
  f.ctx.barrier = barrierHook;
  f.ctx.shuffle = shuffleHook;
  getcontext(&f.uc);
  f.uc.uc_stack.ss_sp = stack;
  f.uc.uc_stack.ss_size = kStackBytes;
  f.uc.uc_link = &run.sched;
  uintptr_t p = reinterpret_cast<uintptr_t>(&f);
  makecontext(&f.uc, reinterpret_cast<void (*)()>(fiberMain), 2,
              unsigned(p >> 32), unsigned(p & 0xffffffffu));
}

/// "0..63" style list of thread indices.
std::string ranges(const std::vector<uint32_t> &ids) {
  std::string s;
  for (size_t i = 0; i < ids.size();) {
    size_t j = i;
    while (j + 1 < ids.size() && ids[j + 1] == ids[j] + 1)
      ++j;
    if (!s.empty())
      s += ",";
    s += std::to_string(ids[i]);
    if (j > i)
      s += ".." + std::to_string(ids[j]);
    i = j + 1;
  }
  return s;
}

const char *stateName(Fiber::State s) {
  switch (s) {
  case Fiber::Barrier: return "wait at barrier";
  case Fiber::Shuffle: return "wait at shuffle";
  case Fiber::Done: return "have returned";
  default: return "run";
  }
}

/// Describes which threads are in which state (and at which site).
std::string describe(const std::vector<Fiber> &fibers, uint32_t first,
                     uint32_t end) {
  std::string s;
  for (Fiber::State st : {Fiber::Barrier, Fiber::Shuffle, Fiber::Done}) {
    std::vector<int32_t> sites;
    if (st == Fiber::Done)
      sites.push_back(-1);
    for (uint32_t t = first; t < end && st != Fiber::Done; ++t)
      if (fibers[t].state == st &&
          std::find(sites.begin(), sites.end(), fibers[t].site) == sites.end())
        sites.push_back(fibers[t].site);
    for (int32_t site : sites) {
      std::vector<uint32_t> ids;
      for (uint32_t t = first; t < end; ++t)
        if (fibers[t].state == st && (st == Fiber::Done || fibers[t].site == site))
          ids.push_back(t);
      if (ids.empty())
        continue;
      if (!s.empty())
        s += "; ";
      s += "threads " + ranges(ids) + " " + stateName(st);
      if (st != Fiber::Done)
        s += " " + std::to_string(site);
    }
  }
  return s;
}

/// Resolves the shuffle of warp [first, end); false with `why` if its lanes
/// are not all at the same one.
bool resolveShuffle(std::vector<Fiber> &fibers, uint32_t first, uint32_t end,
                    bool &progress, std::string &why) {
  bool any = false, all = true;
  for (uint32_t t = first; t < end; ++t) {
    any |= fibers[t].state == Fiber::Shuffle;
    all &= fibers[t].state == Fiber::Shuffle;
  }
  if (!any)
    return true;
  const Fiber &f0 = fibers[first];
  for (uint32_t t = first; t < end && all; ++t)
    all = fibers[t].site == f0.site && fibers[t].mode == f0.mode &&
          fibers[t].width == f0.width;
  if (!all) {
    why = "divergent warp shuffle in warp " + std::to_string(first / kWarp) +
          ": " + describe(fibers, first, end);
    return false;
  }
  for (uint32_t t = first; t < end; ++t) {
    Fiber &f = fibers[t];
    int64_t lane = t - first, src;
    switch (f.mode) {
    case 0: src = lane ^ f.offset; break;
    case 1: src = lane + f.offset; break;
    case 2: src = lane - f.offset; break;
    default: src = f.offset; break;
    }
    bool valid = src >= 0 && src < f.width;
    if (valid && first + src >= end) {
      why = "warp shuffle " + std::to_string(f.site) + ": lane " +
            std::to_string(lane) + " reads lane " + std::to_string(src) +
            ", which is not a thread of the block";
      return false;
    }
    uint32_t v = valid ? fibers[first + src].value : f.value;
    f.result = uint64_t(v) | (uint64_t(valid) << 32);
  }
  for (uint32_t t = first; t < end; ++t)
    fibers[t].state = Fiber::Run;
  progress = true;
  return true;
}

} // namespace

bool loadGeneratedKernels(const std::string &paths, std::vector<void *> &libs,
                          std::string &why) {
  size_t start = 0;
  while (start <= paths.size()) {
    size_t end = paths.find(':', start);
    if (end == std::string::npos)
      end = paths.size();
    std::string path = paths.substr(start, end - start);
    start = end + 1;
    if (path.empty())
      continue;
    void *h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!h) {
      const char *e = dlerror();
      why = "cannot load SLUICE_FAKE_CUDA_KERNELS library: " +
            std::string(e ? e : path);
      return false;
    }
    libs.push_back(h);
  }
  return true;
}

bool findGeneratedKernel(const std::vector<void *> &libs,
                         const std::string &name, GeneratedKernel &out) {
  for (void *h : libs) {
    void *fn = dlsym(h, ("sluice_fake_kernel_" + name).c_str());
    void *sig = dlsym(h, ("sluice_fake_sig_" + name).c_str());
    if (fn && sig) {
      out.fn = reinterpret_cast<fake_cuda_generated_kernel_fn>(fn);
      out.sig = static_cast<const int64_t *>(sig);
      return out.sig[0] == 1;
    }
  }
  return false;
}

bool checkGeneratedLaunch(const GeneratedKernel &k,
                          const std::vector<uint32_t> &imageSizes,
                          const uint32_t block[3], std::string &why) {
  std::vector<uint32_t> sizes;
  for (int64_t i = 0; i < k.numParams(); ++i)
    sizes.push_back(k.paramBytes(i));
  if (sizes != imageSizes) {
    auto list = [](const std::vector<uint32_t> &v) {
      std::string s;
      for (uint32_t x : v)
        s += (s.empty() ? "" : ",") + std::to_string(x);
      return "(" + s + ")";
    };
    why = "the generated kernel's parameters " + list(sizes) +
          " differ from the image's " + list(imageSizes);
    return false;
  }
  for (int d = 0; d < 3; ++d)
    if (k.sig[3 + d] != 0 && uint32_t(k.sig[3 + d]) != block[d]) {
      why = "block " + std::to_string(block[0]) + "," +
            std::to_string(block[1]) + "," + std::to_string(block[2]) +
            " differs from the kernel's known block size " +
            std::to_string(k.sig[3]) + "," + std::to_string(k.sig[4]) + "," +
            std::to_string(k.sig[5]);
      return false;
    }
  int64_t shared = 0;
  for (int64_t j = 0; j < k.numShared(); ++j)
    shared += k.sharedBytes(j);
  if (shared > 48 * 1024) {
    why = std::to_string(shared) + " bytes of static shared memory (48 KiB "
          "at most)";
    return false;
  }
  return true;
}

bool runGeneratedKernel(const GeneratedKernel &k, const uint32_t grid[3],
                        const uint32_t block[3], void **params, bool reverse,
                        std::string &why) {
  uint32_t n = block[0] * block[1] * block[2];
  // Stacks, each above a guard page.
  size_t per = kStackBytes + kGuardBytes;
  void *mem = mmap(nullptr, per * n, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (mem == MAP_FAILED) {
    why = "cannot map fiber stacks";
    return false;
  }
  for (uint32_t t = 0; t < n; ++t)
    mprotect(static_cast<char *>(mem) + t * per, kGuardBytes, PROT_NONE);
  std::vector<std::vector<unsigned char>> shared(size_t(k.numShared()));
  std::vector<void *> sharedPtrs;
  for (int64_t j = 0; j < k.numShared(); ++j) {
    shared[j].resize(size_t(k.sharedBytes(j)) + 16);
    sharedPtrs.push_back(shared[j].data());
  }

  BlockRun run;
  run.kernel = &k;
  run.params = params;
  run.fibers.resize(n);
  bool ok = true;
  uint64_t blocks = uint64_t(grid[0]) * grid[1] * grid[2];
  for (uint64_t bi = 0; bi < blocks && ok; ++bi) {
    uint64_t b = reverse ? blocks - 1 - bi : bi;
    uint32_t bidx[3] = {uint32_t(b % grid[0]),
                        uint32_t(b / grid[0] % grid[1]),
                        uint32_t(b / grid[0] / grid[1])};
    for (auto &buf : shared)
      std::memset(buf.data(), 0xff, buf.size());
    for (uint32_t t = 0; t < n; ++t)
      startFiber(run, t, grid, block, bidx, sharedPtrs.data(),
                 static_cast<char *>(mem) + t * per + kGuardBytes);
    auto where = [&] {
      return "block (" + std::to_string(bidx[0]) + "," +
             std::to_string(bidx[1]) + "," + std::to_string(bidx[2]) + "): ";
    };
    for (;;) {
      for (uint32_t i = 0; i < n; ++i) {
        Fiber &f = run.fibers[reverse ? n - 1 - i : i];
        if (f.state == Fiber::Run)
          resume(run, f);
      }
      bool allDone = true, progress = false;
      for (const Fiber &f : run.fibers)
        allDone &= f.state == Fiber::Done;
      if (allDone)
        break;
      for (uint32_t w = 0; w < n && ok; w += kWarp)
        ok = resolveShuffle(run.fibers, w, std::min(n, w + kWarp), progress,
                            why);
      if (!ok) {
        why = where() + why;
        break;
      }
      if (progress)
        continue;
      bool allBarrier = true;
      for (const Fiber &f : run.fibers)
        allBarrier &= f.state == Fiber::Barrier &&
                      f.site == run.fibers[0].site;
      if (!allBarrier) {
        why = where() + "divergent barrier: " + describe(run.fibers, 0, n);
        ok = false;
        break;
      }
      for (Fiber &f : run.fibers)
        f.state = Fiber::Run;
    }
  }
  munmap(mem, per * n);
  return ok;
}

} // namespace fakecuda
