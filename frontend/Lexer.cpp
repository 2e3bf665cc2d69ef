//===- Lexer.cpp - tokens of the model description language ---------------===//

#include "frontend/Lexer.h"

#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <cstdlib>
#include <string>

using namespace sluice::frontend;

llvm::StringRef sluice::frontend::describeKind(TokKind kind) {
  switch (kind) {
  case TokKind::eof:
    return "end of file";
  case TokKind::error:
    return "invalid token";
  case TokKind::identifier:
    return "identifier";
  case TokKind::integer:
    return "integer";
  case TokKind::number:
    return "number";
  case TokKind::l_paren:
    return "'('";
  case TokKind::r_paren:
    return "')'";
  case TokKind::l_square:
    return "'['";
  case TokKind::r_square:
    return "']'";
  case TokKind::l_brace:
    return "'{'";
  case TokKind::r_brace:
    return "'}'";
  case TokKind::comma:
    return "','";
  case TokKind::colon:
    return "':'";
  case TokKind::semicolon:
    return "';'";
  case TokKind::equal:
    return "'='";
  case TokKind::plus:
    return "'+'";
  case TokKind::minus:
    return "'-'";
  case TokKind::star:
    return "'*'";
  case TokKind::slash:
    return "'/'";
  }
  return "token";
}

std::string sluice::frontend::describe(const Token &tok) {
  switch (tok.kind) {
  case TokKind::eof:
  case TokKind::error:
    return describeKind(tok.kind).str();
  case TokKind::identifier:
  case TokKind::integer:
  case TokKind::number:
    if (tok.spelling.size() > 40)
      return "'" + tok.spelling.take_front(40).str() + "...'";
    return "'" + tok.spelling.str() + "'";
  default:
    return describeKind(tok.kind).str();
  }
}

Token Lexer::make(TokKind kind, const char *start) {
  Token t;
  t.kind = kind;
  t.spelling = llvm::StringRef(start, cur - start);
  t.newlineBefore = sawNewline;
  sawNewline = false;
  return t;
}

Token Lexer::lexError(const char *at, const llvm::Twine &msg) {
  diags.error(llvm::SMLoc::getFromPointer(at), msg);
  failed = true;
  Token t;
  t.kind = TokKind::error;
  t.spelling = llvm::StringRef(at, at < buffer.end() ? 1 : 0);
  return t;
}

bool Lexer::skipTrivia() {
  const char *end = buffer.end();
  while (cur < end) {
    char c = *cur;
    if (c == '\n') {
      sawNewline = true;
      ++cur;
    } else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v') {
      ++cur;
    } else if (c == '#' || (c == '/' && cur + 1 < end && cur[1] == '/')) {
      while (cur < end && *cur != '\n')
        ++cur;
    } else if (c == '/' && cur + 1 < end && cur[1] == '*') {
      const char *open = cur;
      cur += 2;
      while (cur + 1 < end && !(cur[0] == '*' && cur[1] == '/')) {
        sawNewline |= *cur == '\n';
        ++cur;
      }
      if (cur + 1 >= end) {
        cur = end;
        lexError(open, "unterminated '/*' comment");
        return false;
      }
      cur += 2;
    } else {
      return true;
    }
  }
  return true;
}

Token Lexer::lexNumber(const char *start) {
  const char *end = buffer.end();
  bool isFloat = false;
  while (cur < end && llvm::isDigit(*cur))
    ++cur;
  if (cur < end && *cur == '.') {
    isFloat = true;
    ++cur;
    while (cur < end && llvm::isDigit(*cur))
      ++cur;
  }
  if (cur < end && (*cur == 'e' || *cur == 'E')) {
    isFloat = true;
    ++cur;
    if (cur < end && (*cur == '+' || *cur == '-'))
      ++cur;
    if (cur >= end || !llvm::isDigit(*cur))
      return lexError(start, "invalid number '" +
                                 llvm::StringRef(start, cur - start) +
                                 "': expected digits in the exponent");
    while (cur < end && llvm::isDigit(*cur))
      ++cur;
  }
  if (cur < end && (llvm::isAlpha(*cur) || *cur == '_')) {
    const char *s = cur;
    while (cur < end && (llvm::isAlnum(*cur) || *cur == '_'))
      ++cur;
    return lexError(s, "invalid suffix '" + llvm::StringRef(s, cur - s) +
                           "' on number '" + llvm::StringRef(start, s - start) +
                           "'");
  }
  Token t = make(isFloat ? TokKind::number : TokKind::integer, start);
  if (isFloat) {
    std::string text = t.spelling.str();
    errno = 0;
    t.floatValue = std::strtod(text.c_str(), nullptr);
    if (errno == ERANGE && (t.floatValue > 1 || t.floatValue < -1))
      return lexError(start, "number '" + t.spelling + "' is out of range");
  } else if (t.spelling.getAsInteger(10, t.intValue) || t.intValue < 0) {
    return lexError(start, "integer '" + t.spelling +
                               "' is too large (the limit is 2^63 - 1)");
  }
  return t;
}

Token Lexer::next() {
  if (failed) {
    Token t;
    t.kind = TokKind::error;
    t.spelling = llvm::StringRef(buffer.end(), 0);
    return t;
  }
  if (!skipTrivia())
    return next();
  const char *start = cur;
  if (cur >= buffer.end())
    return make(TokKind::eof, start);
  char c = *cur++;
  switch (c) {
  case '(':
    return make(TokKind::l_paren, start);
  case ')':
    return make(TokKind::r_paren, start);
  case '[':
    return make(TokKind::l_square, start);
  case ']':
    return make(TokKind::r_square, start);
  case '{':
    return make(TokKind::l_brace, start);
  case '}':
    return make(TokKind::r_brace, start);
  case ',':
    return make(TokKind::comma, start);
  case ':':
    return make(TokKind::colon, start);
  case ';':
    return make(TokKind::semicolon, start);
  case '=':
    if (cur < buffer.end() && *cur == '=')
      return lexError(start, "unexpected '=='; the language has no "
                             "comparisons (use '=' to assign)");
    return make(TokKind::equal, start);
  case '+':
    return make(TokKind::plus, start);
  case '-':
    return make(TokKind::minus, start);
  case '*':
    return make(TokKind::star, start);
  case '/':
    return make(TokKind::slash, start);
  default:
    break;
  }
  if (llvm::isAlpha(c) || c == '_') {
    while (cur < buffer.end() && (llvm::isAlnum(*cur) || *cur == '_'))
      ++cur;
    return make(TokKind::identifier, start);
  }
  if (llvm::isDigit(c) ||
      (c == '.' && cur < buffer.end() && llvm::isDigit(*cur))) {
    cur = start;
    return lexNumber(start);
  }
  if (c == '"' || c == '\'')
    return lexError(start, "unexpected quote: the language has no strings "
                           "(enum values are bare words, e.g. score = "
                           "softmax)");
  if (llvm::isPrint(c))
    return lexError(start, "unexpected character '" + llvm::Twine(c) + "'");
  return lexError(start, "unexpected byte 0x" +
                             llvm::utohexstr((unsigned char)c, false, 2) +
                             " (the language is ASCII)");
}

std::vector<Token> Lexer::lexAll() {
  std::vector<Token> toks;
  while (true) {
    toks.push_back(next());
    if (toks.back().is(TokKind::eof) || toks.back().is(TokKind::error))
      return toks;
  }
}
