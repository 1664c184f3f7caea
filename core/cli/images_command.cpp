// images_command.cpp: `dbuild images [ls]`, `dbuild images inspect NAME`, `dbuild images rm NAME...`:
// the engine's local image store, as `docker images` shows a daemon's.
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.hpp"
#include "cli/table.hpp"
#include "cli/units.hpp"

namespace dbuild::cli {
namespace {

std::string short_digest(const std::string& digest) {
  auto colon = digest.find(':');
  return digest.substr(colon == std::string::npos ? 0 : colon + 1, 12);
}

int run_ls(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS]", "List the images in the local image store.");
  parser.add_options()("format", po::value<std::string>()->default_value("table"), "output format: table or json")(
      "no-trunc", po::bool_switch(), "show whole digests");
  if (auto exit = parser.parse(app, args)) return *exit;
  const auto format = parser.values()["format"].as<std::string>();
  if (format != "table" && format != "json")
    return usage_error(app, path, fmt::format("unknown format \"{}\" (want table or json)", format));
  auto engine = app.engine();
  if (!engine) return report_error(app, engine.status());
  auto images = (*engine)->list_images();
  if (!images) return report_error(app, images.status());
  if (format == "json") {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& image : *images)
      list.push_back({{"name", image.name}, {"digest", image.digest}, {"size", image.size}, {"created", image.created}});
    app.out() << list.dump(2) << "\n";
    return kExitOk;
  }
  const bool whole = parser.values()["no-trunc"].as<bool>();
  Table table({"NAME", "DIGEST", "CREATED", "SIZE"});
  for (const auto& image : *images)
    table.add_row({image.name, whole ? image.digest : short_digest(image.digest), format_age(image.created),
                   format_size(image.size)});
  table.print(app.out());
  return kExitOk;
}

int run_inspect(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "[OPTIONS] NAME", "Show an image's manifest and config.");
  parser.add_options()("format", po::value<std::string>()->default_value("json"), "output format: json");
  parser.positional("name", 1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  if (parser.values()["format"].as<std::string>() != "json")
    return usage_error(app, path, "unknown format \"" + parser.values()["format"].as<std::string>() + "\" (want json)");
  auto engine = app.engine();
  if (!engine) return report_error(app, engine.status());
  auto details = (*engine)->inspect_image(parser.positionals().front());
  if (!details) return report_error(app, details.status());
  nlohmann::json doc = {{"name", details->summary.name},
                        {"digest", details->summary.digest},
                        {"size", details->summary.size},
                        {"created", details->summary.created},
                        {"manifest", nlohmann::json::parse(details->manifest, nullptr, false)},
                        {"config", nlohmann::json::parse(details->config, nullptr, false)}};
  app.out() << doc.dump(2) << "\n";
  return kExitOk;
}

int run_rm(App& app, std::span<const std::string> args, const std::string& path) {
  CommandParser parser(path, "NAME [NAME...]", "Remove images from the local image store.");
  parser.positional("names", -1, 1);
  if (auto exit = parser.parse(app, args)) return *exit;
  auto engine = app.engine();
  if (!engine) return report_error(app, engine.status());
  int exit_code = kExitOk;
  for (const auto& name : parser.positionals()) {
    if (auto status = (*engine)->remove_image(name); !status) {
      exit_code = report_error(app, status);
      continue;
    }
    app.out() << "Untagged: " << name << "\n";
  }
  return exit_code;
}

}  // namespace

Command images_command() {
  Command group{"images", "Manage the local image store", run_ls, {}};
  group.subcommands.push_back({"inspect", "Show an image's manifest and config", run_inspect, {}});
  group.subcommands.push_back({"ls", "List images", run_ls, {}});
  group.subcommands.push_back({"rm", "Remove images", run_rm, {}});
  return group;
}

}  // namespace dbuild::cli
