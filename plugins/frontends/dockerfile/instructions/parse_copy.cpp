// parse_copy.cpp: COPY and ADD: their flags, their sources and destination, and heredoc sources
// (`COPY <<EOF /dest`), which become inline files named after their delimiter.
#include <map>

#include "instructions/parse_request.hpp"
#include "parser/heredoc.hpp"

namespace dbuild::dockerfile {
namespace {

// A word that opens a heredoc; BuildKit ignores a malformed opener here (MustParseHeredoc).
std::optional<Heredoc> heredoc_word(const std::string& word) {
  auto heredoc = parse_heredoc(word);
  if (!heredoc) return std::nullopt;
  return std::move(*heredoc);
}

sdk::Result<SourcesAndDest> sources_and_dest(const ParseRequest& request, const std::string& command) {
  SourcesAndDest out;
  out.dest = request.args.back();
  if (heredoc_word(out.dest))
    return sdk::Status::invalid_argument(command + " cannot accept a heredoc as a destination");
  std::map<std::string, const Heredoc*> bodies;
  for (const auto& heredoc : request.heredocs) bodies[heredoc.name] = &heredoc;
  for (std::size_t i = 0; i + 1 < request.args.size(); ++i) {
    const std::string& source = request.args[i];
    auto heredoc = heredoc_word(source);
    if (!heredoc) {
      out.sources.push_back(source);
      continue;
    }
    const auto body = bodies.find(heredoc->name);
    std::string data = body == bodies.end() ? "" : body->second->content;
    if (heredoc->chomp) data = chomp_heredoc_content(data);
    out.contents.push_back(InlineFile{heredoc->name, std::move(data), heredoc->expand, heredoc->chomp});
  }
  return out;
}

sdk::Status error_no_destination(const std::string& command) {
  return sdk::Status::invalid_argument(command +
                                       " requires at least two arguments, but only one was provided. Destination "
                                       "could not be determined");
}

}  // namespace

sdk::Result<Command> parse_copy(ParseRequest& request) {
  if (request.args.size() < 2) return error_no_destination("COPY");
  Flag& excludes = request.flags.add_strings("exclude");
  Flag& parents = request.flags.add_bool("parents", false);
  Flag& chown = request.flags.add_string("chown", "");
  Flag& from = request.flags.add_string("from", "");
  Flag& chmod = request.flags.add_string("chmod", "");
  Flag& link = request.flags.add_bool("link", false);
  if (auto status = request.flags.parse(); !status) return status;
  auto paths = sources_and_dest(request, "COPY");
  if (!paths) return paths.status();
  CopyCommand command{request.base()};
  command.paths = std::move(*paths);
  command.from = from.value;
  command.chown = chown.value;
  command.chmod = chmod.value;
  command.link = link.is_true();
  command.parents = parents.is_true();
  command.excludes = excludes.string_values;
  return Command{std::move(command)};
}

sdk::Result<Command> parse_add(ParseRequest& request) {
  if (request.args.size() < 2) return error_no_destination("ADD");
  Flag& excludes = request.flags.add_strings("exclude");
  Flag& chown = request.flags.add_string("chown", "");
  Flag& chmod = request.flags.add_string("chmod", "");
  Flag& link = request.flags.add_bool("link", false);
  Flag& keep_git_dir = request.flags.add_bool("keep-git-dir", false);
  Flag& checksum = request.flags.add_string("checksum", "");
  Flag& unpack = request.flags.add_bool("unpack", false);
  if (auto status = request.flags.parse(); !status) return status;
  auto paths = sources_and_dest(request, "ADD");
  if (!paths) return paths.status();
  AddCommand command{request.base()};
  command.paths = std::move(*paths);
  command.chown = chown.value;
  command.chmod = chmod.value;
  command.link = link.is_true();
  command.checksum = checksum.value;
  command.keep_git_dir = keep_git_dir.is_true();
  command.excludes = excludes.string_values;
  if (request.flags.is_used("unpack")) command.unpack = unpack.is_true();
  return Command{std::move(command)};
}

}  // namespace dbuild::dockerfile
