//===- ParseExpr.cpp - expressions of the model language ------------------===//
//
// Precedence climbing over + - (terms) and * / (unary), calls with
// positional and keyword arguments, lists and parentheses. Every node
// records its depth; a tree deeper than kMaxDepth is an error, so that the
// recursive passes over the tree (MLIRGen, printing, destruction) stay
// within the stack.
//
//===----------------------------------------------------------------------===//

#include "frontend/ParserImpl.h"

using namespace sluice::frontend;
using llvm::SMLoc;

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
    if (!(lhs = finish(std::move(b), start)))
      return nullptr;
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
    if (!(lhs = finish(std::move(b), start)))
      return nullptr;
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
      error(t.loc(),
            "expected an expression, got keyword '" + t.spelling + "'");
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
      error(missingLoc(),
            "expected ')' to close the parenthesis, got " + describe(cur()));
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
        error(missingLoc(),
              "expected ',' or ']' in the list, got " + describe(cur()));
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
                         "call of '" +
                             call->name + "'");
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
      error(missingLoc(), "expected ',' or ')' in the call of '" + call->name +
                              "', got " + describe(cur()));
      diags.note(open, "to match this '('");
      return nullptr;
    }
  }
  consume(); // )
  return finish(std::move(call), start);
}
