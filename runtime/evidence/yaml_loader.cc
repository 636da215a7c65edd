// The YAML front end: yaml-cpp builds the node tree; marks (0-based line/column) become spans.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <string>

#include "builder.h"

namespace conform::runtime::detail {

namespace {

class YamlFront {
 public:
  using Value = YAML::Node;

  explicit YamlFront(Builder& b) : b_(b), sf_(b.file()), text_(sf_.text()) {
    bom_ = text_.size() >= 3 && text_.compare(0, 3, "\xEF\xBB\xBF") == 0;
  }

  NodeKind Kind(const YAML::Node& n) {
    switch (n.Type()) {
      case YAML::NodeType::Scalar: return NodeKind::Scalar;
      case YAML::NodeType::Sequence: return NodeKind::Seq;
      case YAML::NodeType::Map: return NodeKind::Map;
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined: break;
    }
    return NodeKind::Null;
  }

  bool Scalar(const YAML::Node& n, ScalarIn& s) {
    const std::string& tag = n.Tag();
    s.text = n.Scalar();
    // "?": a plain scalar, typed by the field it fills; "!": quoted or block scalar.
    s.kind = (tag == "!" || tag == "tag:yaml.org,2002:str") ? ScalarIn::Kind::String : ScalarIn::Kind::Plain;
    s.span = ScalarSpan(n.Mark(), s.text);
    return true;
  }

  Span SpanOf(const YAML::Node& n) {
    YAML::Mark m = n.Mark();
    switch (Kind(n)) {
      case NodeKind::Scalar: return ScalarSpan(m, n.Scalar());
      case NodeKind::Map: {
        if (m.is_null()) return {};
        uint32_t off = Offset(m);
        if (off < text_.size() && text_[off] != '{' && n.size() > 0) {
          auto it = n.begin();
          if (it->first.IsScalar()) return ScalarSpan(it->first.Mark(), it->first.Scalar());
        }
        return OneChar(off);
      }
      case NodeKind::Seq:
        if (m.is_null()) return {};
        return OneChar(Offset(m));
      default:
        if (m.is_null()) return {};
        return ToLineEnd(Offset(m));
    }
  }

  template <class Fn>
  void ForEachEntry(YAML::Node& n, Fn&& fn) {
    for (auto it = n.begin(); it != n.end(); ++it) {
      YAML::Node k = it->first;
      YAML::Node v = it->second;
      Key key;
      switch (k.Type()) {
        case YAML::NodeType::Scalar:
          key.text = k.Scalar();
          key.span = ScalarSpan(k.Mark(), key.text);
          break;
        case YAML::NodeType::Null:
        case YAML::NodeType::Undefined:
          key.text = "null";
          key.span = SpanOf(k);
          if (!key.span.valid()) key.span = SpanOf(v);
          break;
        default:
          key.scalar = false;
          key.text = k.IsMap() ? "mapping" : "list";
          key.span = SpanOf(k);
          break;
      }
      if (!fn(key, v)) return;
    }
  }

  template <class Fn>
  void ForEachElement(YAML::Node& n, Fn&& fn) {
    size_t i = 0;
    for (auto it = n.begin(); it != n.end(); ++it, ++i) {
      YAML::Node v = *it;
      if (!fn(i, v)) return;
    }
  }

  // yaml-cpp has parsed (and checked) everything already; an unknown or mismatched value is
  // only measured, so nesting past kMaxEvidenceDepth is E0710 wherever it is.
  void Skip(YAML::Node& n, int depth) {
    if (b_.stopped()) return;
    NodeKind k = Kind(n);
    if (k != NodeKind::Map && k != NodeKind::Seq) return;
    if (depth > kMaxEvidenceDepth) {
      b_.TooDeep(SpanOf(n));
      return;
    }
    if (k == NodeKind::Map) {
      for (auto it = n.begin(); it != n.end() && !b_.stopped(); ++it) {
        YAML::Node v = it->second;
        if (b_.ChargeNode(SpanOf(v))) Skip(v, depth + 1);
      }
    } else {
      for (auto it = n.begin(); it != n.end() && !b_.stopped(); ++it) {
        YAML::Node v = *it;
        if (b_.ChargeNode(SpanOf(v))) Skip(v, depth + 1);
      }
    }
  }
  bool failed() const { return false; }

  Span MarkSpan(const YAML::Mark& m) { return m.is_null() ? Span{b_.file_id(), 0, 0} : OneChar(Offset(m)); }

 private:
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
  bool bom_ = false;
};

std::string ParserHelp(const SourceFile& sf, const YAML::Mark& m) {
  if (m.is_null()) return {};
  uint32_t line = static_cast<uint32_t>(m.line) + 1;
  std::string_view l = sf.Line(line);
  size_t indent = l.find_first_not_of(" \t");
  if (l.substr(0, indent).find('\t') != std::string_view::npos)
    return "YAML indents with spaces; this line is indented with a tab";
  return {};
}

}  // namespace

void LoadYaml(Builder& b) {
  const std::string& text = b.file().text();
  YamlFront front(b);
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(text);
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
  const EntityDef& root = b.schema().entities[b.schema().root];
  if (docs.empty()) {
    b.Error("E0708", Span{b.file_id(), 0, 0}, "evidence file is empty",
            "write the `" + root.name + "` fields as a mapping (`field: value` lines)");
    return;
  }
  if (docs.size() > 1) {
    b.Error("E0708", front.SpanOf(docs[1]),
            "evidence file holds " + std::to_string(docs.size()) + " YAML documents; one is expected",
            "remove the `---` separator and merge the documents, or split them into separate files");
    return;
  }
  Walker<YamlFront> walker(b, front);
  walker.Root(docs[0]);
}

}  // namespace conform::runtime::detail
