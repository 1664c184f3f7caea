// dispatch_copy.cpp: COPY and ADD: sources from the context, a stage, an image or a heredoc;
// the destination relative to WORKDIR with BuildKit's trailing-slash rules; --chown, --chmod,
// --exclude, --parents; ADD's archive unpacking (URLs and git come later).
#include "convert/converter_impl.hpp"

namespace dbuild::dockerfile {
namespace {

bool is_url(const std::string& source) {
  return source.rfind("http://", 0) == 0 || source.rfind("https://", 0) == 0;
}

bool is_git(const std::string& source) {
  return source.rfind("git@", 0) == 0 || source.rfind("git://", 0) == 0 ||
         (is_url(source) && source.find(".git") != std::string::npos && source.find(".git") + 4 >= source.find('#'));
}

bool dest_is_directory(const std::string& dest) {
  return !dest.empty() && (dest.back() == '/' || dest == "." || dest == "..");
}

}  // namespace

sdk::Status Converter::dispatch_copy(StageState& stage, const SourcesAndDest& paths, const std::string& from,
                                     const std::string& chown, const std::string& chmod,
                                     const std::vector<std::string>& excludes, bool parents, bool is_add,
                                     const std::string& checksum, const CommandBase& command) {
  const std::string instruction = is_add ? "ADD" : "COPY";
  auto dest_word = expand(stage, paths.dest, command.location);
  if (!dest_word) return dest_word.status();
  std::string dest = join_workdir(stage.image.working_dir, *dest_word);
  if (dest_is_directory(*dest_word) && dest != "/") dest += "/";
  if (paths.sources.size() + paths.contents.size() > 1 && !dest_is_directory(*dest_word))
    return error_at(command.location,
                    sdk::Status::invalid_argument("When using " + instruction +
                                                  " with more than one source file, the destination must be a "
                                                  "directory and end with a /"));

  SourceRef source{context_source()};
  if (!from.empty()) {
    auto resolved = resolve_source(from, command.location, stage, {.kind = SourceUse::Kind::Copy});
    if (!resolved) return resolved.status();
    source = *resolved;
  }
  std::optional<sdk::Ownership> owner;
  if (!chown.empty()) {
    auto value = expand(stage, chown, command.location);
    if (!value) return value.status();
    owner = ownership_of(*value);
  }
  std::vector<std::string> exclude_patterns;
  for (const auto& pattern : excludes) {
    auto value = expand(stage, pattern, command.location);
    if (!value) return value.status();
    exclude_patterns.push_back(*value);
  }

  sdk::FileOp op{.base = stage.state};
  auto copy_of = [&](std::optional<sdk::OpIndex> from_op, const std::string& src) {
    sdk::CopyAction copy{.source = from_op, .src = src, .dest = dest, .chown = owner, .chmod = chmod};
    copy.unpack_archives = is_add;
    copy.parents = parents;
    copy.exclude_patterns = exclude_patterns;
    // A missing source must be an error even for a wildcard that matches nothing.
    copy.allow_empty_wildcard = false;
    return copy;
  };
  if (!source.op) source.op = definition_.add(sdk::FileOp{}, {.description = "scratch"});
  // ADD URL: an http source holding one file, named after the URL, copied (never unpacked).
  auto remote_copy = [&](const std::string& url) {
    sdk::SourceOp http{.kind = sdk::SourceKind::Http, .identifier = url};
    if (!checksum.empty()) http.attributes["checksum"] = checksum;
    auto name = url.substr(0, url.find_first_of("?#"));
    name = name.substr(name.rfind('/') + 1);
    if (name.empty()) name = "index.html";
    http.attributes["filename"] = name;
    auto http_op =
        definition_.add(http, {.description = "[internal] download " + url, .location = source_location(command.location)});
    auto copy = copy_of(http_op, "/" + name);
    copy.unpack_archives = false;
    return copy;
  };
  for (const auto& raw : paths.sources) {
    auto src = expand(stage, raw, command.location);
    if (!src) return src.status();
    if (is_add && is_git(*src))
      return error_at(command.location, sdk::Status::unimplemented("ADD of a git repository is not supported yet"));
    if (is_add && is_url(*src)) {
      op.actions.push_back(remote_copy(*src));
      continue;
    }
    if (!is_add && is_url(*src))
      return error_at(command.location, sdk::Status::invalid_argument("source can't be a URL for COPY"));
    op.actions.push_back(copy_of(source.op, *src));
  }
  for (const auto& content : paths.contents) {
    std::string data = content.data;
    if (content.expand) {
      // Heredoc bodies are expanded as BuildKit does: variables yes, quotes are plain text.
      Lexer heredoc_lexer(options_.escape, {.skip_process_quotes = true});
      auto expanded = heredoc_lexer.process_word(data, lookup_for(stage));
      if (!expanded) return error_at(command.location, expanded.status());
      data = expanded->word;
    }
    sdk::FileOp file;
    file.actions.push_back(sdk::MkfileAction{.path = "/" + content.name, .mode = 0644, .data = data});
    auto file_op = definition_.add(file, {.description = "[internal] heredoc " + content.name});
    auto copy = copy_of(file_op, "/" + content.name);
    copy.unpack_archives = false;
    op.actions.push_back(copy);
  }
  std::string text = command.original.empty() ? instruction : command.original;
  stage.state = definition_.add(op, metadata(stage, text, command.location));
  std::string history = instruction;
  for (const auto& raw : paths.sources) history += " " + raw;
  for (const auto& content : paths.contents) history += " <<" + content.name;
  commit_history(stage, history + " " + paths.dest + " # buildkit", true);
  return sdk::Status::ok();
}

}  // namespace dbuild::dockerfile
