// The only place that touches ANTLR: parse tree → AST, ANTLR errors → diagnostics.
#include "conform/compiler/parser.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "ClauseLexer.h"
#include "ClauseParser.h"
#include "antlr4-runtime.h"
#include "conform/compiler/calendar.h"

namespace conform::syntax {
namespace {

using conform_antlr::ClauseLexer;
using conform_antlr::ClauseParser;
using ast::Expr;
using ast::ExprKind;
using ast::ExprPtr;

constexpr size_t kMaxNesting = 200;

// Maps ANTLR's code-point indices to byte offsets in the UTF-8 source.
class OffsetMap {
 public:
  OffsetMap(const std::string& text, uint32_t base) : base_(base) {
    bool ascii = true;
    for (unsigned char c : text)
      if (c >= 0x80) { ascii = false; break; }
    if (ascii) return;
    for (uint32_t i = 0; i < text.size(); ++i)
      if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) map_.push_back(i);
    map_.push_back(static_cast<uint32_t>(text.size()));
  }
  uint32_t Byte(size_t cp) const {
    if (map_.empty()) return base_ + static_cast<uint32_t>(cp);
    return base_ + (cp < map_.size() ? map_[cp] : map_.back());
  }

 private:
  uint32_t base_;
  std::vector<uint32_t> map_;
};

std::string Describe(antlr4::Token* t, const antlr4::dfa::Vocabulary& vocab) {
  if (!t || t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 24) text = text.substr(0, 24) + "…";
  return fmt::format("`{}`", text);
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(Diagnostics& d, uint32_t file, const OffsetMap& om, const antlr4::dfa::Vocabulary& v)
      : diags_(d), file_(file), om_(om), vocab_(v) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* tok, size_t line, size_t col,
                   const std::string& msg, std::exception_ptr) override {
    Span span{file_, 0, 0};
    std::string message;
    std::string help;
    if (tok) {
      span.begin = om_.Byte(tok->getStartIndex());
      span.end = tok->getType() == antlr4::Token::EOF ? span.begin : om_.Byte(tok->getStopIndex() + 1);
      message = fmt::format("unexpected {}", Describe(tok, vocab_));
      auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
      if (parser) {
        auto expected = parser->getExpectedTokens();
        std::vector<std::string> names;
        for (auto t : expected.toList()) names.push_back(TokenName(t));
        if (!names.empty() && names.size() <= 6) {
          std::string list;
          for (size_t i = 0; i < names.size(); ++i) list += (i ? ", " : "") + names[i];
          help = fmt::format("expected one of: {}", list);
          if (names.size() == 1) help = fmt::format("expected {}", names[0]);
        }
      }
      if (tok->getType() == ClauseLexer::UNKNOWN_CHAR) {
        lexical_error_ = true;
        if (tok->getText() == "\"") {
          diags_.Error("E0103", span, "unterminated string literal", "close the string with `\"` on the same line");
        } else {
          std::string shown;
          for (unsigned char c : tok->getText())
            shown += c < 0x20 || c == 0x7f ? fmt::format("\\x{:02x}", c) : std::string(1, static_cast<char>(c));
          diags_.Error("E0102", span, fmt::format("unexpected character `{}`", shown),
                       "strings go in \"…\"; comments start with //");
        }
        return;
      }
      // After a bad character the parser's complaints are consequences, not news.
      if (lexical_error_) return;
      std::string member = RequirementMember(tok->getType());
      if (!member.empty() && parser) {
        auto stack = parser->getRuleInvocationStack();
        if (std::find(stack.begin(), stack.end(), "requirementDecl") != stack.end()) member.clear();
      }
      if (!member.empty())
        help = fmt::format("`{}` is a member of a requirement: write it inside `requirement ID : GRADE {{ … }}`{}",
                           member, member == "let" ? ", before `pass`" : "");
    } else {
      message = msg;
    }
    // One syntax error per file: ANTLR's recovery reports what follows from it as more errors.
    if (first_ != SIZE_MAX) {
      ++suppressed_;
      Diagnostic& first = diags_.items()[first_];
      if (suppressed_ == 1) first_help_ = first.help.empty() ? "" : first.help + "; ";
      first.help = first_help_ + fmt::format("{} later syntax error{} of this file not shown: fix this one first",
                                             suppressed_, suppressed_ == 1 ? "" : "s");
      return;
    }
    diags_.Error("E0101", span, fmt::format("syntax error: {}", message), help);
    first_ = diags_.items().size() - 1;
  }

