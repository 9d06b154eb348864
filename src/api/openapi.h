// The OpenAPI 3 document of the API (docs/openapi.json), embedded into the
// binary at build time (CMake generates openapi_doc.cc from the file), so an
// installed node serves exactly the document it was built with.
#pragma once

#include <string_view>

namespace trustmesh::api {

std::string_view openapi_json();

}  // namespace trustmesh::api
