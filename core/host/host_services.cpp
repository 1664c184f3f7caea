// host_services.cpp: the logger, the registry service and the engine hand-off behind sdk::Host.
#include "host/host_services.hpp"

#include "host/build_info.hpp"

namespace dbuild::host {

void StreamLogger::log(sdk::LogLevel level, std::string_view message) {
  if (level < threshold_) return;
  const char* prefix = "";
  switch (level) {
    case sdk::LogLevel::Debug: prefix = "debug: "; break;
    case sdk::LogLevel::Info: prefix = ""; break;
    case sdk::LogLevel::Warning: prefix = "warning: "; break;
    case sdk::LogLevel::Error: prefix = "error: "; break;
  }
  std::lock_guard lock(mutex_);
  out_ << prefix << message << '\n' << std::flush;
}

HostServices::HostServices(sdk::Logger& logger, sdk::Registry& registry, EngineOpener open_engine)
    : logger_(logger), registry_(registry), open_engine_(std::move(open_engine)) {}

std::string_view HostServices::version() const { return build_info().version; }

sdk::Result<std::unique_ptr<sdk::Engine>> HostServices::open_local_engine(const sdk::LocalEngineOptions& options) {
  if (!open_engine_) return sdk::Status::unimplemented("this process runs no local engine");
  return open_engine_(options);
}

}  // namespace dbuild::host
