# cmake -DIN=file -DOUT=file.cc -DNAME=symbol -P EmbedText.cmake
# Writes a C++ source defining `extern const char* const NAME` = the text of IN (build step:
# docs built into the binary stay in sync with docs/ and are never committed).
file(READ "${IN}" text)
set(delim "conform_embed_")
file(WRITE "${OUT}.tmp" "// Generated from ${IN} by cmake/EmbedText.cmake. Do not edit.\n"
  "namespace conform::docs {\nextern const char* const ${NAME};\n"
  "const char* const ${NAME} = R\"${delim}(${text})${delim}\";\n}\n")
file(RENAME "${OUT}.tmp" "${OUT}")
