// IoTAKE: authenticated key exchange between two devices with no certificate
// authority. Each side presents its self-signed device certificate in a
// mutual TLS 1.3 handshake; the OpenSSL certificate-verify callback accepts
// the peer's certificate only because the ledger says so:
//   1. the certificate parses as a device certificate (certificate.h) and is
//      within its X.509 validity period       -> else kVerificationFailure
//   2. its device ID is in our membership list of peers (when one is set)
//                                              -> else kNotMember
//   3. the ledger (NameLookup: a light-client proof, or n of N nodes) has the
//      ID's name active, not expired, bound to SHA-256 of exactly this DER
//                                              -> else kVerificationFailure
//      (no node answered and no soft-fail cache -> kLedgerUnavailable)
// After the handshake both sides export a 32-byte master session key (msk)
// with the TLS exporter (RFC 8446 §7.5, label "EXPORTER-trustmesh-iotake-msk");
// if that fails -> kMskFailure.
//
// OpenSSL writes to sockets with plain send(): a process using IoTAKE should
// ignore SIGPIPE (the trustmesh commands do), or a peer that hangs up mid-write
// kills it.
//
// Invariants: a returned session has completed the handshake, its peer was
// authenticated by the steps above during that handshake, and msk is 32
// bytes. A refusal never leaves a session behind.
#pragma once

#include <openssl/ssl.h>

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "device/certificate.h"
#include "device/ledger_client.h"
#include "device/net.h"

namespace trustmesh::device {

struct IotakeOptions {
  std::vector<std::string> peers;  // membership list of peer device IDs; empty = any registered device
  uint64_t io_timeout_ms = 10000;
  std::function<uint64_t()> now;  // seconds; default: the system clock
};

struct PeerIdentity {
  std::string device_id;
  PublicKey key;
  Hash32 cert_hash{};
  NameFacts facts;  // what the ledger said
};

// Steps 1-3 above for a certificate presented by a peer.
Result<PeerIdentity> authenticate_peer(ByteView cert_der, NameLookup& ledger, const IotakeOptions& opts);
// The same for a certificate OpenSSL parsed in the handshake (no re-parse).
Result<PeerIdentity> authenticate_peer_x509(X509* cert, NameLookup& ledger, const IotakeOptions& opts);

struct SslFree {
  void operator()(SSL* s) const { SSL_free(s); }
};

class IotakeSession {
 public:
  IotakeSession(IotakeSession&&) noexcept = default;
  IotakeSession& operator=(IotakeSession&&) noexcept = default;
  ~IotakeSession();

  const PeerIdentity& peer() const { return peer_; }
  const Bytes& msk() const { return msk_; }
  Status send(ByteView frame);
  Result<Bytes> receive(size_t max);

 private:
  friend Result<IotakeSession> iotake_handshake(Socket sock, bool client, const Identity& me,
                                                NameLookup& ledger, const IotakeOptions& opts);
  IotakeSession(Socket s, std::unique_ptr<SSL, SslFree> ssl, PeerIdentity p, Bytes msk)
      : sock_(std::move(s)), ssl_(std::move(ssl)), peer_(std::move(p)), msk_(std::move(msk)) {}
  Socket sock_;
  std::unique_ptr<SSL, SslFree> ssl_;
  PeerIdentity peer_;
  Bytes msk_;
};

// Runs the handshake on a connected socket as client or server.
Result<IotakeSession> iotake_handshake(Socket sock, bool client, const Identity& me, NameLookup& ledger,
                                       const IotakeOptions& opts);
Result<IotakeSession> iotake_connect(const Endpoint& to, const Identity& me, NameLookup& ledger,
                                     const IotakeOptions& opts);

}  // namespace trustmesh::device
