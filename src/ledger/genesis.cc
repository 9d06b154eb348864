// Genesis JSON parsing and initial state; see genesis.h. JSON is parsed with
// nlohmann::json in no-exception mode and every field is checked by hand, so
// bad input is an Error value with the field's name, never a throw.
#include "ledger/genesis.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "ledger/access.h"
#include "ledger/schema.h"

namespace trustmesh::ledger {

using nlohmann::json;

namespace {

Error bad(std::string msg) {
  return make_error(ErrorCode::kInvalidArgument, "genesis: " + std::move(msg));
}

Result<uint64_t> get_u64(const json& j, const std::string& what) {
  if (!j.is_number_unsigned()) return bad(what + " must be a non-negative integer");
  return j.get<uint64_t>();
}

Result<Address> get_address(const json& j, const std::string& what) {
  if (!j.is_string()) return bad(what + " must be an address string (tm1...)");
  auto a = Address::parse(j.get<std::string>());
  if (!a.ok()) return bad(what + ": " + a.error().message);
  return a;
}

Status check_keys(const json& obj, std::initializer_list<std::string_view> allowed, const std::string& what) {
  for (const auto& [k, v] : obj.items()) {
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end()) {
      return bad("unknown field '" + k + "' in " + what);
    }
  }
  return Status::Ok();
}

}  // namespace

Result<Genesis> Genesis::from_json(std::string_view text) {
  json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return bad("not valid JSON");
  if (!j.is_object()) return bad("top level must be an object");
  TM_TRY(
      check_keys(j, {"chain_id", "genesis_time", "accounts", "trustees", "params", "validators"}, "genesis"));

  Genesis g;
  if (!j.contains("chain_id") || !j["chain_id"].is_string()) return bad("chain_id (string) is required");
  g.chain_id = j["chain_id"].get<std::string>();
  if (g.chain_id.empty() || g.chain_id.size() > 64 ||
      !std::all_of(g.chain_id.begin(), g.chain_id.end(), [](char c) { return c > 0x20 && c < 0x7f; })) {
    return bad("chain_id must be 1..64 printable ASCII characters without spaces");
  }
  if (j.contains("genesis_time")) {
    TM_ASSIGN_OR_RETURN(g.genesis_time, get_u64(j["genesis_time"], "genesis_time"));
  }

  std::set<Address> seen;
  unsigned __int128 supply = 0;
  if (j.contains("accounts")) {
    if (!j["accounts"].is_array()) return bad("accounts must be an array");
    size_t i = 0;
    for (const auto& a : j["accounts"]) {
      std::string where = "accounts[" + std::to_string(i++) + "]";
      if (!a.is_object()) return bad(where + " must be an object");
      TM_TRY(check_keys(a, {"address", "balance"}, where));
      if (!a.contains("address") || !a.contains("balance")) return bad(where + " needs address and balance");
      GenesisAccount ga;
      TM_ASSIGN_OR_RETURN(ga.address, get_address(a["address"], where + ".address"));
      TM_ASSIGN_OR_RETURN(ga.balance, get_u64(a["balance"], where + ".balance"));
      if (!seen.insert(ga.address).second)
        return bad(where + ": duplicate address " + ga.address.to_string());
      supply += ga.balance;
      if (supply > UINT64_MAX) return bad("total supply overflows 64 bits");
      g.accounts.push_back(ga);
    }
  }

  if (!j.contains("trustees") || !j["trustees"].is_array() || j["trustees"].empty()) {
    return bad("trustees must be a non-empty array of addresses");
  }
  size_t ti = 0;
  for (const auto& t : j["trustees"]) {
    TM_ASSIGN_OR_RETURN(Address a, get_address(t, "trustees[" + std::to_string(ti++) + "]"));
    g.trustees.push_back(a);
  }
  std::sort(g.trustees.begin(), g.trustees.end());
  if (std::adjacent_find(g.trustees.begin(), g.trustees.end()) != g.trustees.end()) {
    return bad("trustees contains a duplicate");
  }

  if (j.contains("validators")) {
    if (!j["validators"].is_array()) return bad("validators must be an array");
    size_t i = 0;
    uint64_t total = 0;
    for (const auto& v : j["validators"]) {
      std::string where = "validators[" + std::to_string(i++) + "]";
      if (!v.is_object()) return bad(where + " must be an object");
      TM_TRY(check_keys(v, {"pub_key", "power", "name"}, where));
      if (!v.contains("pub_key") || !v["pub_key"].is_string())
        return bad(where + ".pub_key (hex) is required");
      auto raw = from_hex(v["pub_key"].get<std::string>());
      if (!raw.ok()) return bad(where + ".pub_key: " + raw.error().message);
      auto key = PublicKey::from_encoded(*raw);
      if (!key.ok()) return bad(where + ".pub_key: " + key.error().message);
      GenesisValidator gv{*key, 1, ""};
      if (v.contains("power")) {
        TM_ASSIGN_OR_RETURN(gv.power, get_u64(v["power"], where + ".power"));
      }
      if (gv.power == 0 || gv.power > (uint64_t{1} << 62) - total)
        return bad(where + ".power must be >= 1 and the total at most 2^62");
      total += gv.power;
      if (v.contains("name")) {
        if (!v["name"].is_string()) return bad(where + ".name must be a string");
        gv.name = v["name"].get<std::string>();
      }
      g.validators.push_back(gv);
    }
    std::sort(g.validators.begin(), g.validators.end(),
              [](const GenesisValidator& a, const GenesisValidator& b) {
                return Address::of(a.key) < Address::of(b.key);
              });
    for (size_t k = 1; k < g.validators.size(); ++k) {
      if (Address::of(g.validators[k - 1].key) == Address::of(g.validators[k].key))
        return bad("validators contains a duplicate key");
    }
  }

  if (j.contains("params")) {
    if (!j["params"].is_object()) return bad("params must be an object");
    for (const auto& [k, v] : j["params"].items()) {
      TM_ASSIGN_OR_RETURN(uint64_t val, get_u64(v, "params." + k));
      Status st = g.params.set(k, val);
      if (!st.ok()) return bad(st.error().message);
    }
  }
  Status st = g.params.validate();
  if (!st.ok()) return bad(st.error().message);
  return g;
}

