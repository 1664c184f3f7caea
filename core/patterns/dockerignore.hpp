// dockerignore.hpp: reading a .dockerignore file into the pattern list that excludes paths from
// the build context, with the same line rules as Docker (moby/patternmatcher/ignorefile).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dbuild/sdk/status.hpp>

namespace dbuild::patterns {

/// The patterns of a .dockerignore file, in file order, ready for PatternMatcher::compile.
/// Line rules, as Docker's: lines end at "\n" (a "\r" before it is dropped); a UTF-8 byte order
/// mark at the very start is ignored; a line whose FIRST character is `#` is a comment (there is
/// no escape for a literal leading `#`, and `#` after leading blanks is a pattern); the rest is
/// trimmed of white space and skipped when empty; a leading `!` is kept and what follows it is
/// trimmed again; the pattern is cleaned like filepath.Clean and loses one leading '/'. A lone
/// `!` stays "!" (compiling it fails, which fails the build, as in Docker).
/// Errors: invalid_argument for a line longer than 65535 bytes (Docker's line scanner refuses
/// those too), naming the line number.
[[nodiscard]] sdk::Result<std::vector<std::string>> parse_dockerignore(std::string_view text);

/// The ignore files a build looks for, most specific first: "<dockerfile>.dockerignore" next to
/// the Dockerfile (e.g. "build/Dockerfile2.dockerignore" for "build/Dockerfile2"), then
/// ".dockerignore" at the context root. The first that exists is used, the others are not.
[[nodiscard]] std::vector<std::string> dockerignore_candidates(std::string_view dockerfile_path);

}  // namespace dbuild::patterns
