// busybox_rootfs.cpp: builds the busybox test rootfs.
#include "support/busybox_rootfs.hpp"

#include <fstream>
#include <sstream>

#include "support/process.hpp"
#include "support/skip.hpp"

namespace dbuild::test {

namespace fs = std::filesystem;

bool busybox_available() {
  std::error_code error;
  if (!fs::is_regular_file(kBusyboxStatic, error)) return false;
  auto result = run_process({"file", "-L", kBusyboxStatic});
  // Without `file` installed, trust the package: busybox-static ships a static binary here.
  return result.exit_code != 0 || result.out.find("statically linked") != std::string::npos ||
         result.out.find("static-pie") != std::string::npos;
}

void make_busybox_rootfs(const fs::path& dir) {
  if (!busybox_available()) skip_test("needs a static busybox at /bin/busybox (apt-get install busybox-static)");
  fs::create_directories(dir / "bin");
  fs::create_directories(dir / "etc");
  fs::create_directories(dir / "tmp");
  fs::permissions(dir / "tmp", fs::perms::all | fs::perms::sticky_bit);
  fs::copy_file(kBusyboxStatic, dir / "bin/busybox", fs::copy_options::overwrite_existing);
  auto list = run_process({kBusyboxStatic, "--list"});
  for (const auto& applet : lines_of(list.out)) {
    if (applet.empty() || applet == "busybox") continue;
    std::error_code ignored;
    fs::create_symlink("busybox", dir / "bin" / applet, ignored);
  }
  std::ofstream(dir / "etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                       "builder:x:1000:1000:builder:/home/builder:/bin/sh\n";
  std::ofstream(dir / "etc/group") << "root:x:0:\nstaff:x:50:builder\nbuilder:x:1000:\n";
}

}  // namespace dbuild::test
