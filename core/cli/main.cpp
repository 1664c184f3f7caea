// main.cpp: the composition root of `dbuild`: reads the process environment and runs the
// command tree. Nothing else in the program looks at argv, the environment or the real streams.
#include <iostream>
#include <string>
#include <vector>

#include "cli/app.hpp"
#include "cli/command.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  dbuild::cli::App app(std::cout, std::cerr, dbuild::plugin::SearchEnvironment::current());
  return dbuild::cli::run_command_tree(app, dbuild::cli::root_command(), args, "dbuild");
}
