//===- OpTable.cpp - the ops of the language and their arguments ----------===//
//
// Every op under its spec name with its operands (in ODS order, with the
// shape pattern the language checks), attributes and results.
//
//===----------------------------------------------------------------------===//

#include "frontend/GenImpl.h"

#include "dialect/SluiceOps.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;
namespace msl = mlir::sluice;

using G = Generator;
static constexpr AttrKind I = AttrKind::Int, F = AttrKind::F32,
                          B = AttrKind::Bool, En = AttrKind::Enum,
                          Is = AttrKind::Ints, D = AttrKind::Dim;
static constexpr EnumKind No = EnumKind::None;

// clang-format off
static const std::vector<OpInfo> kOps = {
  // ---- basic ops ----------------------------------------------------------
  {"matmul", {{"a", "*", false, ""}, {"b", "*", false, ""}}, {}, {"result"},
   "", &G::genMatmul},
  {"add", {{"a", "num", false, ""}, {"b", "num", false, ""}}, {}, {"result"}, "", &G::genElementwise},
  {"sub", {{"a", "num", false, ""}, {"b", "num", false, ""}}, {}, {"result"}, "", &G::genElementwise},
  {"mul", {{"a", "num", false, ""}, {"b", "num", false, ""}}, {}, {"result"}, "", &G::genElementwise},
  {"div", {{"a", "num", false, ""}, {"b", "num", false, ""}}, {}, {"result"}, "", &G::genElementwise},
  {"exp", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genUnary},
  {"log", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genUnary},
  {"tanh", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genUnary},
  {"silu", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genActivation},
  {"gelu", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genActivation},
  {"gelu_tanh", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genActivation},
  {"relu", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genActivation},
  {"sigmoid", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genActivation},
  {"softmax", {{"x", "f32*", false, ""}}, {}, {"result"}, "", &G::genSoftmax},
  {"rmsnorm", {{"x", "f32*", false, ""}, {"weight", "f32[N]", false, ""}},
   {{"eps", F, No, "1e-6", false}}, {"result"}, "", &G::genRmsnorm},
  {"layernorm", {{"x", "f32*", false, ""}, {"weight", "f32[N]", true, ""},
                 {"bias", "f32[N]", true, ""}},
   {{"eps", F, No, "1e-5", false}}, {"result"}, "", &G::genLayernorm},
  {"transpose", {{"x", "*", false, ""}}, {}, {"result"}, "", &G::genTranspose},
  {"reshape", {{"x", "*", false, ""}}, {{"shape", AttrKind::Dims, No, nullptr, true}},
   {"result"}, "", &G::genReshape},
  {"concat", {}, {{"axis", I, No, "0", false}}, {"result"}, "", &G::genConcat,
   false, true},
  {"slice", {{"x", "*", false, ""}},
   {{"axis", I, No, nullptr, true}, {"start", I, No, "0", false},
    {"end", I, No, nullptr, false}}, {"result"}, "", &G::genSlice},
  {"arange", {}, {{"n", I, No, nullptr, true}, {"start", D, No, "0", false},
                  {"step", D, No, "1", false}}, {"result"}, "", &G::genArange},
  // ---- gating -------------------------------------------------------------
  {"topk_gate", {{"logits", "f32[T,E]", false, ""}, {"bias", "f32[E]", true, ""}},
   {{"k", I, No, nullptr, true}, {"score", En, EnumKind::Score, "softmax", false},
    {"renormalize", B, No, "false", false}, {"scale", F, No, "1", false},
    {"temperature", F, No, "1", false}, {"groups", I, No, "1", false},
    {"topk_groups", I, No, "1", false},
    {"group_score", En, EnumKind::GroupScore, "max", false}},
   {"weights", "indices"}, "T:token counts;E:expert counts", &G::genTopkGate},
  {"expert_choice_gate", {{"logits", "f32[T,E]", false, ""}},
   {{"capacity", I, No, nullptr, false}, {"capacity_factor", F, No, nullptr, false}},
   {"weights", "tokens"}, "", &G::genExpertChoiceGate},
  {"glu", {{"gate", "f32*", false, ""}, {"up", "f32*", false, ""}},
   {{"act", En, EnumKind::Act, "silu", false}}, {"result"}, "", &G::genGlu},
  {"sigmoid_gate", {{"x", "f32[T,C]", false, ""}, {"g", "f32[T,H]", false, ""}},
   {}, {"result"}, "T:token counts", &G::genSigmoidGate},
  // ---- routing ------------------------------------------------------------
  {"route", {{"indices", "i32[T,k]", false, ""}, {"weights", "f32[T,k]", false, ""}},
   {{"num_experts", I, No, nullptr, true}, {"block", I, No, "1", false},
    {"capacity", I, No, "0", false}, {"drop", En, EnumKind::Drop, "by_order", false}},
   {"counts", "offsets", "slots", "keep"},
   "T:token counts;k:choices per token", &G::genRoute},
  {"dispatch", {{"x", "f32[T,d]", false, ""}, {"slots", "i32[P]", false, ""}},
   {{"k", I, No, nullptr, true}}, {"result"}, "", &G::genDispatch},
  {"grouped_matmul", {{"xs", "f32[P,K]", false, ""}, {"w", "f32[E,K,N]", false, ""},
                      {"offsets", "i32[E+1]", false, ""}},
   {}, {"result"}, "K:inner dims;E:expert counts", &G::genGroupedMatmul},
  {"combine", {{"ys", "f32[P,d]", false, ""}, {"slots", "i32[P]", false, ""},
               {"weights", "*", false, "slot_weights"}, {"keep", "*", true, ""},
               {"num_tokens", "dim", true, "tokens"}},
   {{"k", I, No, nullptr, false}}, {"result"}, "P:slot counts", &G::genCombine,
   true},
  {"moe", {{"x", "f32[T,d]", false, ""}, {"weights", "f32[T,k]", false, ""},
           {"indices", "i32[T,k]", false, ""}, {"w_gate", "f32[E,d,F]", false, ""},
           {"w_up", "f32[E,d,F]", true, ""}, {"w_down", "f32[E,F,d]", false, ""},
           {"shared_gate", "f32[S,d,G]", true, "s_gate"},
           {"shared_up", "f32[S,d,G]", true, "s_up"},
           {"shared_down", "f32[S,G,d]", true, "s_down"},
           {"shared_gate_w", "f32[S,d]", true, "s_gate_w"},
           {"const_wc", "f32[Z,d,2]", true, "wc"}, {"const_v", "f32[Z,d]", true, "v"}},
   {{"act", En, EnumKind::Act, "silu", false}, {"num_zero", I, No, "0", false},
    {"num_copy", I, No, "0", false}, {"num_const", I, No, "0", false},
    {"capacity", I, No, "0", false}, {"drop", En, EnumKind::Drop, "by_order", false},
    {"renormalize_kept", B, No, "false", false}},
   {"result"},
   "T:token counts;d:hidden sizes;k:choices per token;E:expert counts;"
   "F:ffn sizes;S:shared expert counts;G:shared ffn sizes;"
   "Z:constant expert counts",
   &G::genMoe, true},
  {"load_balance_loss", {{"probs", "f32[T,E]", false, ""}, {"indices", "i32[T,k]", false, ""},
                         {"mask", "int[T]", true, ""}},
   {}, {"loss"}, "T:token counts", &G::genLoss},
  {"router_z_loss", {{"logits", "f32[T,E]", false, ""}, {"mask", "int[T]", true, ""}},
   {}, {"loss"}, "T:token counts", &G::genLoss},
  // ---- pooling ------------------------------------------------------------
  {"pool", {{"x", "f32[B,N,D]", false, ""}, {"mask", "int[B,N]", true, ""},
            {"lengths", "i32[B]", true, ""}, {"group_p", "f32[G]", true, ""}},
   {{"kind", En, EnumKind::Pool, nullptr, true}, {"p", F, No, "3", false},
    {"eps", F, No, "1e-6", false}, {"groups", I, No, "1", false},
    {"r", F, No, "1", false}},
   {"result"}, "B:batch sizes;N:set sizes", &G::genPool, true},
  {"segment_pool", {{"x", "f32[N,D]", false, ""}, {"offsets", "i32[S]", false, ""},
                    {"group_p", "f32[G]", true, ""}},
   {{"kind", En, EnumKind::Pool, nullptr, true}, {"p", F, No, "3", false},
    {"eps", F, No, "1e-6", false}, {"groups", I, No, "1", false},
    {"r", F, No, "1", false}},
   {"result"}, "", &G::genSegmentPool},
  {"adaptive_pool", {{"x", "f32[B,C,H,W]", false, ""}},
   {{"kind", En, EnumKind::SpatialPool, "avg", false},
    {"output_size", Is, No, nullptr, true}},
   {"result"}, "", &G::genAdaptivePool},
  {"spatial_pyramid_pool", {{"x", "f32[B,C,H,W]", false, ""}},
   {{"levels", Is, No, nullptr, true},
    {"kind", En, EnumKind::SpatialPool, "max", false}},
   {"result"}, "", &G::genSpatialPyramidPool},
  {"attention_pool", {{"x", "f32[B,N,D]", false, ""}, {"query", "*", false, "q|w"},
                      {"mask", "int[B,N]", true, ""}},
   {{"kind", En, EnumKind::AttentionPool, "dot", false}, {"heads", I, No, nullptr, false}},
   {"result"}, "B:batch sizes;N:set sizes", &G::genAttentionPool},
  // ---- low rank -----------------------------------------------------------
  {"lora_matmul", {{"x", "f32[T,K]", false, ""}, {"w", "f32[K,N]", false, ""},
                   {"a", "f32[K,r]", false, ""}, {"b", "f32[r,N]", false, ""},
                   {"bias", "f32[N]", true, ""}, {"rank_gates", "*", true, ""}},
   {{"scale", F, No, "1", false}, {"active_rank", I, No, nullptr, false}},
   {"result"}, "K:inner dims;r:ranks;N:output sizes", &G::genLoraMatmul, true},
  {"multi_lora_matmul", {{"x", "f32[T,K]", false, ""}, {"w", "f32[K,N]", false, ""},
                         {"a", "f32[L,K,r]", false, ""}, {"b", "f32[L,r,N]", false, ""},
                         {"ids", "i32[T,m]", false, ""}, {"gates", "f32[T,m]", true, ""},
                         {"scales", "f32[L]", true, ""}, {"bias", "f32[N]", true, ""}},
   {{"scale", F, No, nullptr, false}}, {"result"},
   "T:token counts;K:inner dims;N:output sizes;L:adapter counts;r:ranks;"
   "m:adapters per token", &G::genMultiLoraMatmul, true},
  {"lowrank_matmul", {{"x", "f32[T,K]", false, ""}, {"u", "f32[K,r]", false, ""},
                      {"v", "f32[r,N]", false, ""}, {"bias", "f32[N]", true, ""}},
   {}, {"result"}, "K:inner dims;r:ranks;N:output sizes", &G::genLowrankMatmul},
  // ---- sparse activation ----------------------------------------------------
  {"sparsify", {{"x", "f32[T,N]", false, ""}, {"wnorm", "f32[N]", true, ""}},
   {{"mode", En, EnumKind::Sparsify, nullptr, true}, {"tau", F, No, nullptr, false},
    {"k", I, No, nullptr, false}}, {"result"}, "N:input sizes", &G::genSparsify},
  {"sparse_matmul", {{"x", "f32[T,N]", false, ""}, {"w", "f32[N,M]", false, ""},
                     {"wnorm", "f32[N]", true, ""}},
   {{"mode", En, EnumKind::Sparsify, nullptr, true}, {"tau", F, No, nullptr, false},
    {"k", I, No, nullptr, false}}, {"result"}, "N:inner dims", &G::genSparsify},
  {"topk", {{"x", "f32*", false, ""}},
   {{"k", I, No, nullptr, true}, {"largest", B, No, "true", false}},
   {"values", "indices"}, "", &G::genTopk},
};
// clang-format on

