# bytes_literal.cmake: dbuild_bytes_literal(FILE LITERAL_VAR SIZE_VAR) for the scripts that embed
# files into the binary at build time (core/db/embed_migrations.cmake, cmake/embed_file.cmake):
# the file's bytes as a C++ string literal of \xNN escapes, 32 bytes per line, so that no quoting
# or raw-string delimiter can clash with the text; SIZE_VAR gets the byte count.
function(dbuild_bytes_literal file literal_var size_var)
  file(READ "${file}" hex HEX)
  string(LENGTH "${hex}" hex_length)
  math(EXPR size "${hex_length} / 2")
  set(lines "")
  foreach(offset RANGE 0 ${hex_length} 64)  # 32 bytes per line
    string(SUBSTRING "${hex}" ${offset} 64 chunk)
    if(chunk STREQUAL "")
      break()
    endif()
    string(REGEX REPLACE "([0-9a-f][0-9a-f])" "\\\\x\\1" chunk "${chunk}")
    string(APPEND lines "\n    \"${chunk}\"")
  endforeach()
  if(lines STREQUAL "")
    set(lines " \"\"")
  endif()
  set(${literal_var} "${lines}" PARENT_SCOPE)
  set(${size_var} ${size} PARENT_SCOPE)
endfunction()

# Writes `content` to `output` only when it differs, so that an unrelated rebuild does not
# recompile what includes it.
function(dbuild_write_if_changed output content)
  set(old "")
  if(EXISTS "${output}")
    file(READ "${output}" old)
  endif()
  if(NOT old STREQUAL content)
    file(WRITE "${output}" "${content}")
  endif()
endfunction()
