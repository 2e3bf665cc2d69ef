//===- Parser.cpp - recursive-descent parser of .sl models ----------------===//

#include "frontend/Parser.h"

#include "llvm/Support/SourceMgr.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

bool sluice::frontend::isKeyword(StringRef w) {
  return w == "model" || w == "weight" || w == "func" || w == "input" ||
         w == "output" || w == "true" || w == "false";
}

namespace {

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
  SMLoc missingLoc() {
    if (pos > 0 && (cur().newlineBefore || cur().is(TokKind::eof)))
      return prev().endLoc();
    return cur().loc();
  }
  /// Reports `msg` unless the lexer already reported an error here.
  bool error(SMLoc loc, const llvm::Twine &msg) {
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
  bool parseName(std::string &name, SMLoc &loc, StringRef what);

  bool parseParams(Model &m);
  bool parseWeight(Stmt &s);
  bool parseFunction(Function &f);
  bool parseStmt(std::vector<Stmt> &body);
  bool parseInput(Stmt &s);
  bool parseOutput(Stmt &s);
  bool parseAssign(Stmt &s);
  bool parseTarget(Target &t, StringRef what);
  std::unique_ptr<TypeSpec> parseType();
  bool endStatement();

  ExprPtr parseExpr();
  ExprPtr parseTerm();
  ExprPtr parseUnary();
  ExprPtr parsePrimary();
  ExprPtr parseCall(ExprPtr callee);
  ExprPtr finish(ExprPtr e, SMLoc start) {
    e->range = llvm::SMRange(start, prev().endLoc());
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

} // namespace

bool Parser::parseName(std::string &name, SMLoc &loc, StringRef what) {
  if (!cur().is(TokKind::identifier))
    return error(missingLoc(), "expected " + what + ", got " + describe(cur()));
  if (isKeyword(cur().spelling))
    return error(cur().loc(), "'" + cur().spelling + "' is a keyword and "
                                  "cannot be used as " + what);
  name = cur().spelling.str();
  loc = cur().loc();
  consume();
  return true;
}

std::unique_ptr<Model> Parser::parseModel() {
  auto m = std::make_unique<Model>();
  if (cur().is(TokKind::error))
    return nullptr;
  if (!cur().isIdent("model")) {
    error(cur().loc(), "expected 'model NAME(...)' at the start of the file, "
                       "got " + describe(cur()));
    return nullptr;
  }
  m->loc = cur().loc();
  consume();
  if (!parseName(m->name, m->loc, "a model name"))
    return nullptr;
  if (cur().is(TokKind::l_paren) && !parseParams(*m))
    return nullptr;
  if (!cur().newlineBefore && !cur().is(TokKind::eof) &&
      !cur().is(TokKind::semicolon)) {
    error(cur().loc(), "expected a newline after the model header, got " +
                           describe(cur()));
    return nullptr;
  }
  if (cur().is(TokKind::semicolon))
    consume();
  while (!cur().is(TokKind::eof)) {
    if (cur().isIdent("weight")) {
      Stmt s;
      if (!parseWeight(s) || !endStatement())
        return nullptr;
      m->weights.push_back(std::move(s));
    } else if (cur().isIdent("func")) {
      m->functions.emplace_back();
      if (!parseFunction(m->functions.back()))
        return nullptr;
    } else if (cur().isIdent("input") || cur().isIdent("output") ||
               (cur().is(TokKind::identifier) &&
                !isKeyword(cur().spelling))) {
      error(cur().loc(), "expected 'weight' or 'func' at model level, got " +
                             describe(cur()) +
                             " (inputs, outputs and assignments belong "
                             "inside 'func NAME { ... }')");
      return nullptr;
    } else {
      error(cur().loc(), "expected 'weight' or 'func' at model level, got " +
                             describe(cur()));
      return nullptr;
    }
  }
  if (m->functions.empty()) {
    error(m->loc, "model '" + m->name + "' has no function; add "
                  "'func NAME { ... }'");
    return nullptr;
  }
  return m;
}

bool Parser::parseParams(Model &m) {
  SMLoc open = cur().loc();
  consume(); // (
  while (!cur().is(TokKind::r_paren)) {
    Param p;
    if (!parseName(p.name, p.loc, "a parameter name"))
      return false;
    if (!cur().is(TokKind::equal))
      return error(missingLoc(), "expected '=' and a default value after "
                                 "parameter '" + p.name + "', got " +
                                     describe(cur()));
    consume();
    if (!(p.value = parseExpr()))
      return false;
    m.params.push_back(std::move(p));
    if (cur().is(TokKind::comma)) {
      consume();
      continue;
    }
    if (!cur().is(TokKind::r_paren)) {
      error(missingLoc(), "expected ',' or ')' in the parameter list, got " +
                              describe(cur()));
      diags.note(open, "the parameter list starts here");
      return false;
    }
  }
  consume(); // )
  return true;
}

bool Parser::endStatement() {
  if (cur().is(TokKind::semicolon)) {
    consume();
    return true;
  }
  if (cur().newlineBefore || cur().is(TokKind::r_brace) ||
      cur().is(TokKind::eof))
    return true;
  return error(cur().loc(), "expected a newline or ';' after the statement, "
                            "got " + describe(cur()));
}

std::unique_ptr<TypeSpec> Parser::parseType() {
  auto t = std::make_unique<TypeSpec>();
  SMLoc start = cur().loc();
  if (!cur().is(TokKind::identifier)) {
    error(missingLoc(), "expected a tensor type such as f32[T, d], got " +
                            describe(cur()));
    return nullptr;
  }
  t->dtype = cur().spelling.str();
  t->dtypeLoc = cur().loc();
  consume();
  if (!cur().is(TokKind::l_square)) {
    error(missingLoc(), "expected '[' and the dims after element type '" +
                            t->dtype + "' (a scalar is " + t->dtype +
                            "[]), got " + describe(cur()));
    return nullptr;
  }
  SMLoc open = cur().loc();
  consume();
  while (!cur().is(TokKind::r_square)) {
    ExprPtr d = parseExpr();
    if (!d)
      return nullptr;
    t->dims.push_back(std::move(d));
    if (cur().is(TokKind::comma)) {
      consume();
      continue;
    }
    if (!cur().is(TokKind::r_square)) {
      error(missingLoc(), "expected ',' or ']' in the dims, got " +
                              describe(cur()));
      diags.note(open, "the dims start here");
      return nullptr;
    }
  }
  consume();
  t->range = llvm::SMRange(start, prev().endLoc());
  return t;
}

bool Parser::parseWeight(Stmt &s) {
  s.kind = Stmt::Kind::Weight;
  s.loc = cur().loc();
  consume(); // weight
  Target t;
  if (!parseName(t.name, t.loc, "a weight name"))
    return false;
  if (!cur().is(TokKind::colon))
    return error(missingLoc(), "expected ':' and a type after weight '" +
                                   t.name + "', got " + describe(cur()));
  consume();
  if (!(t.type = parseType()))
    return false;
  s.targets.push_back(std::move(t));
  return true;
}

bool Parser::parseInput(Stmt &s) {
  s.kind = Stmt::Kind::Input;
  s.loc = cur().loc();
  consume(); // input
  Target t;
  if (!parseName(t.name, t.loc, "an input name"))
    return false;
  if (!cur().is(TokKind::colon))
    return error(missingLoc(), "expected ':' and a type after input '" +
                                   t.name + "', got " + describe(cur()));
  consume();
  if (!(t.type = parseType()))
    return false;
  s.targets.push_back(std::move(t));
  if (cur().isIdent("range") && !cur().newlineBefore) {
    s.rangeLoc = cur().loc();
    consume();
    if (!expect(TokKind::l_paren, "after 'range'") ||
        !(s.rangeLo = parseExpr()) ||
        !expect(TokKind::comma, "between the bounds of 'range(lo, hi)'") ||
        !(s.rangeHi = parseExpr()) ||
        !expect(TokKind::r_paren, "to close 'range(lo, hi)'"))
      return false;
  }
  return true;
}

bool Parser::parseTarget(Target &t, StringRef what) {
  if (!parseName(t.name, t.loc, what))
    return false;
  if (cur().is(TokKind::colon)) {
    consume();
    if (!(t.type = parseType()))
      return false;
  }
  return true;
}

bool Parser::parseOutput(Stmt &s) {
  s.kind = Stmt::Kind::Output;
  s.loc = cur().loc();
  consume(); // output
  do {
    if (!s.targets.empty())
      consume(); // ,
    s.targets.emplace_back();
    if (!parseTarget(s.targets.back(), "the name of an output value"))
      return false;
  } while (cur().is(TokKind::comma));
  return true;
}

bool Parser::parseAssign(Stmt &s) {
  s.kind = Stmt::Kind::Assign;
  s.loc = cur().loc();
  if (peek().is(TokKind::l_paren))
    return error(cur().loc(), "the result of '" + cur().spelling +
                                  "(...)' must be assigned: write "
                                  "'NAME = " + cur().spelling + "(...)'");
  do {
    if (!s.targets.empty())
      consume(); // ,
    s.targets.emplace_back();
    if (!parseTarget(s.targets.back(), "a value name"))
      return false;
  } while (cur().is(TokKind::comma));
  if (!cur().is(TokKind::equal))
    return error(missingLoc(), "expected '=' after '" +
                                   s.targets.back().name + "', got " +
                                   describe(cur()));
  consume();
  return (bool)(s.value = parseExpr());
}

bool Parser::parseStmt(std::vector<Stmt> &body) {
  Stmt s;
  bool ok;
  if (cur().isIdent("input"))
    ok = parseInput(s);
  else if (cur().isIdent("weight"))
    ok = parseWeight(s);
  else if (cur().isIdent("output"))
    ok = parseOutput(s);
  else if (cur().isIdent("func"))
    return error(cur().loc(), "functions cannot be nested; close this one "
                              "with '}' first");
  else if (cur().isIdent("model"))
    return error(cur().loc(), "a file holds one model");
  else if (cur().is(TokKind::identifier))
    ok = parseAssign(s);
  else
    return error(cur().loc(), "expected a statement (input, weight, output "
                              "or NAME = ...), got " + describe(cur()));
  if (!ok || !endStatement())
    return false;
  body.push_back(std::move(s));
  return true;
}

bool Parser::parseFunction(Function &f) {
  consume(); // func
  if (!parseName(f.name, f.loc, "a function name"))
    return false;
  if (!cur().is(TokKind::l_brace))
    return error(missingLoc(), "expected '{' after 'func " + f.name +
                                   "', got " + describe(cur()));
  SMLoc open = cur().loc();
  consume();
  while (!cur().is(TokKind::r_brace)) {
    if (cur().is(TokKind::eof)) {
      error(missingLoc(), "expected '}' at the end of function '" + f.name +
                              "'");
      diags.note(open, "the function starts here");
      return false;
    }
    if (!parseStmt(f.body))
      return false;
  }
  consume(); // }
  return true;
}

ExprPtr Parser::parseExpr() {
  if (++depth > kMaxDepth) {
    error(cur().loc(), "expression nested too deeply");
    return nullptr;
  }
  SMLoc start = cur().loc();
  ExprPtr lhs = parseTerm();
  while (lhs && (cur().is(TokKind::plus) || cur().is(TokKind::minus))) {
    auto b = std::make_unique<Expr>(Expr::Kind::Binary);
    b->op = cur().is(TokKind::plus) ? '+' : '-';
    consume();
    ExprPtr rhs = parseTerm();
    if (!rhs)
      return nullptr;
    b->operands.push_back(std::move(lhs));
    b->operands.push_back(std::move(rhs));
    lhs = finish(std::move(b), start);
  }
  --depth;
  return lhs;
}

ExprPtr Parser::parseTerm() {
  SMLoc start = cur().loc();
  ExprPtr lhs = parseUnary();
  while (lhs && (cur().is(TokKind::star) || cur().is(TokKind::slash))) {
    auto b = std::make_unique<Expr>(Expr::Kind::Binary);
    b->op = cur().is(TokKind::star) ? '*' : '/';
    consume();
    ExprPtr rhs = parseUnary();
    if (!rhs)
      return nullptr;
    b->operands.push_back(std::move(lhs));
    b->operands.push_back(std::move(rhs));
    lhs = finish(std::move(b), start);
  }
  return lhs;
}

ExprPtr Parser::parseUnary() {
  if (!cur().is(TokKind::minus))
    return parsePrimary();
  if (++depth > kMaxDepth) {
    error(cur().loc(), "expression nested too deeply");
    return nullptr;
  }
  SMLoc start = cur().loc();
  consume();
  ExprPtr operand = parseUnary();
  --depth;
  if (!operand)
    return nullptr;
  auto e = std::make_unique<Expr>(Expr::Kind::Neg);
  e->operands.push_back(std::move(operand));
  return finish(std::move(e), start);
}

ExprPtr Parser::parsePrimary() {
  SMLoc start = cur().loc();
  const Token &t = cur();
  switch (t.kind) {
  case TokKind::integer: {
    auto e = std::make_unique<Expr>(Expr::Kind::Int);
    e->intValue = t.intValue;
    consume();
    return finish(std::move(e), start);
  }
  case TokKind::number: {
    auto e = std::make_unique<Expr>(Expr::Kind::Float);
    e->floatValue = t.floatValue;
    consume();
    return finish(std::move(e), start);
  }
  case TokKind::identifier: {
    if (t.spelling == "true" || t.spelling == "false") {
      auto e = std::make_unique<Expr>(Expr::Kind::Bool);
      e->boolValue = t.spelling == "true";
      consume();
      return finish(std::move(e), start);
    }
    if (isKeyword(t.spelling)) {
      error(t.loc(), "expected an expression, got keyword '" + t.spelling +
                         "'");
      return nullptr;
    }
    auto e = std::make_unique<Expr>(Expr::Kind::Name);
    e->name = t.spelling.str();
    consume();
    e = finish(std::move(e), start);
    if (cur().is(TokKind::l_paren))
      return parseCall(std::move(e));
    return e;
  }
  case TokKind::l_paren: {
    consume();
    ExprPtr inner = parseExpr();
    if (!inner)
      return nullptr;
    if (!cur().is(TokKind::r_paren)) {
      error(missingLoc(), "expected ')' to close the parenthesis, got " +
                              describe(cur()));
      diags.note(start, "to match this '('");
      return nullptr;
    }
    consume();
    // Keep the inner node; its range covers the parentheses.
    inner->range = llvm::SMRange(start, prev().endLoc());
    return inner;
  }
  case TokKind::l_square: {
    consume();
    auto e = std::make_unique<Expr>(Expr::Kind::List);
    while (!cur().is(TokKind::r_square)) {
      ExprPtr item = parseExpr();
      if (!item)
        return nullptr;
      e->operands.push_back(std::move(item));
      if (cur().is(TokKind::comma)) {
        consume();
        continue;
      }
      if (!cur().is(TokKind::r_square)) {
        error(missingLoc(), "expected ',' or ']' in the list, got " +
                                describe(cur()));
        diags.note(start, "the list starts here");
        return nullptr;
      }
    }
    consume();
    return finish(std::move(e), start);
  }
  default:
    error(missingLoc(), "expected an expression, got " + describe(t));
    return nullptr;
  }
}

ExprPtr Parser::parseCall(ExprPtr callee) {
  auto call = std::make_unique<Expr>(Expr::Kind::Call);
  call->name = callee->name;
  SMLoc start = callee->loc();
  SMLoc open = cur().loc();
  consume(); // (
  bool sawKeyword = false;
  while (!cur().is(TokKind::r_paren)) {
    Arg a;
    if (cur().is(TokKind::identifier) && peek().is(TokKind::equal)) {
      a.name = cur().spelling.str();
      a.nameLoc = cur().loc();
      consume();
      consume();
      sawKeyword = true;
    } else if (sawKeyword) {
      error(cur().loc(), "positional argument after keyword arguments in the "
                         "call of '" + call->name + "'");
      return nullptr;
    }
    if (!(a.value = parseExpr()))
      return nullptr;
    call->args.push_back(std::move(a));
    if (cur().is(TokKind::comma)) {
      consume();
      continue;
    }
    if (!cur().is(TokKind::r_paren)) {
      error(missingLoc(), "expected ',' or ')' in the call of '" +
                              call->name + "', got " + describe(cur()));
      diags.note(open, "to match this '('");
      return nullptr;
    }
  }
  consume(); // )
  return finish(std::move(call), start);
}

std::unique_ptr<Model> sluice::frontend::parseModel(DiagEngine &diags,
                                                    unsigned bufferId) {
  const llvm::MemoryBuffer *buf =
      diags.getSourceMgr().getMemoryBuffer(bufferId);
  Lexer lexer(buf->getBuffer(), diags);
  Parser parser(lexer, diags);
  std::unique_ptr<Model> m = parser.parseModel();
  if (!m || diags.hadError())
    return nullptr;
  m->file = buf->getBufferIdentifier().str();
  return m;
}
