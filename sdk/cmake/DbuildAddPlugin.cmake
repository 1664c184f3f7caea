# DbuildAddPlugin.cmake: dbuild_add_plugin(), the one way to build a dbuild plugin, used by
# dbuild's own plugins and by vendors alike.
#
#   dbuild_add_plugin(<target> SOURCES <file>... [VERSION <x.y.z>] [LIBRARIES <lib>...])
#
# Builds <target>.so as a MODULE library linked to dbuild::sdk, with hidden visibility (only
# the dbuild_plugin alias is exported) and no undefined symbols left for load time. The plugin's
# version defaults to PROJECT_VERSION. Where the .so goes:
#   DBUILD_PLUGIN_OUTPUT_DIRECTORY  build-tree directory (default: the current binary dir)
#   DBUILD_PLUGIN_INSTALL_DIR       install destination (default: none, nothing installed)
function(dbuild_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "VERSION" "SOURCES;LIBRARIES")
  if(NOT arg_SOURCES)
    message(FATAL_ERROR "dbuild_add_plugin(${target}): SOURCES is required")
  endif()
  set(version "${arg_VERSION}")
  if(version STREQUAL "")
    set(version "${PROJECT_VERSION}")
  endif()
  add_library(${target} MODULE ${arg_SOURCES})
  target_link_libraries(${target} PRIVATE dbuild::sdk ${arg_LIBRARIES})
  target_compile_definitions(${target} PRIVATE "DBUILD_PLUGIN_VERSION=\"${version}\"")
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  if(DBUILD_PLUGIN_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${DBUILD_PLUGIN_OUTPUT_DIRECTORY}")
  endif()
  if(DBUILD_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION "${DBUILD_PLUGIN_INSTALL_DIR}")
  endif()
endfunction()
