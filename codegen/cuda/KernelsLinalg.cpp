//===- KernelsLinalg.cpp - generic CUDA mapping of linalg ops -------------===//
//
// Every linalg op the frontend and the decompositions emit (matmul — the
// router —, fill, generic elementwise / broadcast / reductions, transpose,
// broadcast, the generics of a decomposed softmax) as one block program:
// one thread per point of the parallel loops (256 per block, the last
// parallel loop fastest, so row-major outputs are written coalesced), the
// reduction loops in the thread in loop order, the payload cloned. Each
// output element is computed by one thread in the order of the reduction
// loops: no shared state, no barrier. No tiling through shared memory (the
// router matmul is small: K = d, N = E).
//
//===----------------------------------------------------------------------===//

#include "codegen/common/Lowering.h"
#include "codegen/cuda/BlockProgram.h"

#include "mlir/Dialect/Affine/IR/AffineOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Arith/Utils/Utils.h"
#include "mlir/Dialect/Utils/StaticValueUtils.h"
#include "mlir/IR/TypeUtilities.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::sluice;
using namespace mlir::sluice::codegen;
using namespace mlir::sluice::cuda;
using IP = arith::CmpIPredicate;

static constexpr int64_t kThreads = 256;

std::optional<std::string> cuda::unsupportedLinalg(Operation *op) {
  auto l = dyn_cast<linalg::LinalgOp>(op);
  if (!l)
    return std::string("not a linalg op with a payload");
  if (!l.hasPureTensorSemantics())
    return std::string("buffer semantics");
  if (l->getNumRegions() != 1 || l->getRegion(0).empty())
    return std::string("no payload region");
  SmallVector<utils::IteratorType> iters = l.getIteratorTypesArray();
  for (OpOperand &out : l.getDpsInitsMutable()) {
    AffineMap m = l.getMatchingIndexingMap(&out);
    if (!m.isProjectedPermutation())
      return std::string("an output indexing map that is not a projected "
                         "permutation");
    for (auto [i, it] : llvm::enumerate(iters)) {
      bool parallel = it == utils::IteratorType::parallel;
      if (parallel != m.isFunctionOfDim(i))
        return std::string("an output indexed by other than exactly the "
                           "parallel loops");
    }
  }
  for (OpOperand *in : l.getDpsInputOperands())
    if (!isa<RankedTensorType>(in->get().getType()) &&
        isa<ShapedType>(in->get().getType()))
      return std::string("an unranked input");
  return std::nullopt;
}

/// Indices `map` gives for the loop ivs.
static SmallVector<Value> applyMap(Emit &e, AffineMap map, ValueRange ivs) {
  SmallVector<Value> out;
  for (AffineExpr expr : map.getResults()) {
    if (auto d = dyn_cast<AffineDimExpr>(expr)) {
      out.push_back(ivs[d.getPosition()]);
    } else if (auto c = dyn_cast<AffineConstantExpr>(expr)) {
      out.push_back(e.c(c.getValue()));
    } else {
      out.push_back(affine::AffineApplyOp::create(
          e.b, e.loc,
          AffineMap::get(map.getNumDims(), map.getNumSymbols(), expr), ivs));
    }
  }
  return out;
}

