//===- Lexer.h - tokens of the model description language ------*- C++ -*-===//
//
// Splits a `.sl` model into tokens. Comments run from `#` or `//` to the end
// of the line, or between `/*` and `*/`. Newlines are not tokens: each token
// records whether a line break precedes it, which is how the parser ends
// statements.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_LEXER_H
#define SLUICE_FRONTEND_LEXER_H

#include "frontend/Diagnostics.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/SMLoc.h"

#include <cstdint>
#include <vector>

namespace sluice::frontend {

enum class TokKind {
  eof,
  error,
  identifier,
  integer, ///< 12
  number,  ///< 1.5, 1e-6, 2.
  l_paren,
  r_paren,
  l_square,
  r_square,
  l_brace,
  r_brace,
  comma,
  colon,
  semicolon,
  equal,
  plus,
  minus,
  star,
  slash,
};

struct Token {
  TokKind kind = TokKind::eof;
  llvm::StringRef spelling;   ///< points into the source buffer
  bool newlineBefore = false; ///< a line break separates it from the last one
  int64_t intValue = 0;
  double floatValue = 0;

  bool is(TokKind k) const { return kind == k; }
  bool isIdent(llvm::StringRef s) const {
    return kind == TokKind::identifier && spelling == s;
  }
  llvm::SMLoc loc() const {
    return llvm::SMLoc::getFromPointer(spelling.begin());
  }
  llvm::SMLoc endLoc() const {
    return llvm::SMLoc::getFromPointer(spelling.end());
  }
};

/// A readable name of a token kind for diagnostics ("')'").
llvm::StringRef describeKind(TokKind kind);
/// How a token reads in a diagnostic: "'foo'", "end of file", ...
std::string describe(const Token &tok);

class Lexer {
public:
  Lexer(llvm::StringRef buffer, DiagEngine &diags)
      : buffer(buffer), cur(buffer.begin()), diags(diags) {}

  /// The next token; an `error` token after a reported lexing error, then
  /// `eof` for ever.
  Token next();

  /// Lexes the whole buffer. The last token is `eof`, or `error` when a
  /// lexing error was reported.
  std::vector<Token> lexAll();

private:
  Token make(TokKind kind, const char *start);
  Token lexNumber(const char *start);
  Token lexError(const char *at, const llvm::Twine &msg);
  /// Skips blanks and comments; false after an unterminated comment.
  bool skipTrivia();

  llvm::StringRef buffer;
  const char *cur;
  DiagEngine &diags;
  bool sawNewline = false;
  bool failed = false;
};

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_LEXER_H
