// Progress (progress.h).
#include "cli/progress.h"

#include <unistd.h>

#include <iostream>

namespace trustmesh::cli {

Progress::Progress() : tty_(::isatty(STDERR_FILENO) == 1) {}

void Progress::show(const std::string& line) {
  if (shown_ && line == last_) return;
  if (tty_) {
    std::cerr << "\r\033[K" << line << std::flush;
  } else {
    std::cerr << line << "\n" << std::flush;
  }
  last_ = line;
  shown_ = true;
}

void Progress::clear() {
  if (shown_ && tty_) std::cerr << "\r\033[K" << std::flush;
  shown_ = false;
  last_.clear();
}

}  // namespace trustmesh::cli
