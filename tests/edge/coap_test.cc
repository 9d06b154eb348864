// CoAP transport of edge servers (edge/coap_server.h, edge/coap_client.h) over
// real UDP on 127.0.0.1: round trips, path/query/method pass-through,
// block-wise answers and requests, error codes with CBOR diagnostics, the
// request payload limit, handler exceptions, garbage datagrams, client
// timeouts, client reuse, and a prompt stop().
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "core/cbor.h"
#include "edge/coap_client.h"
#include "edge/coap_server.h"

namespace trustmesh::edge {
namespace {

using namespace std::chrono_literals;

std::unique_ptr<CoapServer> serve(CoapHandler handler, CoapServerLimits limits = {}) {
  auto s = CoapServer::start("127.0.0.1", 0, std::move(handler), limits);
  EXPECT_TRUE(s.ok()) << s.error().to_string();
  EXPECT_NE((*s)->port(), 0);
  return std::move(s).value();
}

// Answers with the request described in CBOR (method, path, query, payload, format).
CoapReply echo(const CoapRequest& r) {
  cbor::MapEntries m;
  m.emplace_back(cbor::Value::text("method"), cbor::Value::text(r.method));
  m.emplace_back(cbor::Value::text("path"), cbor::Value::text(r.path));
  m.emplace_back(cbor::Value::text("query"), cbor::Value::text(r.query));
  m.emplace_back(cbor::Value::text("payload"), cbor::Value::bytes(r.payload));
  m.emplace_back(cbor::Value::text("format"),
                 r.content_format ? cbor::Value::uint(*r.content_format) : cbor::Value::null());
  CoapReply reply;
  reply.payload = cbor::encode(cbor::Value::map(std::move(m)));
  reply.max_age = 30;
  return reply;
}

cbor::Value decode(const CoapReply& r) {
  auto v = cbor::decode(r.payload);
  EXPECT_TRUE(v.ok()) << v.error().to_string();
  return v.ok() ? *v : cbor::Value();
}

std::string text_of(const cbor::Value& v, std::string_view key) {
  const cbor::Value* f = v.find(key);
  return f && f->is_text() ? std::string(f->text_view()) : "<missing>";
}

Bytes pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 31 + i / 251);
  return b;
}

TEST(Coap, EchoRoundTrip) {
  auto server = serve(echo);
  auto reply = coap_request("127.0.0.1", server->port(), "POST", "/v1/echo", as_bytes("hello"));
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(reply->code, coap_code::kContent);
  EXPECT_EQ(reply->content_format, coap_format::kCbor);
  EXPECT_EQ(reply->max_age, 30u);
  auto v = decode(*reply);
  EXPECT_EQ(text_of(v, "method"), "POST");
  EXPECT_EQ(text_of(v, "path"), "/v1/echo");
  ASSERT_NE(v.find("payload"), nullptr);
  EXPECT_EQ(to_string(v.find("payload")->bytes_view()), "hello");
}

TEST(Coap, PathQueryMethodAndFormatPassThrough) {
  auto server = serve(echo);
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok()) << client.error().to_string();
  auto reply = (*client)->request("GET", "/v1/status/abc?proof=1&height=7");
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  auto v = decode(*reply);
  EXPECT_EQ(text_of(v, "method"), "GET");
  EXPECT_EQ(text_of(v, "path"), "/v1/status/abc");
  EXPECT_EQ(text_of(v, "query"), "proof=1&height=7");
  EXPECT_TRUE(v.find("format")->is_null());

  // Percent-escapes: a '/' inside one segment stays escaped on the server side.
  reply = (*client)->request("GET", "/v1/names/a%2Fb?q=x%20y");
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  v = decode(*reply);
  EXPECT_EQ(text_of(v, "path"), "/v1/names/a%2Fb");
  EXPECT_EQ(text_of(v, "query"), "q=x%20y");

  reply = (*client)->request("GET", "/");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(text_of(decode(*reply), "path"), "/");

  // .well-known/core reaches the handler too (libcoap would answer it itself).
  reply = (*client)->request("GET", "/.well-known/core");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(text_of(decode(*reply), "path"), "/.well-known/core");

  for (const char* m : {"PUT", "DELETE", "FETCH", "PATCH", "iPATCH"}) {
    reply = (*client)->request(m, "/x", as_bytes("{}"), 5s, coap_format::kJson);
    ASSERT_TRUE(reply.ok()) << m << ": " << reply.error().to_string();
    v = decode(*reply);
    EXPECT_EQ(text_of(v, "method"), m);
    ASSERT_TRUE(v.find("format")->is_uint());
    EXPECT_EQ(*v.find("format")->as_uint(), coap_format::kJson);
  }
  EXPECT_EQ((*client)->request("BREW", "/x").error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ((*client)->request("GET", "/x%zz").error().code, ErrorCode::kInvalidArgument);
}

