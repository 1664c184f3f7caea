// conformance_report.hpp: counting a conformance corpus's cases per group, with a line for each
// failure and each deliberate departure, so that one run shows them all and prints the counts.
#pragma once

#include <deque>
#include <string>
#include <utility>
#include <vector>

namespace dbuild::test {

struct Tally {
  int passed = 0;
  int total = 0;
  std::vector<std::string> departures;  // cases dbuild answers differently on purpose, with why
  std::vector<std::string> failures;

  /// `why` is empty when the case passed.
  void record(const std::string& what, const std::string& why);
  /// A deliberate departure from upstream: `why` is empty when dbuild did what it means to instead.
  void depart(const std::string& what, const std::string& reason, const std::string& why);
};

struct Report {
  std::deque<std::pair<std::string, Tally>> groups;  // deque: group() references stay valid

  Tally& group(const std::string& name) { return groups.emplace_back(name, Tally{}).second; }

  /// Prints "group: passed/total" for each group and the whole, the departures and failures, and
  /// fails the test case unless every case passed or departed on purpose.
  void print(const std::string& title) const;
};

}  // namespace dbuild::test
