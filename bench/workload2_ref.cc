// The hand-written C++ reference of the second workload (bench/catalogue/workload2): the same 16
// checks written directly over plain structs, so that Conform's checksum can be compared and its
// speed stated as a ratio to g++ -O2 code.
//
//   workload2_ref RECORDS.ndjson [N] [REPS]
//
// Parsing (simdjson DOM into the structs) is outside the timed loop; evaluation alone is timed.
#include <simdjson.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

using Day = int64_t;

// Days since 1970-01-01 (H. Hinnant's days_from_civil).
Day DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

int64_t YearOf(Day z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

Day ParseDay(std::string_view s) {
  return DaysFromCivil(std::atoi(std::string(s.substr(0, 4)).c_str()), std::atoi(std::string(s.substr(5, 2)).c_str()),
                       std::atoi(std::string(s.substr(8, 2)).c_str()));
}

struct Site { std::string code, country; int64_t employees; bool certified; std::optional<Day> audited; };
struct Supplier { std::string name; int64_t rating; bool approved; std::optional<Day> evaluated; std::vector<std::string> categories; };
struct Finding { std::string site, severity; Day raised; std::optional<Day> closed; std::optional<std::string> owner; };
struct Training { std::string person, course; int64_t hours; Day done; };
struct Org {
  std::string name;
  std::optional<std::string> contact_email;
  std::vector<std::string> required_courses;
  std::vector<Site> sites;
  std::vector<Supplier> suppliers;
  std::vector<Finding> findings;
  std::vector<Training> trainings;
};

std::string Lower(const std::string& s) {
  std::string r = s;
  for (char& c : r) if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return r;
}
std::string Upper(const std::string& s) {
  std::string r = s;
  for (char& c : r) if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return r;
}
bool StartsWith(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0 && s.size() >= p.size(); }
bool EndsWith(const std::string& s, const std::string& p) {
  return s.size() >= p.size() && s.compare(s.size() - p.size(), p.size(), p) == 0;
}

constexpr int kChecks = 16;

void Evaluate(const Org& o, Day as_of, int64_t* counts) {
  bool w[kChecks];
  w[0] = std::all_of(o.sites.begin(), o.sites.end(), [&](const Site& s) {
    return std::any_of(o.trainings.begin(), o.trainings.end(), [&](const Training& t) {
      return t.course == "induction" && t.hours >= 4 && StartsWith(t.person, s.code);
    });
  });
  w[1] = std::all_of(o.findings.begin(), o.findings.end(), [&](const Finding& f) {
    return f.closed || std::any_of(o.sites.begin(), o.sites.end(), [&](const Site& s) { return s.code == f.site && s.certified; });
  });
  w[2] = std::all_of(o.findings.begin(), o.findings.end(), [](const Finding& f) { return !f.closed || *f.closed - f.raised <= 90; });
  int64_t hours = 0;
  for (const Training& t : o.trainings) if (t.done >= as_of - 365) hours += t.hours;
  w[3] = hours >= 8 * static_cast<int64_t>(o.sites.size());
  Day latest = as_of - 1000;
  bool any = false;
  for (const Site& s : o.sites)
    if (s.audited) latest = any ? std::max(latest, *s.audited) : *s.audited, any = true;
  w[4] = latest >= as_of - 365;
  int64_t rating = 0, approved = 0;
  for (const Supplier& s : o.suppliers) if (s.approved) rating += s.rating, ++approved;
  w[5] = rating >= 3 * approved;
  w[6] = std::all_of(o.suppliers.begin(), o.suppliers.end(),
                     [](const Supplier& s) { return s.name.size() >= 3 && Lower(s.name) != "unknown"; });
  w[7] = o.contact_email && o.contact_email->find('@') != std::string::npos;
  std::set<std::string> countries;
  for (const Site& s : o.sites) countries.insert(s.country);
  w[8] = countries.size() <= 3;
  w[9] = std::none_of(o.suppliers.begin(), o.suppliers.end(), [](const Supplier& s) {
    return s.approved && std::find(s.categories.begin(), s.categories.end(), "banned") != s.categories.end();
  });
  w[10] = std::none_of(o.findings.begin(), o.findings.end(), [](const Finding& f) { return f.severity == "major" && !f.closed; });
  w[11] = std::all_of(o.trainings.begin(), o.trainings.end(), [](const Training& t) { return YearOf(t.done) >= 2022; });
  w[12] = std::any_of(o.sites.begin(), o.sites.end(), [](const Site& s) { return Upper(s.country) == "DE" && EndsWith(s.code, "1"); });
  int64_t min_rating = INT64_MAX;
  for (const Supplier& s : o.suppliers) min_rating = std::min(min_rating, s.rating);
  w[13] = !o.suppliers.empty() && min_rating >= 1;
  w[14] = std::all_of(o.findings.begin(), o.findings.end(), [&](const Finding& f) {
    return std::count_if(o.findings.begin(), o.findings.end(), [&](const Finding& g) { return g.site == f.site; }) <= 5;
  });
  w[15] = std::find(o.required_courses.begin(), o.required_courses.end(), "induction") != o.required_courses.end() &&
          std::all_of(o.findings.begin(), o.findings.end(), [](const Finding& f) { return f.closed || (f.owner && !f.owner->empty()); });
  for (int i = 0; i < kChecks; ++i) counts[i] += w[i];
}

std::string Str(simdjson::dom::element e) { return std::string(std::string_view(e)); }
std::optional<Day> OptDay(simdjson::dom::object o, const char* k) {
  auto v = o[k];
  if (v.error()) return std::nullopt;
  return ParseDay(std::string_view(v.value()));
}

Org ToOrg(simdjson::dom::object j) {
  Org o;
  o.name = Str(j["name"]);
  if (auto e = j["contact_email"]; !e.error()) o.contact_email = Str(e.value());
  for (auto c : j["required_courses"].get_array()) o.required_courses.push_back(Str(c));
  for (simdjson::dom::object s : j["sites"].get_array())
    o.sites.push_back({Str(s["code"]), Str(s["country"]), int64_t(s["employees"]), bool(s["certified"]), OptDay(s, "audited")});
  for (simdjson::dom::object s : j["suppliers"].get_array()) {
    Supplier x{Str(s["name"]), int64_t(s["rating"]), bool(s["approved"]), OptDay(s, "evaluated"), {}};
    for (auto c : s["categories"].get_array()) x.categories.push_back(Str(c));
    o.suppliers.push_back(std::move(x));
  }
  for (simdjson::dom::object f : j["findings"].get_array()) {
    Finding x{Str(f["site"]), Str(f["severity"]), ParseDay(std::string_view(f["raised"])), OptDay(f, "closed"), {}};
    if (auto e = f["owner"]; !e.error()) x.owner = Str(e.value());
    o.findings.push_back(std::move(x));
  }
  for (simdjson::dom::object t : j["trainings"].get_array())
    o.trainings.push_back({Str(t["person"]), Str(t["course"]), int64_t(t["hours"]), ParseDay(std::string_view(t["done"]))});
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: workload2_ref RECORDS.ndjson [N] [REPS]\n");
    return 2;
  }
  size_t n = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 20000;
  int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  simdjson::dom::parser parser;
  simdjson::dom::document_stream stream;
  if (parser.load_many(argv[1]).get(stream)) {
    std::fprintf(stderr, "cannot read %s (bench/workload2_gen.py writes it)\n", argv[1]);
    return 2;
  }
  std::vector<Org> orgs;
  for (auto doc : stream) {
    if (orgs.size() >= n) break;
    orgs.push_back(ToOrg(doc.get_object()));
  }
  n = orgs.size();
  const Day as_of = DaysFromCivil(2024, 10, 4);
  std::vector<double> times;
  int64_t counts[kChecks];
  for (int k = 0; k < reps; ++k) {
    std::fill(counts, counts + kChecks, 0);
    auto t0 = std::chrono::steady_clock::now();
    for (const Org& o : orgs) Evaluate(o, as_of, counts);
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  double med = times[times.size() / 2];
  uint32_t h = 0;
  int64_t total = 0;
  for (int64_t c : counts) h = h * 31u + static_cast<uint32_t>(c), total += c;
  std::printf("{\"engine\":\"workload2-cpp\",\"records\":%zu,\"checks\":%d,\"median_s\":%.6f,\"ns_per_check\":%.2f,"
              "\"checksum\":\"%x/%lld\"}\n",
              n, kChecks, med, med * 1e9 / (n * double(kChecks)), h, static_cast<long long>(total));
  return 0;
}
