// The Clause AST: what the parser produces, with a source span on every node.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "conform/compiler/source.h"

namespace conform::ast {

enum class ExprKind : uint8_t {
  BoolLit, IntLit, DecimalLit, StringLit, DateLit, DurationLit, SetLit,
  Name,       // text
  Field,      // a.text
  Presence,   // a is present (negated: is absent)
  Neg,        // -a
  Binary,     // a op b   (op: * / % & + - == != < <= > >=)
  Member,     // a [not] in|under b   (op: in, under)
  Not, And, Or, Implies,
  Quant,      // op: exists|all|none; var; a = list, b = filter (opt), c = body
  Count,      // count(var in a where b)
  Comprehension,  // text = fn; var; c = value expr, a = list, b = filter (opt)
  Call,       // text(args…)
  If,         // if a then b else c
  Filter,     // [var in a where b]: the elements of list a for which b is true
};

// The operator of a Binary, Member, And/Or/Implies or Quant node, fixed by the parser.
enum class Operator : uint8_t {
  None,
  Mul, Div, Mod, Add, Sub, Inter,  // * / % + - &
  Eq, Ne, Lt, Le, Gt, Ge,          // == != < <= > >=
  In, Under,                       // [not] in, [not] under
  And, Or, Implies,
  Exists, All, NoneOf,             // quantifiers: exists, all, none
};
// The operator as written in Clause (`==`, `under`, `none` …).
const char* Spelling(Operator op);
// The operator spelled `text` ("==", "in", "all" …), or Operator::None.
Operator OperatorOf(const std::string& text);
inline bool IsComparison(Operator op) { return op >= Operator::Eq && op <= Operator::Ge; }

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind;
  Span span;
  uint64_t id = 0;       // (file id << 32) | n: unique among the files of one SourceManager, for side tables
  std::string text;      // name, field, function, string literal value
  Operator op = Operator::None;  // operator or quantifier
  std::string var;       // bound variable (Quant, Count, Comprehension)
  Span var_span;
  bool negated = false;  // `not in`, `not under`, `is absent`
  int64_t int_value = 0; // IntLit; DateLit (days since 1970-01-01); DurationLit months
  int64_t days = 0;      // DurationLit days
  int64_t minutes = 0;   // DurationLit part of a day, in minutes (|minutes| < 1440)
  double dec_value = 0;  // DecimalLit
  ExprPtr a, b, c;
  std::vector<ExprPtr> args;  // Call arguments, SetLit elements
};

struct TypeRef {
  std::string name;           // bool int … list set <entity> <enum>
  std::unique_ptr<TypeRef> arg;
  bool optional = false;
  Span span;
};

struct FieldDecl {
  std::string name;
  TypeRef type;
  std::string doc;
  Span span;
};

struct EnumDecl {
  std::string name;
  std::vector<std::pair<std::string, Span>> members;
  Span span;
};

struct EntityDecl {
  enum Kind { Entity, Root, Extend } kind = Entity;
  std::string name;
  std::vector<FieldDecl> fields;
  Span span, name_span;
};

struct SchemaDecl {
  std::string name;
  std::vector<EnumDecl> enums;
  std::vector<EntityDecl> entities;
  Span span;
};

// A string with `{expr}` holes.
struct Template {
  struct Piece {
    std::string text;  // literal text, or
    ExprPtr expr;      // an interpolated expression
    bool each = false; // `{each e}`: e over every failing element of the top-level all/none
  };
  std::vector<Piece> pieces;
  Span span;
};

struct LetDecl {
  std::string name;
  ExprPtr value;
  Span span;
};

// `def name(p: T, …) [: R] = body`: a named expression, inlined at each call (non-recursive).
struct DefDecl {
  struct Param {
    std::string name;
    TypeRef type;
    Span span;
  };
  std::string name;
  std::vector<Param> params;
  std::unique_ptr<TypeRef> result;  // optional declared result type
  ExprPtr body;
  Span span, name_span;
};

struct RequirementDecl {
  std::string id;
  std::string grade;
  Span span, id_span, grade_span;
  std::string says;
  ExprPtr applies;
  std::vector<LetDecl> lets;
  ExprPtr pass;
  Span pass_span;
  std::unique_ptr<Template> message;
  std::vector<std::pair<std::string, Span>> depends;  // `depends on a, b`: prerequisite requirement ids
  int pass_count = 0, says_count = 0, else_count = 0, applies_count = 0;
};

struct ClauseDecl {
  std::string number;
  std::string title;
  Span span, number_span;
  std::vector<ClauseDecl> clauses;
  std::vector<RequirementDecl> requirements;
  std::vector<int> order;  // member order: 0 = clause, 1 = requirement (for printing)
};

struct MetaDecl {
  std::string key;
  ExprPtr value;  // a literal
  Span span;
};

struct ParamDecl {
  std::string name;
  TypeRef type;
  ExprPtr value;
  std::string doc;
  Span span;
};

struct StandardDecl {
  std::string name;
  std::string title;
  Span span, name_span;
  std::vector<MetaDecl> meta;
  std::vector<ParamDecl> params;
  std::vector<ExprPtr> exclusions;
  std::vector<ClauseDecl> clauses;
  std::vector<DefDecl> defs;     // `def`s of this standard
  std::vector<LetDecl> lets;     // standard-level `let`s: computed once per organization
};

// `amend BASE[.CLAUSE].id { … }`: the members given replace the base's (`grade`, `says`,
// `applies when`, `pass`, `else`); `let`s are added. In `pass` and `applies when`, `base`
// names the criterion being amended.
struct AmendDecl {
  std::string owner;   // the standard or extension named before the first dot
  std::string clause;  // optional clause number between owner and id
  Span span, target_span;
  RequirementDecl body;  // body.id = the amended id; body.grade empty unless `grade X` is given
};

// `param BASE.name = value`: sets the default of a base parameter.
struct ParamSet {
  std::string owner, name;
  ExprPtr value;
  Span span, name_span;
};

// One term of an edition constraint: `>= "2015"` (op empty = the edition starts with it).
struct EditionTerm {
  std::string op, edition;
  Span span;
};

// `extension ID "title" extends BASE <constraint> { … }`: a standard built on another without
// copying it. Resolved with its base chain into one program (sema/extend.cc).
struct ExtensionDecl {
  std::string name, title, base;
  Span span, name_span, base_span;
  std::vector<EditionTerm> constraint;
  std::vector<MetaDecl> meta;
  std::vector<ParamDecl> params;      // new parameters
  std::vector<ParamSet> param_sets;   // base parameters set
  std::vector<ExprPtr> exclusions;    // replaces the base's; `base` = the base's set
  std::vector<ClauseDecl> clauses;    // new clauses, placed under their base parent
  std::vector<ClauseDecl> opened;     // existing base clauses (no title): members are added
  std::vector<AmendDecl> amends;
};

struct UseDecl {
  std::string module;
  Span span;
};

struct File {
  std::string path;
  uint32_t file_id = 0;
  std::string language;  // the Clause version its package's plugin.toml declares ("" = this build's)
  std::vector<UseDecl> uses;
  std::vector<SchemaDecl> schemas;
  std::vector<StandardDecl> standards;
  std::vector<ExtensionDecl> extensions;
  std::vector<DefDecl> defs;  // module-level `def`s: visible to every standard compiled with this file
  std::vector<LetDecl> lets;  // module-level `let`s
};

// Prints the AST as an indented S-expression tree (`conform compile --emit ast`).
std::string Print(const File& f);
std::string PrintExpr(const Expr& e);

}  // namespace conform::ast
