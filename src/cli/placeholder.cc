// Placeholder.
namespace trustmesh::cli {}