std::string Genesis::to_json() const {
  json j = json::object();
  j["chain_id"] = chain_id;
  j["genesis_time"] = genesis_time;
  json accts = json::array();
  for (const auto& a : accounts)
    accts.push_back({{"address", a.address.to_string()}, {"balance", a.balance}});
  j["accounts"] = accts;
  json ts = json::array();
  for (const auto& t : trustees) ts.push_back(t.to_string());
  j["trustees"] = ts;
  if (!validators.empty()) {
    json vs = json::array();
    for (const auto& v : validators) {
      json e = {{"pub_key", to_hex(v.key.encoded())}, {"power", v.power}};
      if (!v.name.empty()) e["name"] = v.name;
      vs.push_back(e);
    }
    j["validators"] = vs;
  }
  json p = json::object();
  for (auto name : Params::field_names()) p[std::string(name)] = params.get(name).value();
  j["params"] = p;
  return j.dump(2) + "\n";
}

Result<Changes> Genesis::initial_state() const {
  MemState empty;
  Overlay o(empty);
  StateAccess s(o);
  uint64_t supply = 0;
  for (const auto& a : accounts) {
    s.put_account(a.address, Account{a.balance, 0});
    supply += a.balance;  // overflow excluded by from_json
  }
  s.put_supply(supply);
  s.put_trustees(trustees);
  s.put_params(params);
  s.put_next_proposal_id(1);
  o.put(schema::chain_id_key(), cbor::encode(cbor::Value::text(chain_id)));
  if (!validators.empty()) {
    // Same encoding as consensus::ValidatorSet::to_cbor(): [[key, power], ...]
    // in address order, so its SHA-256 is the header's validators_hash.
    cbor::Array vs;
    for (const auto& v : validators)
      vs.push_back(cbor::Value::array({cbor::Value::bytes(v.key.encoded()), cbor::Value::uint(v.power)}));
    o.put(schema::validators_key(), cbor::encode(cbor::Value::array(std::move(vs))));
  }
  return o.changes();
}

}  // namespace trustmesh::ledger
