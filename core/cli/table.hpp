// table.hpp: column-aligned text tables, as `docker ... ls` prints them (header row in caps,
// columns separated by three spaces, the last column unpadded).
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace dbuild::cli {

class Table {
 public:
  explicit Table(std::vector<std::string> header) { rows_.push_back(std::move(header)); }
  void add_row(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  void print(std::ostream& out) const;

 private:
  std::vector<std::vector<std::string>> rows_;
};

}  // namespace dbuild::cli
