// IoTAKE over TLS 1.3 (iotake.h).
#include "device/iotake.h"

#include <openssl/err.h>

#include <chrono>

#include "core/hash.h"
#include "device/ossl.h"

namespace trustmesh::device {

namespace {

constexpr std::string_view kMskLabel = "EXPORTER-trustmesh-iotake-msk";

uint64_t system_now() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// What the verify callback learns, per connection (SSL app data).
struct VerifyState {
  NameLookup* ledger = nullptr;
  const IotakeOptions* opts = nullptr;
  std::optional<PeerIdentity> peer;
  std::optional<Error> error;
};

int verify_with_ledger(X509_STORE_CTX* ctx, void*) {
  auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(ctx, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* st = static_cast<VerifyState*>(SSL_get_app_data(ssl));
  X509* leaf = X509_STORE_CTX_get0_cert(ctx);
  if (st == nullptr || leaf == nullptr) return 0;
  Result<Bytes> der = x509_der(leaf);
  Result<PeerIdentity> p =
      der.ok() ? authenticate_peer(*der, *st->ledger, *st->opts) : Result<PeerIdentity>(der.error());
  if (!p.ok()) {
    st->error = p.error();
    X509_STORE_CTX_set_error(ctx, X509_V_ERR_APPLICATION_VERIFICATION);
    return 0;
  }
  st->peer = std::move(p).value();
  return 1;
}

struct CtxFree {
  void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};

Result<std::unique_ptr<SSL_CTX, CtxFree>> make_ctx(const Identity& me) {
  std::unique_ptr<SSL_CTX, CtxFree> ctx(SSL_CTX_new(TLS_method()));
  if (!ctx) return make_error(ErrorCode::kCryptoFailure, "SSL_CTX_new: " + openssl_error());
  TM_ASSIGN_OR_RETURN(X509Ptr cert, parse_x509(me.cert_der));
  TM_ASSIGN_OR_RETURN(EvpPkeyPtr key, evp_private(me.key));
  if (SSL_CTX_set_min_proto_version(ctx.get(), TLS1_3_VERSION) != 1 ||
      SSL_CTX_set_max_proto_version(ctx.get(), TLS1_3_VERSION) != 1 ||
      SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1 || SSL_CTX_check_private_key(ctx.get()) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "TLS context: " + openssl_error());
  }
  SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  SSL_CTX_set_cert_verify_callback(ctx.get(), verify_with_ledger, nullptr);
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  return ctx;
}

// The TLS context of the identity used last on this thread: building one
// (certificate and key import, key check) costs more than a handshake's
// share of work, and a device uses one identity for many handshakes.
struct CtxCache {
  Hash32 cert{};
  Hash32 key{};
  std::unique_ptr<SSL_CTX, CtxFree> ctx;
};

Result<SSL_CTX*> ctx_for(const Identity& me) {
  thread_local CtxCache cache;
  Hash32 cert = sha256(me.cert_der);
  Hash32 key = sha256(me.key.public_key().encoded());
  if (!cache.ctx || cache.cert != cert || cache.key != key) {
    TM_ASSIGN_OR_RETURN(auto ctx, make_ctx(me));
    cache.ctx = std::move(ctx);
    cache.cert = cert;
    cache.key = key;
  }
  return cache.ctx.get();
}

}  // namespace

Result<PeerIdentity> authenticate_peer(ByteView cert_der, NameLookup& ledger, const IotakeOptions& opts) {
  Result<X509Ptr> x = parse_x509(cert_der);
  if (!x.ok())
    return make_error(ErrorCode::kVerificationFailure,
                      "verification failure: peer certificate: " + x.error().message);
  return authenticate_peer_x509(x->get(), ledger, opts);
}

Result<PeerIdentity> authenticate_peer_x509(X509* cert, NameLookup& ledger, const IotakeOptions& opts) {
  auto fail = [](const std::string& why) {
    return make_error(ErrorCode::kVerificationFailure, "verification failure: " + why);
  };
  Result<Bytes> der = x509_der(cert);
  if (!der.ok()) return fail("peer certificate: " + der.error().message);
  const Bytes& cert_der = *der;
  // No self-signature check: the exact DER must hash to what the ledger binds.
  Result<CertificateInfo> info = certificate_info(cert, false);
  if (!info.ok()) return fail("peer certificate: " + info.error().message);
  uint64_t now = opts.now ? opts.now() : system_now();
  if (now < info->not_before || now > info->not_after) {
    return fail("peer certificate of " + info->device_id + " is outside its validity period");
  }
  if (!opts.peers.empty() &&
      std::find(opts.peers.begin(), opts.peers.end(), info->device_id) == opts.peers.end()) {
    return make_error(ErrorCode::kNotMember, "peer " + info->device_id + " is not in the membership list");
  }
  Result<NameFacts> facts = ledger.lookup(info->device_id);
  if (!facts.ok()) {
    if (facts.error().code == ErrorCode::kLedgerUnavailable) return facts.error();
    return fail("ledger look-up of " + info->device_id + ": " + facts.error().message);
  }
  Hash32 presented = sha256(cert_der);
  if (facts->status != "active") {
    return fail("the ledger says " + info->device_id + " is " + facts->status + " (" + facts->source + ")");
  }
  if (facts->cert_hash != presented) {
    return fail("certificate hash mismatch: " + info->device_id + " presented " + to_hex(presented) +
                " but the ledger binds " + to_hex(facts->cert_hash) + " (" + facts->source + ")");
  }
  return PeerIdentity{info->device_id, info->key, presented, std::move(facts).value()};
}

IotakeSession::~IotakeSession() {
  if (ssl_) SSL_shutdown(ssl_.get());
}

Status IotakeSession::send(ByteView frame) {
  if (frame.size() > UINT32_MAX) return make_error(ErrorCode::kTooLarge, "frame too large");
  Bytes buf(4 + frame.size());
  for (int i = 0; i < 4; ++i)
    buf[static_cast<size_t>(i)] = static_cast<uint8_t>(frame.size() >> (24 - 8 * i));
  std::copy(frame.begin(), frame.end(), buf.begin() + 4);
  size_t done = 0;
  while (done < buf.size()) {
    size_t n = 0;
    if (SSL_write_ex(ssl_.get(), buf.data() + done, buf.size() - done, &n) != 1) {
      return make_error(ErrorCode::kIo, "TLS write: " + openssl_error());
    }
    done += n;
  }
  return Status::Ok();
}

Result<Bytes> IotakeSession::receive(size_t max) {
  auto read = [&](uint8_t* p, size_t want) -> Status {
    while (want > 0) {
      size_t n = 0;
      if (SSL_read_ex(ssl_.get(), p, want, &n) != 1) {
        return make_error(ErrorCode::kIo, "TLS read: connection closed or timed out");
      }
      p += n;
      want -= n;
    }
    return Status::Ok();
  };
  uint8_t len[4];
  TM_TRY(read(len, 4));
  size_t n = (size_t{len[0]} << 24) | (size_t{len[1]} << 16) | (size_t{len[2]} << 8) | len[3];
  if (n > max)
    return make_error(ErrorCode::kTooLarge, "frame of " + std::to_string(n) + " bytes over the limit");
  Bytes out(n);
  TM_TRY(read(out.data(), n));
  return out;
}

Result<IotakeSession> iotake_handshake(Socket sock, bool client, const Identity& me, NameLookup& ledger,
                                       const IotakeOptions& opts) {
  TM_ASSIGN_OR_RETURN(SSL_CTX * ctx, ctx_for(me));
  std::unique_ptr<SSL, SslFree> ssl(SSL_new(ctx));  // holds its own reference to ctx
  if (!ssl || SSL_set_fd(ssl.get(), sock.fd()) != 1) {
    return make_error(ErrorCode::kCryptoFailure, "SSL_new: " + openssl_error());
  }
  VerifyState st{&ledger, &opts, std::nullopt, std::nullopt};
  SSL_set_app_data(ssl.get(), &st);
  int rc = client ? SSL_connect(ssl.get()) : SSL_accept(ssl.get());
  // TLS 1.3: a client learns that the server refused its certificate only at
  // its first read, so the client waits for the server's one-byte verdict.
  if (rc == 1 && client) {
    uint8_t verdict = 0;
    size_t n = 0;
    if (SSL_read_ex(ssl.get(), &verdict, 1, &n) != 1 || verdict != 1) rc = 0;
  } else if (rc == 1) {
    uint8_t ok = 1;
    size_t n = 0;
    if (SSL_write_ex(ssl.get(), &ok, 1, &n) != 1) rc = 0;
  }
  SSL_set_app_data(ssl.get(), nullptr);
  if (rc != 1) {
    if (st.error) {
      ERR_clear_error();
      return *st.error;
    }
    std::string why = openssl_error();
    return make_error(
        ErrorCode::kVerificationFailure,
        "verification failure: the peer refused our certificate or the handshake failed (" + why + ")");
  }
  if (!st.peer)
    return make_error(ErrorCode::kVerificationFailure, "verification failure: the peer sent no certificate");
  Bytes msk(32);
  if (SSL_export_keying_material(ssl.get(), msk.data(), msk.size(), kMskLabel.data(), kMskLabel.size(),
                                 nullptr, 0, 0) != 1) {
    return make_error(ErrorCode::kMskFailure, "msk generation failure: " + openssl_error());
  }
  SSL_set_app_data(ssl.get(), nullptr);
  return IotakeSession(std::move(sock), std::move(ssl), std::move(*st.peer), std::move(msk));
}

Result<IotakeSession> iotake_connect(const Endpoint& to, const Identity& me, NameLookup& ledger,
                                     const IotakeOptions& opts) {
  TM_ASSIGN_OR_RETURN(Socket s, tcp_connect(to, opts.io_timeout_ms));
  return iotake_handshake(std::move(s), true, me, ledger, opts);
}

}  // namespace trustmesh::device
