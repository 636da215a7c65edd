// The registry's SQLite store: opening, creating, the layout, and the names of outcomes.
#include <fmt/format.h>

#include <algorithm>
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
  id TEXT PRIMARY KEY, name TEXT NOT NULL, acronym TEXT, economies TEXT, kind TEXT);
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
  status TEXT NOT NULL, status_since TEXT, audit_date TEXT);
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
  source TEXT, last_audit TEXT, PRIMARY KEY(standard_key, edition));
INSERT OR IGNORE INTO editions(standard, standard_key, edition, published, transition_end, source, last_audit) VALUES
  ('ISO/IEC 27001', 'iso27001', '2013', '2013-10-01', '2025-10-31',
   'IAF MD 26 (Issue 2, Feb 2023): no initial or recertification audits to ISO/IEC 27001:2013 after 30 April 2024; certifications to it ended on 31 October 2025',
   '2024-04-30'),
  ('ISO/IEC 27001', 'iso27001', '2022', '2022-10-25', NULL, 'ISO/IEC 27001:2022, published 25 October 2022', NULL);
CREATE TABLE IF NOT EXISTS schemes(
  standard TEXT NOT NULL, standard_key TEXT PRIMARY KEY, normative TEXT NOT NULL, normative_key TEXT NOT NULL,
  arrangements TEXT NOT NULL, owner TEXT, source TEXT);
INSERT OR IGNORE INTO schemes VALUES
  ('IATF 16949', 'iatf16949', 'IATF Rules', 'iatfrules', 'IATF',
   'International Automotive Task Force (IATF), through its oversight offices (IAOB, VDA QMC, ANFIA, IATF France, SMMT)',
   'IATF Rules for achieving and maintaining IATF recognition (5th ed. 2016, 6th ed.): certification only by IATF-recognised certification bodies under IATF oversight, not under the IAF MLA; iso-domain §12');
)sql";

// Version 1 → 2: columns added at the end of their tables (the CREATE statements above have them
// in the same place), then kSchemaSql adds the new tables and built-in rows.
const char* const kMigrateV1Sql = R"sql(
ALTER TABLE accreditation_bodies ADD COLUMN kind TEXT;
ALTER TABLE certificates ADD COLUMN audit_date TEXT;
ALTER TABLE editions ADD COLUMN last_audit TEXT;
UPDATE editions SET last_audit = '2024-04-30',
  source = 'IAF MD 26 (Issue 2, Feb 2023): no initial or recertification audits to ISO/IEC 27001:2013 after 30 April 2024; certifications to it ended on 31 October 2025'
  WHERE standard_key = 'iso27001' AND edition = '2013' AND last_audit IS NULL;
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

// Numbers stored before version 2 were not normalised: normalise them (and their rows).
bool NormalizeStoredNumbers(sqlite3* db, std::string* err) {
  std::vector<std::pair<std::string, std::string>> changes;
  for (const char* table : {"certificates", "self_declarations"}) {
    Stmt st(db, fmt::format("SELECT {} FROM {}", std::string(table) == "certificates" ? "number" : "id", table));
    while (st.Row())
      if (std::string n = st.Text(0), k = NormalizeNumber(n); n != k) changes.emplace_back(n, k);
  }
  for (const auto& [from, to] : changes)
    for (const char* sql : {"UPDATE OR REPLACE certificates SET number = ?2 WHERE number = ?1",
                            "UPDATE OR REPLACE certificate_standards SET number = ?2 WHERE number = ?1",
                            "UPDATE OR REPLACE certificate_sites SET number = ?2 WHERE number = ?1",
                            "UPDATE OR REPLACE self_declarations SET id = ?2 WHERE id = ?1"}) {
      Stmt up(db, sql);
      up.Bind(1, from).Bind(2, to);
      if (!up.ok() || up.Step() != SQLITE_DONE) {
        if (err) *err = sqlite3_errmsg(db);
        return false;
      }
    }
  return true;
}

}  // namespace detail

