// Placeholder until ledger sources land.
namespace trustmesh::ledger {}