TEST(Coap, LargeAnswerArrivesWholeBlockwise) {
  const Bytes big = pattern(10 * 1024);
  std::atomic<int> calls{0};
  auto server = serve([&](const CoapRequest& r) {
    ++calls;
    CoapReply reply;
    reply.content_format = coap_format::kOctetStream;
    reply.payload = r.path == "/big" ? big : pattern(3000);
    return reply;
  });
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 3; ++i) {
    auto reply = (*client)->request("GET", "/big");
    ASSERT_TRUE(reply.ok()) << reply.error().to_string();
    EXPECT_EQ(reply->code, coap_code::kContent);
    EXPECT_EQ(reply->content_format, coap_format::kOctetStream);
    EXPECT_EQ(reply->payload, big);
    // Another large answer in between, on the same session.
    reply = (*client)->request("GET", "/other");
    ASSERT_TRUE(reply.ok()) << reply.error().to_string();
    EXPECT_EQ(reply->payload, pattern(3000));
  }
  EXPECT_EQ(calls.load(), 6);  // later blocks come from libcoap, not the handler
}

TEST(Coap, LargeRequestIsReassembled) {
  auto server = serve(echo);
  const Bytes body = pattern(5000);
  auto reply = coap_request("127.0.0.1", server->port(), "POST", "/upload", body);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  auto v = decode(*reply);
  ASSERT_NE(v.find("payload"), nullptr);
  EXPECT_EQ(to_bytes(v.find("payload")->bytes_view()), body);
}

TEST(Coap, ErrorCodesAndCborDiagnostics) {
  auto server = serve([](const CoapRequest& r) {
    if (r.method != "GET") return coap_error(coap_code::kMethodNotAllowed, "method_not_allowed", "GET only");
    if (r.path == "/empty") {
      CoapReply reply;
      reply.code = coap_code::kDeleted;
      return reply;
    }
    if (r.path == "/text") {
      CoapReply reply;
      reply.content_format = coap_format::kTextPlain;
      reply.payload = to_bytes("plain");
      return reply;
    }
    return coap_error(coap_code::kNotFound, "not_found", "no name '" + r.path + "' \xff");
  });
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok());

  auto reply = (*client)->request("GET", "/v1/names/nope");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kNotFound);
  EXPECT_EQ(coap_code::to_string(reply->code), "4.04");
  EXPECT_EQ(reply->content_format, coap_format::kCbor);
  auto v = decode(*reply);
  EXPECT_EQ(text_of(v, "error"), "not_found");
  EXPECT_EQ(text_of(v, "message"), "no name '/v1/names/nope' \xef\xbf\xbd");  // invalid UTF-8 replaced

  reply = (*client)->request("POST", "/v1/names/x", as_bytes("x"));
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kMethodNotAllowed);
  EXPECT_EQ(text_of(decode(*reply), "error"), "method_not_allowed");

  reply = (*client)->request("GET", "/empty");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kDeleted);
  EXPECT_TRUE(reply->payload.empty());
  EXPECT_FALSE(reply->content_format.has_value());

  reply = (*client)->request("GET", "/text");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->content_format, coap_format::kTextPlain);  // format 0 is sent, not dropped
  EXPECT_EQ(to_string(reply->payload), "plain");
}

