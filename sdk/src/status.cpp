// status.cpp: names of status codes and the one-line rendering of a Status.
#include <dbuild/sdk/status.hpp>

namespace dbuild::sdk {

std::string_view code_name(Code code) noexcept {
  switch (code) {
    case Code::Ok: return "ok";
    case Code::NotFound: return "not_found";
    case Code::AlreadyExists: return "already_exists";
    case Code::InvalidArgument: return "invalid_argument";
    case Code::FailedPrecondition: return "failed_precondition";
    case Code::PermissionDenied: return "permission_denied";
    case Code::Unavailable: return "unavailable";
    case Code::Cancelled: return "cancelled";
    case Code::Unimplemented: return "unimplemented";
    case Code::Internal: return "internal";
  }
  return "unknown";
}

Status Status::with_context(std::string what) const& {
  Status copy = *this;
  return std::move(copy).with_context(std::move(what));
}

Status Status::with_context(std::string what) && {
  if (!is_ok()) context_.insert(context_.begin(), std::move(what));
  return std::move(*this);
}

Status Status::with_location(SourceLocation location) && {
  if (!is_ok() && !location_) location_ = std::move(location);
  return std::move(*this);
}

Status Status::with_hint(std::string hint) && {
  if (!is_ok()) hint_ = std::move(hint);
  return std::move(*this);
}

std::string Status::to_string() const {
  if (is_ok()) return "ok";
  std::string out;
  for (const auto& what : context_) {
    out += what;
    out += ": ";
  }
  out += message_;
  return out;
}

}  // namespace dbuild::sdk
