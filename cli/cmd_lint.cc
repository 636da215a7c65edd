// `conform lint [--format text|json|sarif] PATH…`: the lint rules of docs/lint.md over packages
// (a package folder, a file in one, or a folder of packages such as standards/).
#include <fmt/format.h>

#include <filesystem>

#include "commands.h"
#include "common.h"
#include "conform/runtime/report.h"
#include "lint.h"
#include "packages.h"

namespace fs = std::filesystem;

namespace conform::cli {

namespace {

struct Where {
  std::string file;
  LineCol begin, end;
};

Where Locate(const lint::Finding& f) {
  Where w;
  const SourceFile* src = f.sources->Get(f.diag.span.file);
  if (!src) return w;
  w.file = src->path();
  w.begin = src->Locate(f.diag.span.begin);
  w.end = src->Locate(f.diag.span.end);
  return w;
}

const lint::Rule* RuleOf(const std::string& code) {
  for (const auto& r : lint::Rules())
    if (code == r.code) return &r;
  return nullptr;
}

std::string Json(const std::vector<lint::Finding>& fs, size_t packages) {
  using runtime::JsonQuote;
  std::string out = fmt::format("{{\"packages\":{},\"findings\":[", packages);
  for (size_t i = 0; i < fs.size(); ++i) {
    const auto& d = fs[i].diag;
    Where w = Locate(fs[i]);
    const lint::Rule* r = RuleOf(d.code);
    out += fmt::format("{}{{\"code\":{},\"rule\":{},\"severity\":\"warning\",\"message\":{},\"help\":{},\"file\":{},"
                       "\"line\":{},\"column\":{},\"end_line\":{},\"end_column\":{}}}",
                       i ? "," : "", JsonQuote(d.code), JsonQuote(r ? r->name : ""), JsonQuote(d.message), JsonQuote(d.help),
                       JsonQuote(w.file), w.begin.line, w.begin.col, w.end.line, w.end.col);
  }
  return out + "]}\n";
}

std::string Sarif(const std::vector<lint::Finding>& fs) {
  using runtime::JsonQuote;
  std::string rules;
  for (const auto& r : lint::Rules())
    rules += fmt::format("{}{{\"id\":{},\"name\":{},\"shortDescription\":{{\"text\":{}}},\"helpUri\":{}}}", rules.empty() ? "" : ",",
                         JsonQuote(r.code), JsonQuote(r.name), JsonQuote(r.summary),
                         JsonQuote(fmt::format("docs/lint.md#{}", r.code)));
  std::string results;
  for (const auto& f : fs) {
    Where w = Locate(f);
    std::string text = f.diag.message + (f.diag.help.empty() ? "" : " (help: " + f.diag.help + ")");
    results += fmt::format(
        "{}{{\"ruleId\":{},\"level\":\"warning\",\"message\":{{\"text\":{}}},\"locations\":[{{\"physicalLocation\":"
        "{{\"artifactLocation\":{{\"uri\":{}}},\"region\":{{\"startLine\":{},\"startColumn\":{},\"endLine\":{},\"endColumn\":{}}}}}}}]}}",
        results.empty() ? "" : ",", JsonQuote(f.diag.code), JsonQuote(text), JsonQuote(w.file), w.begin.line, w.begin.col,
        w.end.line, w.end.col);
  }
  return fmt::format("{{\"$schema\":\"https://json.schemastore.org/sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{{\"tool\":"
                     "{{\"driver\":{{\"name\":\"conform lint\",\"version\":\"{}\",\"rules\":[{}]}}}},\"results\":[{}]}}]}}\n",
                     kVersion, rules, results);
}

}  // namespace

void AddLint(CLI::App& app, std::function<int()>& run) {
  struct Opts {
    std::vector<std::string> paths, dirs;
    std::string format = "text";
  };
  auto o = std::make_shared<Opts>();
  auto* cmd = app.add_subcommand("lint", "Check Clause packages against the lint rules of docs/lint.md");
  cmd->add_option("paths", o->paths, "package folders, files inside a package, or folders of packages")->required();
  cmd->add_option("--format", o->format, "text (default), json or sarif")->check(CLI::IsMember({"text", "json", "sarif"}));
  cmd->add_option("--plugin-dir", o->dirs, "extra catalogue folder (repeatable)")->allow_extra_args(false);
  cmd->callback([o, &run] {
    run = [o] {
      std::vector<std::string> packages;
      for (const auto& p : o->paths) {
        std::error_code ec;
        if (!fs::exists(p, ec)) return UsageError(fmt::format("no such file or folder: {}", p));
        std::string pkg = PackageOf(p);
        std::vector<std::string> found = pkg.empty() ? PackagesIn(p) : std::vector<std::string>{pkg};
        if (found.empty())
          return UsageError(fmt::format("{} is neither a package nor a folder of packages", p),
                            "a package is a folder with a plugin.toml (docs/plugins.md)");
        for (const auto& f : found)
          if (std::find(packages.begin(), packages.end(), f) == packages.end()) packages.push_back(f);
      }
      // One session per package: each compiles against its own dependencies only.
      std::vector<std::unique_ptr<Session>> sessions;
      std::vector<lint::Unit> units;
      bool errors = false;
      for (const auto& pkg : packages) {
        auto s = OpenPackages({pkg}, o->dirs);
        s->CompileAll();
        if (s->diags().HasErrors()) {
          PrintDiagnostics(ErrorsOnly(s->diags()), s->sources());
          errors = true;
          continue;
        }
        const SchemaModel* schema = s->Schema().get();
        for (const auto& f : s->files())
          if (fs::weakly_canonical(f->path).parent_path() == fs::path(pkg))
          {
            for (const auto& st : f->standards) units.push_back({&st, nullptr, schema, &s->sources(), &s->files()});
            for (const auto& x : f->extensions) units.push_back({nullptr, &x, schema, &s->sources(), &s->files()});
          }
        sessions.push_back(std::move(s));
      }
      if (errors) return 2;
      std::vector<lint::Finding> findings = lint::Run(units);
      if (o->format == "json") {
        fmt::print("{}", Json(findings, packages.size()));
      } else if (o->format == "sarif") {
        fmt::print("{}", Sarif(findings));
      } else {
        for (const auto& f : findings) fmt::print("{}", Render(f.diag, *f.sources, StdoutIsColor()));
        if (findings.empty())
        {
          size_t ext = static_cast<size_t>(std::count_if(units.begin(), units.end(), [](const lint::Unit& u) { return u.extension; }));
          auto n = [](size_t k, const char* what) { return fmt::format("{} {}{}", k, what, k == 1 ? "" : "s"); };
          fmt::print("lint: clean ({}{}{})\n", n(packages.size(), "package"),
                     units.size() > ext || !ext ? ", " + n(units.size() - ext, "standard") : "",
                     ext ? ", " + n(ext, "extension") : "");
        }
        else
          fmt::print("lint: {} finding{} in {} package{}\n", findings.size(), findings.size() == 1 ? "" : "s",
                     packages.size(), packages.size() == 1 ? "" : "s");
      }
      return findings.empty() ? 0 : 1;
    };
  });
}

}  // namespace conform::cli
