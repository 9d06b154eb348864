// Placeholder.
namespace trustmesh::store {}
