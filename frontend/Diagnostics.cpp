//===- Diagnostics.cpp - diagnostics of the model language ----------------===//

#include "frontend/Diagnostics.h"

using namespace sluice::frontend;

void DiagEngine::print(llvm::SMLoc loc, llvm::SourceMgr::DiagKind kind,
                       const llvm::Twine &msg) {
  if (kind == llvm::SourceMgr::DK_Error) {
    ++errors;
    lastSuppressed = errors > kMaxPrinted;
    if (errors == kMaxPrinted + 1)
      os << "sluicec: note: too many errors; the rest are not shown\n";
  }
  // Notes and warnings that follow a suppressed error are suppressed too.
  if (lastSuppressed)
    return;
  if (!loc.isValid() || sourceMgr.FindBufferContainingLoc(loc) == 0) {
    const char *what = kind == llvm::SourceMgr::DK_Error     ? "error"
                       : kind == llvm::SourceMgr::DK_Warning ? "warning"
                                                             : "note";
    os << "sluicec: " << what << ": " << msg << "\n";
    return;
  }
  sourceMgr.PrintMessage(os, loc, kind, msg);
}

void DiagEngine::error(llvm::SMLoc loc, const llvm::Twine &msg) {
  print(loc, llvm::SourceMgr::DK_Error, msg);
}
void DiagEngine::warning(llvm::SMLoc loc, const llvm::Twine &msg) {
  print(loc, llvm::SourceMgr::DK_Warning, msg);
}
void DiagEngine::note(llvm::SMLoc loc, const llvm::Twine &msg) {
  print(loc, llvm::SourceMgr::DK_Note, msg);
}

std::string
sluice::frontend::closestMatch(llvm::StringRef word,
                               llvm::ArrayRef<std::string> candidates) {
  if (word.size() > 64)
    return "";
  unsigned limit = std::max<unsigned>(1, (word.size() + 2) / 3);
  unsigned best = limit + 1;
  std::string match;
  for (const std::string &c : candidates) {
    if (c == word || c.size() > 64)
      continue;
    unsigned d = word.edit_distance(c, /*AllowReplacements=*/true, limit + 1);
    // Also accept a case-only difference and a missing/extra underscore.
    if (word.equals_insensitive(c))
      d = 0;
    if (d < best) {
      best = d;
      match = c;
    }
  }
  return best <= limit ? match : "";
}

std::string
sluice::frontend::didYouMean(llvm::StringRef word,
                             llvm::ArrayRef<std::string> candidates) {
  std::string m = closestMatch(word, candidates);
  return m.empty() ? "" : "; did you mean '" + m + "'?";
}

std::string sluice::frontend::joinNames(llvm::ArrayRef<std::string> names,
                                        bool quote) {
  std::string s;
  for (const std::string &n : names) {
    if (!s.empty())
      s += ", ";
    s += quote ? "'" + n + "'" : n;
  }
  return s;
}