TEST(Coap, RequestPayloadLimit) {
  std::atomic<int> calls{0};
  auto server = serve(
      [&](const CoapRequest& r) {
        ++calls;
        return echo(r);
      },
      CoapServerLimits{.max_request_payload = 4096});
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok());
  auto reply = (*client)->request("POST", "/up", pattern(4096));
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(reply->code, coap_code::kContent);
  EXPECT_EQ(calls.load(), 1);

  reply = (*client)->request("POST", "/up", pattern(4097));
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(reply->code, coap_code::kRequestEntityTooLarge);
  EXPECT_EQ(text_of(decode(*reply), "error"), "too_large");
  EXPECT_EQ(calls.load(), 1);

  // The session still works afterwards.
  reply = (*client)->request("GET", "/after");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kContent);
}

TEST(Coap, HandlerExceptionIsInternalServerError) {
  auto server = serve([](const CoapRequest& r) -> CoapReply {
    if (r.path == "/throw") throw std::runtime_error("boom");
    if (r.path == "/throw-int") throw 42;
    if (r.path == "/bad-code") {
      CoapReply reply;
      reply.code = 0x01;  // a request code, not a response code
      return reply;
    }
    return echo(r);
  });
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok());
  auto reply = (*client)->request("GET", "/throw");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kInternalServerError);
  auto v = decode(*reply);
  EXPECT_EQ(text_of(v, "error"), "internal");
  EXPECT_EQ(text_of(v, "message"), "boom");

  reply = (*client)->request("GET", "/throw-int");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kInternalServerError);

  reply = (*client)->request("GET", "/bad-code");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kInternalServerError);

  reply = (*client)->request("GET", "/fine");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(reply->code, coap_code::kContent);
}

TEST(Coap, GarbageDatagramsThenAGoodRequest) {
  auto server = serve(echo);
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(server->port());
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::vector<Bytes> garbage = {
      {},                                               // empty datagram
      {0xff},                                           // one byte
      {0x40, 0x01},                                     // truncated header
      {0x4f, 0x01, 0x12, 0x34},                         // token length 15 (reserved)
      {0x48, 0x01, 0x12, 0x34, 1, 2},                   // token longer than the datagram
      {0x40, 0x01, 0x12, 0x34, 0xbf, 0xff},             // option delta 15 (reserved)
      {0x40, 0x01, 0x12, 0x35, 0xdd, 0xff, 0xff, 'a'},  // option longer than the datagram
      {0x40, 0x01, 0x12, 0x36, 0xff},                   // payload marker, no payload
      {0x80, 0x01, 0x12, 0x37},                         // version 2
      pattern(1400),
      to_bytes("GET /v1/status HTTP/1.1\r\n\r\n"),
  };
  for (const auto& g : garbage) {
    ssize_t n = sendto(fd, g.data(), g.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to);
    EXPECT_EQ(n, static_cast<ssize_t>(g.size()));
  }
  ::close(fd);
  auto reply = coap_request("127.0.0.1", server->port(), "GET", "/v1/ok");
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(reply->code, coap_code::kContent);
  EXPECT_EQ(text_of(decode(*reply), "path"), "/v1/ok");
}

