/* A C program that uses a Sluice library without the Sluice runtime: it
 * includes the generated header, links the static library, and checks the
 * results against values computed here by hand. */
#include "gate_model.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures = 0;
#define EXPECT(cond, ...)                                                      \
  do {                                                                         \
    if (!(cond)) {                                                             \
      printf("FAILED: " __VA_ARGS__);                                          \
      printf("\n");                                                            \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

int main(void) {
  /* Softmax top-2 with renormalization: w_j = exp(l_j) / (exp(l_a)+exp(l_b)). */
  float logits[2 * 4] = {0.0f, 2.0f, 1.0f, -1.0f, /* picks 1, 2 */
                         3.0f, 3.0f, 0.5f, 1.0f}; /* tie: picks 0, 1 */
  sluice_buffer_t in = {logits, 2, {2, 4}};
  sluice_buffer_t w, e;
  int rc = gate_model_gate(&in, &w, &e);
  EXPECT(rc == 0, "gate returned %d: %s", rc, gate_model_last_error());
  if (rc == 0) {
    EXPECT(w.rank == 2 && w.shape[0] == 2 && w.shape[1] == 2, "weights shape");
    const float *wv = (const float *)w.data;
    const int32_t *ev = (const int32_t *)e.data;
    double w0 = exp(2.0) / (exp(2.0) + exp(1.0));
    EXPECT(ev[0] == 1 && ev[1] == 2, "token 0 experts %d %d", ev[0], ev[1]);
    EXPECT(ev[2] == 0 && ev[3] == 1, "token 1 experts %d %d (ties: lower index)",
           ev[2], ev[3]);
    EXPECT(fabs(wv[0] - w0) < 1e-6 && fabs(wv[1] - (1 - w0)) < 1e-6,
           "token 0 weights %g %g, want %g %g", wv[0], wv[1], w0, 1 - w0);
    EXPECT(fabs(wv[2] - 0.5) < 1e-6 && fabs(wv[3] - 0.5) < 1e-6,
           "token 1 weights %g %g", wv[2], wv[3]);
    free(w.data);
    free(e.data);
  }

  /* (x u) v by hand. */
  float x[2 * 3] = {1, 2, 3, -1, 0, 1};
  float u[3 * 2] = {1, 0, 0, 1, 1, 1};
  float v[2 * 3] = {1, 2, 0, 0, 1, -1};
  sluice_buffer_t bx = {x, 2, {2, 3}}, bu = {u, 2, {3, 2}}, bv = {v, 2, {2, 3}};
  sluice_buffer_t y;
  rc = gate_model_lowrank(&bx, &bu, &bv, &y);
  EXPECT(rc == 0, "lowrank returned %d: %s", rc, gate_model_last_error());
  if (rc == 0) {
    /* x u = [[4, 5], [0, 1]]; (x u) v = [[4, 13, -5], [0, 1, -1]] */
    float want[6] = {4, 13, -5, 0, 1, -1};
    const float *yv = (const float *)y.data;
    for (int i = 0; i < 6; ++i)
      EXPECT(fabs(yv[i] - want[i]) < 1e-6, "y[%d] = %g, want %g", i, yv[i],
             want[i]);
    free(y.data);
  }

  /* A wrong static dim is an error with a message, not a crash. */
  sluice_buffer_t bad = {u, 2, {2, 3}};
  rc = gate_model_lowrank(&bx, &bad, &bv, &y);
  EXPECT(rc != 0, "a wrong static dim was accepted");
  EXPECT(strstr(gate_model_last_error(), "input 'u' dim 0 expects 3, got 2"),
         "message: %s", gate_model_last_error());

  /* An out-of-range expert index is a run-time error from the compiled code. */
  int32_t idx[2 * 2] = {0, 1, 2, 7};
  float wr[2 * 2] = {0.5f, 0.5f, 0.5f, 0.5f};
  sluice_buffer_t bi = {idx, 2, {2, 2}}, bw = {wr, 2, {2, 2}}, slots;
  rc = gate_model_route(&bi, &bw, &slots);
  EXPECT(rc != 0, "an out-of-range expert index was accepted");
  EXPECT(strstr(gate_model_last_error(),
                "sluice.route: expert index 7 out of range [0, 4) at slot 3"),
         "message: %s", gate_model_last_error());
  idx[3] = 3;
  rc = gate_model_route(&bi, &bw, &slots);
  EXPECT(rc == 0, "route returned %d: %s", rc, gate_model_last_error());
  if (rc == 0) {
    int32_t want[4] = {0, 1, 2, 3}; /* one slot per expert, in expert order */
    EXPECT(slots.shape[0] == 4, "P = %lld", (long long)slots.shape[0]);
    for (int i = 0; i < 4 && slots.shape[0] == 4; ++i)
      EXPECT(((int32_t *)slots.data)[i] == want[i], "slots[%d]", i);
    free(slots.data);
  }

  /* Multi-LoRA (grouped, gathered, scattered GEMMs): x = [1], w = [0],
   * a[l] = [[1]], b[l] = [[l + 1]], scales [1, 10, 100]. Token 0: ids
   * [2, -1] gates [0.5, 9] -> 150; token 1: ids [0, 1] gates [1, 2] ->
   * 1 + 40 = 41; token 2: ids [-1, -1] -> 0. */
  float mx[3] = {1, 1, 1};
  int32_t mids[3 * 2] = {2, -1, 0, 1, -1, -1};
  float mg[3 * 2] = {0.5f, 9, 1, 2, 3, 3};
  sluice_buffer_t bmx = {mx, 2, {3, 1}}, bmids = {mids, 2, {3, 2}},
                  bmg = {mg, 2, {3, 2}}, my;
  rc = gate_model_multi_lora(&bmx, &bmids, &bmg, &my);
  EXPECT(rc == 0, "multi_lora returned %d: %s", rc, gate_model_last_error());
  if (rc == 0) {
    float want[3] = {150, 41, 0};
    for (int i = 0; i < 3; ++i)
      EXPECT(fabs(((float *)my.data)[i] - want[i]) < 1e-4,
             "multi_lora y[%d] = %g, want %g", i, ((float *)my.data)[i],
             want[i]);
    free(my.data);
  }
  mids[1] = 3;
  rc = gate_model_multi_lora(&bmx, &bmids, &bmg, &my);
  EXPECT(rc != 0, "an adapter id >= L was accepted");
  EXPECT(strstr(gate_model_last_error(), "sluice.multi_lora_matmul: adapter "
                                         "id 3 out of range [-1, L) at token 0"),
         "message: %s", gate_model_last_error());

  /* LoRA (low-rank epilogue): x = [1, 1], w = 0, a = [[1, 10], [1, 10]]
   * (x a = [2, 20]), b = [[1], [100]], gates [[1, 1], [0.5, 0.25]]:
   * y = [2 + 2000, 1 + 500]. */
  float lx[2 * 2] = {1, 1, 1, 1}, la[2 * 2] = {1, 10, 1, 10};
  float lb[2] = {1, 100}, lg[2 * 2] = {1, 1, 0.5f, 0.25f};
  sluice_buffer_t blx = {lx, 2, {2, 2}}, bla = {la, 2, {2, 2}},
                  blb = {lb, 2, {2, 1}}, blg = {lg, 2, {2, 2}}, ly;
  rc = gate_model_lora(&blx, &bla, &blb, &blg, &ly);
  EXPECT(rc == 0, "lora returned %d: %s", rc, gate_model_last_error());
  if (rc == 0) {
    EXPECT(((float *)ly.data)[0] == 2002 && ((float *)ly.data)[1] == 501,
           "lora y = %g %g, want 2002 501", ((float *)ly.data)[0],
           ((float *)ly.data)[1]);
    free(ly.data);
  }

  printf("%s (%d failures)\n", failures ? "FAILED" : "PASSED", failures);
  return failures != 0;
}
