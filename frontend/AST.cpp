//===- AST.cpp - printing the syntax tree (--emit=ast) --------------------===//

#include "frontend/AST.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/SourceMgr.h"

using namespace sluice::frontend;

static int precedence(const Expr &e) {
  if (e.kind == Expr::Kind::Binary)
    return (e.op == '+' || e.op == '-') ? 1 : 2;
  if (e.kind == Expr::Kind::Neg)
    return 3;
  return 4;
}

void sluice::frontend::printExpr(llvm::raw_ostream &os, const Expr &e) {
  switch (e.kind) {
  case Expr::Kind::Int:
    os << e.intValue;
    return;
  case Expr::Kind::Float:
    os << e.text();
    return;
  case Expr::Kind::Bool:
    os << (e.boolValue ? "true" : "false");
    return;
  case Expr::Kind::Name:
    os << e.name;
    return;
  case Expr::Kind::Call: {
    os << e.name << "(";
    bool first = true;
    for (const Arg &a : e.args) {
      os << (first ? "" : ", ");
      first = false;
      if (!a.name.empty())
        os << a.name << " = ";
      printExpr(os, *a.value);
    }
    os << ")";
    return;
  }
  case Expr::Kind::Binary: {
    int p = precedence(e);
    auto side = [&](const Expr &s, bool right) {
      // Parenthesize lower precedence, and equal precedence on the right
      // (a - (b - c)).
      bool paren = precedence(s) < p || (right && precedence(s) == p);
      if (paren)
        os << "(";
      printExpr(os, s);
      if (paren)
        os << ")";
    };
    side(*e.operands[0], false);
    os << " " << e.op << " ";
    side(*e.operands[1], true);
    return;
  }
  case Expr::Kind::Neg: {
    os << "-";
    bool paren = precedence(*e.operands[0]) < 3;
    os << (paren ? "(" : "");
    printExpr(os, *e.operands[0]);
    os << (paren ? ")" : "");
    return;
  }
  case Expr::Kind::List: {
    os << "[";
    for (size_t i = 0; i < e.operands.size(); ++i) {
      os << (i ? ", " : "");
      printExpr(os, *e.operands[i]);
    }
    os << "]";
    return;
  }
  }
}

namespace {
class Dumper {
public:
  Dumper(llvm::raw_ostream &os, const llvm::SourceMgr &sm) : os(os), sm(sm) {}

  void loc(llvm::SMLoc l) {
    if (!l.isValid())
      return;
    auto [line, col] = sm.getLineAndColumn(l);
    os << " @" << line << ":" << col;
  }
  void type(const TypeSpec *t) {
    if (!t)
      return;
    os << ": " << t->dtype << "[";
    for (size_t i = 0; i < t->dims.size(); ++i) {
      os << (i ? ", " : "");
      printExpr(os, *t->dims[i]);
    }
    os << "]";
  }
  void stmt(const Stmt &s, unsigned indent) {
    os.indent(indent);
    switch (s.kind) {
    case Stmt::Kind::Input:
    case Stmt::Kind::Weight:
      os << (s.kind == Stmt::Kind::Input ? "Input " : "Weight ")
         << s.targets[0].name;
      type(s.targets[0].type.get());
      if (s.rangeLo) {
        os << " range(";
        printExpr(os, *s.rangeLo);
        os << ", ";
        printExpr(os, *s.rangeHi);
        os << ")";
      }
      break;
    case Stmt::Kind::Output:
      os << "Output ";
      for (size_t i = 0; i < s.targets.size(); ++i) {
        os << (i ? ", " : "") << s.targets[i].name;
        type(s.targets[i].type.get());
      }
      break;
    case Stmt::Kind::Assign:
      os << "Assign ";
      for (size_t i = 0; i < s.targets.size(); ++i) {
        os << (i ? ", " : "") << s.targets[i].name;
        type(s.targets[i].type.get());
      }
      os << " = ";
      printExpr(os, *s.value);
      break;
    }
    loc(s.loc);
    os << "\n";
    if (s.kind == Stmt::Kind::Assign)
      expr(*s.value, indent + 2);
  }
  /// The tree of calls inside an expression, one line per call.
  void expr(const Expr &e, unsigned indent) {
    if (e.kind == Expr::Kind::Call) {
      os.indent(indent) << "Call " << e.name;
      loc(e.loc());
      os << "\n";
      for (const Arg &a : e.args) {
        os.indent(indent + 2)
            << (a.name.empty() ? "Arg" : "Arg " + a.name + " =") << " ";
        printExpr(os, *a.value);
        os << "\n";
        expr(*a.value, indent + 4);
      }
      return;
    }
    for (const ExprPtr &o : e.operands)
      expr(*o, indent);
  }

private:
  llvm::raw_ostream &os;
  const llvm::SourceMgr &sm;
};
} // namespace

void sluice::frontend::dumpModel(llvm::raw_ostream &os, const Model &model,
                                 const llvm::SourceMgr &sourceMgr) {
  Dumper d(os, sourceMgr);
  os << "Model " << model.name;
  d.loc(model.loc);
  os << "\n";
  for (const Param &p : model.params) {
    os << "  Param " << p.name << " = ";
    printExpr(os, *p.value);
    d.loc(p.loc);
    os << "\n";
  }
  for (const Stmt &w : model.weights)
    d.stmt(w, 2);
  for (const Function &f : model.functions) {
    os << "  Func " << f.name;
    d.loc(f.loc);
    os << "\n";
    for (const Stmt &s : f.body)
      d.stmt(s, 4);
  }
}
