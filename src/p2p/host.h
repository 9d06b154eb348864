// The p2p host: node-to-node links over TCP with TLS 1.3 and nothing else.
//
// Identity: a node is its node key. Each side of a link presents an X.509
// certificate self-signed with its node key (made in memory at start); there
// is no certificate authority, the peer's id is Address::of(the certificate's
// public key), and TLS proves the peer holds that key. A seed written as
// "<node id>@host:port" must present that id.
//
// Wire: frames of u32 big-endian payload length || u8 channel || payload.
// Channel 0 is the host's own (hello, peer exchange); 1..255 belong to the
// node and are handed to the MessageHandler. Right after TLS each side sends
// hello {"chain", "version", "listen"}; another chain or version, a frame over
// max_message_bytes, a message before hello, or exceeding the per-peer token
// buckets (messages and bytes per second, burst = one second's worth) ends
// the link; punish() also bans the peer for a while. A peer whose send queue
// exceeds max_send_queue_bytes is too slow and is dropped.
//
// Threads: one io thread runs every socket; handlers run on it and must be
// quick. Every public method may be called from any thread.
//
// Invariants: at most one link per peer id (when two peers dial each other at
// once, both keep the link dialed by the smaller id); never a link to itself;
// frames on a link are written whole and in order.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/address.h"
#include "core/keys.h"

namespace trustmesh::p2p {

using NodeId = Address;  // Address::of(node public key)

inline constexpr uint8_t kChannelP2p = 0;  // the host's own messages

struct HostConfig {
  std::string chain_id;  // peers on another chain are refused at hello
  KeyPair node_key = KeyPair::generate().value();
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;        // 0 = pick a free port (port() tells)
  std::string external_address;    // "host:port" advertised to peers; empty = listen_host:port()
  std::vector<std::string> seeds;  // "host:port" or "<node id>@host:port"
  size_t max_peers = 32;
  size_t max_message_bytes = 8 << 20;
  double max_messages_per_s = 20000;
  double max_bytes_per_s = 256 << 20;
  size_t max_send_queue_bytes = 64 << 20;
  uint64_t dial_interval_ms = 500;  // re-dial seeds and learned addresses not connected
  bool pex = true;
};

struct PeerInfo {
  NodeId id;
  std::string address;  // remote endpoint
  std::string listen;   // what it advertised in hello
  bool outbound = false;
  uint64_t sent_bytes = 0;
  uint64_t received_bytes = 0;
};

class Host {
 public:
  using MessageHandler = std::function<void(const NodeId& from, uint8_t channel, Bytes payload)>;
  using PeerHandler = std::function<void(const NodeId& peer, bool connected)>;

  static Result<std::unique_ptr<Host>> start(HostConfig config, MessageHandler on_message,
                                             PeerHandler on_peer = {});
  ~Host();
  // Closes every link and joins the io thread; no handler runs afterwards.
  void stop();

  uint16_t port() const;
  const NodeId& id() const;
  void broadcast(uint8_t channel, Bytes payload, const std::optional<NodeId>& except = std::nullopt);
  bool send(const NodeId& to, uint8_t channel, Bytes payload);  // false if not linked
  // A peer broke the protocol: drop the link and refuse the peer for ban_ms.
  void punish(const NodeId& peer, std::string_view reason, uint64_t ban_ms = 60000);
  std::vector<PeerInfo> peers() const;
  size_t peer_count() const;

  struct Impl;

 private:
  explicit Host(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<Impl> impl_;
};

}  // namespace trustmesh::p2p
