//===- SluiceEnums.td - enum attributes of the sluice dialect -*- tablegen -*-===//

#ifndef SLUICE_ENUMS_TD
#define SLUICE_ENUMS_TD

include "mlir/IR/EnumAttr.td"
include "dialect/SluiceDialect.td"

class Sluice_I32Enum<string name, string summary, list<I32EnumAttrCase> cases>
    : I32EnumAttr<name, summary, cases> {
  let cppNamespace = "::mlir::sluice";
  let genSpecializedAttr = 0;
}

class Sluice_EnumAttr<EnumAttrInfo info, string mnemonic>
    : EnumAttr<Sluice_Dialect, info, mnemonic> {
  let assemblyFormat = "`<` $value `>`";
}

def Sluice_ScoreFunc : Sluice_I32Enum<"ScoreFunc", "gate score function", [
  I32EnumAttrCase<"softmax", 0>,
  I32EnumAttrCase<"sigmoid", 1>,
  I32EnumAttrCase<"softmax_topk", 2>,
  I32EnumAttrCase<"none", 3>
]>;
def Sluice_ScoreFuncAttr : Sluice_EnumAttr<Sluice_ScoreFunc, "score">;

def Sluice_GroupScore : Sluice_I32Enum<"GroupScore", "expert-group score", [
  I32EnumAttrCase<"max", 0>,
  I32EnumAttrCase<"top2_sum", 1>
]>;
def Sluice_GroupScoreAttr : Sluice_EnumAttr<Sluice_GroupScore, "group_score">;

def Sluice_Activation : Sluice_I32Enum<"Activation", "activation function", [
  I32EnumAttrCase<"silu", 0>,
  I32EnumAttrCase<"gelu", 1>,
  I32EnumAttrCase<"gelu_tanh", 2>,
  I32EnumAttrCase<"relu", 3>,
  I32EnumAttrCase<"sigmoid", 4>
]>;
def Sluice_ActivationAttr : Sluice_EnumAttr<Sluice_Activation, "act">;

def Sluice_DropPolicy : Sluice_I32Enum<"DropPolicy",
    "order in which an over-capacity expert keeps its candidates", [
  I32EnumAttrCase<"by_order", 0>,
  I32EnumAttrCase<"by_choice", 1>,
  I32EnumAttrCase<"by_weight", 2>
]>;
def Sluice_DropPolicyAttr : Sluice_EnumAttr<Sluice_DropPolicy, "drop">;

def Sluice_PoolKind : Sluice_I32Enum<"PoolKind", "set pooling reduction", [
  I32EnumAttrCase<"sum", 0>,
  I32EnumAttrCase<"mean", 1>,
  I32EnumAttrCase<"max", 2>,
  I32EnumAttrCase<"min", 3>,
  I32EnumAttrCase<"gem", 4>,
  I32EnumAttrCase<"lse", 5>,
  I32EnumAttrCase<"first", 6>,
  I32EnumAttrCase<"last", 7>
]>;
def Sluice_PoolKindAttr : Sluice_EnumAttr<Sluice_PoolKind, "pool">;

def Sluice_SpatialPoolKind : Sluice_I32Enum<"SpatialPoolKind",
    "spatial (adaptive / pyramid) pooling reduction", [
  I32EnumAttrCase<"avg", 0>,
  I32EnumAttrCase<"max", 1>
]>;
def Sluice_SpatialPoolKindAttr
    : Sluice_EnumAttr<Sluice_SpatialPoolKind, "spatial_pool">;

def Sluice_AttentionPoolKind : Sluice_I32Enum<"AttentionPoolKind",
    "attention pooling form", [
  I32EnumAttrCase<"dot", 0>,
  I32EnumAttrCase<"featurewise", 1>
]>;
def Sluice_AttentionPoolKindAttr
    : Sluice_EnumAttr<Sluice_AttentionPoolKind, "attention_pool">;

def Sluice_SparsifyMode : Sluice_I32Enum<"SparsifyMode",
    "how sparsify selects the kept activations", [
  I32EnumAttrCase<"threshold", 0>,
  I32EnumAttrCase<"topk", 1>,
  I32EnumAttrCase<"wina", 2>
]>;
def Sluice_SparsifyModeAttr : Sluice_EnumAttr<Sluice_SparsifyMode, "sparsify">;

#endif // SLUICE_ENUMS_TD
