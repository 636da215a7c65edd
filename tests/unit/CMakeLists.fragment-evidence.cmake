# Evidence loader unit tests (runtime/evidence). Included from tests/CMakeLists.txt
# (or tests/unit/CMakeLists.txt); uses paths relative to this file's directory.
include(GoogleTest)
add_executable(evidence_test ${CMAKE_CURRENT_LIST_DIR}/evidence_test.cc)
target_link_libraries(evidence_test PRIVATE conform_runtime GTest::gtest_main conform_warnings)
gtest_discover_tests(evidence_test)