TEST(Coap, ClientTimesOutWhenNothingListens) {
  // A port that was free a moment ago: bind, read it, close.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  socklen_t len = sizeof a;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  const uint16_t port = ntohs(a.sin_port);
  ::close(fd);

  const auto t0 = std::chrono::steady_clock::now();
  auto reply = coap_request("127.0.0.1", port, "GET", "/v1/status", {}, 700ms);
  const auto took = std::chrono::steady_clock::now() - t0;
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kIo);
  EXPECT_NE(reply.error().message.find("did not answer"), std::string::npos) << reply.error().message;
  EXPECT_LT(took, 10s);  // a hang, not a speed check

  // A silent peer (bound socket that never answers): the timeout itself.
  fd = socket(AF_INET, SOCK_DGRAM, 0);
  a.sin_port = 0;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  len = sizeof a;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
  auto client = CoapClient::connect("127.0.0.1", ntohs(a.sin_port));
  ASSERT_TRUE(client.ok());
  const auto t1 = std::chrono::steady_clock::now();
  reply = (*client)->request("GET", "/v1/status", {}, 300ms);
  const auto took1 = std::chrono::steady_clock::now() - t1;
  ::close(fd);
  ASSERT_FALSE(reply.ok());
  EXPECT_EQ(reply.error().code, ErrorCode::kIo);
  EXPECT_NE(reply.error().message.find("did not answer within 300 ms"), std::string::npos)
      << reply.error().message;
  EXPECT_GE(took1, 300ms);
  EXPECT_LT(took1, 10s);  // a hang, not a speed check (no timing asserts)
}

TEST(Coap, ClientRecoversAfterATimeout) {
  std::atomic<bool> slow{true};
  auto server = serve([&](const CoapRequest& r) {
    if (r.path == "/slow" && slow.load()) std::this_thread::sleep_for(400ms);
    return echo(r);
  });
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok());
  auto reply = (*client)->request("GET", "/slow", {}, 100ms);
  ASSERT_FALSE(reply.ok());
  // The late answer to /slow must not be taken for the answer to /next.
  reply = (*client)->request("GET", "/next", {}, 5s);
  ASSERT_TRUE(reply.ok()) << reply.error().to_string();
  EXPECT_EQ(text_of(decode(*reply), "path"), "/next");
}

TEST(Coap, ManySequentialRequestsOnOneClient) {
  auto server = serve(echo);
  auto client = CoapClient::connect("127.0.0.1", server->port());
  ASSERT_TRUE(client.ok());
  for (int i = 0; i < 500; ++i) {
    const std::string path = "/v1/n/" + std::to_string(i);
    auto reply = (*client)->request("GET", path, {}, 5s);
    ASSERT_TRUE(reply.ok()) << i << ": " << reply.error().to_string();
    ASSERT_EQ(text_of(decode(*reply), "path"), path);
  }
}

TEST(Coap, ConcurrentClients) {
  auto server = serve(echo);
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      auto client = CoapClient::connect("127.0.0.1", server->port());
      if (!client.ok()) return;
      for (int i = 0; i < 50; ++i) {
        const std::string path = "/c/" + std::to_string(t) + "/" + std::to_string(i);
        auto reply = (*client)->request("GET", path, {}, 5s);
        if (reply.ok() && text_of(decode(*reply), "path") == path) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 200);
}

TEST(Coap, StopIsPromptAndFinal) {
  std::atomic<int> calls{0};
  auto server = serve([&](const CoapRequest& r) {
    ++calls;
    return echo(r);
  });
  const uint16_t port = server->port();
  ASSERT_TRUE(coap_request("127.0.0.1", port, "GET", "/a").ok());
  const auto t0 = std::chrono::steady_clock::now();
  server->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 10s);  // a hang, not a speed check
  server->stop();                                         // idempotent
  EXPECT_FALSE(coap_request("127.0.0.1", port, "GET", "/b", {}, 300ms).ok());
  EXPECT_EQ(calls.load(), 1);

  // The port is free again.
  auto again = CoapServer::start("127.0.0.1", port, echo);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_TRUE(coap_request("127.0.0.1", port, "GET", "/c").ok());
}

TEST(Coap, StartFailsOnBadArguments) {
  EXPECT_FALSE(CoapServer::start("no.such.host.invalid", 0, echo).ok());
  EXPECT_FALSE(CoapServer::start("127.0.0.1", 0, nullptr).ok());
  EXPECT_FALSE(CoapClient::connect("127.0.0.1", 0).ok());
}

}  // namespace
}  // namespace trustmesh::edge
