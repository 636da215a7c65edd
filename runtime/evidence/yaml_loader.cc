// The YAML front end. libyaml's parser emits events into a compact tree of our own (libyaml's
// document loader is not used: the tree keeps what diagnostics need — marks of aliases and
// empty values, scalar styles — and nothing else). libyaml marks count characters; they
// become byte offsets, then spans.
//
// The tree reproduces what the yaml-cpp front end that preceded this one built, so the
// walker sees the same values and reports the same spans:
//   * a plain, untagged `~`, `null`, `Null`, `NULL` or empty scalar is null;
//   * a quoted or block scalar, or one tagged `!` or `!!str`, is a string whatever its text;
//   * an empty value (`key:` with nothing after it, a bare `-`) sits at the next token;
//   * a document of nothing but a tag or an anchor is null (an empty file);
//   * nodes nested kParseDepth deep stop the parse with E0710, an alias of an undefined
//     anchor with E0702.
#include <yaml.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>
#include <new>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "builder.h"

namespace conform::runtime::detail {

namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

// Nodes this deep (the top-level node is at depth 1) stop the parse, before the tree is
// walked; shallower nesting past kMaxEvidenceDepth is reported by the walk, with a data path.
constexpr size_t kParseDepth = 500;

struct YNode {
  enum Kind : uint8_t { Null, Scalar, Seq, Map, Alias };
  Kind kind = Null;
  bool quoted = false;  // scalar: quoted, block (`|`, `>`) or `!!str` — a string, whatever its text
  bool flow = false;    // collection: `[…]` / `{…}`
  uint32_t off = 0;     // byte offset of the node's first token (its anchor or tag, if any)
  uint32_t first = kNone;  // Seq: first item; Map: first key (then value, key, value, …); Alias: target
  uint32_t next = kNone;   // next sibling
  uint32_t vbegin = 0, vlen = 0;  // Scalar: the value, in the tree's value buffer
};

struct Tree {
  std::vector<YNode> nodes;
  std::string values;  // every scalar's value, back to back
  std::string_view Value(const YNode& n) const { return std::string_view(values).substr(n.vbegin, n.vlen); }
};

// libyaml marks count characters (after a byte-order mark); diagnostics need byte offsets.
// Marks arrive nearly in order, so a cursor that moves between them costs O(text) in all.
class Offsets {
 public:
  explicit Offsets(std::string_view text) : text_(text) {
    const auto* u = reinterpret_cast<const unsigned char*>(text.data());
    size_t n = text.size();
    if (n >= 3 && u[0] == 0xEF && u[1] == 0xBB && u[2] == 0xBF) {
      bom_ = 3;
    } else if (n >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF))) {
      bom_ = 2;
      utf16_ = true;
    }
    bi_ = bom_;
  }

  uint32_t ByteOf(size_t index) {
    size_t n = text_.size();
    if (utf16_) return Clamp(index > (n - bom_) / 2 ? n : bom_ + 2 * index);  // surrogates aside
    const auto* u = reinterpret_cast<const unsigned char*>(text_.data());
    if (index < ci_ / 2) ci_ = 0, bi_ = bom_;  // far back (a context mark): start over
    while (ci_ < index && bi_ < n) {
      if (index - ci_ >= 8 && n - bi_ >= 8) {  // eight ASCII bytes at a time
        uint64_t w;
        std::memcpy(&w, u + bi_, 8);
        if ((w & 0x8080808080808080ull) == 0) {
          bi_ += 8;
          ci_ += 8;
          continue;
        }
      }
      unsigned char c = u[bi_];
      bi_ += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      ++ci_;
    }
    while (ci_ > index && bi_ > bom_) {
      --bi_;
      while (bi_ > bom_ && (u[bi_] & 0xC0) == 0x80) --bi_;
      --ci_;
    }
    return Clamp(bi_);
  }

 private:
  uint32_t Clamp(size_t off) const { return static_cast<uint32_t>(std::min(off, text_.size())); }

  std::string_view text_;
  size_t bom_ = 0;
  bool utf16_ = false;
  size_t ci_ = 0, bi_ = 0;  // the cursor: character index ci_ is at byte bi_
};

struct Parser {
  yaml_parser_t p;
  Parser() {
    if (!yaml_parser_initialize(&p)) throw std::bad_alloc();
  }
  ~Parser() { yaml_parser_delete(&p); }
  Parser(const Parser&) = delete;
  Parser& operator=(const Parser&) = delete;
};

