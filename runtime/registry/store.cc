// The registry's SQLite store: opening, creating, the layout, and the names of outcomes.
#include <fmt/format.h>

#include <array>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "conform/compiler/calendar.h"
#include "internal.h"

namespace fs = std::filesystem;

namespace conform::runtime::registry {

namespace detail {

// Dates are ISO text (they sort); lists are "; "-joined text; standard_key columns hold
// StandardKey() of the standard's name.
const char* const kSchemaSql = R"sql(
CREATE TABLE IF NOT EXISTS accreditation_bodies(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, acronym TEXT, economies TEXT);
CREATE TABLE IF NOT EXISTS recognitions(
  accreditation_body TEXT NOT NULL, arrangement TEXT NOT NULL, main_scope TEXT NOT NULL, main_key TEXT NOT NULL,
  sub_scope TEXT, sub_key TEXT NOT NULL DEFAULT '', since TEXT NOT NULL, until TEXT,
  PRIMARY KEY(accreditation_body, arrangement, main_key, sub_key, since));
CREATE TABLE IF NOT EXISTS bodies(
  id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT, aka TEXT);
CREATE TABLE IF NOT EXISTS accreditations(
  id TEXT PRIMARY KEY, body TEXT NOT NULL, accreditation_body TEXT NOT NULL, normative TEXT NOT NULL,
  normative_key TEXT NOT NULL, standard TEXT, standard_key TEXT, edition TEXT, iaf_codes TEXT,
  valid_from TEXT NOT NULL, valid_to TEXT, status TEXT NOT NULL, status_since TEXT);
CREATE INDEX IF NOT EXISTS accreditations_body ON accreditations(body);
CREATE TABLE IF NOT EXISTS certificates(
  number TEXT PRIMARY KEY, body TEXT NOT NULL, accreditation_body TEXT, organization TEXT NOT NULL, country TEXT,
  scope TEXT, iaf_codes TEXT, original_date TEXT, decision_date TEXT, issued TEXT NOT NULL, expiry TEXT NOT NULL,
  status TEXT NOT NULL, status_since TEXT);
CREATE TABLE IF NOT EXISTS certificate_standards(
  number TEXT NOT NULL, seq INTEGER NOT NULL, standard TEXT NOT NULL, standard_key TEXT NOT NULL, edition TEXT NOT NULL,
  PRIMARY KEY(number, seq));
CREATE TABLE IF NOT EXISTS certificate_sites(
  number TEXT NOT NULL, seq INTEGER NOT NULL, name TEXT NOT NULL, country TEXT, scope TEXT, PRIMARY KEY(number, seq));
CREATE TABLE IF NOT EXISTS self_declarations(
  id TEXT PRIMARY KEY, organization TEXT NOT NULL, country TEXT, standard TEXT NOT NULL, standard_key TEXT NOT NULL,
  edition TEXT, declared_at TEXT NOT NULL, valid_until TEXT, registry TEXT, scope TEXT);
CREATE TABLE IF NOT EXISTS editions(
  standard TEXT NOT NULL, standard_key TEXT NOT NULL, edition TEXT NOT NULL, published TEXT, transition_end TEXT,
  source TEXT, PRIMARY KEY(standard_key, edition));
INSERT OR IGNORE INTO editions VALUES
  ('ISO/IEC 27001', 'iso27001', '2013', '2013-10-01', '2025-10-31',
   'IAF MD 26 (Issue 2, Feb 2023): certifications to ISO/IEC 27001:2013 ended on 31 October 2025'),
  ('ISO/IEC 27001', 'iso27001', '2022', '2022-10-25', NULL, 'ISO/IEC 27001:2022, published 25 October 2022');
)sql";

std::string JoinList(const std::vector<std::string>& xs) {
  std::string out;
  for (size_t i = 0; i < xs.size(); ++i) out += (i ? "; " : "") + xs[i];
  return out;
}

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t semi = s.find(';', start);
    std::string_view item = s.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.front()))) item.remove_prefix(1);
    while (!item.empty() && std::isspace(static_cast<unsigned char>(item.back()))) item.remove_suffix(1);
    if (!item.empty()) out.emplace_back(item);
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  return out;
}

std::string EditionBase(const std::string& e) {
  for (size_t i = 0; i + 4 <= e.size(); ++i) {
    bool digits = true;
    for (size_t j = 0; j < 4; ++j) digits = digits && std::isdigit(static_cast<unsigned char>(e[i + j]));
    bool bounded = (i == 0 || !std::isdigit(static_cast<unsigned char>(e[i - 1]))) &&
                   (i + 4 == e.size() || !std::isdigit(static_cast<unsigned char>(e[i + 4])));
    if (digits && bounded) return e.substr(i, 4);
  }
  return Lower(e);
}

