// Transaction and operation encoding, signing and strict decoding; see tx.h.
#include "ledger/tx.h"

#include "core/hash.h"
#include "core/recent_set.h"

namespace trustmesh::ledger {

using cbor::MapEntries;
using cbor::MapReader;
using cbor::Value;

namespace {

constexpr std::string_view kSigningDomain = "trustmesh/tx/v1";

Value text(std::string_view s) {
  return Value::text(std::string(s));
}
Value bytes(ByteView b) {
  return Value::bytes(b);
}

// The fields of each operation; operation_to_cbor adds "type" (TypeName).
struct ToFields {
  MapEntries operator()(const op::Send& o) const {
    return {{text("to"), bytes(o.to.view())}, {text("amount"), Value::uint(o.amount)}};
  }
  MapEntries operator()(const op::NamePreorder& o) const {
    return {{text("commitment"), bytes(o.commitment)}};
  }
  MapEntries operator()(const op::NameRegister& o) const {
    return {{text("name"), text(o.name)},
            {text("salt"), bytes(o.salt)},
            {text("value"), o.value.to_cbor()},
            {text("validity"), Value::uint(o.validity)}};
  }
  MapEntries operator()(const op::NameUpdate& o) const {
    return {{text("name"), text(o.name)}, {text("value"), o.value.to_cbor()}};
  }
  MapEntries operator()(const op::NameTransfer& o) const {
    return {{text("name"), text(o.name)}, {text("new_owner"), bytes(o.new_owner.view())}};
  }
  MapEntries operator()(const op::NameRenew& o) const {
    return {{text("name"), text(o.name)}, {text("validity"), Value::uint(o.validity)}};
  }
  MapEntries operator()(const op::NameRevoke& o) const { return {{text("name"), text(o.name)}}; }
  MapEntries operator()(const op::NameStage& o) const {
    MapEntries e{{text("name"), text(o.name)}, {text("stage"), text(device_stage_name(o.stage))}};
    if (o.to) e.emplace_back(text("to"), bytes(o.to->view()));
    if (o.cert) e.emplace_back(text("cert"), bytes(*o.cert));
    return e;
  }
  MapEntries operator()(const op::DomainCreate& o) const {
    return {{text("id"), text(o.id)}, {text("private"), Value::boolean(o.private_)}};
  }
  MapEntries operator()(const op::DomainGrant& o) const {
    return {{text("id"), text(o.id)},
            {text("member"), bytes(o.member.view())},
            {text("rights"), Value::uint(o.rights)}};
  }
  MapEntries operator()(const op::DomainAssign& o) const {
    return {{text("id"), text(o.id)}, {text("subject"), text(o.subject)}};
  }
  MapEntries operator()(const op::DomainSet& o) const {
    return {{text("id"), text(o.id)}, {text("private"), Value::boolean(o.private_)}};
  }
  MapEntries operator()(const op::GovPropose& o) const {
    MapEntries e{{text("changes"), param_changes_to_cbor(o.changes)}};
    // Absent when empty: parameter-only proposals keep their encoding.
    if (!o.validators.empty()) e.emplace_back(text("validators"), validator_changes_to_cbor(o.validators));
    if (!o.grants.empty()) e.emplace_back(text("grants"), role_grants_to_cbor(o.grants));
    if (!o.ca_roots.empty()) e.emplace_back(text("ca_roots"), der_list_to_cbor(o.ca_roots));
    if (!o.vendor_ids.empty()) e.emplace_back(text("vendor_ids"), vendor_grants_to_cbor(o.vendor_ids));
    return e;
  }
  MapEntries operator()(const op::OrgRegister& o) const {
    MapEntries e{{text("id"), text(o.id)},
                 {text("kind"), text(o.kind)},
                 {text("name"), text(o.name)},
                 {text("roots"), der_list_to_cbor(o.roots)},
                 {text("root_sigs"), der_list_to_cbor(o.root_sigs)}};
    if (!o.crl_url.empty()) e.emplace_back(text("crl_url"), text(o.crl_url));
    return e;
  }
  MapEntries operator()(const op::CertAdd& o) const {
    MapEntries e{{text("org"), text(o.org)}, {text("level"), text(o.level)}, {text("der"), bytes(o.der)}};
    if (o.vid) e.emplace_back(text("vid"), Value::uint(*o.vid));
    if (o.pid) e.emplace_back(text("pid"), Value::uint(*o.pid));
    if (o.name) e.emplace_back(text("name"), text(*o.name));
    return e;
  }
  MapEntries operator()(const op::CertRevoke& o) const {
    MapEntries e{{text("cert"), bytes(o.cert)}};
    if (!o.reason.empty()) e.emplace_back(text("reason"), text(o.reason));
    return e;
  }
  MapEntries operator()(const op::CrlPublish& o) const {
    return {{text("org"), text(o.org)}, {text("der"), bytes(o.der)}};
  }
  MapEntries operator()(const op::ModelRegister& o) const {
    MapEntries e{{text("org"), text(o.org)},
                 {text("vid"), Value::uint(o.vid)},
                 {text("pid"), Value::uint(o.pid)},
                 {text("name"), text(o.name)}};
    if (!o.label.empty()) e.emplace_back(text("label"), text_map_to_cbor(o.label));
    return e;
  }
  MapEntries operator()(const op::ReleasePublish& o) const {
    MapEntries e{{text("org"), text(o.org)},
                 {text("vid"), Value::uint(o.vid)},
                 {text("pid"), Value::uint(o.pid)},
                 {text("version"), Value::uint(o.version)},
                 {text("version_string"), text(o.version_string)},
                 {text("kind"), text(o.kind)},
                 {text("sha256"), bytes(o.sha256)},
                 {text("size"), Value::uint(o.size)}};
    if (!o.url.empty()) e.emplace_back(text("url"), text(o.url));
    if (!o.signature.empty()) e.emplace_back(text("signature"), bytes(o.signature));
    return e;
  }
  MapEntries operator()(const op::ClaimIssue& o) const {
    // "claim", not "type": the op map's "type" is the operation's.
    MapEntries e{
        {text("issuer"), text(o.issuer)}, {text("claim"), text(o.type)}, {text("subject"), text(o.subject)}};
    if (!o.data.empty()) e.emplace_back(text("data"), text_map_to_cbor(o.data));
    if (o.expires_at) e.emplace_back(text("expires_at"), Value::uint(o.expires_at));
    return e;
  }
  MapEntries operator()(const op::ClaimWithdraw& o) const { return {{text("id"), Value::uint(o.id)}}; }
  MapEntries operator()(const op::GovApprove& o) const {
    return {{text("proposal"), Value::uint(o.proposal)}};
  }
  MapEntries operator()(const op::Evidence& o) const {
    auto opt = [](const std::optional<Hash32>& h) { return h ? bytes(*h) : Value::null(); };
    return {{text("validator"), bytes(o.validator.encoded())},
            {text("vote_type"), Value::uint(o.vote_type)},
            {text("height"), Value::uint(o.height)},
            {text("round"), Value::uint(o.round)},
            {text("block_a"), opt(o.block_a)},
            {text("sig_a"), bytes(o.sig_a)},
            {text("block_b"), opt(o.block_b)},
            {text("sig_b"), bytes(o.sig_b)}};
  }
};

struct TypeName {
  std::string_view operator()(const op::Send&) const { return "send"; }
  std::string_view operator()(const op::NamePreorder&) const { return "name.preorder"; }
  std::string_view operator()(const op::NameRegister&) const { return "name.register"; }
  std::string_view operator()(const op::NameUpdate&) const { return "name.update"; }
  std::string_view operator()(const op::NameTransfer&) const { return "name.transfer"; }
  std::string_view operator()(const op::NameStage&) const { return "name.stage"; }
  std::string_view operator()(const op::NameRenew&) const { return "name.renew"; }
  std::string_view operator()(const op::NameRevoke&) const { return "name.revoke"; }
  std::string_view operator()(const op::GovPropose&) const { return "gov.propose"; }
  std::string_view operator()(const op::GovApprove&) const { return "gov.approve"; }
  std::string_view operator()(const op::Evidence&) const { return "evidence.equivocation"; }
  std::string_view operator()(const op::OrgRegister&) const { return "org.register"; }
  std::string_view operator()(const op::CertAdd&) const { return "cert.add"; }
  std::string_view operator()(const op::CertRevoke&) const { return "cert.revoke"; }
  std::string_view operator()(const op::CrlPublish&) const { return "crl.publish"; }
  std::string_view operator()(const op::ModelRegister&) const { return "model.register"; }
  std::string_view operator()(const op::ReleasePublish&) const { return "release.publish"; }
  std::string_view operator()(const op::ClaimIssue&) const { return "claim.issue"; }
  std::string_view operator()(const op::ClaimWithdraw&) const { return "claim.withdraw"; }
  std::string_view operator()(const op::DomainCreate&) const { return "domain.create"; }
  std::string_view operator()(const op::DomainGrant&) const { return "domain.grant"; }
  std::string_view operator()(const op::DomainAssign&) const { return "domain.assign"; }
  std::string_view operator()(const op::DomainSet&) const { return "domain.set"; }
};

Result<NameValue> read_value(MapReader& r) {
  TM_ASSIGN_OR_RETURN(const Value* v, r.get("value"));
  return NameValue::from_cbor(*v);
}

Result<Operation> decode_domain(std::string_view type, MapReader& r) {
  if (type == "domain.create" || type == "domain.set") {
    TM_ASSIGN_OR_RETURN(std::string id, r.get_text("id"));
    TM_ASSIGN_OR_RETURN(bool priv, r.get_bool("private"));
    if (type == "domain.create") return Operation(op::DomainCreate{std::move(id), priv});
    return Operation(op::DomainSet{std::move(id), priv});
  }
  if (type == "domain.grant") {
    op::DomainGrant o;
    TM_ASSIGN_OR_RETURN(o.id, r.get_text("id"));
    TM_ASSIGN_OR_RETURN(o.member, read_address(r, "member"));
    TM_ASSIGN_OR_RETURN(uint64_t rights, r.get_uint("rights"));
    if (rights > 7)
      return make_error(ErrorCode::kMalformed, "rights " + std::to_string(rights) +
                                                   " is not a bitmask of read 1, update 2, administer 4");
    o.rights = static_cast<uint8_t>(rights);
    return Operation(std::move(o));
  }
  if (type == "domain.assign") {
    op::DomainAssign o;
    TM_ASSIGN_OR_RETURN(o.id, r.get_text("id"));
    TM_ASSIGN_OR_RETURN(o.subject, r.get_text("subject"));
    return Operation(std::move(o));
  }
  return make_error(ErrorCode::kMalformed, "unknown operation type '" + std::string(type) + "'");
}

Result<Operation> decode_compliance(std::string_view type, MapReader& r) {
  if (type == "org.register") {
    op::OrgRegister o;
    TM_ASSIGN_OR_RETURN(o.id, r.get_text("id"));
    TM_ASSIGN_OR_RETURN(o.kind, r.get_text("kind"));
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(const Value* roots, r.get("roots"));
    TM_ASSIGN_OR_RETURN(o.roots, der_list_from_cbor(*roots, "roots"));
    TM_ASSIGN_OR_RETURN(const Value* sigs, r.get("root_sigs"));
    TM_ASSIGN_OR_RETURN(o.root_sigs, der_list_from_cbor(*sigs, "root_sigs"));
    TM_ASSIGN_OR_RETURN(o.crl_url, read_opt_text(r, "crl_url"));
    return Operation(std::move(o));
  }
  if (type == "cert.add") {
    op::CertAdd o;
    TM_ASSIGN_OR_RETURN(o.org, r.get_text("org"));
    TM_ASSIGN_OR_RETURN(o.level, r.get_text("level"));
    TM_ASSIGN_OR_RETURN(o.der, r.get_bytes("der"));
    TM_ASSIGN_OR_RETURN(o.vid, read_opt_uint(r, "vid"));
    TM_ASSIGN_OR_RETURN(o.pid, read_opt_uint(r, "pid"));
    if (r.has("name")) {
      TM_ASSIGN_OR_RETURN(std::string name, r.get_text("name"));
      o.name = std::move(name);
    }
    return Operation(std::move(o));
  }
  if (type == "cert.revoke") {
    op::CertRevoke o;
    TM_ASSIGN_OR_RETURN(o.cert, read_hash32(r, "cert"));
    TM_ASSIGN_OR_RETURN(o.reason, read_opt_text(r, "reason"));
    return Operation(std::move(o));
  }
  if (type == "crl.publish") {
    op::CrlPublish o;
    TM_ASSIGN_OR_RETURN(o.org, r.get_text("org"));
    TM_ASSIGN_OR_RETURN(o.der, r.get_bytes("der"));
    return Operation(std::move(o));
  }
  if (type == "model.register") {
    op::ModelRegister o;
    TM_ASSIGN_OR_RETURN(o.org, r.get_text("org"));
    TM_ASSIGN_OR_RETURN(o.vid, r.get_uint("vid"));
    TM_ASSIGN_OR_RETURN(o.pid, r.get_uint("pid"));
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(o.label, read_opt_text_map(r, "label"));
    return Operation(std::move(o));
  }
  if (type == "release.publish") {
    op::ReleasePublish o;
    TM_TRY(read_release_fields(r, o));
    return Operation(std::move(o));
  }
  if (type == "claim.issue") {
    op::ClaimIssue o;
    TM_ASSIGN_OR_RETURN(o.issuer, r.get_text("issuer"));
    TM_ASSIGN_OR_RETURN(o.type, r.get_text("claim"));
    TM_ASSIGN_OR_RETURN(o.subject, r.get_text("subject"));
    TM_ASSIGN_OR_RETURN(o.data, read_opt_text_map(r, "data"));
    TM_ASSIGN_OR_RETURN(auto exp, read_opt_uint(r, "expires_at"));
    if (exp && *exp == 0) return make_error(ErrorCode::kNonCanonical, "expires_at 0 must be left out");
    o.expires_at = exp.value_or(0);
    return Operation(std::move(o));
  }
  if (type == "claim.withdraw") {
    op::ClaimWithdraw o;
    TM_ASSIGN_OR_RETURN(o.id, r.get_uint("id"));
    return Operation(o);
  }
  return decode_domain(type, r);
}

Result<Operation> decode_fields(std::string_view type, MapReader& r) {
  if (type == "send") {
    op::Send o;
    TM_ASSIGN_OR_RETURN(o.to, read_address(r, "to"));
    TM_ASSIGN_OR_RETURN(o.amount, r.get_uint("amount"));
    return Operation(o);
  }
  if (type == "name.preorder") {
    op::NamePreorder o;
    TM_ASSIGN_OR_RETURN(o.commitment, read_hash32(r, "commitment"));
    return Operation(o);
  }
  if (type == "name.register") {
    op::NameRegister o;
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(o.salt, r.get_bytes("salt"));
    if (o.salt.size() != kSaltSize) {
      return make_error(ErrorCode::kMalformed, "salt must be 32 bytes, got " + std::to_string(o.salt.size()));
    }
    TM_ASSIGN_OR_RETURN(o.value, read_value(r));
    TM_ASSIGN_OR_RETURN(o.validity, r.get_uint("validity"));
    return Operation(std::move(o));
  }
  if (type == "name.update") {
    op::NameUpdate o;
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(o.value, read_value(r));
    return Operation(std::move(o));
  }
  if (type == "name.transfer") {
    op::NameTransfer o;
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(o.new_owner, read_address(r, "new_owner"));
    return Operation(std::move(o));
  }
  if (type == "name.renew") {
    op::NameRenew o;
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(o.validity, r.get_uint("validity"));
    return Operation(std::move(o));
  }
  if (type == "name.revoke") {
    op::NameRevoke o;
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    return Operation(std::move(o));
  }
  if (type == "name.stage") {
    op::NameStage o;
    TM_ASSIGN_OR_RETURN(o.name, r.get_text("name"));
    TM_ASSIGN_OR_RETURN(std::string stage, r.get_text("stage"));
    auto st = device_stage_from(stage);
    if (!st)
      return make_error(ErrorCode::kMalformed, "unknown stage '" + stage +
                                                   "' (manufactured, distribution, installed, operation, "
                                                   "transferred, retired)");
    o.stage = *st;
    if (r.has("to")) {
      TM_ASSIGN_OR_RETURN(Address to, read_address(r, "to"));
      o.to = to;
    }
    if (r.has("cert")) {
      TM_ASSIGN_OR_RETURN(Hash32 cert, read_hash32(r, "cert"));
      o.cert = cert;
    }
    return Operation(std::move(o));
  }
  if (type == "gov.propose") {
    op::GovPropose o;
    TM_ASSIGN_OR_RETURN(const Value* ch, r.get("changes"));
    TM_ASSIGN_OR_RETURN(o.changes, read_param_changes(*ch));
    if (r.has("validators")) {
      TM_ASSIGN_OR_RETURN(const Value* vs, r.get("validators"));
      TM_ASSIGN_OR_RETURN(o.validators, validator_changes_from_cbor(*vs));
      if (o.validators.empty())
        return make_error(ErrorCode::kMalformed, "validators must not be empty when present");
    }
    if (r.has("grants")) {
      TM_ASSIGN_OR_RETURN(const Value* g, r.get("grants"));
      TM_ASSIGN_OR_RETURN(o.grants, role_grants_from_cbor(*g));
    }
    if (r.has("ca_roots")) {
      TM_ASSIGN_OR_RETURN(const Value* c, r.get("ca_roots"));
      TM_ASSIGN_OR_RETURN(o.ca_roots, der_list_from_cbor(*c, "ca_roots"));
    }
    if (r.has("vendor_ids")) {
      TM_ASSIGN_OR_RETURN(const Value* g, r.get("vendor_ids"));
      TM_ASSIGN_OR_RETURN(o.vendor_ids, vendor_grants_from_cbor(*g));
    }
    return Operation(std::move(o));
  }
  if (type == "evidence.equivocation") {
    TM_ASSIGN_OR_RETURN(Bytes key, r.get_bytes("validator"));
    TM_ASSIGN_OR_RETURN(PublicKey validator, PublicKey::from_encoded(key));
    op::Evidence o{.validator = std::move(validator)};
    TM_ASSIGN_OR_RETURN(uint64_t t, r.get_uint("vote_type"));
    if (t != 1 && t != 2) return make_error(ErrorCode::kMalformed, "vote_type must be 1 or 2");
    o.vote_type = static_cast<uint8_t>(t);
    TM_ASSIGN_OR_RETURN(o.height, r.get_uint("height"));
    TM_ASSIGN_OR_RETURN(o.round, r.get_uint("round"));
    for (auto [name, out] : {std::pair{"block_a", &o.block_a}, std::pair{"block_b", &o.block_b}}) {
      TM_ASSIGN_OR_RETURN(const Value* b, r.get(name));
      if (!b->is_null()) {
        TM_ASSIGN_OR_RETURN(Bytes bb, b->as_bytes());
        TM_ASSIGN_OR_RETURN(Hash32 h, hash32_of(bb, name));
        *out = h;
      }
    }
    TM_ASSIGN_OR_RETURN(o.sig_a, r.get_bytes("sig_a"));
    TM_ASSIGN_OR_RETURN(o.sig_b, r.get_bytes("sig_b"));
    return Operation(std::move(o));
  }
  if (type == "gov.approve") {
    op::GovApprove o;
    TM_ASSIGN_OR_RETURN(o.proposal, r.get_uint("proposal"));
    return Operation(o);
  }
  return decode_compliance(type, r);
}

Value body_to_cbor(const Tx& tx, bool with_sig) {
  MapEntries e;
  e.emplace_back(text("chain"), text(tx.chain_id));
  e.emplace_back(text("from"), bytes(tx.sender.encoded()));
  e.emplace_back(text("seq"), Value::uint(tx.seq));
  e.emplace_back(text("fee"), Value::uint(tx.fee));
  e.emplace_back(text("op"), operation_to_cbor(tx.op));
  if (with_sig) e.emplace_back(text("sig"), bytes(tx.sig));
  return Value::map(std::move(e));
}

}  // namespace

std::string_view op_type_name(const Operation& op) {
  return std::visit(TypeName{}, op);
}

Value operation_to_cbor(const Operation& op) {
  MapEntries fields = std::visit(ToFields{}, op);
  fields.emplace_back(text("type"), text(op_type_name(op)));
  return Value::map(std::move(fields));
}

Result<Operation> operation_from_cbor(const Value& v) {
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "op"));
  TM_ASSIGN_OR_RETURN(std::string type, r.get_text("type"));
  TM_ASSIGN_OR_RETURN(Operation op, decode_fields(type, r));
  TM_TRY(r.finish());
  return op;
}

