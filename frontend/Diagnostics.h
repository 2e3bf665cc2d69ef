//===- Diagnostics.h - diagnostics of the model language --------*- C++ -*-===//
//
// Errors, warnings and notes of the model description language, printed as
// `file.sl:LINE:COL: error: MESSAGE` followed by the source line and a caret
// (llvm::SourceMgr's format, the same as MLIR's diagnostics), and the
// "did you mean" suggestions shared by the lexer, parser and MLIRGen.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_DIAGNOSTICS_H
#define SLUICE_FRONTEND_DIAGNOSTICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/SMLoc.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"

#include <string>

namespace sluice::frontend {

/// Prints diagnostics against the buffers of a SourceMgr and counts errors.
class DiagEngine {
public:
  DiagEngine(llvm::SourceMgr &sourceMgr, llvm::raw_ostream &os)
      : sourceMgr(sourceMgr), os(os) {}

  /// Reports an error at `loc`; without a location, as `sluicec: error:`.
  void error(llvm::SMLoc loc, const llvm::Twine &msg);
  void warning(llvm::SMLoc loc, const llvm::Twine &msg);
  void note(llvm::SMLoc loc, const llvm::Twine &msg);

  unsigned numErrors() const { return errors; }
  bool hadError() const { return errors != 0; }
  llvm::SourceMgr &getSourceMgr() { return sourceMgr; }

  /// Errors past this many are counted but not printed.
  static constexpr unsigned kMaxPrinted = 20;

private:
  void print(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
             const llvm::Twine &msg);

  llvm::SourceMgr &sourceMgr;
  llvm::raw_ostream &os;
  unsigned errors = 0;
  bool lastSuppressed = false;
};

/// The candidate closest to `word` by edit distance, or "" when none is
/// close enough to be a plausible typo.
std::string closestMatch(llvm::StringRef word,
                         llvm::ArrayRef<std::string> candidates);

/// "; did you mean 'X'?" for the closest candidate, else "".
std::string didYouMean(llvm::StringRef word,
                       llvm::ArrayRef<std::string> candidates);

/// "a, b, c" (each quoted with ' when `quote`).
std::string joinNames(llvm::ArrayRef<std::string> names, bool quote = false);

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_DIAGNOSTICS_H