bool SameEdition(const std::string& a, const std::string& b) { return EditionBase(a) == EditionBase(b); }

std::optional<Date> ParseDateText(const std::optional<std::string>& s) {
  if (!s || s->empty()) return std::nullopt;
  return cal::ParseDate(*s);
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

}  // namespace detail

using namespace detail;

const char* OutcomeName(Outcome o) {
  static constexpr std::array names = {"valid_accredited", "valid_not_accredited", "self_declared",
                                       "suspended",        "withdrawn",            "expired",
                                       "edition_past_transition", "unknown"};
  return names[static_cast<size_t>(o)];
}

const char* OutcomeLabel(Outcome o) {
  static constexpr std::array names = {"valid and accredited",  "valid but not accredited", "self-declared (not certified)",
                                       "suspended",             "withdrawn",                "expired",
                                       "edition past its transition end", "unknown"};
  return names[static_cast<size_t>(o)];
}

const char* LinkStatusName(LinkStatus s) {
  switch (s) {
    case LinkStatus::Ok: return "ok";
    case LinkStatus::Failed: return "failed";
    case LinkStatus::NotChecked: return "not_checked";
  }
  return "not_checked";
}

std::string DefaultPath() {
  const char* xdg = std::getenv("XDG_DATA_HOME");
  fs::path base;
  if (xdg && *xdg) {
    base = xdg;
  } else if (const char* home = std::getenv("HOME"); home && *home) {
    base = fs::path(home) / ".local" / "share";
  } else {
    base = ".";
  }
  return (base / "conform" / "registry.sqlite").string();
}

std::string StandardKey(const std::string& name) {
  std::string s = Lower(name);
  for (size_t p; (p = s.find("/iec")) != std::string::npos;) s.erase(p, 4);
  std::string out;
  for (char c : s)
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '-') out += c;
    else if (c == '_') out += '-';  // catalogue ids: iso17021_1
  return out;
}

Registry::Registry(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Registry::~Registry() = default;
const std::string& Registry::path() const { return impl_->path; }

std::unique_ptr<Registry> Registry::Open(const std::string& path, bool create, Diagnostics& diags) {
  auto fail = [&](const char* code, std::string message, std::string help) -> std::unique_ptr<Registry> {
    auto& d = diags.Error(code, {}, std::move(message), std::move(help));
    d.path = path;
    return nullptr;
  };
  std::error_code ec;
  bool exists = fs::exists(path, ec);
  if (!exists && !create)
    return fail("E1020", "no certificate registry at this path", "import one first: conform registry import FILE (or pass --db PATH)");
  if (fs::is_directory(path, ec)) return fail("E1020", "the registry path is a directory", "pass the path of a .sqlite file with --db");
  if (!exists) {
    fs::path parent = fs::path(path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    if (ec) return fail("E1020", fmt::format("cannot create the registry folder: {}", ec.message()), "check the path and permissions");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK)
    return fail("E1020", fmt::format("cannot open the registry: {}", impl->db ? sqlite3_errmsg(impl->db) : "out of memory"),
                "check the path and permissions");
  sqlite3_busy_timeout(impl->db, 2000);
  int version = -1;
  {
    Stmt st(impl->db, "PRAGMA user_version");
    if (!st.ok() || !st.Row())
      return fail("E1029", "not a Conform certificate registry (not an SQLite database)", "pass the path of a registry with --db");
    version = static_cast<int>(st.Int(0));
  }
  if (version == 0) {
    // A new file, or an SQLite database of something else.
    Stmt st(impl->db, "SELECT count(*) FROM sqlite_master");
    if (!st.ok() || !st.Row())
      return fail("E1029", "not a Conform certificate registry (not an SQLite database)", "pass the path of a registry with --db");
    if (st.Int(0) != 0) return fail("E1029", "an SQLite database that is not a Conform certificate registry", "pass another --db path");
    std::string err;
    std::string sql = std::string("BEGIN;") + kSchemaSql + fmt::format("PRAGMA user_version = {}; COMMIT;", kSchemaVersion);
    if (!Exec(impl->db, sql.c_str(), &err)) {
      Exec(impl->db, "ROLLBACK");
      return fail("E1020", fmt::format("cannot create the registry: {}", err), "check the path and permissions");
    }
  } else if (version != kSchemaVersion) {
    return fail("E1029", fmt::format("registry layout version {} is not supported (this conform reads version {})", version, kSchemaVersion),
                "use the conform version that created it, or import into a new --db");
  }
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

}  // namespace conform::runtime::registry