std::string NormalizeNumber(const std::string& number) {
  std::string out;
  bool space = false;
  for (size_t i = 0; i < number.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(number[i]);
    bool ws = std::isspace(c) != 0;
    if (c == 0xC2 && i + 1 < number.size() && static_cast<unsigned char>(number[i + 1]) == 0xA0) ws = true, ++i;  // U+00A0
    if (ws) {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += static_cast<char>(std::toupper(c));
  }
  return out;
}

using namespace detail;

const char* OutcomeName(Outcome o) {
  static constexpr std::array names = {"unknown",   "self_declared",        "withdrawn",
                                       "suspended", "expired",              "edition_past_transition",
                                       "irregular", "valid_not_accredited", "accredited_not_recognised",
                                       "accreditation_unconfirmed", "valid_accredited"};
  return names[static_cast<size_t>(o)];
}

const char* OutcomeLabel(Outcome o) {
  static constexpr std::array names = {"unknown",
                                       "self-declared (not certified)",
                                       "withdrawn",
                                       "suspended",
                                       "expired",
                                       "edition past its transition end",
                                       "irregular certificate",
                                       "valid but not accredited",
                                       "accredited, but the accreditation body is not recognised for that scope",
                                       "valid, accreditation unconfirmed",
                                       "valid and accredited"};
  return names[static_cast<size_t>(o)];
}

const char* LinkStatusName(LinkStatus s) {
  switch (s) {
    case LinkStatus::Ok: return "ok";
    case LinkStatus::Failed: return "failed";
    case LinkStatus::NotChecked: return "not_checked";
    case LinkStatus::Unconfirmed: return "unconfirmed";
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

std::unique_ptr<Registry> Registry::Open(const std::string& path, bool create, Diagnostics& diags, int wait_ms) {
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
    // A bare file name ("reg.sqlite") has no folder to create; `ec` may still hold the failed
    // probes above, so the folder's own error code decides.
    fs::path parent = fs::path(path).parent_path();
    std::error_code mk;
    if (!parent.empty()) fs::create_directories(parent, mk);
    if (mk) return fail("E1020", fmt::format("cannot create the registry folder: {}", mk.message()), "check the path and permissions");
  }
  auto impl = std::make_unique<Impl>();
  impl->path = path;
  int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
  if (sqlite3_open_v2(path.c_str(), &impl->db, flags, nullptr) != SQLITE_OK)
    return fail("E1020", fmt::format("cannot open the registry: {}", impl->db ? sqlite3_errmsg(impl->db) : "out of memory"),
                "check the path and permissions");
  sqlite3_busy_timeout(impl->db, std::max(0, wait_ms));
  int version = -1;
  {
    Stmt st(impl->db, "PRAGMA user_version");
    bool row = st.ok() && st.Row();
    int rc = sqlite3_errcode(impl->db);
    if (!row && (rc == SQLITE_BUSY || rc == SQLITE_LOCKED))
      return fail("E0912", "the registry is locked by another process (an import in progress?)",
                  "wait for it to finish (or pass --wait SECONDS) and run the command again; the registry is not damaged");
    if (!row)
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
  } else if (version == 1) {
    std::string err;
    std::string sql = std::string("BEGIN;") + kMigrateV1Sql + kSchemaSql;
    bool ok = Exec(impl->db, sql.c_str(), &err) && NormalizeStoredNumbers(impl->db, &err) &&
              Exec(impl->db, fmt::format("PRAGMA user_version = {}; COMMIT;", kSchemaVersion).c_str(), &err);
    if (!ok) {
      Exec(impl->db, "ROLLBACK");
      return fail("E1020", fmt::format("cannot upgrade the registry to layout version {}: {}", kSchemaVersion, err),
                  "check the permissions, or import into a new --db");
    }
  } else if (version != kSchemaVersion) {
    return fail("E1029", fmt::format("registry layout version {} is not supported (this conform reads version {})", version, kSchemaVersion),
                "use the conform version that created it, or import into a new --db");
  }
  return std::unique_ptr<Registry>(new Registry(std::move(impl)));
}

}  // namespace conform::runtime::registry
