// conform._conform: the Python binding (pybind11) of the C++ API (conform.hpp over libconform).
// The GIL is released while compiling, loading and evaluating, so Python threads (and Dask
// workers) evaluate in parallel. Failures raise conform.ConformError (status, diagnostics).
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <conform/conform.hpp>

namespace py = pybind11;

namespace {

struct Failure {
  conform::Error error;
};

py::object& ErrorClass() {
  static py::object cls;  // set by conform/__init__.py
  return cls;
}

template <class T>
T Take(conform::Result<T>&& r) {
  if (!r.ok()) throw Failure{r.error()};
  return std::move(*r);
}

conform::LoadOptions Load(const std::string& format, bool strict, bool positions) {
  conform::LoadOptions o;
  o.format = format;
  o.strict = strict;
  o.positions = positions;
  return o;
}

}  // namespace

PYBIND11_MODULE(_conform, m) {
  m.doc() = "Conform: machine-checkable conformance to management-system standards (native part)";
  m.def("abi_version", &conform_abi_version);
  m.def("version", [] { return std::string(conform_version()); });
  m.def("has_jit", [] { return conform_has_jit() != 0; });
  m.def("_set_error_class", [](py::object cls) { ErrorClass() = std::move(cls); });
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const Failure& f) {
      py::object exc = ErrorClass()(f.error.message, static_cast<int>(f.error.status), f.error.diagnostics_json);
      PyErr_SetObject(ErrorClass().ptr(), exc.ptr());
    }
  });

  py::class_<conform::Report>(m, "Report")
      .def("json", &conform::Report::json)
      .def("text", &conform::Report::text, py::arg("color") = false)
      .def("conforms", &conform::Report::conforms)
      .def("render", [](const conform::Report& r, const std::string& format) { return Take(r.render(format)); })
      .def("diagnostics_json", &conform::Report::diagnostics_json);

  py::class_<conform::Certification>(m, "Certification")
      .def("json", &conform::Certification::json)
      .def("text", &conform::Certification::text, py::arg("color") = false, py::arg("max_items") = 12)
      .def("active", &conform::Certification::active)
      .def("summary", [](const conform::Certification& c) {
        py::dict d;
        d["standard"] = c.standard();
        d["state"] = c.state();
        d["stage1"] = c.stage1();
        d["stage2"] = c.stage2();
        d["records"] = c.records();
        d["deadlines"] = c.deadlines();
        d["overdue"] = c.overdue();
        d["irregularities"] = c.irregularities();
        d["sampling_sites"] = c.sampling_sites();
        d["active"] = c.active();
        return d;
      });
  m.def(
      "certify_plan",
      [](int sites, int risk_increase, const std::vector<std::string>& met, const std::vector<std::string>& not_met,
         bool rules, const std::string& as_of) {
        return Take(conform::Certification::Plan({"", as_of, {}, sites, risk_increase, met, not_met, rules}));
      },
      py::arg("sites"), py::arg("risk_increase") = 0, py::arg("met") = std::vector<std::string>{},
      py::arg("not_met") = std::vector<std::string>{}, py::arg("rules") = false, py::arg("as_of") = "today");

  py::class_<conform::Evidence>(m, "Evidence").def("diagnostics_json", &conform::Evidence::diagnostics_json);

  py::class_<conform::RuleSet>(m, "RuleSet")
      .def("standards", &conform::RuleSet::standards)
      .def("engine", &conform::RuleSet::engine)
      .def(
          "load_file",
          [](const conform::RuleSet& r, const std::string& path, const std::string& format, bool strict,
             bool positions) {
            py::gil_scoped_release nogil;
            return Take(r.LoadFile(path, Load(format, strict, positions)));
          },
          py::arg("path"), py::arg("format") = "auto", py::arg("strict") = false, py::arg("positions") = true)
      .def(
          "load_string",
          [](const conform::RuleSet& r, const std::string& text, const std::string& name, const std::string& format,
             bool strict, bool positions) {
            py::gil_scoped_release nogil;
            return Take(r.LoadString(text, name, Load(format, strict, positions)));
          },
          py::arg("text"), py::arg("name") = "<string>", py::arg("format") = "auto", py::arg("strict") = false,
          py::arg("positions") = true)
      .def(
          "evaluate",
          [](const conform::RuleSet& r, const conform::Evidence& ev, const std::string& as_of,
             const std::map<std::string, std::string>& params, bool explain, const std::string& deviations) {
            conform::EvalOptions o{as_of, params, explain, deviations};
            py::gil_scoped_release nogil;
            return Take(r.Evaluate(ev, o));
          },
          py::arg("evidence"), py::arg("as_of") = "today", py::arg("params") = std::map<std::string, std::string>{},
          py::arg("explain") = true, py::arg("deviations") = "")
      .def(
          "certify",
          [](const conform::RuleSet& r, const conform::Evidence& ev, const std::string& standard, const std::string& as_of,
             const std::map<std::string, std::string>& params, int sites, int risk_increase,
             const std::vector<std::string>& met, const std::vector<std::string>& not_met, bool rules) {
            conform::CertifyOptions o{standard, as_of, params, sites, risk_increase, met, not_met, rules};
            py::gil_scoped_release nogil;
            return Take(r.Certify(ev, o));
          },
          py::arg("evidence"), py::arg("standard") = "", py::arg("as_of") = "today",
          py::arg("params") = std::map<std::string, std::string>{}, py::arg("sites") = -1, py::arg("risk_increase") = 0,
          py::arg("met") = std::vector<std::string>{}, py::arg("not_met") = std::vector<std::string>{},
          py::arg("rules") = false)
      .def(
          "batch",
          [](const conform::RuleSet& r, const std::string& ndjson, const std::string& as_of,
             const std::map<std::string, std::string>& params, unsigned threads, size_t first_line) {
            conform::BatchOptions o;
            o.as_of = as_of;
            o.params = params;
            o.threads = threads;
            o.first_line = first_line;
            py::gil_scoped_release nogil;
            return Take(r.Batch(ndjson, o));
          },
          py::arg("ndjson"), py::arg("as_of") = "today", py::arg("params") = std::map<std::string, std::string>{},
          py::arg("threads") = 0, py::arg("first_line") = 1);

  py::class_<conform::Engine>(m, "Engine")
      .def(py::init([](const std::vector<std::string>& plugin_dirs, bool use_env, bool use_installed) {
             conform::EngineOptions o;
             o.plugin_dirs = plugin_dirs;
             o.use_env = use_env;
             o.use_installed = use_installed;
             py::gil_scoped_release nogil;
             return Take(conform::Engine::Open(o));
           }),
           py::arg("plugin_dirs") = std::vector<std::string>{}, py::arg("use_env") = true,
           py::arg("use_installed") = true)
      .def("catalogue_json", &conform::Engine::CatalogueJson)
      .def(
          "compile",
          [](const conform::Engine& e, const std::vector<std::string>& standards, const std::string& engine, bool cache,
             const std::string& cache_dir, const std::string& as_of) {
            conform::CompileOptions o;
            o.engine = engine;
            o.cache = cache;
            o.cache_dir = cache_dir;
            o.as_of = as_of;
            py::gil_scoped_release nogil;
            return Take(e.Compile(standards, o));
          },
          py::arg("standards"), py::arg("engine") = "jit", py::arg("cache") = true, py::arg("cache_dir") = "",
          py::arg("as_of") = "today");
}