struct Event {
  yaml_event_t e;
  bool live = false;
  ~Event() {
    if (live) yaml_event_delete(&e);
  }
};

bool IsNullString(std::string_view s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

std::string_view Str(const yaml_char_t* s) { return s ? std::string_view(reinterpret_cast<const char*>(s)) : std::string_view(); }

class YamlFront {
 public:
  using Value = uint32_t;  // a node index

  YamlFront(Builder& b, const Tree& tree) : b_(b), text_(b.file().text()), tree_(tree), nodes_(tree.nodes) {}

  NodeKind Kind(uint32_t i) const {
    switch (Resolve(i).kind) {
      case YNode::Scalar: return NodeKind::Scalar;
      case YNode::Seq: return NodeKind::Seq;
      case YNode::Map: return NodeKind::Map;
      default: return NodeKind::Null;
    }
  }

  bool Scalar(uint32_t i, ScalarIn& s) const {
    const YNode& n = Resolve(i);
    s.text = tree_.Value(n);
    s.kind = n.quoted ? ScalarIn::Kind::String : ScalarIn::Kind::Plain;
    s.span = nodes_[i].kind == YNode::Alias ? TokenSpan(nodes_[i].off) : ScalarSpan(n.off, s.text);
    return true;
  }

  Span SpanOf(uint32_t i) const {
    const YNode& own = nodes_[i];
    switch (own.kind) {
      case YNode::Alias: return TokenSpan(own.off);
      case YNode::Scalar: return ScalarSpan(own.off, tree_.Value(own));
      case YNode::Map:
        // A block mapping starts at its first key: show that key.
        if (!own.flow && own.first != kNone && Resolve(own.first).kind == YNode::Scalar) return SpanOf(own.first);
        return OneChar(own.off);
      case YNode::Seq: return OneChar(own.off);
      default: return ToLineEnd(own.off);
    }
  }

  template <class Fn>
  void ForEachEntry(uint32_t i, Fn&& fn) const {
    const YNode& n = Resolve(i);
    for (uint32_t k = n.first; k != kNone && nodes_[k].next != kNone; k = nodes_[nodes_[k].next].next) {
      uint32_t v = nodes_[k].next;
      const YNode& kn = Resolve(k);
      Key key;
      switch (kn.kind) {
        case YNode::Scalar:
          key.text = tree_.Value(kn);
          key.span = SpanOf(k);
          break;
        case YNode::Null:
          key.text = "null";
          key.span = SpanOf(k);
          if (!key.span.valid()) key.span = SpanOf(v);
          break;
        default:
          key.scalar = false;
          key.text = kn.kind == YNode::Map ? "mapping" : "list";
          key.span = SpanOf(k);
          break;
      }
      if (!fn(key, v)) return;
    }
  }

  template <class Fn>
  void ForEachElement(uint32_t i, Fn&& fn) const {
    const YNode& n = Resolve(i);
    size_t j = 0;
    for (uint32_t v = n.first; v != kNone; v = nodes_[v].next, ++j) {
      uint32_t item = v;
      if (!fn(j, item)) return;
    }
  }

  // libyaml has parsed (and checked) everything already; an unknown or mismatched value is
  // only measured, so nesting past kMaxEvidenceDepth is E0710 wherever it is.
  void Skip(uint32_t i, int depth) {
    if (b_.stopped()) return;
    const YNode& n = Resolve(i);
    if (n.kind != YNode::Map && n.kind != YNode::Seq) return;
    if (depth > kMaxEvidenceDepth) {
      b_.TooDeep(SpanOf(i));
      return;
    }
    const bool map = n.kind == YNode::Map;
    for (uint32_t c = n.first; c != kNone && !b_.stopped(); c = nodes_[c].next) {
      uint32_t v = c;
      if (map) {
        v = nodes_[c].next;
        if (v == kNone) break;
        c = v;
      }
      if (b_.ChargeNode([&] { return SpanOf(v); })) Skip(v, depth + 1);
    }
  }

  bool failed() const { return false; }

  Span OneChar(uint32_t off) const {
    if (off >= Size()) return {b_.file_id(), Size(), Size()};
    return {b_.file_id(), off, off + 1};
  }

 private:
  const YNode& Resolve(uint32_t i) const {
    // An anchor never names an alias, so one step suffices; the bound is a safety net.
    for (int hops = 0; nodes_[i].kind == YNode::Alias && nodes_[i].first != kNone && hops < 8; ++hops)
      i = nodes_[i].first;
    return nodes_[i];
  }

  uint32_t Size() const { return static_cast<uint32_t>(text_.size()); }

  // A token such as `*anchor`: up to a blank or a flow indicator.
  Span TokenSpan(uint32_t off) const {
    uint32_t n = Size(), end = off;
    while (end < n && !std::strchr(" \t\r\n,]}", text_[end])) ++end;
    if (end <= off) return OneChar(off);
    return {b_.file_id(), off, end};
  }

  // From `off` to the end of its line, without a trailing comment or blanks.
  Span ToLineEnd(uint32_t off) const {
    uint32_t n = Size();
    if (off >= n) return {b_.file_id(), n, n};
    const char* base = text_.data();
    const void* nl = std::memchr(base + off, '\n', n - off);
    uint32_t end = nl ? static_cast<uint32_t>(static_cast<const char*>(nl) - base) : n;
    size_t hash = std::string_view(base + off, end - off).find(" #");  // on this line only
    if (hash != std::string_view::npos) end = off + static_cast<uint32_t>(hash);
    while (end > off && (text_[end - 1] == ' ' || text_[end - 1] == '\t' || text_[end - 1] == '\r')) --end;
    if (end <= off) end = std::min(off + 1, n);
    return {b_.file_id(), off, end};
  }

  // The scalar's text in the source: quotes included; a plain scalar that spans lines (or
  // differs from its value) runs to the end of its first line.
  Span ScalarSpan(uint32_t off, std::string_view value) const {
    uint32_t n = Size();
    if (off >= n) return {b_.file_id(), n, n};
    char c = text_[off];
    if (c == '"') {
      uint32_t j = off + 1;
      while (j < n && text_[j] != '"') j += text_[j] == '\\' ? 2 : 1;
      return {b_.file_id(), off, std::min(j + 1, n)};
    }
    if (c == '\'') {
      uint32_t j = off + 1;
      while (j < n) {
        if (text_[j] == '\'') {
          if (j + 1 < n && text_[j + 1] == '\'') {
            j += 2;
            continue;
          }
          break;
        }
        ++j;
      }
      return {b_.file_id(), off, std::min(j + 1, n)};
    }
    if (!value.empty() && value.size() <= n - off && text_.compare(off, value.size(), value) == 0)
      return {b_.file_id(), off, off + static_cast<uint32_t>(value.size())};
    return ToLineEnd(off);
  }

  Builder& b_;
  const std::string& text_;
  const Tree& tree_;
  const std::vector<YNode>& nodes_;
};

std::string ParserHelp(const SourceFile& sf, uint32_t off) {
  std::string_view l = sf.Line(sf.Locate(off).line);
  size_t indent = l.find_first_not_of(" \t");
  if (l.substr(0, indent).find('\t') != std::string_view::npos)
    return "YAML indents with spaces; this line is indented with a tab";
  return {};
}

// The first document's events, as a tree; a second document is parsed (for its errors) but
// not kept, and nothing after it is read.
class TreeBuilder {
 public:
  TreeBuilder(Builder& b, Tree& tree, const YamlFront& front)
      : b_(b), text_(b.file().text()), tree_(tree), nodes_(tree.nodes), front_(front), offsets_(text_) {}

  uint32_t root() const { return root_; }
  bool more() const { return more_; }
  uint32_t second() const { return second_; }

  // false: an error was reported.
  bool Parse() {
    Parser parser;
    yaml_parser_set_input_string(&parser.p, reinterpret_cast<const unsigned char*>(text_.data()), text_.size());
    for (;;) {
      Event ev;
      if (!yaml_parser_parse(&parser.p, &ev.e)) return Malformed(parser.p);
      ev.live = true;
      const yaml_event_t& e = ev.e;
      switch (e.type) {
        case YAML_STREAM_END_EVENT:
        case YAML_NO_EVENT:
          return true;
        case YAML_DOCUMENT_START_EVENT:
          if (++docs_ == 2) {
            more_ = true;
            // At its `---` (after any directives), else at its first token.
            const bool dashes = !e.data.document_start.implicit && e.end_mark.index >= 3;
            second_ = offsets_.ByteOf(dashes ? e.end_mark.index - 3 : e.start_mark.index);
            anchors_.clear();
          }
          break;
        case YAML_DOCUMENT_END_EVENT:
          if (docs_ >= 2) return true;
          break;
        case YAML_ALIAS_EVENT: {
          uint32_t off = offsets_.ByteOf(e.start_mark.index);
          if (!Deep(off)) return false;
          auto it = anchors_.find(std::string(Str(e.data.alias.anchor)));
          if (it == anchors_.end()) {
            b_.Error("E0702", front_.OneChar(off), "malformed YAML: the referenced anchor is not defined");
            return false;
          }
          if (docs_ < 2) nodes_[New(YNode::Alias, off, {})].first = it->second;
          break;
        }
        case YAML_SCALAR_EVENT: {
          const auto& s = e.data.scalar;
          uint32_t off = offsets_.ByteOf(e.start_mark.index);
          if (!Deep(off)) return false;
          std::string_view anchor = Str(s.anchor), tag = Str(s.tag);
          std::string_view value(reinterpret_cast<const char*>(s.value), s.length);
          const bool plain = s.style == YAML_PLAIN_SCALAR_STYLE || s.style == YAML_ANY_SCALAR_STYLE;
          if (tag.empty() && plain && IsNullString(value)) {
            // An empty value (no text, no anchor, no tag) sits where the next token starts.
            if (value.empty() && anchor.empty()) off = NextToken(off);
            New(YNode::Null, off, anchor);
            break;
          }
          // A document of nothing but a tag is null, like an empty one.
          if (value.empty() && plain && open_.empty() &&
              SkipBlank(offsets_.ByteOf(e.end_mark.index)) >= text_.size()) {
            New(YNode::Null, off, anchor);
            break;
          }
          uint32_t i = New(YNode::Scalar, off, anchor);
          if (i == kNone) break;
          YNode& n = nodes_[i];
          n.quoted = tag.empty() ? !plain : tag == "!" || tag == "tag:yaml.org,2002:str";
          n.vbegin = static_cast<uint32_t>(tree_.values.size());
          n.vlen = static_cast<uint32_t>(value.size());
          tree_.values.append(value);
          break;
        }
        case YAML_SEQUENCE_START_EVENT: {
          uint32_t off = offsets_.ByteOf(e.start_mark.index);
          if (!Deep(off)) return false;
          Open(New(YNode::Seq, off, Str(e.data.sequence_start.anchor)),
               e.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE);
          break;
        }
        case YAML_MAPPING_START_EVENT: {
          uint32_t off = offsets_.ByteOf(e.start_mark.index);
          if (!Deep(off)) return false;
          Open(New(YNode::Map, off, Str(e.data.mapping_start.anchor)),
               e.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE);
          break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
          if (!open_.empty()) open_.pop_back();
          break;
        default:
          break;
      }
    }
  }

 private:
  struct Frame {
    uint32_t node;  // kNone in a later document
    uint32_t last;  // its last child so far
  };

  // E0710 (and false) for a node as deep as kParseDepth.
  bool Deep(uint32_t off) {
    if (open_.size() + 1 < kParseDepth) return true;
    b_.Error("E0710", front_.OneChar(off),
             "evidence nested deeper than " + std::to_string(kMaxEvidenceDepth) + " levels",
             "no schema needs this depth: check the indentation or the brackets");
    return false;
  }

  // Appends a node of the first document under the open collection; kNone in a later one.
  uint32_t New(YNode::Kind kind, uint32_t off, std::string_view anchor) {
    if (docs_ >= 2) {
      if (!anchor.empty()) anchors_[std::string(anchor)] = 0;
      return kNone;
    }
    uint32_t i = static_cast<uint32_t>(nodes_.size());
    YNode& n = nodes_.emplace_back();
    n.kind = kind;
    n.off = off;
    if (!anchor.empty()) anchors_[std::string(anchor)] = i;
    if (open_.empty()) {
      if (root_ == kNone) root_ = i;
    } else {
      Frame& o = open_.back();
      if (o.last == kNone)
        nodes_[o.node].first = i;
      else
        nodes_[o.last].next = i;
      o.last = i;
    }
    return i;
  }

  void Open(uint32_t i, bool flow) {
    if (i != kNone) nodes_[i].flow = flow;
    open_.push_back({i, kNone});
  }

  // Past blanks, line breaks and comments from `off`: the next token, or the end of the text.
  uint32_t SkipBlank(uint32_t off) const {
    const uint32_t n = static_cast<uint32_t>(text_.size());
    while (off < n) {
      char c = text_[off];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++off;
      } else if (c == '#' && (off == 0 || std::strchr(" \t\r\n", text_[off - 1]))) {
        size_t nl = text_.find('\n', off);
        off = nl == std::string::npos ? n : static_cast<uint32_t>(nl);
      } else {
        break;
      }
    }
    return off;
  }

  // Where an empty value sits: at the next token. At the end of the text, at the end when the
  // last line is indented less than the collection around the value (as if the collection's
  // end were a token there), else at the start of the last line.
  uint32_t NextToken(uint32_t off) const {
    const uint32_t n = static_cast<uint32_t>(text_.size());
    off = SkipBlank(off);
    if (off < n) return off;
    size_t nl = text_.rfind('\n');
    const uint32_t last = nl == std::string::npos ? 0 : static_cast<uint32_t>(nl + 1);
    if (!open_.empty() && open_.back().node != kNone) {
      const YNode& p = nodes_[open_.back().node];
      if (!p.flow) {
        uint32_t at = p.kind == YNode::Map && p.first != kNone ? nodes_[p.first].off : p.off;
        uint32_t indent = b_.file().Locate(at).col - 1;
        if (indent > n - last || (indent == n - last && p.kind == YNode::Seq)) return n;
      }
    }
    return last;
  }

  // E0702 with libyaml's problem, at its mark (reader errors: at the byte).
  bool Malformed(const yaml_parser_t& p) {
    if (p.error == YAML_MEMORY_ERROR) throw std::bad_alloc();
    std::string problem = p.problem ? p.problem : "unknown error";
    uint32_t off;
    std::string help;
    if (p.error == YAML_READER_ERROR) {
      off = static_cast<uint32_t>(std::min(p.problem_offset, text_.size()));
      if (p.problem_value != -1) {
        char hex[16];
        std::snprintf(hex, sizeof hex, " (#x%X)", static_cast<unsigned>(p.problem_value));
        problem += hex;
      }
      if (problem.find("control characters") != std::string::npos)
        help = "YAML text holds tabs, line breaks and printable characters only: remove this one";
      else
        help = "save the evidence as UTF-8 text";
    } else {
      off = offsets_.ByteOf(p.problem_mark.index);
      help = ParserHelp(b_.file(), off);
    }
    Diagnostic* d = b_.Error("E0702", front_.OneChar(off), "malformed YAML: " + problem, help);
    if (d && p.context && p.error != YAML_READER_ERROR && p.context_mark.index != p.problem_mark.index)
      d->notes.push_back({front_.OneChar(offsets_.ByteOf(p.context_mark.index)), p.context});
    return false;
  }

  Builder& b_;
  const std::string& text_;
  Tree& tree_;
  std::vector<YNode>& nodes_;
  const YamlFront& front_;
  Offsets offsets_;
  std::vector<Frame> open_;
  std::unordered_map<std::string, uint32_t> anchors_;  // of the current document
  uint32_t root_ = kNone;
  int docs_ = 0;
  bool more_ = false;
  uint32_t second_ = 0;  // where the second document starts
};

}  // namespace

void LoadYaml(Builder& b) {
  Tree tree;
  const std::string& text = b.file().text();
  tree.nodes.reserve(text.size() / 16 + 16);
  tree.values.reserve(text.size() / 2 + 16);
  YamlFront front(b, tree);
  const EntityDef& root = b.schema().entities[b.schema().root];
  TreeBuilder builder(b, tree, front);
  if (!builder.Parse()) return;
  uint32_t top = builder.root();
  if (top == kNone) {
    b.Error("E0708", Span{b.file_id(), 0, 0}, "evidence file is empty",
            "write the `" + root.name + "` fields as a mapping (`field: value` lines)");
    return;
  }
  if (builder.more()) {
    b.Error("E0708", front.OneChar(builder.second()), "evidence file holds more than one YAML document",
            "keep one document: remove the `---` or `...` markers between them, or split the file");
    return;
  }
  Walker<YamlFront> walker(b, front);
  walker.Root(top);
}

}  // namespace conform::runtime::detail
