// Transactions: the signed unit of change.
//
// Wire form (deterministic CBOR map, text keys):
//   {"chain": tstr, "from": bstr (PublicKey::encoded), "seq": uint,
//    "fee": uint, "op": {"type": tstr, ...operation fields}, "sig": bstr(64)}
// The signature covers signing_bytes() = "trustmesh/tx/v1" 0x00 followed by
// the CBOR encoding of the same map without "sig". The tx hash is SHA-256 of
// the full encoding. Decoding is strict: any non-canonical encoding, unknown
// field, wrong size or unknown operation type is refused, and with canonical
// signatures (core/keys.h) one signed transaction has exactly one encoding and
// therefore one hash.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "core/address.h"
#include "core/cbor.h"
#include "core/keys.h"
#include "ledger/compliance.h"
#include "ledger/records.h"
#include "ledger/validators.h"

namespace trustmesh::ledger {

namespace op {
struct Send {  // move funds
  Address to;
  uint64_t amount = 0;
};
struct NamePreorder {  // commit to a name without revealing it
  Hash32 commitment{};
};
struct NameRegister {  // reveal: name, salt and the value; fee grows with validity
  std::string name;
  Bytes salt;  // exactly 32 bytes
  NameValue value;
  uint64_t validity = 0;  // blocks
};
struct NameUpdate {
  std::string name;
  NameValue value;
};
struct NameTransfer {
  std::string name;
  Address new_owner;
};
struct NameRenew {
  std::string name;
  uint64_t validity = 0;  // blocks added to the current expiry
};
struct NameRevoke {
  std::string name;
};
// Moves a device along its supply chain (records.h stage_allowed), by the
// holder; `to` hands custody (ownership) on, `cert` binds the certificate of
// the new stage (the one bound before is superseded, see ops_names.cc).
struct NameStage {
  std::string name;
  DeviceStage stage = DeviceStage::kManufactured;
  std::optional<Address> to;
  std::optional<Hash32> cert;
};
struct GovPropose {  // a trustee proposes parameter, validator set, role or CA root changes
  std::map<std::string, uint64_t> changes;
  std::vector<ValidatorChange> validators;  // power 0 removes; effective 2 blocks after approval
  std::vector<RoleGrant> grants;            // power roles for organisations
  std::vector<Bytes> ca_roots;              // public CA root certificates (DER) that sub-CAs may chain to
  std::vector<VendorGrant> vendor_ids;      // vendor ids assigned to organisation ids
};
// Compliance ledger (ledger/compliance.h; rules in ops_orgs.cc, ops_claims.cc).
struct OrgRegister {  // the sender becomes the org's admin
  std::string id;
  std::string kind;
  std::string name;
  std::vector<Bytes> roots;  // DER: self-signed CA roots, or CA certificates issued by a ledger CA root
  std::string crl_url;
  std::vector<Bytes> root_sigs;  // per root: its key's signature over org_root_message (proof of possession)
};
struct CertAdd {  // an intermediate or model certificate under one of the org's certificates
  std::string org;
  std::string level;  // "intermediate" | "model"
  Bytes der;
  std::optional<uint64_t> vid;  // model certificates: the model's vendor and product id
  std::optional<uint64_t> pid;
  std::optional<std::string> name;  // device certificates: the device name it was issued for
};
struct CertRevoke {
  Hash32 cert{};
  std::string reason;  // e.g. keyCompromise, superseded, cessationOfOperation
};
struct CrlPublish {  // a CRL signed by one of the org's CA certificates, matching the ledger
  std::string org;
  Bytes der;
};
struct ModelRegister {  // again by the same org: updates name and label
  std::string org;
  uint64_t vid = 0;
  uint64_t pid = 0;
  std::string name;
  TextMap label;
};
struct ReleasePublish {
  std::string org;
  uint64_t vid = 0;
  uint64_t pid = 0;
  uint64_t version = 0;
  std::string version_string;
  std::string kind;  // firmware | software | code
  Hash32 sha256{};
  uint64_t size = 0;
  std::string url;
  Bytes signature;
};
struct ClaimIssue {
  std::string issuer;  // org id; the sender must be its admin
  std::string type;
  std::string subject;
  TextMap data;
  uint64_t expires_at = 0;  // height; 0 = never
};
struct ClaimWithdraw {
  uint64_t id = 0;
};
struct GovApprove {
  uint64_t proposal = 0;
};
// Access domains (ledger/domains.h; rules in ops_domains.cc).
struct DomainCreate {  // the sender becomes its first administrator
  std::string id;
  bool private_ = false;
};
struct DomainGrant {  // rights 0 removes the member; sender needs administer
  std::string id;
  Address member;
  uint8_t rights = 0;  // bitmask: read 1, update 2, administer 4 (0..7)
};
struct DomainAssign {  // puts "device:<name>" or "model:<vid>/<pid>" in the domain
  std::string id;
  std::string subject;
};
struct DomainSet {  // private or public; sender needs administer
  std::string id;
  bool private_ = false;
};
struct Evidence {  // two conflicting signed votes of one validator (anyone may submit, fee 0 allowed)
  PublicKey validator;
  uint8_t vote_type = 1;  // 1 prevote, 2 precommit
  uint64_t height = 0;
  uint64_t round = 0;
  std::optional<Hash32> block_a;  // nullopt = nil
  Bytes sig_a;
  std::optional<Hash32> block_b;
  Bytes sig_b;
};
}  // namespace op

using Operation =
    std::variant<op::Send, op::NamePreorder, op::NameRegister, op::NameUpdate, op::NameTransfer,
                 op::NameRenew, op::NameRevoke, op::GovPropose, op::GovApprove, op::Evidence, op::OrgRegister,
                 op::CertAdd, op::CertRevoke, op::ModelRegister, op::ReleasePublish, op::ClaimIssue,
                 op::ClaimWithdraw, op::CrlPublish, op::NameStage, op::DomainCreate, op::DomainGrant,
                 op::DomainAssign, op::DomainSet>;

// "send", "name.preorder", "name.register", ... , "gov.approve"
std::string_view op_type_name(const Operation& op);

cbor::Value operation_to_cbor(const Operation& op);
Result<Operation> operation_from_cbor(const cbor::Value& v);

constexpr size_t kSaltSize = 32;

// SHA-256(name || salt || owner address). salt is 32 bytes and the address 20,
// so the concatenation is unambiguous.
Hash32 name_commitment(std::string_view name, ByteView salt, const Address& owner);

struct Tx {
  std::string chain_id;
  PublicKey sender;
  uint64_t seq = 0;
  uint64_t fee = 0;
  Operation op;
  Bytes sig;

  Bytes signing_bytes() const;
  Bytes encode() const;
  Hash32 hash() const;  // SHA-256(encode())
  Address sender_address() const { return Address::of(sender); }
};

// Builds and signs a transaction.
Result<Tx> make_tx(const KeyPair& key, std::string chain_id, uint64_t seq, uint64_t fee, Operation op);

// Strict decode (no signature check; see verify_tx_signature).
Result<Tx> decode_tx(ByteView data, size_t max_bytes = 64 * 1024);
// With `encoding_hash` (SHA-256 of the tx's exact bytes, i.e. its hash), a
// tx whose bytes already verified in this process is not verified again:
// identical bytes verify identically, so the answer is the same, only
// cheaper (a node checks each tx at admission and again in every block it
// executes). The memo holds the last 2^18 verified hashes.
Status verify_tx_signature(const Tx& tx, const Hash32* encoding_hash = nullptr);

}  // namespace trustmesh::ledger
