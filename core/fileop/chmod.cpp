// chmod.cpp: parsing and applying --chmod values. Symbolic modes follow BSD setmode(3), which
// BuildKit uses through fsutil; the umask plays no part (a missing "who" means everyone).
#include "fileop/chmod.hpp"

#include <sys/stat.h>

#include <string>

#include <fmt/format.h>

namespace dbuild::fileop {
namespace {

constexpr mode_t kAll = 07777;

mode_t who_bit(char c) {
  switch (c) {
    case 'u': return S_ISUID | S_IRWXU;
    case 'g': return S_ISGID | S_IRWXG;
    case 'o': return S_IRWXO;
    case 'a': return kAll;
    default: return 0;
  }
}

sdk::Status invalid(std::string_view text, std::string_view why) {
  return sdk::Status::invalid_argument(fmt::format("invalid chmod \"{}\": {}", text, why));
}

bool is_octal(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text)
    if (c < '0' || c > '7') return false;
  return true;
}

}  // namespace

sdk::Result<ModeChange> ModeChange::parse(std::string_view text) {
  ModeChange change;
  if (is_octal(text)) {
    if (text.size() > 5) return invalid(text, "octal modes go up to 07777");
    unsigned long value = std::stoul(std::string(text), nullptr, 8);
    if (value > kAll) return invalid(text, "octal modes go up to 07777");
    change.octal_ = true;
    change.octal_mode_ = static_cast<mode_t>(value);
    return change;
  }
  if (text.empty()) return invalid(text, "empty mode");
  std::size_t i = 0;
  while (true) {
    mode_t who = 0;
    while (i < text.size() && who_bit(text[i]) != 0) who |= who_bit(text[i++]);
    if (who == 0) who = kAll;
    if (i >= text.size() || (text[i] != '+' && text[i] != '-' && text[i] != '='))
      return invalid(text, "expected [ugoa]*[+-=][rwxXst]* or [+-=][ugo] clauses separated by commas");
    while (i < text.size() && (text[i] == '+' || text[i] == '-' || text[i] == '=')) {
      Step step;
      step.who = who;
      step.op = text[i] == '+' ? Op::Add : (text[i] == '-' ? Op::Remove : Op::Set);
      ++i;
      const mode_t rwx = who & 0777;
      if (i < text.size() && (text[i] == 'u' || text[i] == 'g' || text[i] == 'o')) {
        step.copy_from = text[i++];
      } else {
        for (; i < text.size() && text[i] != ',' && text[i] != '+' && text[i] != '-' && text[i] != '='; ++i) {
          switch (text[i]) {
            case 'r': step.bits |= rwx & 0444; break;
            case 'w': step.bits |= rwx & 0222; break;
            case 'x': step.bits |= rwx & 0111; break;
            case 'X': step.conditional_x = true; break;
            case 's': step.bits |= who & (S_ISUID | S_ISGID); break;
            case 't': step.bits |= (who == kAll || (who & S_IRWXO) != 0) ? S_ISVTX : 0; break;
            default: return invalid(text, fmt::format("unknown permission '{}'", text[i]));
          }
        }
      }
      change.steps_.push_back(step);
    }
    if (i == text.size()) return change;
    if (text[i] != ',' || ++i == text.size()) return invalid(text, "expected a clause after ','");
  }
}

mode_t ModeChange::apply(mode_t mode) const {
  if (octal_) return octal_mode_;  // special bits included: "4755" sets setuid (fsutil#168)
  mode_t perm = mode & kAll;
  for (const auto& step : steps_) {
    mode_t bits = step.bits;
    if (step.conditional_x && (S_ISDIR(mode) || (perm & 0111) != 0)) bits |= step.who & 0111;
    if (step.copy_from != 0) {
      const int shift = step.copy_from == 'u' ? 6 : (step.copy_from == 'g' ? 3 : 0);
      const mode_t source = (perm >> shift) & 07;
      bits = (source | source << 3 | source << 6) & step.who & 0777;
    }
    switch (step.op) {
      case Op::Add: perm |= bits; break;
      case Op::Remove: perm &= ~bits; break;
      case Op::Set: perm = (perm & ~(step.who == kAll ? kAll : step.who)) | bits; break;
    }
  }
  return perm;
}

}  // namespace dbuild::fileop
