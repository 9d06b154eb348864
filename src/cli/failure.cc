// report() of failure.h: the one place client commands print an error.
#include "cli/failure.h"

#include <iostream>

namespace trustmesh::cli {

int report(const Failure& f) {
  std::cerr << "error: " << f.error.to_string() << "\n";
  return f.exit;
}

}  // namespace trustmesh::cli
