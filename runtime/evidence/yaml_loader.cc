// The YAML front end. yaml-cpp's parser emits events into a compact tree of our own (the
// public YAML::Load/LoadAll are not used: LoadAll loops forever on some malformed input, and
// the tree keeps what diagnostics need — marks of aliases, scalar styles). Marks (0-based
// line/column) become spans.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <algorithm>
#include <cstring>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "builder.h"

namespace conform::runtime::detail {

namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

struct YNode {
  enum Kind : uint8_t { Null, Scalar, Seq, Map, Alias };
  Kind kind = Null;
  bool quoted = false;  // scalar: quoted, block (`|`, `>`) or `!!str` — a string, whatever its text
  bool flow = false;    // collection: `[…]` / `{…}`
  YAML::Mark mark;
  uint32_t target = kNone;     // Alias: the anchored node
  std::string value;           // Scalar
  std::vector<uint32_t> kids;  // Seq: items; Map: key, value, key, value, …
};

// Builds the first document's tree; later documents are only counted.
class TreeBuilder : public YAML::EventHandler {
 public:
  explicit TreeBuilder(std::vector<YNode>& nodes) : nodes_(nodes) {}
  uint32_t root() const { return root_; }

  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { New(YNode::Null, mark, anchor); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    uint32_t i = New(YNode::Alias, mark, 0);
    if (anchor < anchors_.size()) nodes_[i].target = anchors_[anchor];
    if (nodes_[i].target == kNone) nodes_[i].kind = YNode::Null;
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    uint32_t i = New(YNode::Scalar, mark, anchor);
    nodes_[i].value = value;
    // "?": plain, typed by the field it fills; "!": quoted or block scalar.
    nodes_[i].quoted = tag == "!" || tag == "tag:yaml.org,2002:str";
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value style) override {
    Open(New(YNode::Seq, mark, anchor), style);
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value style) override {
    Open(New(YNode::Map, mark, anchor), style);
  }
  void OnMapEnd() override { Close(); }

 private:
  uint32_t New(YNode::Kind kind, const YAML::Mark& mark, YAML::anchor_t anchor) {
    uint32_t i = static_cast<uint32_t>(nodes_.size());
    nodes_.emplace_back();
    nodes_.back().kind = kind;
    nodes_.back().mark = mark;
    if (anchor) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, kNone);
      anchors_[anchor] = i;
    }
    if (open_.empty()) {
      if (root_ == kNone) root_ = i;
    } else {
      nodes_[open_.back()].kids.push_back(i);
    }
    return i;
  }
  void Open(uint32_t i, YAML::EmitterStyle::value style) {
    nodes_[i].flow = style == YAML::EmitterStyle::Flow;
    open_.push_back(i);
  }
  void Close() {
    if (!open_.empty()) open_.pop_back();
  }

  std::vector<YNode>& nodes_;
  std::vector<uint32_t> open_;
  std::vector<uint32_t> anchors_;
  uint32_t root_ = kNone;
};