Hash32 name_commitment(std::string_view name, ByteView salt, const Address& owner) {
  TM_ASSERT(salt.size() == kSaltSize);
  Sha256 h;
  h.update(as_bytes(name)).update(salt).update(owner.view());
  return h.finish();
}

Bytes Tx::signing_bytes() const {
  Bytes out(kSigningDomain.begin(), kSigningDomain.end());
  out.push_back(0);
  cbor::encode_to(out, body_to_cbor(*this, /*with_sig=*/false));
  return out;
}

Bytes Tx::encode() const {
  return cbor::encode(body_to_cbor(*this, /*with_sig=*/true));
}

Hash32 Tx::hash() const {
  return sha256(encode());
}

Result<Tx> make_tx(const KeyPair& key, std::string chain_id, uint64_t seq, uint64_t fee, Operation op) {
  Tx tx{std::move(chain_id), key.public_key(), seq, fee, std::move(op), {}};
  TM_ASSIGN_OR_RETURN(tx.sig, key.sign(tx.signing_bytes()));
  return tx;
}

Result<Tx> decode_tx(ByteView data, size_t max_bytes) {
  if (data.size() > max_bytes) {
    return make_error(ErrorCode::kTxTooLarge, "transaction is " + std::to_string(data.size()) +
                                                  " bytes; the limit is " + std::to_string(max_bytes));
  }
  cbor::DecodeLimits limits;
  limits.max_depth = 8;
  limits.max_items = 4096;
  TM_ASSIGN_OR_RETURN(Value v, cbor::decode(data, limits));
  TM_ASSIGN_OR_RETURN(auto r, MapReader::of(v, "tx"));
  TM_ASSIGN_OR_RETURN(std::string chain, r.get_text("chain"));
  TM_ASSIGN_OR_RETURN(Bytes from, r.get_bytes("from"));
  auto sender = PublicKey::from_encoded_cached(from);
  if (!sender.ok()) return make_error(ErrorCode::kBadKey, "tx sender: " + sender.error().message);
  TM_ASSIGN_OR_RETURN(uint64_t seq, r.get_uint("seq"));
  TM_ASSIGN_OR_RETURN(uint64_t fee, r.get_uint("fee"));
  TM_ASSIGN_OR_RETURN(const Value* opv, r.get("op"));
  TM_ASSIGN_OR_RETURN(Operation op, operation_from_cbor(*opv));
  TM_ASSIGN_OR_RETURN(Bytes sig, r.get_bytes("sig"));
  TM_TRY(r.finish());
  if (sig.size() != kSignatureSize) {
    return make_error(ErrorCode::kBadSignature,
                      "signature must be 64 bytes, got " + std::to_string(sig.size()));
  }
  return Tx{std::move(chain), std::move(sender).value(), seq, fee, std::move(op), std::move(sig)};
}

Status verify_tx_signature(const Tx& tx, const Hash32* encoding_hash) {
  static RecentSet verified(1 << 17);  // two generations: up to 2^18 hashes
  if (encoding_hash && verified.contains(*encoding_hash)) return Status::Ok();
  auto st = tx.sender.check(tx.signing_bytes(), tx.sig);
  if (!st.ok()) return make_error(ErrorCode::kBadSignature, "transaction signature: " + st.error().message);
  if (encoding_hash) verified.insert(*encoding_hash);
  return Status::Ok();
}

}  // namespace trustmesh::ledger
