# Finds every third-party dependency (all from Debian 12 packages) in one place.
find_package(antlr4-runtime 4.9 REQUIRED)
find_program(ANTLR4_TOOL antlr4 REQUIRED)      # Debian's wrapper sets the Java classpath
find_package(fmt 9 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)            # plugin test files (runtime/catalogue)
find_package(PkgConfig REQUIRED)
pkg_check_modules(LIBYAML REQUIRED IMPORTED_TARGET yaml-0.1)  # evidence files: PkgConfig::LIBYAML
pkg_check_modules(XLSXWRITER REQUIRED IMPORTED_TARGET xlsxwriter)  # `--format xlsx`: PkgConfig::XLSXWRITER
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)           # `matches` (compiler/patterns.cc): PkgConfig::RE2
find_package(OpenSSL 3 REQUIRED COMPONENTS Crypto)           # SHA-256 of cache entries (compiler/cache_file.cc)
find_package(simdjson 3 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(tomlplusplus 3 REQUIRED)
find_package(GTest 1.12 REQUIRED)
if(NOT CONFORM_WITH_JIT)
  find_package(Threads REQUIRED)
  return()  # an interpreter-only build needs no LLVM
endif()
# LLVMConfig looks for CURL for LLVMDebuginfod, which Conform does not link: skip that search
# (and its "Could NOT find CURL" line on every configure).
set(CMAKE_DISABLE_FIND_PACKAGE_CURL ON)
find_package(LLVM 19.1 REQUIRED CONFIG HINTS /usr/lib/llvm-19/lib/cmake/llvm)

# LLVM's headers and flags, for compiler/codegen and compiler/jit only. Classes deriving from
# LLVM types (ObjectCache …) must match LLVM's RTTI setting, whatever LLVM build is used.
add_library(conform_llvm_flags INTERFACE)
target_include_directories(conform_llvm_flags SYSTEM INTERFACE ${LLVM_INCLUDE_DIRS})
separate_arguments(_llvm_defs NATIVE_COMMAND ${LLVM_DEFINITIONS})
target_compile_definitions(conform_llvm_flags INTERFACE ${_llvm_defs})
if(NOT LLVM_ENABLE_RTTI)
  target_compile_options(conform_llvm_flags INTERFACE -fno-rtti)
endif()
if(LLVM_LINK_LLVM_DYLIB OR TARGET LLVM)
  target_link_libraries(conform_llvm_flags INTERFACE LLVM)
else()
  llvm_map_components_to_libnames(_llvm_libs core orcjit native passes support target)
  target_link_libraries(conform_llvm_flags INTERFACE ${_llvm_libs})
endif()
find_package(Threads REQUIRED)