 private:
  // `clause`, a name, a string … as an author reads them (not ANTLR's 'clause', IDENT).
  std::string TokenName(size_t t) const {
    std::string n = vocab_.getLiteralName(t);
    if (n.size() >= 2 && n.front() == '\'' && n.back() == '\'') return "`" + n.substr(1, n.size() - 2) + "`";
    n = vocab_.getSymbolicName(t);
    if (n == "EOF") return "end of file";
    if (n == "IDENT") return "a name";
    if (n == "STRING") return "a string";
    if (n == "INT") return "an integer";
    if (n == "DECIMAL") return "a decimal";
    if (n == "DATE") return "a date";
    if (n == "CLAUSE_NUM" || n == "ANNEX_NUM") return "a clause number";
    return n;
  }
  std::string RequirementMember(size_t t) const {
    std::string n = vocab_.getLiteralName(t);
    for (const char* m : {"'let'", "'says'", "'pass'", "'applies'", "'else'"})
      if (n == m) return n.substr(1, n.size() - 2);
    return {};
  }
  Diagnostics& diags_;
  uint32_t file_;
  const OffsetMap& om_;
  const antlr4::dfa::Vocabulary& vocab_;
  size_t first_ = SIZE_MAX;  // index of the file's first E0101
  size_t suppressed_ = 0;
  std::string first_help_;  // the first error's own help
  bool lexical_error_ = false;
};

class Builder {
 public:
  Builder(const SourceManager& sm, uint32_t file, const OffsetMap& om, Diagnostics& d)
      : sm_(sm), file_(file), om_(om), diags_(d) {}

  Span SpanOf(antlr4::ParserRuleContext* ctx) const {
    auto* stop = ctx->getStop() ? ctx->getStop() : ctx->getStart();
    uint32_t b = om_.Byte(ctx->getStart()->getStartIndex());
    uint32_t e = stop->getType() == antlr4::Token::EOF ? b : om_.Byte(stop->getStopIndex() + 1);
    if (e < b) e = b;
    return {file_, b, e};
  }
  Span SpanOf(antlr4::Token* t) const {
    return {file_, om_.Byte(t->getStartIndex()), om_.Byte(t->getStopIndex() + 1)};
  }
  Span SpanOf(antlr4::tree::TerminalNode* n) const { return SpanOf(n->getSymbol()); }

