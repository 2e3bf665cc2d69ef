//===- Parser.cpp - recursive-descent parser of .sl models ----------------===//

#include "frontend/ParserImpl.h"

using namespace sluice::frontend;
using llvm::SMLoc;
using llvm::StringRef;

bool sluice::frontend::isKeyword(StringRef w) {
  return w == "model" || w == "weight" || w == "func" || w == "input" ||
         w == "output" || w == "true" || w == "false";
}

bool Parser::parseName(std::string &name, SMLoc &loc, StringRef what) {
  if (!cur().is(TokKind::identifier))
    return error(missingLoc(), "expected " + what + ", got " + describe(cur()));
  if (isKeyword(cur().spelling))
    return error(cur().loc(), "'" + cur().spelling +
                                  "' is a keyword and "
                                  "cannot be used as " +
                                  what);
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
                       "got " +
                           describe(cur()));
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
    error(cur().loc(),
          "expected a newline after the model header, got " + describe(cur()));
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
               (cur().is(TokKind::identifier) && !isKeyword(cur().spelling))) {
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
    error(m->loc, "model '" + m->name +
                      "' has no function; add "
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
                                 "parameter '" +
                                     p.name + "', got " + describe(cur()));
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
                            "got " +
                                describe(cur()));
}

std::unique_ptr<TypeSpec> Parser::parseType() {
  auto t = std::make_unique<TypeSpec>();
  SMLoc start = cur().loc();
  if (!cur().is(TokKind::identifier)) {
    error(missingLoc(),
          "expected a tensor type such as f32[T, d], got " + describe(cur()));
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
      error(missingLoc(),
            "expected ',' or ']' in the dims, got " + describe(cur()));
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
                                  "'NAME = " +
                                  cur().spelling + "(...)'");
  do {
    if (!s.targets.empty())
      consume(); // ,
    s.targets.emplace_back();
    if (!parseTarget(s.targets.back(), "a value name"))
      return false;
  } while (cur().is(TokKind::comma));
  if (!cur().is(TokKind::equal))
    return error(missingLoc(), "expected '=' after '" + s.targets.back().name +
                                   "', got " + describe(cur()));
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
                              "or NAME = ...), got " +
                                  describe(cur()));
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
      error(missingLoc(),
            "expected '}' at the end of function '" + f.name + "'");
      diags.note(open, "the function starts here");
      return false;
    }
    if (!parseStmt(f.body))
      return false;
  }
  consume(); // }
  return true;
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
