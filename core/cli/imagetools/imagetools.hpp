// imagetools.hpp (internal to core/cli): the sub-commands of `dbuild imagetools`, each in its
// own file; the group itself is imagetools_command() in command.hpp.
#pragma once

#include "cli/command.hpp"

namespace dbuild::cli::imagetools {

Command inspect_command();  // imagetools_inspect.cpp
Command create_command();   // imagetools_create.cpp

}  // namespace dbuild::cli::imagetools