  std::string Unquote(antlr4::Token* t) {
    std::string raw = t->getText();
    std::string out;
    for (size_t i = 1; i + 1 < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 2 < raw.size() + 0) {
        char n = raw[++i];
        switch (n) {
          case 'n': out += '\n'; break;
          case 't': out += '\t'; break;
          case '"': case '\\': case '{': case '}': out += n; break;
          default:
            diags_.Error("E0104", {file_, SpanOf(t).begin + static_cast<uint32_t>(i) - 1, SpanOf(t).begin + static_cast<uint32_t>(i) + 1},
                         fmt::format("unknown escape `\\{}` in string", n), "valid escapes: \\\" \\\\ \\n \\t \\{ \\}");
            out += n;
        }
      } else {
        out += c;
      }
    }
    return out;
  }

  ast::File Build(ClauseParser::File_Context* ctx) {
    ast::File f;
    for (auto* item : ctx->item()) {
      if (auto* u = item->useDecl()) f.uses.push_back({u->IDENT()->getText(), SpanOf(u)});
      else if (auto* s = item->schemaDecl()) f.schemas.push_back(BuildSchema(s));
      else if (auto* st = item->standardDecl()) f.standards.push_back(BuildStandard(st));
      else if (auto* ex = item->extensionDecl()) f.extensions.push_back(BuildExtension(ex, f));
      else if (auto* d = item->defDecl()) f.defs.push_back(BuildDef(d));
      else if (auto* l = item->globalLet()) f.lets.push_back(BuildGlobalLet(l));
    }
    return f;
  }

  ast::DefDecl BuildDef(ClauseParser::DefDeclContext* d) {
    ast::DefDecl out;
    out.name = d->IDENT()->getText();
    out.name_span = SpanOf(d->IDENT());
    out.span = SpanOf(d);
    for (auto* p : d->defParam()) out.params.push_back({p->IDENT()->getText(), BuildType(p->typeRef()), SpanOf(p->IDENT())});
    if (d->typeRef()) out.result = std::make_unique<ast::TypeRef>(BuildType(d->typeRef()));
    out.body = BuildExpr(d->expr());
    return out;
  }

  ast::LetDecl BuildGlobalLet(ClauseParser::GlobalLetContext* l) {
    return {l->IDENT()->getText(), BuildExpr(l->expr()), SpanOf(l->IDENT())};
  }

  ast::ExtensionDecl BuildExtension(ClauseParser::ExtensionDeclContext* x, ast::File& f) {
    ast::ExtensionDecl out;
    out.name = x->IDENT(0)->getText();
    out.name_span = SpanOf(x->IDENT(0));
    out.title = Unquote(x->title);
    out.base = x->base->getText();
    out.base_span = SpanOf(x->base);
    out.span = SpanOf(x);
    for (auto* t : x->editionTerm())
      out.constraint.push_back({t->op ? t->op->getText() : "", Unquote(t->STRING()->getSymbol()), SpanOf(t)});
    for (auto* m : x->extensionMember()) {
      if (auto* md = m->metaDecl()) {
        out.meta.push_back({md->IDENT()->getText(), BuildLiteral(md->literal()), SpanOf(md)});
      } else if (auto* p = m->paramDecl()) {
        out.params.push_back(BuildParam(p));
      } else if (auto* ps = m->paramSet()) {
        out.param_sets.push_back({ps->owner->getText(), ps->name->getText(), BuildExpr(ps->expr()), SpanOf(ps), SpanOf(ps->name)});
      } else if (auto* ex = m->exclusionsDecl()) {
        out.exclusions.push_back(BuildExpr(ex->expr()));
      } else if (auto* c = m->clauseDecl()) {
        out.clauses.push_back(BuildClause(c));
      } else if (auto* o = m->clauseOpen()) {
        ast::ClauseDecl cd;
        cd.number = o->clauseNumber()->getText();
        cd.number_span = SpanOf(o->clauseNumber());
        cd.span = SpanOf(o);
        AddClauseMembers(cd, o->clauseMember());
        out.opened.push_back(std::move(cd));
      } else if (auto* a = m->amendDecl()) {
        ast::AmendDecl ad;
        ad.owner = a->owner->getText();
        if (a->clauseNumber()) ad.clause = a->clauseNumber()->getText();
        ad.span = SpanOf(a);
        ad.target_span = {file_, SpanOf(a->owner).begin, SpanOf(a->id).end};
        ad.body.id = a->id->getText();
        ad.body.id_span = SpanOf(a->id);
        ad.body.span = ad.span;
        for (auto* am : a->amendMember()) {
          if (am->reqMember()) {
            AddReqMember(ad.body, am->reqMember());
          } else if (am->key->getText() == "grade") {
            ad.body.grade = am->value->getText();
            ad.body.grade_span = SpanOf(am->value);
          } else {
            diags_.Error("E0430", SpanOf(am->key), fmt::format("`{}` cannot be amended", am->key->getText()),
                         "an amend may give `grade`, `says`, `applies when`, `let`, `pass`, `else` and `depends on`");
          }
        }
        out.amends.push_back(std::move(ad));
      } else if (m->SCHEMA()) {
        f.schemas.push_back(BuildSchemaMembers(out.name, SpanOf(m), m->schemaMember()));
      }
    }
    return out;
  }

  ast::ParamDecl BuildParam(ClauseParser::ParamDeclContext* p) {
    ast::ParamDecl pd;
    pd.name = p->IDENT()->getText();
    pd.type = BuildType(p->typeRef());
    pd.value = BuildExpr(p->expr());
    if (p->doc) pd.doc = Unquote(p->doc);
    pd.span = SpanOf(p->IDENT());
    return pd;
  }

  ast::TypeRef BuildType(ClauseParser::TypeRefContext* t) {
    ast::TypeRef r;
    r.name = t->IDENT()->getText();
    r.span = SpanOf(t);
    r.optional = t->opt != nullptr;
    if (t->typeRef()) r.arg = std::make_unique<ast::TypeRef>(BuildType(t->typeRef()));
    return r;
  }

  std::vector<ast::FieldDecl> BuildFields(const std::vector<ClauseParser::FieldDeclContext*>& fs) {
    std::vector<ast::FieldDecl> out;
    for (auto* fd : fs) {
      ast::FieldDecl f;
      f.name = fd->IDENT()->getText();
      f.type = BuildType(fd->typeRef());
      if (fd->doc) f.doc = Unquote(fd->doc);
      f.span = SpanOf(fd->IDENT());
      out.push_back(std::move(f));
    }
    return out;
  }

  ast::SchemaDecl BuildSchema(ClauseParser::SchemaDeclContext* s) {
    return BuildSchemaMembers(s->IDENT()->getText(), SpanOf(s), s->schemaMember());
  }

  ast::SchemaDecl BuildSchemaMembers(const std::string& name, Span span,
                                     const std::vector<ClauseParser::SchemaMemberContext*>& members) {
    ast::SchemaDecl out;
    out.name = name;
    out.span = span;
    for (auto* m : members) {
      if (auto* e = m->enumDecl()) {
        ast::EnumDecl ed;
        auto ids = e->IDENT();
        ed.name = ids[0]->getText();
        ed.span = SpanOf(ids[0]);
        for (size_t i = 1; i < ids.size(); ++i) ed.members.push_back({ids[i]->getText(), SpanOf(ids[i])});
        out.enums.push_back(std::move(ed));
      } else if (auto* en = m->entityDecl()) {
        ast::EntityDecl ed;
        ed.kind = en->kind->getType() == ClauseLexer::ROOT ? ast::EntityDecl::Root : ast::EntityDecl::Entity;
        ed.name = en->IDENT()->getText();
        ed.span = SpanOf(en);
        ed.name_span = SpanOf(en->IDENT());
        ed.fields = BuildFields(en->fieldDecl());
        out.entities.push_back(std::move(ed));
      } else if (auto* ex = m->extendDecl()) {
        ast::EntityDecl ed;
        ed.kind = ast::EntityDecl::Extend;
        ed.name = ex->IDENT()->getText();
        ed.span = SpanOf(ex);
        ed.name_span = SpanOf(ex->IDENT());
        ed.fields = BuildFields(ex->fieldDecl());
        out.entities.push_back(std::move(ed));
      }
    }
    return out;
  }

  ast::StandardDecl BuildStandard(ClauseParser::StandardDeclContext* s) {
    ast::StandardDecl out;
    out.name = s->IDENT()->getText();
    out.name_span = SpanOf(s->IDENT());
    out.title = Unquote(s->title);
    out.span = SpanOf(s);
    for (auto* m : s->standardMember()) {
      if (auto* md = m->metaDecl()) {
        out.meta.push_back({md->IDENT()->getText(), BuildLiteral(md->literal()), SpanOf(md)});
      } else if (auto* p = m->paramDecl()) {
        out.params.push_back(BuildParam(p));
      } else if (auto* ex = m->exclusionsDecl()) {
        out.exclusions.push_back(BuildExpr(ex->expr()));
      } else if (auto* c = m->clauseDecl()) {
        out.clauses.push_back(BuildClause(c));
      } else if (auto* d = m->defDecl()) {
        out.defs.push_back(BuildDef(d));
      } else if (auto* l = m->globalLet()) {
        out.lets.push_back(BuildGlobalLet(l));
      }
    }
    return out;
  }

  ast::ClauseDecl BuildClause(ClauseParser::ClauseDeclContext* c) {
    ast::ClauseDecl out;
    out.number = c->clauseNumber()->getText();
    out.number_span = SpanOf(c->clauseNumber());
    out.title = Unquote(c->title);
    out.span = SpanOf(c);
    AddClauseMembers(out, c->clauseMember());
    return out;
  }

  void AddClauseMembers(ast::ClauseDecl& out, const std::vector<ClauseParser::ClauseMemberContext*>& members) {
    for (auto* m : members) {
      if (auto* sub = m->clauseDecl()) {
        out.clauses.push_back(BuildClause(sub));
        out.order.push_back(0);
      } else if (auto* r = m->requirementDecl()) {
        out.requirements.push_back(BuildRequirement(r));
        out.order.push_back(1);
      }
    }
  }

  ast::RequirementDecl BuildRequirement(ClauseParser::RequirementDeclContext* r) {
    ast::RequirementDecl out;
    out.id = r->IDENT(0)->getText();
    out.id_span = SpanOf(r->IDENT(0));
    out.grade = r->grade->getText();
    out.grade_span = SpanOf(r->grade);
    out.span = SpanOf(r);
    for (auto* m : r->reqMember()) AddReqMember(out, m);
    return out;
  }

  void AddReqMember(ast::RequirementDecl& out, ClauseParser::ReqMemberContext* m) {
    {
      if (auto* s = dynamic_cast<ClauseParser::SaysMemberContext*>(m)) {
        out.says = Unquote(s->STRING()->getSymbol());
        out.says_count++;
      } else if (auto* a = dynamic_cast<ClauseParser::AppliesMemberContext*>(m)) {
        out.applies = BuildExpr(a->expr());
        out.applies_count++;
      } else if (auto* l = dynamic_cast<ClauseParser::LetMemberContext*>(m)) {
        out.lets.push_back({l->IDENT()->getText(), BuildExpr(l->expr()), SpanOf(l->IDENT())});
      } else if (auto* p = dynamic_cast<ClauseParser::PassMemberContext*>(m)) {
        out.pass = BuildExpr(p->expr());
        out.pass_span = SpanOf(p);
        out.pass_count++;
      } else if (auto* e = dynamic_cast<ClauseParser::ElseMemberContext*>(m)) {
        out.message = BuildTemplate(e->STRING()->getSymbol());
        out.else_count++;
      } else if (auto* d = dynamic_cast<ClauseParser::DependsMemberContext*>(m)) {
        if (d->on->getText() != "on") {
          diags_.Error("E0101", SpanOf(d->on), fmt::format("expected `on` after `depends`, found `{}`", d->on->getText()),
                       "write `depends on <requirement id>`");
          return;
        }
        auto ids = d->IDENT();
        for (size_t i = 1; i < ids.size(); ++i) out.depends.push_back({ids[i]->getText(), SpanOf(ids[i])});
      }
    }
  }

  // `"text {expr} more"`: holes are parsed as expressions with spans in the original file.
  std::unique_ptr<ast::Template> BuildTemplate(antlr4::Token* tok);

  ExprPtr Make(ExprKind k, Span s) {
    auto e = std::make_unique<Expr>();
    e->kind = k;
    e->span = s;
    e->id = (static_cast<uint64_t>(file_) << 32) | next_id_++;
    return e;
  }

  ExprPtr BuildLiteral(ClauseParser::LiteralContext* l) {
    Span s = SpanOf(l);
    if (dynamic_cast<ClauseParser::TrueLitContext*>(l)) {
      auto e = Make(ExprKind::BoolLit, s);
      e->int_value = 1;
      return e;
    }
    if (dynamic_cast<ClauseParser::FalseLitContext*>(l)) return Make(ExprKind::BoolLit, s);
    if (auto* d = dynamic_cast<ClauseParser::DurationLitContext*>(l)) {
      auto e = Make(ExprKind::DurationLit, s);
      int64_t n = ParseInt(d->INT()->getSymbol());
      std::string unit = d->unit->getText();
      auto u = cal::UnitOf(unit);
      if (!u) {
        diags_.Error("E0106", SpanOf(d->unit), fmt::format("unknown duration unit `{}`", unit),
                     "use minutes, hours, days, weeks, months or years");
        return e;
      }
      if (n > 100000000 || !cal::Representable(u->months * n, u->days * n, u->minutes * n)) {
        diags_.Error("E0107", s, fmt::format("duration `{} {}` is out of range", n, unit),
                     "durations hold up to 32767 months and 2^31 days");
        return e;
      }
      cal::Duration dur = cal::Normalize(u->months * n, u->days * n, u->minutes * n);
      e->int_value = dur.months;
      e->days = dur.days;
      e->minutes = dur.minutes;
      e->text = unit;
      return e;
    }
    if (auto* i = dynamic_cast<ClauseParser::IntLitContext*>(l)) {
      auto e = Make(ExprKind::IntLit, s);
      e->int_value = ParseInt(i->INT()->getSymbol());
      return e;
    }
    if (auto* d = dynamic_cast<ClauseParser::DecimalLitContext*>(l)) {
      auto e = Make(ExprKind::DecimalLit, s);
      e->dec_value = std::strtod(d->DECIMAL()->getText().c_str(), nullptr);
      e->text = d->DECIMAL()->getText();
      return e;
    }
    if (auto* d = dynamic_cast<ClauseParser::DateLitContext*>(l)) {
      auto e = Make(ExprKind::DateLit, s);
      auto v = cal::ParseDate(d->DATE()->getText());
      if (!v) diags_.Error("E0105", s, fmt::format("`{}` is not a calendar date", d->DATE()->getText()), "dates are YYYY-MM-DD");
      e->int_value = v.value_or(0);
      e->text = d->DATE()->getText();
      return e;
    }
    auto* str = dynamic_cast<ClauseParser::StringLitContext*>(l);
    auto e = Make(ExprKind::StringLit, s);
    e->text = Unquote(str->STRING()->getSymbol());
    return e;
  }

  int64_t ParseInt(antlr4::Token* t) {
    const std::string& txt = t->getText();
    if (txt.size() > 18) {
      diags_.Error("E0107", SpanOf(t), "integer literal out of range", "integers are 64-bit");
      return 0;
    }
    return std::stoll(txt);
  }

  ExprPtr Binary(ExprKind k, ast::Operator op, ClauseParser::ExprContext* ctx,
                 ClauseParser::ExprContext* l, ClauseParser::ExprContext* r) {
    auto e = Make(k, SpanOf(ctx));
    e->op = op;
    e->a = BuildExpr(l);
    e->b = BuildExpr(r);
    return e;
  }

  ExprPtr BuildExpr(ClauseParser::ExprContext* x) {
    if (!x) return Make(ExprKind::BoolLit, {});
    if (++depth_ > kMaxNesting) {
      --depth_;
      if (!depth_reported_) {
        depth_reported_ = true;
        diags_.Error("E0501", SpanOf(x), fmt::format("expression nested deeper than {} levels", kMaxNesting),
                     "split the expression with `let` bindings");
      }
      return Make(ExprKind::BoolLit, SpanOf(x));
    }
    ExprPtr r = BuildExprInner(x);
    --depth_;
    return r;
  }

  ExprPtr BuildExprInner(ClauseParser::ExprContext* x) {
    using P = ClauseParser;
    Span s = SpanOf(x);
    if (auto* p = dynamic_cast<P::PrimaryExprContext*>(x)) return BuildPrimary(p->primary());
    if (auto* f = dynamic_cast<P::FieldExprContext*>(x)) {
      auto e = Make(ExprKind::Field, s);
      e->a = BuildExpr(f->expr());
      e->text = f->IDENT()->getText();
      e->var_span = SpanOf(f->IDENT());
      return e;
    }
    if (auto* p = dynamic_cast<P::PresenceExprContext*>(x)) {
      auto e = Make(ExprKind::Presence, s);
      e->a = BuildExpr(p->expr());
      e->negated = p->ABSENT() != nullptr;
      return e;
    }
    if (auto* n = dynamic_cast<P::NegExprContext*>(x)) {
      auto e = Make(ExprKind::Neg, s);
      e->a = BuildExpr(n->expr());
      return e;
    }
    if (auto* m = dynamic_cast<P::MulExprContext*>(x)) return Binary(ExprKind::Binary, ast::OperatorOf(m->op->getText()), x, m->expr(0), m->expr(1));
    if (auto* m = dynamic_cast<P::AddExprContext*>(x)) return Binary(ExprKind::Binary, ast::OperatorOf(m->op->getText()), x, m->expr(0), m->expr(1));
    if (auto* m = dynamic_cast<P::CmpExprContext*>(x)) return Binary(ExprKind::Binary, ast::OperatorOf(m->op->getText()), x, m->expr(0), m->expr(1));
    if (auto* m = dynamic_cast<P::MemberExprContext*>(x)) {
      auto e = Binary(ExprKind::Member, ast::OperatorOf(m->op->getText()), x, m->expr(0), m->expr(1));
      e->negated = m->NOT() != nullptr;
      return e;
    }
    if (auto* n = dynamic_cast<P::NotExprContext*>(x)) {
      auto e = Make(ExprKind::Not, s);
      e->a = BuildExpr(n->expr());
      return e;
    }
    if (auto* m = dynamic_cast<P::AndExprContext*>(x)) return Binary(ExprKind::And, ast::Operator::And, x, m->expr(0), m->expr(1));
    if (auto* m = dynamic_cast<P::OrExprContext*>(x)) return Binary(ExprKind::Or, ast::Operator::Or, x, m->expr(0), m->expr(1));
    if (auto* m = dynamic_cast<P::ImpliesExprContext*>(x)) return Binary(ExprKind::Implies, ast::Operator::Implies, x, m->expr(0), m->expr(1));
    if (auto* q = dynamic_cast<P::QuantExprContext*>(x)) {
      auto e = Make(ExprKind::Quant, s);
      e->op = ast::OperatorOf(q->q->getText());
      e->var = q->IDENT()->getText();
      e->var_span = SpanOf(q->IDENT());
      auto xs = q->expr();
      e->a = BuildExpr(xs[0]);
      if (q->WHERE()) {
        e->b = BuildExpr(xs[1]);
        e->c = BuildExpr(xs[2]);
      } else {
        e->c = BuildExpr(xs[1]);
      }
      return e;
    }
    if (auto* c = dynamic_cast<P::IfExprContext*>(x)) {
      auto e = Make(ExprKind::If, s);
      e->a = BuildExpr(c->expr(0));
      e->b = BuildExpr(c->expr(1));
      e->c = BuildExpr(c->expr(2));
      return e;
    }
    return Make(ExprKind::BoolLit, s);
  }

  ExprPtr BuildPrimary(ClauseParser::PrimaryContext* p) {
    using P = ClauseParser;
    Span s = SpanOf(p);
    if (auto* l = dynamic_cast<P::LiteralPrimaryContext*>(p)) return BuildLiteral(l->literal());
    if (auto* c = dynamic_cast<P::CountPrimaryContext*>(p)) {
      auto e = Make(ExprKind::Count, s);
      e->text = c->IDENT(0)->getText();
      e->var = c->IDENT(1)->getText();
      e->var_span = SpanOf(c->IDENT(1));
      e->a = BuildExpr(c->expr(0));
      if (c->WHERE()) e->b = BuildExpr(c->expr(1));
      return e;
    }
    if (auto* c = dynamic_cast<P::ComprehensionPrimaryContext*>(p)) {
      auto e = Make(ExprKind::Comprehension, s);
      e->text = c->IDENT(0)->getText();
      e->var = c->IDENT(1)->getText();
      e->var_span = SpanOf(c->IDENT(1));
      e->c = BuildExpr(c->expr(0));
      e->a = BuildExpr(c->expr(1));
      if (c->WHERE()) e->b = BuildExpr(c->expr(2));
      return e;
    }
    if (auto* c = dynamic_cast<P::CallPrimaryContext*>(p)) {
      auto e = Make(ExprKind::Call, s);
      e->text = c->IDENT()->getText();
      e->var_span = SpanOf(c->IDENT());
      for (auto* a : c->expr()) e->args.push_back(BuildExpr(a));
      return e;
    }
    if (auto* n = dynamic_cast<P::NamePrimaryContext*>(p)) {
      auto e = Make(ExprKind::Name, s);
      e->text = n->IDENT()->getText();
      return e;
    }
    if (auto* st = dynamic_cast<P::SetPrimaryContext*>(p)) {
      auto e = Make(ExprKind::SetLit, s);
      for (auto* a : st->expr()) e->args.push_back(BuildExpr(a));
      return e;
    }
    if (auto* pp = dynamic_cast<P::ParenPrimaryContext*>(p)) return BuildExpr(pp->expr());
    if (auto* f = dynamic_cast<P::FilterPrimaryContext*>(p)) {
      auto e = Make(ExprKind::Filter, s);
      e->var = f->IDENT()->getText();
      e->var_span = SpanOf(f->IDENT());
      e->a = BuildExpr(f->expr(0));
      e->b = BuildExpr(f->expr(1));
      return e;
    }
    return Make(ExprKind::BoolLit, s);
  }

  const SourceManager& sm_;
  uint32_t file_;
  const OffsetMap& om_;
  Diagnostics& diags_;
  uint32_t next_id_ = 1;
  size_t depth_ = 0;
  bool depth_reported_ = false;
};

