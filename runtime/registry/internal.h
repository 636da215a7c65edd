// Registry internals shared by store.cc, import.cc and verify.cc: the SQLite statement wrapper,
// the database schema and small text helpers.
#pragma once
#include <sqlite3.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "conform/runtime/registry.h"

namespace conform::runtime::registry {

struct Registry::Impl {
  sqlite3* db = nullptr;
  std::string path;
  ~Impl() {
    if (db) sqlite3_close(db);
  }
};

namespace detail {

// The version of the database layout, stored in PRAGMA user_version.
inline constexpr int kSchemaVersion = 2;
extern const char* const kSchemaSql;
extern const char* const kMigrateV1Sql;

// A prepared statement; errors are reported by ok() / Step() results, never thrown.
class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql) : db_(db) {
    if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &st_, nullptr) != SQLITE_OK) st_ = nullptr;
  }
  ~Stmt() {
    if (st_) sqlite3_finalize(st_);
  }
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  bool ok() const { return st_ != nullptr; }
  // 1-based parameters; an absent optional binds NULL.
  Stmt& Bind(int i, std::string_view s) {
    if (st_) sqlite3_bind_text(st_, i, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    return *this;
  }
  Stmt& Bind(int i, const std::string& s) { return Bind(i, std::string_view(s)); }
  Stmt& Bind(int i, const char* s) { return Bind(i, std::string_view(s)); }
  Stmt& Bind(int i, const std::optional<std::string>& s) {
    if (!st_) return *this;
    if (s) return Bind(i, std::string_view(*s));
    sqlite3_bind_null(st_, i);
    return *this;
  }
  Stmt& BindInt(int i, int64_t v) {
    if (st_) sqlite3_bind_int64(st_, i, v);
    return *this;
  }
  int Step() { return st_ ? sqlite3_step(st_) : SQLITE_MISUSE; }
  bool Row() { return Step() == SQLITE_ROW; }
  void Reset() {
    if (st_) sqlite3_reset(st_), sqlite3_clear_bindings(st_);
  }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(st_, col);
    return t ? reinterpret_cast<const char*>(t) : "";
  }
  std::optional<std::string> Opt(int col) const {
    if (sqlite3_column_type(st_, col) == SQLITE_NULL) return std::nullopt;
    return Text(col);
  }
  int64_t Int(int col) const { return sqlite3_column_int64(st_, col); }
  std::string Error() const { return sqlite3_errmsg(db_); }

 private:
  sqlite3* db_;
  sqlite3_stmt* st_ = nullptr;
};

inline bool Exec(sqlite3* db, const char* sql, std::string* err = nullptr) {
  char* msg = nullptr;
  int rc = sqlite3_exec(db, sql, nullptr, nullptr, &msg);
  if (rc != SQLITE_OK) {
    if (err) *err = msg ? msg : sqlite3_errstr(rc);
    sqlite3_free(msg);
    return false;
  }
  return true;
}

// Lists are stored as text joined with "; ".
std::string JoinList(const std::vector<std::string>& xs);
std::vector<std::string> SplitList(std::string_view s);
// The year an edition starts with ("2015+A1:2024" → "2015"); the whole text if it has none.
std::string EditionBase(const std::string& edition);
bool SameEdition(const std::string& a, const std::string& b);
std::optional<Date> ParseDateText(const std::optional<std::string>& s);
std::string Lower(std::string s);
bool NormalizeStoredNumbers(sqlite3* db, std::string* err);

}  // namespace detail
}  // namespace conform::runtime::registry
