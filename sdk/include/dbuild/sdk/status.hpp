// status.hpp: the one error type that crosses every dbuild interface and the plugin ABI.
// A Status is a code from a closed set, a message, the context each layer added on the way out,
// and optionally the Dockerfile location and a hint for the user. Result<T> is a T or a Status.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace dbuild::sdk {

/// The closed set of error classes. The CLI maps them to exit codes; plugins pick the one that
/// tells the caller what to do (retry on Unavailable, fix the input on InvalidArgument, ...).
enum class Code : std::uint8_t {
  Ok = 0,
  NotFound,
  AlreadyExists,
  InvalidArgument,
  FailedPrecondition,
  PermissionDenied,
  Unavailable,
  Cancelled,
  Unimplemented,
  Internal,
};

/// "not_found", "invalid_argument", ...: the spelling used in JSON output and logs.
[[nodiscard]] std::string_view code_name(Code code) noexcept;

/// Where in a user's file an error comes from. `line` and `end_line` are 1-based; 0 means unknown.
struct SourceLocation {
  std::string file{};
  int line = 0;
  int end_line = 0;

  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

/// An outcome: ok, or an error with a message. Cheap to copy when ok.
/// `with_context` is how a layer says what it was doing: the outermost context prints first.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status ok() { return {}; }
  static Status not_found(std::string message) { return {Code::NotFound, std::move(message)}; }
  static Status already_exists(std::string message) { return {Code::AlreadyExists, std::move(message)}; }
  static Status invalid_argument(std::string message) { return {Code::InvalidArgument, std::move(message)}; }
  static Status failed_precondition(std::string message) {
    return {Code::FailedPrecondition, std::move(message)};
  }
  static Status permission_denied(std::string message) { return {Code::PermissionDenied, std::move(message)}; }
  static Status unavailable(std::string message) { return {Code::Unavailable, std::move(message)}; }
  static Status cancelled(std::string message) { return {Code::Cancelled, std::move(message)}; }
  static Status unimplemented(std::string message) { return {Code::Unimplemented, std::move(message)}; }
  static Status internal(std::string message) { return {Code::Internal, std::move(message)}; }

  [[nodiscard]] bool is_ok() const noexcept { return code_ == Code::Ok; }
  /// True when ok, so that `if (!status) return status;` reads naturally.
  explicit operator bool() const noexcept { return is_ok(); }

  [[nodiscard]] Code code() const noexcept { return code_; }
  [[nodiscard]] const std::string& message() const noexcept { return message_; }
  /// Outermost first: {"exporting image \"app\"", "pushing layer sha256:..."}.
  [[nodiscard]] const std::vector<std::string>& context() const noexcept { return context_; }
  [[nodiscard]] const std::optional<SourceLocation>& location() const noexcept { return location_; }
  [[nodiscard]] const std::string& hint() const noexcept { return hint_; }

  /// Adds what the caller was doing; it prints before what the callee said. No-op when ok.
  Status with_context(std::string what) const&;
  Status with_context(std::string what) &&;
  /// Attaches a location unless one is already set (the innermost location is the precise one).
  Status with_location(SourceLocation location) &&;
  /// Attaches a suggestion for the user ("run `dbuild login REGISTRY`").
  Status with_hint(std::string hint) &&;

  /// "context: context: message" on one line, without location or hint.
  [[nodiscard]] std::string to_string() const;

 private:
  Code code_ = Code::Ok;
  std::string message_;
  std::vector<std::string> context_;
  std::optional<SourceLocation> location_;
  std::string hint_;
};

/// A value or the Status that explains why there is none. Build one from either; an ok Status
/// is not a valid error and becomes an Internal error, so a bug cannot pass for success.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::in_place_index<1>, std::move(status)) {  // NOLINT
    if (std::get<1>(state_).is_ok()) state_ = Status::internal("a Result was built from an ok Status");
  }
  /// From anything that converts to T, e.g. unique_ptr<Derived> for Result<unique_ptr<Base>>.
  template <class U>
    requires(std::is_convertible_v<U &&, T> && !std::is_same_v<std::remove_cvref_t<U>, T> &&
             !std::is_same_v<std::remove_cvref_t<U>, Status>)
  Result(U&& value) : state_(std::in_place_index<0>, std::forward<U>(value)) {}  // NOLINT

  [[nodiscard]] bool has_value() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  /// The value; calling these without checking has_value() first is a bug.
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  /// The error, or an ok Status when there is a value.
  [[nodiscard]] Status status() const& { return has_value() ? Status::ok() : std::get<1>(state_); }
  [[nodiscard]] Status status() && { return has_value() ? Status::ok() : std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace dbuild::sdk