// Parses `text` (a slice of the file starting at byte `base`) with the given entry rule.
struct ParseSession {
  ParseSession(const std::string& text, uint32_t file, uint32_t base, Diagnostics& d)
      : input(text), om(text, base), lexer(&input), tokens(&lexer), parser(&tokens),
        listener(d, file, om, parser.getVocabulary()) {
    lexer.removeErrorListeners();
    parser.removeErrorListeners();
    lexer.addErrorListener(&listener);
    parser.addErrorListener(&listener);
  }
  antlr4::ANTLRInputStream input;
  OffsetMap om;
  ClauseLexer lexer;
  antlr4::CommonTokenStream tokens;
  ClauseParser parser;
  ErrorListener listener;
};

// ANTLR's input stream requires valid UTF-8; report where it is not.
bool CheckUtf8(const std::string& text, uint32_t file, Diagnostics& diags) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    bool ok = len > 0 && i + len <= text.size();
    for (size_t k = 1; ok && k < len; ++k) ok = (static_cast<unsigned char>(text[i + k]) & 0xC0) == 0x80;
    if (len == 2 && ok) ok = c >= 0xC2;  // no overlong forms
    if (len >= 3 && ok) {
      // Strict (RFC 3629): no overlong forms, no UTF-16 surrogates, nothing above U+10FFFF.
      unsigned char c1 = static_cast<unsigned char>(text[i + 1]);
      if (c == 0xE0) ok = c1 >= 0xA0;
      else if (c == 0xED) ok = c1 < 0xA0;
      else if (c == 0xF0) ok = c1 >= 0x90;
      else if (c == 0xF4) ok = c1 < 0x90;
      else if (c > 0xF4) ok = false;
    }
    if (!ok) {
      uint32_t at = static_cast<uint32_t>(i);
      diags.Error("E0109", {file, at, at + 1}, fmt::format("invalid UTF-8 at byte {}", i),
                  "save the file as UTF-8");
      return false;
    }
    i += len;
  }
  return true;
}

