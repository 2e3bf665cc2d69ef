//===- Parser.h - recursive-descent parser of .sl models --------*- C++ -*-===//
//
//   model    := 'model' IDENT [ '(' [ param { ',' param } [','] ] ')' ]
//               { weight | func }
//   param    := IDENT '=' expr
//   weight   := 'weight' IDENT ':' type
//   func     := 'func' IDENT '{' { stmt } '}'
//   stmt     := ( 'input' IDENT ':' type [ 'range' '(' expr ',' expr ')' ]
//              | weight
//              | 'output' target { ',' target }
//              | target { ',' target } '=' expr ) ( NEWLINE | ';' | '}' )
//   target   := IDENT [ ':' type ]
//   type     := DTYPE '[' [ expr { ',' expr } ] ']'
//   expr     := term { ('+' | '-') term }
//   term     := unary { ('*' | '/') unary }
//   unary    := '-' unary | primary
//   primary  := INT | FLOAT | 'true' | 'false' | IDENT [ '(' args ')' ]
//             | '(' expr ')' | '[' [ expr { ',' expr } ] ']'
//   args     := [ arg { ',' arg } [','] ];  arg := [ IDENT '=' ] expr
//
// The parser stops at the first error, which it reports.
//
//===----------------------------------------------------------------------===//

#ifndef SLUICE_FRONTEND_PARSER_H
#define SLUICE_FRONTEND_PARSER_H

#include "frontend/AST.h"
#include "frontend/Lexer.h"

#include <memory>

namespace sluice::frontend {

/// Parses buffer `bufferId` of the DiagEngine's SourceMgr; nullptr after
/// reporting an error.
std::unique_ptr<Model> parseModel(DiagEngine &diags, unsigned bufferId);

/// Words that cannot name values, params, weights or functions.
bool isKeyword(llvm::StringRef word);

} // namespace sluice::frontend

#endif // SLUICE_FRONTEND_PARSER_H