// Counts events of later documents without keeping them.
class NullHandler : public YAML::EventHandler {
 public:
  YAML::Mark start;
  void OnDocumentStart(const YAML::Mark& m) override { start = m; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t, const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t, YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

class YamlFront {
 public:
  using Value = uint32_t;  // a node index

  YamlFront(Builder& b, const std::vector<YNode>& nodes) : b_(b), sf_(b.file()), text_(sf_.text()), nodes_(nodes) {
    bom_ = text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0;
  }

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
    s.text = n.value;
    s.kind = n.quoted ? ScalarIn::Kind::String : ScalarIn::Kind::Plain;
    s.span = nodes_[i].kind == YNode::Alias ? TokenSpan(Offset(nodes_[i].mark)) : ScalarSpan(n.mark, n.value);
    return true;
  }

  Span SpanOf(uint32_t i) const {
    const YNode& own = nodes_[i];
    if (own.mark.is_null()) return {};
    if (own.kind == YNode::Alias) return TokenSpan(Offset(own.mark));
    switch (own.kind) {
      case YNode::Scalar: return ScalarSpan(own.mark, own.value);
      case YNode::Map:
        // A block mapping starts at its first key: show that key.
        if (!own.flow && !own.kids.empty() && Resolve(own.kids[0]).kind == YNode::Scalar)
          return SpanOf(own.kids[0]);
        return OneChar(Offset(own.mark));
      case YNode::Seq: return OneChar(Offset(own.mark));
      default: return ToLineEnd(Offset(own.mark));
    }
  }

  template <class Fn>
  void ForEachEntry(uint32_t i, Fn&& fn) const {
    const YNode& n = Resolve(i);
    for (size_t j = 0; j + 1 < n.kids.size(); j += 2) {
      uint32_t k = n.kids[j];
      uint32_t v = n.kids[j + 1];
      const YNode& kn = Resolve(k);
      Key key;
      switch (kn.kind) {
        case YNode::Scalar:
          key.text = kn.value;
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
    for (size_t j = 0; j < n.kids.size(); ++j) {
      uint32_t v = n.kids[j];
      if (!fn(j, v)) return;
    }
  }

  // yaml-cpp has parsed (and checked) everything already; an unknown or mismatched value is
  // only measured, so nesting past kMaxEvidenceDepth is E0710 wherever it is.
  void Skip(uint32_t i, int depth) {
    if (b_.stopped()) return;
    const YNode& n = Resolve(i);
    if (n.kind != YNode::Map && n.kind != YNode::Seq) return;
    if (depth > kMaxEvidenceDepth) {
      b_.TooDeep(SpanOf(i));
      return;
    }
    for (size_t j = n.kind == YNode::Map ? 1 : 0; j < n.kids.size() && !b_.stopped(); j += n.kind == YNode::Map ? 2 : 1) {
      uint32_t v = n.kids[j];
      if (b_.ChargeNode([&] { return SpanOf(v); })) Skip(v, depth + 1);
    }
  }

  bool failed() const { return false; }

  Span MarkSpan(const YAML::Mark& m) const { return m.is_null() ? Span{b_.file_id(), 0, 0} : OneChar(Offset(m)); }

 private:
  const YNode& Resolve(uint32_t i) const {
    // An anchor never names an alias, so one step suffices; the bound is a safety net.
    for (int hops = 0; nodes_[i].kind == YNode::Alias && nodes_[i].target != kNone && hops < 8; ++hops)
      i = nodes_[i].target;
    return nodes_[i];
  }

  uint32_t Offset(const YAML::Mark& m) const {
    if (m.line < 0 || m.column < 0) return 0;
    // yaml-cpp skips a byte-order mark without counting it in the first line's columns.
    uint32_t col = static_cast<uint32_t>(m.column) + 1 + (m.line == 0 && bom_ ? 3 : 0);
    return sf_.OffsetOf(static_cast<uint32_t>(m.line) + 1, col);
  }

  uint32_t Size() const { return static_cast<uint32_t>(text_.size()); }

  Span OneChar(uint32_t off) const {
    if (off >= Size()) return {b_.file_id(), Size(), Size()};
    return {b_.file_id(), off, off + 1};
  }

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
    size_t nl = text_.find('\n', off);
    uint32_t end = nl == std::string::npos ? n : static_cast<uint32_t>(nl);
    size_t hash = text_.find(" #", off);
    if (hash != std::string::npos && hash < end) end = static_cast<uint32_t>(hash);
    while (end > off && (text_[end - 1] == ' ' || text_[end - 1] == '\t' || text_[end - 1] == '\r')) --end;
    if (end <= off) end = std::min(off + 1, n);
    return {b_.file_id(), off, end};
  }

  // The scalar's text in the source: quotes included; a plain scalar that spans lines (or
  // differs from its value) runs to the end of its first line.
  Span ScalarSpan(const YAML::Mark& m, std::string_view value) const {
    if (m.is_null()) return {};
    uint32_t off = Offset(m);
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
  const SourceFile& sf_;
  const std::string& text_;
  const std::vector<YNode>& nodes_;
  bool bom_ = false;
};

std::string ParserHelp(const SourceFile& sf, const YAML::Mark& m) {
  if (m.is_null()) return {};
  std::string_view l = sf.Line(static_cast<uint32_t>(m.line) + 1);
  size_t indent = l.find_first_not_of(" \t");
  if (l.substr(0, indent).find('\t') != std::string_view::npos)
    return "YAML indents with spaces; this line is indented with a tab";
  return {};
}

}  // namespace

void LoadYaml(Builder& b) {
  std::vector<YNode> nodes;
  YamlFront front(b, nodes);
  const EntityDef& root = b.schema().entities[b.schema().root];
  uint32_t top = kNone;
  bool more = false;
  YAML::Mark second;
  try {
    std::istringstream in(b.file().text());
    YAML::Parser parser(in);
    TreeBuilder tree(nodes);
    if (parser.HandleNextDocument(tree)) {
      top = tree.root();
      // One more document is an error; never loop over documents (yaml-cpp may not advance).
      NullHandler rest;
      more = parser.HandleNextDocument(rest);
      second = rest.start;
    }
  } catch (const YAML::DeepRecursion& e) {
    b.Error("E0710", front.MarkSpan(e.mark),
            "evidence nested deeper than " + std::to_string(kMaxEvidenceDepth) + " levels",
            "no schema needs this depth: check the indentation or the brackets");
    return;
  } catch (const YAML::ParserException& e) {
    b.Error("E0702", front.MarkSpan(e.mark), "malformed YAML: " + e.msg, ParserHelp(b.file(), e.mark));
    return;
  } catch (const YAML::Exception& e) {
    b.Error("E0702", front.MarkSpan(e.mark), "malformed YAML: " + e.msg);
    return;
  }
  if (top == kNone) {
    b.Error("E0708", Span{b.file_id(), 0, 0}, "evidence file is empty",
            "write the `" + root.name + "` fields as a mapping (`field: value` lines)");
    return;
  }
  if (more) {
    b.Error("E0708", front.MarkSpan(second), "evidence file holds more than one YAML document",
            "keep one document: remove the `---` or `...` markers between them, or split the file");
    return;
  }
  Walker<YamlFront> walker(b, front);
  walker.Root(top);
}

}  // namespace conform::runtime::detail
