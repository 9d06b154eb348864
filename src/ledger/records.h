// Records stored in ledger state, each with its canonical CBOR form.
//
// Invariants: to_cbor() is the only way records are written; from_cbor() is
// strict (unknown or missing fields, wrong sizes are kMalformed), so a state
// entry decodes to exactly one record and re-encodes to the same bytes.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/cbor.h"
#include "core/keys.h"

namespace trustmesh::ledger {

// CBOR helpers shared by records and transactions.
Result<Hash32> hash32_of(const Bytes& b, std::string_view what);
Result<Address> address_of(const Bytes& b, std::string_view what);
Result<Hash32> read_hash32(cbor::MapReader& r, std::string_view key);
Result<Address> read_address(cbor::MapReader& r, std::string_view key);
// {text: uint} map of parameter changes (governance).
Result<std::map<std::string, uint64_t>> read_param_changes(const cbor::Value& v);
cbor::Value param_changes_to_cbor(const std::map<std::string, uint64_t>& changes);

struct Account {
  uint64_t balance = 0;
  uint64_t seq = 0;  // sequence number the next transaction from this account must carry

  cbor::Value to_cbor() const;
  static Result<Account> from_cbor(const cbor::Value& v);
  bool operator==(const Account&) const = default;
};

// The value bound to a device name.
struct NameValue {
  Hash32 cert_hash{};                 // SHA-256 of the device certificate (DER)
  std::optional<Bytes> cert_der;      // the certificate itself, if carried; must hash to cert_hash
  std::optional<Hash32> config_hash;  // SHA-256 of the device configuration

  cbor::Value to_cbor() const;
  static Result<NameValue> from_cbor(const cbor::Value& v);
  Hash32 digest() const;  // SHA-256 of the canonical encoding
  bool operator==(const NameValue&) const = default;
};

// Revoked and retired are final; a retired name (its device taken out of
// service) stays reserved until it expires, like a revoked one.
enum class NameStatus : uint8_t { kActive = 0, kRevoked = 1, kRetired = 2 };
std::string_view name_status_name(NameStatus s);  // "active" | "revoked" | "retired"

// Supply-chain stage of the device behind a name (docs/API.md, "Supply-chain
// stages"). A name starts at kManufactured; name.stage moves it along
// stage_allowed() by the party that holds it, custody moving with it.
enum class DeviceStage : uint8_t {
  kManufactured = 0,
  kDistribution = 1,
  kInstalled = 2,  // installed and commissioned at an operator
  kOperation = 3,
  kTransferred = 4,  // handed to a new owner
  kRetired = 5,      // final
};
std::string_view device_stage_name(DeviceStage s);  // "manufactured", "distribution", ...
std::optional<DeviceStage> device_stage_from(std::string_view name);
bool stage_allowed(DeviceStage from, DeviceStage to);

struct NameRecord {
  Address owner;
  NameValue value;
  NameStatus status = NameStatus::kActive;
  DeviceStage stage = DeviceStage::kManufactured;
  uint64_t registered_at = 0;  // height of the (latest) registration
  uint64_t expires_at = 0;     // first height at which the name is expired
  uint64_t updated_at = 0;     // height of the last change
  uint32_t history_len = 0;    // entries in the name's history (kept across re-registrations)

  bool expired_at(uint64_t height) const { return height >= expires_at; }

  cbor::Value to_cbor() const;
  static Result<NameRecord> from_cbor(const cbor::Value& v);
  bool operator==(const NameRecord&) const = default;
};

struct Preorder {
  uint64_t height = 0;    // block height of the preorder transaction
  uint64_t deadline = 0;  // last height at which it can be redeemed; pruned after

  cbor::Value to_cbor() const;
  static Result<Preorder> from_cbor(const cbor::Value& v);
};

struct HistoryEntry {
  uint64_t height = 0;
  Hash32 tx_hash{};
  std::string op;       // "register" | "update" | "transfer" | "renew" | "revoke" | "stage" | "certify"
  Address owner;        // owner after the operation
  Hash32 value_hash{};  // NameValue::digest() after the operation
  uint64_t expires_at = 0;
  DeviceStage stage = DeviceStage::kManufactured;  // stage after the operation
  std::optional<Hash32> cert;  // "certify": a device certificate an org's CA issued for the name

  cbor::Value to_cbor() const;
  static Result<HistoryEntry> from_cbor(const cbor::Value& v);
  bool operator==(const HistoryEntry&) const = default;
};

// One change to the validator set: add a key, change its power, or remove it
// (power 0). Encoded as [encoded key, power].
struct ValidatorChange {
  PublicKey key;
  uint64_t power = 0;
  bool operator==(const ValidatorChange&) const = default;
};
cbor::Value validator_changes_to_cbor(const std::vector<ValidatorChange>& changes);
// At most 100 entries, each a valid key, no key twice.
Result<std::vector<ValidatorChange>> validator_changes_from_cbor(const cbor::Value& v);

// A power role given to (or, with revoke, taken from) an organisation by
// trustee quorum. Encoded as [org, role, revoke].
struct RoleGrant {
  std::string org;
  std::string role;  // is_power_role
  bool revoke = false;
  bool operator==(const RoleGrant&) const = default;
};
cbor::Value role_grants_to_cbor(const std::vector<RoleGrant>& grants);
Result<std::vector<RoleGrant>> role_grants_from_cbor(const cbor::Value& v);
// A vendor id the trustees assign to an organisation id (registered or not
// yet): org.register may claim a vendor id only when it is assigned to that
// id, as a standards body hands out vendor ids. Encoded as [vid, org].
struct VendorGrant {
  uint64_t vid = 0;
  std::string org;
  bool operator==(const VendorGrant&) const = default;
};
cbor::Value vendor_grants_to_cbor(const std::vector<VendorGrant>& grants);
Result<std::vector<VendorGrant>> vendor_grants_from_cbor(const cbor::Value& v);
cbor::Value der_list_to_cbor(const std::vector<Bytes>& ders);
Result<std::vector<Bytes>> der_list_from_cbor(const cbor::Value& v, std::string_view what);

struct Proposal {
  uint64_t id = 0;
  Address proposer;
  uint64_t height = 0;                      // height of the proposal
  std::map<std::string, uint64_t> changes;  // parameter name -> new value
  std::vector<ValidatorChange> validators;  // validator set changes (may be empty)
  std::vector<RoleGrant> grants;            // role grants (may be empty)
  std::vector<Bytes> ca_roots;              // CA roots to add (may be empty)
  std::vector<VendorGrant> vendor_ids;      // vendor id assignments (may be empty)
  std::vector<Address> approvals;           // sorted, unique
  bool applied = false;

  cbor::Value to_cbor() const;
  static Result<Proposal> from_cbor(const cbor::Value& v);
};

// Sorted list of addresses (trustees).
cbor::Value addresses_to_cbor(const std::vector<Address>& list);
Result<std::vector<Address>> addresses_from_cbor(const cbor::Value& v, std::string_view what);

}  // namespace trustmesh::ledger
