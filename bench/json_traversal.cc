// Why the JSON fast path parses with simdjson's DOM parser (docs/performance.md, fourth round):
// a full traversal of the first line of an NDJSON file, REPS times, either as a DOM parse plus
// a walk of the tape (`dom`) or as on-demand iteration (`ondemand`), touching every key and
// value as the fast path does, building nothing. Compare instruction counts, e.g.
//   valgrind --tool=callgrind build/bench/json_traversal dom FILE 21   (minus the run with 1)
// Prints a checksum so the work is not optimised away; asserts nothing.
#include <simdjson.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>

namespace {

uint64_t sink = 0;

void WalkDom(simdjson::dom::element e) {
  using T = simdjson::dom::element_type;
  switch (e.type()) {
    case T::OBJECT: {
      simdjson::dom::object o;
      if (e.get_object().get(o)) return;
      for (auto kv : o) {
        sink += kv.key.size();
        WalkDom(kv.value);
      }
      break;
    }
    case T::ARRAY: {
      simdjson::dom::array a;
      if (e.get_array().get(a)) return;
      for (auto x : a) WalkDom(x);
      break;
    }
    case T::STRING: sink += e.get_string().value_unsafe().size(); break;
    case T::INT64: sink += static_cast<uint64_t>(e.get_int64().value_unsafe()); break;
    case T::DOUBLE: sink += static_cast<uint64_t>(e.get_double().value_unsafe()); break;
    default: ++sink; break;
  }
}

void WalkOnDemand(simdjson::ondemand::value v) {
  using T = simdjson::ondemand::json_type;
  T t;
  if (v.type().get(t)) return;
  switch (t) {
    case T::object: {
      simdjson::ondemand::object o;
      if (v.get_object().get(o)) return;
      for (auto fr : o) {
        simdjson::ondemand::field f;
        std::string_view k;
        if (std::move(fr).get(f) || f.unescaped_key().get(k)) return;
        sink += k.size();
        WalkOnDemand(f.value());
      }
      break;
    }
    case T::array: {
      simdjson::ondemand::array a;
      if (v.get_array().get(a)) return;
      for (auto xr : a) {
        simdjson::ondemand::value x;
        if (std::move(xr).get(x)) return;
        WalkOnDemand(x);
      }
      break;
    }
    case T::string: {
      std::string_view s;
      if (!v.get_string().get(s)) sink += s.size();
      break;
    }
    default: sink += v.raw_json_token().size(); break;
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3 || (std::strcmp(argv[1], "dom") != 0 && std::strcmp(argv[1], "ondemand") != 0)) {
    std::fprintf(stderr, "usage: json_traversal dom|ondemand FILE [REPS]\n");
    return 2;
  }
  std::ifstream in(argv[2]);
  std::string line;
  if (!std::getline(in, line)) {
    std::fprintf(stderr, "cannot read a line of %s\n", argv[2]);
    return 2;
  }
  const int reps = argc > 3 ? std::atoi(argv[3]) : 20;
  simdjson::padded_string text(line);
  if (argv[1][0] == 'd') {
    simdjson::dom::parser parser;
    for (int i = 0; i < reps; ++i) {
      simdjson::dom::element root;
      if (parser.parse(text).get(root)) return 1;
      WalkDom(root);
    }
  } else {
    simdjson::ondemand::parser parser;
    for (int i = 0; i < reps; ++i) {
      simdjson::ondemand::document doc;
      simdjson::ondemand::value root;
      if (parser.iterate(text).get(doc) || doc.get_value().get(root)) return 1;
      WalkOnDemand(root);
    }
  }
  std::printf("%llu\n", static_cast<unsigned long long>(sink));
  return 0;
}
