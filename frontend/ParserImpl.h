//===- ParserImpl.h - the parser's internals -------------------*- C++ -*-===//
//
// Shared by Parser.cpp (models, functions, statements, types) and
// ParseExpr.cpp (expressions).
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_PARSERIMPL_H
#define SLUICE_FRONTEND_PARSERIMPL_H

#include "frontend/Parser.h"

#include "llvm/Support/SourceMgr.h"

namespace sluice::frontend {

/// The recursive-descent parser; statements in Parser.cpp, expressions in
/// ParseExpr.cpp.
class Parser {
public:
  Parser(Lexer &lexer, DiagEngine &diags) : lexer(lexer), diags(diags) {
    toks.push_back(lexer.next());
  }

  std::unique_ptr<Model> parseModel();

private:
  // Tokens are lexed on demand, so that errors come out in source order.
  const Token &cur() const { return toks[pos]; }
  const Token &peek(unsigned n = 1) {
    while (toks.size() <= pos + n && !toks.back().is(TokKind::eof) &&
           !toks.back().is(TokKind::error))
      toks.push_back(lexer.next());
    return toks[std::min(pos + n, toks.size() - 1)];
  }
  const Token &prev() const { return pos ? toks[pos - 1] : lastConsumed; }
  void consume() {
    peek(1);
    if (pos + 1 < toks.size())
      ++pos;
    // Keep the buffer short: drop consumed tokens but the previous one.
    if (pos > 64) {
      toks.erase(toks.begin(), toks.begin() + (pos - 1));
      pos = 1;
    }
  }
  /// Where a missing token belongs: the end of the previous token when the
  /// current one starts a new line (or is the end of the file).
  llvm::SMLoc missingLoc() {
    if (pos > 0 && (cur().newlineBefore || cur().is(TokKind::eof)))
      return prev().endLoc();
    return cur().loc();
  }
  /// Reports `msg` unless the lexer already reported an error here.
  bool error(llvm::SMLoc loc, const llvm::Twine &msg) {
    if (!cur().is(TokKind::error))
      diags.error(loc, msg);
    return false;
  }
  bool expect(TokKind kind, const llvm::Twine &context) {
    if (cur().is(kind)) {
      consume();
      return true;
    }
    return error(missingLoc(), "expected " + describeKind(kind) + " " +
                                   context + ", got " + describe(cur()));
  }
  /// An identifier that names something (not a keyword).
  bool parseName(std::string &name, llvm::SMLoc &loc, llvm::StringRef what);

  bool parseParams(Model &m);
  bool parseWeight(Stmt &s);
  bool parseFunction(Function &f);
  bool parseStmt(std::vector<Stmt> &body);
  bool parseInput(Stmt &s);
  bool parseOutput(Stmt &s);
  bool parseAssign(Stmt &s);
  bool parseTarget(Target &t, llvm::StringRef what);
  std::unique_ptr<TypeSpec> parseType();
  bool endStatement();

  ExprPtr parseExpr();
  ExprPtr parseTerm();
  ExprPtr parseUnary();
  ExprPtr parsePrimary();
  ExprPtr parseCall(ExprPtr callee);
  /// Sets the node's range and depth; nullptr (after an error) when the
  /// tree gets too deep for the recursive passes over it.
  ExprPtr finish(ExprPtr e, llvm::SMLoc start) {
    e->range = llvm::SMRange(start, prev().endLoc());
    for (const ExprPtr &o : e->operands)
      e->depth = std::max(e->depth, o->depth + 1);
    for (const Arg &a : e->args)
      e->depth = std::max(e->depth, a.value->depth + 1);
    if (e->depth > kMaxDepth) {
      error(start, "expression nested too deeply");
      return nullptr;
    }
    return e;
  }

  Lexer &lexer;
  std::vector<Token> toks;
  Token lastConsumed;
  size_t pos = 0;
  DiagEngine &diags;
  unsigned depth = 0;
  static constexpr unsigned kMaxDepth = 200;
};

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_PARSERIMPL_H
