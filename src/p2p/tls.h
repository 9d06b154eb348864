// TLS 1.3 contexts for p2p links: a certificate self-signed with the node key
// (made in memory), mutual authentication without any CA, and the peer id
// taken from the peer's certificate.
#pragma once

#include <openssl/ssl.h>

#include "core/address.h"
#include "core/keys.h"

namespace trustmesh::p2p {

// Configures `ctx` for TLS 1.3 only, with a fresh self-signed certificate for
// `key`, requiring a peer certificate and accepting any (identity is checked
// by id after the handshake).
Status configure_tls(SSL_CTX* ctx, const KeyPair& key);

// The id of the peer on `ssl` after a completed handshake.
Result<Address> peer_id(SSL* ssl);

}  // namespace trustmesh::p2p
