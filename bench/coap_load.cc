// CoAP load driver for edge servers (not a Google Benchmark): N client
// threads, each with its own CoapClient (own UDP socket and session), send
// GETs back to back to one path for S seconds, then one JSON line goes to
// stdout:
//   {"requests":…, "ok":…, "errors":…, "rps":…, "p50_ms":…, "p99_ms":…}
// "ok" counts 2.xx answers; "errors" counts other answers and transport
// failures (timeouts). Latencies are of every finished request (ok or not).
//
//   coap_load --host 127.0.0.1 --port P --path /v1/... [--clients N] [--seconds S]
//             [--timeout-ms T]
//
// Threads share nothing but their results, merged after they stop.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "edge/coap_client.h"

using namespace trustmesh;
using namespace trustmesh::edge;

namespace {

struct Totals {
  uint64_t requests = 0, ok = 0, errors = 0;
  std::vector<double> latencies_ms;
  std::string first_error;
};

[[noreturn]] void usage() {
  std::fprintf(stderr,
               "usage: coap_load --host H --port P --path /v1/... [--clients N] [--seconds S] "
               "[--timeout-ms T]\n");
  std::exit(2);
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  const size_t k = std::min(v.size() - 1, static_cast<size_t>(p * static_cast<double>(v.size())));
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
  return v[k];
}

}  // namespace

int main(int argc, char** argv) {
  std::string host = "127.0.0.1", path;
  long port = 0, clients = 1, timeout_ms = 5000;
  double seconds = 10;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc) usage();
    const char* v = argv[++i];
    if (a == "--host") {
      host = v;
    } else if (a == "--port") {
      port = std::strtol(v, nullptr, 10);
    } else if (a == "--path") {
      path = v;
    } else if (a == "--clients") {
      clients = std::strtol(v, nullptr, 10);
    } else if (a == "--seconds") {
      seconds = std::strtod(v, nullptr);
    } else if (a == "--timeout-ms") {
      timeout_ms = std::strtol(v, nullptr, 10);
    } else {
      usage();
    }
  }
  if (port <= 0 || port > 65535 || path.empty() || clients <= 0 || clients > 1024 || !(seconds > 0) ||
      timeout_ms <= 0) {
    usage();
  }

  std::vector<Totals> totals(static_cast<size_t>(clients));
  std::atomic<bool> go{false};
  const auto duration = std::chrono::duration<double>(seconds);
  std::vector<std::thread> threads;
  for (long c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      Totals& t = totals[static_cast<size_t>(c)];
      auto client = CoapClient::connect(host, static_cast<uint16_t>(port));
      if (!client.ok()) {
        t.first_error = client.error().to_string();
        return;
      }
      while (!go.load()) std::this_thread::yield();
      const auto end = std::chrono::steady_clock::now() + duration;
      while (std::chrono::steady_clock::now() < end) {
        const auto t0 = std::chrono::steady_clock::now();
        auto reply = (*client)->request("GET", path, {}, std::chrono::milliseconds(timeout_ms));
        const auto t1 = std::chrono::steady_clock::now();
        ++t.requests;
        t.latencies_ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
        if (reply.ok() && coap_code::code_class(reply->code) == 2) {
          ++t.ok;
        } else {
          ++t.errors;
          if (t.first_error.empty()) {
            t.first_error =
                reply.ok() ? "answer " + coap_code::to_string(reply->code) : reply.error().to_string();
          }
        }
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  go.store(true);
  for (auto& th : threads) th.join();
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  Totals all;
  for (auto& t : totals) {
    all.requests += t.requests;
    all.ok += t.ok;
    all.errors += t.errors;
    all.latencies_ms.insert(all.latencies_ms.end(), t.latencies_ms.begin(), t.latencies_ms.end());
    if (all.first_error.empty()) all.first_error = t.first_error;
  }
  if (!all.first_error.empty()) std::fprintf(stderr, "coap_load: first error: %s\n", all.first_error.c_str());
  const double p50 = percentile(all.latencies_ms, 0.50);
  const double p99 = percentile(all.latencies_ms, 0.99);
  std::printf(
      "{\"requests\":%llu,\"ok\":%llu,\"errors\":%llu,\"rps\":%.1f,\"p50_ms\":%.3f,\"p99_ms\":%.3f}\n",
      static_cast<unsigned long long>(all.requests), static_cast<unsigned long long>(all.ok),
      static_cast<unsigned long long>(all.errors),
      elapsed > 0 ? static_cast<double>(all.requests) / elapsed : 0.0, p50, p99);
  return all.ok > 0 ? 0 : 1;
}
