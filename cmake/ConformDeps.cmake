# Finds every third-party dependency (all from Debian 12 packages) in one place.
find_package(antlr4-runtime 4.9 REQUIRED)
find_program(ANTLR4_TOOL antlr4 REQUIRED)      # Debian's wrapper sets the Java classpath
find_package(fmt 9 REQUIRED)
find_package(yaml-cpp 0.7 REQUIRED)
find_package(simdjson 3 REQUIRED)
find_package(CLI11 2 REQUIRED)
find_package(GTest 1.12 REQUIRED)
