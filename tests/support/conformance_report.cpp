// conformance_report.cpp: the counts of conformance_report.hpp, printed through Catch2.
#include "support/conformance_report.hpp"

#include <catch2/catch.hpp>

namespace dbuild::test {

void Tally::record(const std::string& what, const std::string& why) {
  ++total;
  if (why.empty()) {
    ++passed;
  } else {
    failures.push_back(what + ": " + why);
  }
}

void Tally::depart(const std::string& what, const std::string& reason, const std::string& why) {
  ++total;
  if (why.empty()) {
    departures.push_back(what + ": " + reason);
  } else {
    failures.push_back(what + " (a departure: " + reason + "): " + why);
  }
}

void Report::print(const std::string& title) const {
  int passed = 0, departed = 0, total = 0;
  for (const auto& [name, tally] : groups) {
    passed += tally.passed;
    departed += static_cast<int>(tally.departures.size());
    total += tally.total;
    WARN(name << ": " << tally.passed << "/" << tally.total << " passed"
              << (tally.departures.empty() ? "" : ", " + std::to_string(tally.departures.size()) + " departed"));
    for (const auto& departure : tally.departures) WARN("DEPARTED " << name << ": " << departure);
    for (const auto& failure : tally.failures) UNSCOPED_INFO("FAILED " << name << ": " << failure);
  }
  WARN(title << ": " << passed << "/" << total << " passed, " << departed << " deliberate departures");
  CHECK(passed + departed == total);
}

}  // namespace dbuild::test
