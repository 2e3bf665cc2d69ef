// A C++ program using a CUDA library made by
// `sluicec compile --target=cuda --emit=library` (Inputs/cuda_model.mlir,
// prefix cm): the host wrappers, the device entry points on buffers it
// allocates and fills itself, and a shape error. With CHECK_NUMBERS set (a
// device that executes the kernels) the outputs are compared with the
// formulas computed here in double precision (relative tolerance 1e-5).
#include "cm.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

static int failures = 0;
static bool checkNumbers = std::getenv("CHECK_NUMBERS") != nullptr;

static void expect(bool ok, const char *what) {
  if (!ok) {
    std::printf("FAILED: %s (%s)\n", what, cm_last_error());
    ++failures;
  }
}

static void compare(const char *what, const float *got,
                    const std::vector<double> &want) {
  if (!checkNumbers)
    return;
  double maxRef = 0, maxDiff = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    maxRef = std::fmax(maxRef, std::fabs(want[i]));
    maxDiff = std::fmax(maxDiff, std::fabs(got[i] - want[i]));
  }
  bool ok = maxDiff <= 1e-5 * std::fmax(maxRef, 1e-30);
  std::printf("numbers %s: %s (max abs diff %.3g)\n", what,
              ok ? "ok" : "FAILED", maxDiff);
  failures += !ok;
}

int main() {
  // SwiGLU on host buffers, T = 5.
  const int T = 5, F = 16;
  std::vector<float> g(T * F), u(T * F);
  for (int i = 0; i < T * F; ++i) {
    g[i] = 0.1f * float((i * 7) % 23) - 1.1f;
    u[i] = 0.05f * float((i * 5) % 17) - 0.4f;
  }
  sluice_buffer_t gate = {g.data(), 2, {T, F}};
  sluice_buffer_t up = {u.data(), 2, {T, F}};
  sluice_buffer_t out = {};
  int rc = cm_swiglu_host(&gate, &up, &out);
  expect(rc == 0, "cm_swiglu_host");
  expect(out.rank == 2 && out.shape[0] == T && out.shape[1] == F,
         "cm_swiglu_host output shape");
  std::printf("swiglu_host: rc %d, out %lldx%lld\n", rc,
              (long long)out.shape[0], (long long)out.shape[1]);
  if (rc == 0) {
    std::vector<double> want(T * F);
    for (int i = 0; i < T * F; ++i)
      want[i] = g[i] / (1.0 + std::exp(-(double)g[i])) * u[i];
    compare("swiglu", static_cast<float *>(out.data), want);
  }
  std::free(out.data);

  // Pooling on device buffers the program allocates and fills.
  const int B = 3, N = 4, D = 8;
  std::vector<float> x(B * N * D);
  for (int i = 0; i < B * N * D; ++i)
    x[i] = float((i * 13) % 29) - 14.0f;
  int64_t bytes = int64_t(x.size() * sizeof(float));
  uint64_t dx = cm_device_alloc(bytes);
  expect(dx != 0, "cm_device_alloc");
  expect(cm_copy_to_device(dx, x.data(), bytes) == 0, "cm_copy_to_device");
  sluice_device_buffer_t in = {dx, 3, {B, N, D}};
  sluice_device_buffer_t sum = {}, mx = {};
  rc = cm_pool(&in, &sum, &mx);
  expect(rc == 0, "cm_pool");
  expect(sum.rank == 2 && sum.shape[0] == B && sum.shape[1] == D &&
             mx.shape[0] == B && sum.data != 0 && mx.data != 0 &&
             sum.data != mx.data,
         "cm_pool outputs");
  std::printf("pool: rc %d, sum %lldx%lld, max %lldx%lld\n", rc,
              (long long)sum.shape[0], (long long)sum.shape[1],
              (long long)mx.shape[0], (long long)mx.shape[1]);
  std::vector<float> hs(B * D), hm(B * D);
  expect(cm_copy_to_host(hs.data(), sum.data, B * D * 4) == 0,
         "cm_copy_to_host");
  expect(cm_copy_to_host(hm.data(), mx.data, B * D * 4) == 0,
         "cm_copy_to_host");
  std::vector<double> wantSum(B * D, 0.0), wantMax(B * D, -INFINITY);
  for (int b = 0; b < B; ++b)
    for (int n = 0; n < N; ++n)
      for (int d = 0; d < D; ++d) {
        double v = x[(b * N + n) * D + d];
        wantSum[b * D + d] += v;
        wantMax[b * D + d] = std::fmax(wantMax[b * D + d], v);
      }
  compare("pool sum", hs.data(), wantSum);
  compare("pool max", hm.data(), wantMax);
  cm_device_free(sum.data);
  cm_device_free(mx.data);
  cm_device_free(dx);

  // A shape error: the token counts of gate and up differ.
  sluice_buffer_t shortUp = {u.data(), 2, {T - 1, F}};
  sluice_buffer_t out2 = {};
  rc = cm_swiglu_host(&gate, &shortUp, &out2);
  expect(rc != 0 && out2.data == nullptr, "cm_swiglu_host rejects T mismatch");
  std::printf("mismatch: rc %d: %s\n", rc, cm_last_error());

  std::printf("%s (%d failures)\n", failures ? "FAILED" : "PASSED", failures);
  return failures != 0;
}
