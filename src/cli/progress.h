// A progress line on stderr for the waits of the client commands ("waiting for
// block 12 (preorder at 11, 1 more) ..."). On a terminal the line is rewritten
// in place and erased when done; otherwise each new text is printed once on a
// line of its own (logs stay readable, nothing is repeated).
#pragma once

#include <string>

namespace trustmesh::cli {

class Progress {
 public:
  Progress();
  ~Progress() { clear(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void show(const std::string& line);
  // Erases the line (terminal) and forgets it, so the next show() prints again.
  void clear();

 private:
  bool tty_ = false;
  bool shown_ = false;
  std::string last_;
};

}  // namespace trustmesh::cli
