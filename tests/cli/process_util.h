// Helpers for tests that run real `trustmesh node` processes on 127.0.0.1:
// start one (fork/exec, reading its JSON startup line), stop it with a
// signal, and talk to its HTTP API with cpp-httplib.
#pragma once

#include <sys/types.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace trustmesh::testproc {

std::string binary();  // path of the built trustmesh binary
// A fresh temp directory path (not created) unique to this process and tag.
std::string temp_path(const std::string& tag);
// The whole file as text ("" if it cannot be read).
std::string read_all(const std::string& path);

// A TCP port that was free a moment ago on 127.0.0.1.
uint16_t free_port();

// Runs `trustmesh <args>` to completion; returns exit status and stdout+stderr.
struct Exec {
  int status = -1;
  std::string out;
};
Exec run(const std::string& args);
// Runs a shell command line to completion (e.g. the openssl tools).
Exec run_shell(const std::string& command);

class NodeProcess {
 public:
  // Starts `trustmesh node --data DIR --json [extra args]` and waits until its API answers.
  static std::optional<NodeProcess> start(const std::string& data_dir, std::string* error = nullptr,
                                          const std::vector<std::string>& extra = {});
  NodeProcess(NodeProcess&& o) noexcept : pid_(o.pid_), url_(std::move(o.url_)), port_(o.port_) {
    o.pid_ = -1;
  }
  NodeProcess(const NodeProcess&) = delete;
  ~NodeProcess();

  const std::string& url() const { return url_; }
  uint16_t port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends sig and waits for the process; returns its wait status.
  int signal_and_wait(int sig);

 private:
  NodeProcess() = default;
  pid_t pid_ = -1;
  std::string url_;
  uint16_t port_ = 0;
};

// A long-running `trustmesh <args>` server (edge serve, ...): stdout and
// stderr go to `log`; start() waits (up to 30 s) for its JSON line with
// "event": "ready". Killed with SIGKILL when destroyed, and with its parent.
class ServiceProcess {
 public:
  static std::optional<ServiceProcess> start(const std::vector<std::string>& args, const std::string& log,
                                             std::string* error = nullptr);
  ServiceProcess(ServiceProcess&& o) noexcept : pid_(o.pid_), ready_(std::move(o.ready_)) { o.pid_ = -1; }
  ServiceProcess(const ServiceProcess&) = delete;
  ~ServiceProcess();
  const nlohmann::json& ready() const { return ready_; }  // the "ready" line
  int signal_and_wait(int sig);

 private:
  ServiceProcess() = default;
  pid_t pid_ = -1;
  nlohmann::json ready_;
};

// The last JSON object line of a command's output (progress lines come first).
nlohmann::json last_json(const std::string& out);

// `trustmesh init` of a one-validator dev chain (100 ms blocks) in data_dir,
// then its node; points TRUSTMESH_NODE and TRUSTMESH_KEYRING at them.
// nullopt (with *error set) if either step fails.
std::optional<NodeProcess> start_dev_node(const std::string& data_dir, std::string* error,
                                          const std::vector<std::string>& node_args = {});

struct HttpResult {
  int status = 0;  // 0 = transport error
  std::string body;
  nlohmann::json json() const;  // discarded value if not JSON
};
HttpResult http_get(uint16_t port, const std::string& path);
HttpResult http_post(uint16_t port, const std::string& path, const std::string& body,
                     const std::string& type);

}  // namespace trustmesh::testproc
