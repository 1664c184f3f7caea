// imagetools_command.cpp: `dbuild imagetools`, the commands that work on images in a registry
// (as buildx's imagetools): inspect and create.
#include "cli/imagetools/imagetools.hpp"

namespace dbuild::cli {

Command imagetools_command() {
  Command group;
  group.name = "imagetools";
  group.summary = "Commands to work on images in a registry";
  group.subcommands = {imagetools::create_command(), imagetools::inspect_command()};
  return group;
}

}  // namespace dbuild::cli