// Rejects pathological nesting (brackets, runs of prefix operators) before ANTLR's recursive
// descent can exhaust the stack.
bool CheckNesting(const std::string& text, uint32_t file, Diagnostics& diags) {
  size_t depth = 0;
  size_t prefix_run = 0;
  bool in_str = false;
  for (uint32_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!in_str) {
      bool is_not = c == 'n' && text.compare(i, 3, "not") == 0 && (i == 0 || !std::isalnum(static_cast<unsigned char>(text[i - 1]))) &&
                    (i + 3 >= text.size() || (!std::isalnum(static_cast<unsigned char>(text[i + 3])) && text[i + 3] != '_'));
      if (c == '-' || is_not) {
        if (++prefix_run > kMaxNesting) {
          diags.Error("E0501", {file, i, i + 1}, fmt::format("more than {} prefix operators in a row", kMaxNesting),
                      "simplify the expression");
          return false;
        }
        if (is_not) i += 2;
        continue;
      }
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '(') prefix_run = 0;
    }
    if (in_str) {
      if (c == '\\') ++i;
      else if (c == '"' || c == '\n') in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '/' && i + 1 < text.size() && text[i + 1] == '/') {
      while (i < text.size() && text[i] != '\n') ++i;
    } else if (c == '(' || c == '{') {
      if (++depth > kMaxNesting) {
        diags.Error("E0501", {file, i, i + 1}, fmt::format("brackets nested deeper than {} levels", kMaxNesting),
                    "split the expression with `let` bindings");
        return false;
      }
    } else if ((c == ')' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return true;
}

std::unique_ptr<ast::Template> Builder::BuildTemplate(antlr4::Token* tok) {
  auto t = std::make_unique<ast::Template>();
  Span whole = SpanOf(tok);
  t->span = whole;
  std::string_view raw = sm_.Text(whole);  // includes the quotes
  std::string lit;
  for (size_t i = 1; i + 1 < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\' && i + 2 < raw.size()) {
      char n = raw[++i];
      lit += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      continue;
    }
    if (c == '}') {
      diags_.Error("E0108", {file_, whole.begin + static_cast<uint32_t>(i), whole.begin + static_cast<uint32_t>(i) + 1},
                   "unmatched `}` in message", "write `\\}` for a literal brace");
      continue;
    }
    if (c != '{') {
      lit += c;
      continue;
    }
    size_t j = i + 1;
    int depth = 1;
    while (j + 1 < raw.size() && depth > 0) {
      if (raw[j] == '{') ++depth;
      else if (raw[j] == '}' && --depth == 0) break;
      ++j;
    }
    if (depth != 0) {
      diags_.Error("E0108", {file_, whole.begin + static_cast<uint32_t>(i), whole.begin + static_cast<uint32_t>(i) + 1},
                   "unclosed `{` in message", "close the interpolation with `}` or write `\\{` for a literal brace");
      break;
    }
    if (!lit.empty()) t->pieces.push_back({std::move(lit), nullptr});
    lit.clear();
    // The hole is source text inside a string literal: `\"` stands for `"`. (Spans after an
    // escape inside a hole are off by the escapes before them.)
    std::string hole;
    for (size_t k = i + 1; k < j; ++k) {
      if (raw[k] == '\\' && k + 1 < j) ++k;
      hole += raw[k];
    }
    uint32_t base = whole.begin + static_cast<uint32_t>(i) + 1;
    Diagnostics local;
    ParseSession ps(hole, file_, base, local);
    auto* ctx = ps.parser.exprOnly();
    if (local.HasErrors() || hole.find_first_not_of(" \t") == std::string::npos) {
      Span hs{file_, base - 1, base + static_cast<uint32_t>(hole.size()) + 1};
      diags_.Error("E0108", hs, "invalid expression in message interpolation",
                   "interpolate a value such as `{d.code}`, or write `\\{` for a literal brace");
    } else {
      Builder inner(sm_, file_, ps.om, diags_);
      inner.next_id_ = next_id_;  // one counter: ids stay unique in the file
      t->pieces.push_back({{}, inner.BuildExpr(ctx->expr()), ctx->each != nullptr});
      next_id_ = inner.next_id_;
    }
    i = j;
  }
  if (!lit.empty()) t->pieces.push_back({std::move(lit), nullptr});
  return t;
}

}  // namespace