const OpInfo *sluice::frontend::lookupOp(StringRef name) {
  for (const OpInfo &op : kOps)
    if (name == op.name)
      return &op;
  return nullptr;
}

std::vector<std::string> sluice::frontend::knownOps() {
  std::vector<std::string> names;
  for (const OpInfo &op : kOps)
    names.push_back(op.name);
  return names;
}

std::vector<std::string> sluice::frontend::enumValues(EnumKind kind) {
  std::vector<std::string> v;
#define SLUICE_ENUM(KIND, E)                                                   \
  case EnumKind::KIND:                                                         \
    for (unsigned i = 0; i <= msl::getMaxEnumValFor##E(); ++i)                 \
      if (auto e = msl::symbolize##E(i))                                       \
        v.push_back(msl::stringify##E(*e).str());                              \
    break;
  switch (kind) {
    SLUICE_ENUM(Score, ScoreFunc)
    SLUICE_ENUM(GroupScore, GroupScore)
    SLUICE_ENUM(Act, Activation)
    SLUICE_ENUM(Drop, DropPolicy)
    SLUICE_ENUM(Pool, PoolKind)
    SLUICE_ENUM(SpatialPool, SpatialPoolKind)
    SLUICE_ENUM(AttentionPool, AttentionPoolKind)
    SLUICE_ENUM(Sparsify, SparsifyMode)
  case EnumKind::None:
    break;
  }
#undef SLUICE_ENUM
  return v;
}

//===----------------------------------------------------------------------===//
// CallSite
//===----------------------------------------------------------------------===//

int CallSite::operandIndex(StringRef name) const {
  for (size_t i = 0; i < op.operands.size(); ++i) {
    if (name == op.operands[i].name)
      return i;
    llvm::SmallVector<StringRef> aliases;
    StringRef(op.operands[i].aliases).split(aliases, '|', -1, false);
    if (llvm::is_contained(aliases, name))
      return i;
  }
  return -1;
}

int CallSite::attrIndex(StringRef name) const {
  for (size_t i = 0; i < op.attrs.size(); ++i)
    if (name == op.attrs[i].name)
      return i;
  return -1;
}

const Val *CallSite::get(StringRef name) const {
  int i = operandIndex(name);
  return i >= 0 && operands[i] ? &*operands[i] : nullptr;
}

const AttrVal &CallSite::attr(StringRef name) const {
  int i = attrIndex(name);
  assert(i >= 0 && "unknown attribute");
  return attrs[i];
}

bool CallSite::has(StringRef name) const {
  int i = attrIndex(name);
  if (i >= 0)
    return attrs[i].given;
  return get(name) != nullptr;
}