FailureOr<SmallVector<Value>>
cuda::buildLinalgKernel(Emit &e, Operation *op, ArrayRef<Value> operands) {
  auto l = cast<linalg::LinalgOp>(op);
  // Loop sizes from the (tensor) operands, at host level.
  SmallVector<Range> ranges = l.createLoopRanges(e.b, e.loc);
  SmallVector<Value> sizes;
  for (Range &r : ranges)
    sizes.push_back(getValueOrCreateConstantIndexOp(e.b, e.loc, r.size));
  SmallVector<utils::IteratorType> iters = l.getIteratorTypesArray();
  SmallVector<unsigned> par, red;
  for (auto [i, it] : llvm::enumerate(iters))
    (it == utils::IteratorType::parallel ? par : red).push_back(i);
  unsigned numIns = l.getNumDpsInputs();
  unsigned numOuts = l.getNumDpsInits();
  // Result buffers shaped like the inits.
  SmallVector<Value> results;
  for (unsigned o = 0; o < numOuts; ++o) {
    Value init = operands[numIns + o];
    auto t = cast<MemRefType>(init.getType());
    SmallVector<Value> dyn;
    for (unsigned i = 0; i < t.getRank(); ++i)
      if (t.isDynamicDim(i))
        dyn.push_back(e.dim(init, i));
    results.push_back(e.alloc(MemRefType::get(t.getShape(),
                                              t.getElementType()),
                              dyn));
  }
  Value n = e.c(1);
  for (unsigned p : par)
    n = e.muli(n, sizes[p]);
  SmallVector<AffineMap> maps = l.getIndexingMapsArray();
  Block &payload = l->getRegion(0).front();
  Value grid = e.divsi(e.addi(n, e.c(kThreads - 1)), e.c(kThreads));
  buildBlockProgram(e.b, e.loc, {grid}, [&](ValueRange ids) {
    buildThreadPhase(e.b, e.loc, kThreads, [&](Value t) {
      Value lin = e.addi(e.muli(ids[0], e.c(kThreads)), t);
      e.ifThen(e.cmpi(IP::slt, lin, n), [&] {
        SmallVector<Value> ivs(iters.size());
        Value rest = lin;
        for (int i = (int)par.size() - 1; i >= 0; --i) {
          ivs[par[i]] = e.remsi(rest, sizes[par[i]]);
          rest = e.divsi(rest, sizes[par[i]]);
        }
        // Initial accumulators: the init values where the payload reads
        // them (reductions, in-place updates), else unused.
        SmallVector<Value> accs;
        for (unsigned o = 0; o < numOuts; ++o) {
          OpOperand *out = l.getDpsInitOperand(o);
          Type elt = getElementTypeOrSelf(out->get().getType());
          if (l.payloadUsesValueFromOperand(out)) {
            for (unsigned r : red)
              ivs[r] = e.c(0);
            accs.push_back(e.load(operands[numIns + o],
                                  applyMap(e, maps[numIns + o], ivs)));
          } else {
            accs.push_back(arith::ConstantOp::create(
                e.b, e.loc, e.b.getZeroAttr(elt)));
          }
        }
        // The payload once for the current ivs.
        auto step = [&](ValueRange cur) -> SmallVector<Value> {
          IRMapping map;
          for (unsigned i = 0; i < numIns; ++i) {
            Value v = operands[i];
            if (isa<MemRefType>(v.getType()))
              v = e.load(v, applyMap(e, maps[i], ivs));
            map.map(payload.getArgument(i), v);
          }
          for (unsigned o = 0; o < numOuts; ++o)
            map.map(payload.getArgument(numIns + o), cur[o]);
          SmallVector<Value> next;
          for (Operation &inner : payload) {
            if (auto idx = dyn_cast<linalg::IndexOp>(&inner)) {
              map.map(idx.getResult(), ivs[idx.getDim()]);
              continue;
            }
            if (auto y = dyn_cast<linalg::YieldOp>(&inner)) {
              for (Value v : y.getValues())
                next.push_back(map.lookupOrDefault(v));
              continue;
            }
            e.b.clone(inner, map);
          }
          return next;
        };
        // Reduction loops nested in loop order.
        std::function<SmallVector<Value>(unsigned, ValueRange)> loops =
            [&](unsigned r, ValueRange cur) -> SmallVector<Value> {
          if (r == red.size())
            return step(cur);
          return e.forLoopAcc(
              e.c(0), sizes[red[r]], cur,
              [&](Value iv, ValueRange args) -> SmallVector<Value> {
                ivs[red[r]] = iv;
                return loops(r + 1, args);
              });
        };
        SmallVector<Value> fin = loops(0, accs);
        for (unsigned o = 0; o < numOuts; ++o)
          e.store(fin[o], results[o], applyMap(e, maps[numIns + o], ivs));
      });
    });
  });
  return results;
}