std::unique_ptr<ast::File> ParseFile(const SourceManager& sm, uint32_t file_id, Diagnostics& diags) {
  auto file = std::make_unique<ast::File>();
  const SourceFile* src = sm.Get(file_id);
  if (!src) return file;
  file->path = src->path();
  file->file_id = file_id;
  if (!CheckUtf8(src->text(), file_id, diags)) return file;
  if (!CheckNesting(src->text(), file_id, diags)) return file;
  size_t before = diags.ErrorCount();
  // No exception leaves the parser (ANTLR throws on input it cannot decode or on internal limits).
  std::unique_ptr<ParseSession> session;
  ClauseParser::File_Context* tree = nullptr;
  try {
    session = std::make_unique<ParseSession>(src->text(), file_id, 0, diags);
    ParseSession& ps = *session;
    // Two-stage parsing: the fast SLL mode first, full LL only if SLL gives up (then with
    // error reporting). Correct files never need the second stage.
    ps.parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::SLL);
    ps.parser.setErrorHandler(std::make_shared<antlr4::BailErrorStrategy>());
    ps.parser.removeErrorListeners();
    try {
      tree = ps.parser.file_();
    } catch (const antlr4::ParseCancellationException&) {
      tree = nullptr;
    }
    if (!tree) {
      ps.tokens.seek(0);
      ps.parser.reset();
      ps.parser.addErrorListener(&ps.listener);
      ps.parser.setErrorHandler(std::make_shared<antlr4::DefaultErrorStrategy>());
      ps.parser.getInterpreter<antlr4::atn::ParserATNSimulator>()->setPredictionMode(antlr4::atn::PredictionMode::LL);
      tree = ps.parser.file_();
    }
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    diags.Error("E0101", {file_id, 0, 0}, fmt::format("syntax error: {}", e.what()));
    return file;
  } catch (...) {
    diags.Error("E0101", {file_id, 0, 0}, "syntax error: the parser gave up on this file");
    return file;
  }
  if (diags.ErrorCount() > before) return file;  // a parse tree with errors is not worth lowering
  try {
    Builder b(sm, file_id, session->om, diags);
    *file = b.Build(tree);
  } catch (const std::bad_alloc&) {
    throw;
  } catch (const std::exception& e) {
    diags.Error("E0101", {file_id, 0, 0}, fmt::format("syntax error: {}", e.what()));
  }
  file->path = src->path();
  file->file_id = file_id;
  return file;
}

}  // namespace conform::syntax
