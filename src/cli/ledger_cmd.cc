// Implementation of `trustmesh ledger ...`; see ledger_cmd.h. Errors are
// printed as "error: <code name> (<code>): <message>" with exit status 1.
#include "cli/ledger_cmd.h"

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/blocks_file.h"
#include "ledger/access.h"
#include "ledger/schema.h"
#include "ledger/workload.h"
#include "store/ledger_db.h"

namespace trustmesh::cli {

using nlohmann::json;

namespace {

int fail(const Error& e) {
  std::cerr << "error: " << e.to_string() << "\n";
  return 1;
}

json tx_result_json(const ledger::TxResult& r) {
  json j = {{"tx", to_hex(r.tx_hash)},
            {"outcome", std::string(ledger::tx_outcome_name(r.outcome))},
            {"burned", r.burned}};
  if (r.outcome != ledger::TxOutcome::kOk) {
    j["code"] = static_cast<unsigned>(r.code);
    j["error"] = std::string(error_code_name(r.code));
    j["message"] = r.message;
  }
  return j;
}

struct ApplyOpts {
  std::string genesis, blocks, data;
  bool json = false;
  bool verbose = false;
};

int run_apply(const ApplyOpts& o) {
  auto gtext = read_file(o.genesis);
  if (!gtext.ok()) return fail(gtext.error());
  auto genesis = ledger::Genesis::from_json(*gtext);
  if (!genesis.ok()) return fail(genesis.error());
  auto btext = read_file(o.blocks);
  if (!btext.ok()) return fail(btext.error());
  auto blocks = parse_blocks_file(*btext);
  if (!blocks.ok()) return fail(blocks.error());

  auto db = store::LedgerDb::open(o.data);
  if (!db.ok()) return fail(db.error());
  store::LedgerDb& l = **db;
  Status st = l.init(*genesis);
  if (!st.ok()) return fail(st.error());
  if (o.json) {
    std::cout << json{{"height", 0}, {"root", to_hex(l.state().root_at(0).value())}, {"genesis", true}}.dump()
              << "\n";
  } else {
    std::cout << "chain " << l.chain_id() << " in " << o.data << ", at height " << l.height() << "\n";
    std::cout << "height 0 root " << to_hex(l.state().root_at(0).value()) << " (genesis)\n";
  }

  size_t skipped = 0;
  for (const BlockLine& b : *blocks) {
    if (b.height <= l.height()) {
      auto stored = l.block_digest_at(b.height);
      if (!stored.ok()) return fail(stored.error());
      if (*stored && **stored != store::LedgerDb::block_input_digest(b.time, b.txs)) {
        return fail(make_error(ErrorCode::kInvalidArgument,
                               "block " + std::to_string(b.height) + " in " + o.blocks +
                                   " differs from the block committed in " + o.data +
                                   "; this file is another chain's history (use a fresh --data directory)"));
      }
      ++skipped;
      continue;
    }
    if (b.height != l.height() + 1) {
      return fail(
          make_error(ErrorCode::kInvalidArgument, "blocks file jumps to height " + std::to_string(b.height) +
                                                      " but the ledger is at " + std::to_string(l.height())));
    }
    auto applied = l.apply_block(b.time, b.txs);
    if (!applied.ok()) return fail(applied.error());
    size_t counts[3] = {0, 0, 0};
    for (const auto& r : applied->txs) counts[static_cast<int>(r.outcome)]++;
    if (o.json) {
      json txs = json::array();
      for (const auto& r : applied->txs) txs.push_back(tx_result_json(r));
      std::cout << json{{"height", applied->height}, {"root", to_hex(applied->root)}, {"txs", txs}}.dump()
                << "\n";
    } else {
      std::cout << "height " << applied->height << " root " << to_hex(applied->root) << " txs "
                << b.txs.size() << " (ok " << counts[0] << ", failed " << counts[1] << ", rejected "
                << counts[2] << ")\n";
      if (o.verbose) {
        for (const auto& r : applied->txs) {
          std::cout << "  " << to_hex(r.tx_hash).substr(0, 16) << " " << ledger::tx_outcome_name(r.outcome);
          if (r.outcome != ledger::TxOutcome::kOk)
            std::cout << " " << error_code_name(r.code) << ": " << r.message;
          std::cout << "\n";
        }
      }
    }
  }
  if (!o.json && skipped > 0) {
    std::cout << "skipped " << skipped << " block(s) already in " << o.data
              << " (checked: same as committed)\n";
  }
  if (!o.json) std::cout << "final height " << l.height() << " root " << to_hex(l.root()) << "\n";
  return 0;
}

struct DemoOpts {
  std::string out;
  uint64_t blocks = 20;
  uint64_t txs = 10;
  uint64_t seed = 1;
  int invalid = 25;
};

int run_demo(const DemoOpts& o) {
  ledger::WorkloadOptions wo;
  wo.seed = o.seed;
  wo.accounts = 8;
  wo.invalid_percent = o.invalid;
  wo.chain_id = "trustmesh-demo";
  ledger::Workload w(wo);
  ledger::Genesis g = w.genesis();
  std::error_code ec;
  std::filesystem::create_directories(o.out, ec);
  if (ec) return fail(make_error(ErrorCode::kIo, "cannot create " + o.out + ": " + ec.message()));

  ledger::MemState state;
  auto init = g.initial_state();
  if (!init.ok()) return fail(init.error());
  state.apply(*init);
  std::string lines;
  for (uint64_t h = 1; h <= o.blocks; ++h) {
    BlockLine b{h, g.genesis_time + 6 * h, w.next_block(state, h, o.txs)};
    auto r = ledger::execute_block(state, {g.chain_id, h, b.time}, b.txs);
    if (!r.ok()) return fail(r.error());
    state.apply(r->changes);
    lines += block_to_json_line(b) + "\n";
    if (o.blocks >= 100 && h % (o.blocks / 10) == 0)
      std::cerr << "demo: " << h << "/" << o.blocks << " blocks\n";
  }
  std::string gpath = o.out + "/genesis.json", bpath = o.out + "/blocks.jsonl";
  Status st = write_file(gpath, g.to_json());
  if (!st.ok()) return fail(st.error());
  st = write_file(bpath, lines);
  if (!st.ok()) return fail(st.error());
  std::cout << "wrote " << gpath << " and " << bpath << " (" << o.blocks << " blocks of " << o.txs
            << " txs)\nreplay: trustmesh ledger apply --genesis " << gpath << " --blocks " << bpath
            << " --data <dir>\n";
  return 0;
}

// Opens a data directory that must already exist (read-only commands must not
// create an empty one by mistake).
Result<std::unique_ptr<store::LedgerDb>> open_existing(const std::string& data) {
  if (!std::filesystem::exists(data)) {
    return make_error(ErrorCode::kNotFound,
                      "no data directory " + data + "; create one with `trustmesh ledger apply`");
  }
  return store::LedgerDb::open(data);
}

int run_root(const std::string& data, std::optional<uint64_t> height, bool as_json) {
  auto db = open_existing(data);
  if (!db.ok()) return fail(db.error());
  uint64_t h = height.value_or((*db)->height());
  auto root = (*db)->state().root_at(h);
  if (!root.ok()) return fail(root.error());
  if (as_json) {
    std::cout << json{{"chain_id", (*db)->chain_id()}, {"height", h}, {"root", to_hex(*root)}}.dump() << "\n";
  } else {
    std::cout << to_hex(*root) << "\n";
  }
  return 0;
}

int run_name(const std::string& data, const std::string& name, bool as_json) {
  auto db = open_existing(data);
  if (!db.ok()) return fail(db.error());
  store::LedgerDb& l = **db;
  store::StateDbReader reader(l.state());
  ledger::Overlay view(reader);
  ledger::StateAccess s(view);
  auto rec = s.name(name);
  if (!rec.ok()) return fail(rec.error());
  Bytes key = ledger::schema::name_key(name);
  auto proof = l.state().prove(key);
  if (!proof.ok()) return fail(proof.error());
  Status verified =
      *rec ? store::verify_membership(l.root(), key, cbor::encode(rec->value().to_cbor()), *proof)
           : store::verify_non_membership(l.root(), key, *proof);
  if (!verified.ok()) return fail(verified.error());
  json j = {{"name", name},
            {"height", l.height()},
            {"root", to_hex(l.root())},
            {"proof_bytes", store::encode_proof(*proof).size()},
            {"proof_verified", true}};
  if (!*rec) {
    j["registered"] = false;
  } else {
    const ledger::NameRecord& r = **rec;
    bool expired = r.expired_at(l.height() + 1);
    j["registered"] = true;
    j["owner"] = r.owner.to_string();
    j["status"] = expired ? "expired" : std::string(ledger::name_status_name(r.status));
    j["cert_hash"] = to_hex(r.value.cert_hash);
    if (r.value.config_hash) j["config_hash"] = to_hex(*r.value.config_hash);
    j["registered_at"] = r.registered_at;
    j["expires_at"] = r.expires_at;
    json hist = json::array();
    for (uint32_t i = 0; i < r.history_len; ++i) {
      auto e = s.history(name, i);
      if (!e.ok()) return fail(e.error());
      if (!*e) return fail(make_error(ErrorCode::kInternal, "missing history entry " + std::to_string(i)));
      const auto& he = **e;
      hist.push_back({{"height", he.height},
                      {"op", he.op},
                      {"tx", to_hex(he.tx_hash)},
                      {"owner", he.owner.to_string()},
                      {"value_hash", to_hex(he.value_hash)}});
    }
    j["history"] = hist;
  }
  if (as_json) {
    std::cout << j.dump() << "\n";
    return 0;
  }
  if (!*rec) {
    std::cout << name << ": not registered (non-membership proved against root "
              << to_hex(l.root()).substr(0, 16) << "... at height " << l.height() << ")\n";
    return 0;
  }
  std::cout << name << "\n  owner      " << j["owner"].get<std::string>() << "\n  status     "
            << j["status"].get<std::string>() << "\n  cert hash  " << j["cert_hash"].get<std::string>()
            << "\n  expires at height " << j["expires_at"] << "\n  proof      " << j["proof_bytes"]
            << " bytes, verified against root " << to_hex(l.root()).substr(0, 16) << "... at height "
            << l.height() << "\n  history\n";
  for (const auto& e : j["history"]) {
    std::cout << "    height " << e["height"] << "  " << e["op"].get<std::string>() << "  owner "
              << e["owner"].get<std::string>() << "\n";
  }
  return 0;
}

}  // namespace

void add_ledger_commands(CLI::App& app) {
  CLI::App* ledger = app.add_subcommand("ledger", "Offline ledger tools: replay, audit and inspect a chain");
  ledger->require_subcommand(1);

  auto apply_opts = std::make_shared<ApplyOpts>();
  CLI::App* apply = ledger->add_subcommand(
      "apply",
      "Apply blocks of transactions from a file onto a genesis and print the state root after each block");
  apply->add_option("--genesis", apply_opts->genesis, "Genesis JSON file")
      ->required()
      ->check(CLI::ExistingFile);
  apply->add_option("--blocks", apply_opts->blocks, "Blocks file (JSON Lines, one block per line)")
      ->required()
      ->check(CLI::ExistingFile);
  apply
      ->add_option("--data", apply_opts->data,
                   "Data directory (RocksDB); created if missing, resumed if present")
      ->required();
  apply->add_flag("--json", apply_opts->json, "One JSON object per block, with every transaction's result");
  apply->add_flag("-v,--verbose", apply_opts->verbose, "Print each transaction's outcome");
  apply->callback([apply_opts] { throw CLI::RuntimeError(run_apply(*apply_opts)); });

  auto demo_opts = std::make_shared<DemoOpts>();
  CLI::App* demo = ledger->add_subcommand(
      "demo", "Write a genesis.json and blocks.jsonl of generated (valid and invalid) transactions");
  demo->add_option("--out", demo_opts->out, "Output directory")->required();
  demo->add_option("--blocks", demo_opts->blocks, "Number of blocks")->capture_default_str();
  demo->add_option("--txs", demo_opts->txs, "Transactions per block")->capture_default_str();
  demo->add_option("--seed", demo_opts->seed, "Seed of the generator")->capture_default_str();
  demo->add_option("--invalid-percent", demo_opts->invalid, "Share of invalid transactions")
      ->check(CLI::Range(0, 100))
      ->capture_default_str();
  demo->callback([demo_opts] { throw CLI::RuntimeError(run_demo(*demo_opts)); });

  auto root_data = std::make_shared<std::string>();
  auto root_height = std::make_shared<std::optional<uint64_t>>();
  auto root_json = std::make_shared<bool>(false);
  CLI::App* root = ledger->add_subcommand("root", "Print the state root at a height (default: latest)");
  root->add_option("--data", *root_data, "Data directory")->required();
  root->add_option("--height", *root_height, "Height");
  root->add_flag("--json", *root_json, "JSON output");
  root->callback([=] { throw CLI::RuntimeError(run_root(*root_data, *root_height, *root_json)); });

  auto name_data = std::make_shared<std::string>();
  auto name_name = std::make_shared<std::string>();
  auto name_json = std::make_shared<bool>(false);
  CLI::App* name =
      ledger->add_subcommand("name", "Show a device name's record and history, with a verified proof");
  name->add_option("name", *name_name, "The name")->required();
  name->add_option("--data", *name_data, "Data directory")->required();
  name->add_flag("--json", *name_json, "JSON output");
  name->callback([=] { throw CLI::RuntimeError(run_name(*name_data, *name_name, *name_json)); });
}

}  // namespace trustmesh::cli
