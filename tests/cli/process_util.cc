// Real node processes for the CLI-level tests (see process_util.h).
#include "process_util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace trustmesh::testproc {

std::string binary() {
  return std::string(TM_BINARY_DIR) + "/trustmesh";
}

std::string temp_path(const std::string& tag) {
  static int counter = 0;
  auto p = std::filesystem::temp_directory_path() /
           ("trustmesh-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(p);
  return p.string();
}

std::string read_all(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint16_t free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

Exec run(const std::string& args) {
  return run_shell(binary() + " " + args);
}

Exec run_shell(const std::string& command) {
  std::string cmd = command + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  Exec e;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) e.out.append(buf, n);
  int st = pclose(p);
  e.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return e;
}

std::optional<NodeProcess> NodeProcess::start(const std::string& data_dir, std::string* error,
                                              const std::vector<std::string>& extra) {
  int out[2];
  if (::pipe(out) != 0) return std::nullopt;
  pid_t pid = ::fork();
  if (pid == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    // The node's log goes to DIR/node.log (appended across restarts), so a
    // failed start can say why.
    const int log = ::open((data_dir + "/node.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) ::dup2(log, 2);
    ::dup2(out[1], 1);
    ::close(out[0]);
    ::close(out[1]);
    std::string bin = binary();
    std::vector<const char*> argv = {bin.c_str(), "node", "--data", data_dir.c_str(), "--json"};
    for (const std::string& a : extra) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  ::close(out[1]);
  NodeProcess p;
  p.pid_ = pid;
  std::string line;
  char c;
  while (::read(out[0], &c, 1) == 1 && c != '\n') line.push_back(c);
  ::close(out[0]);  // later output goes nowhere (the node ignores SIGPIPE)
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.contains("api")) {
    if (error) {
      const std::string log = read_all(data_dir + "/node.log");
      *error = "node did not start: '" + line + "'; the end of " + data_dir +
               "/node.log: " + log.substr(log.size() > 2000 ? log.size() - 2000 : 0);
    }
    return std::nullopt;
  }
  p.url_ = j["api"].get<std::string>();
  p.port_ = static_cast<uint16_t>(std::stoi(p.url_.substr(p.url_.rfind(':') + 1)));
  for (int i = 0; i < 200; ++i) {
    if (http_get(p.port_, "/v1/status").status == 200) return p;
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (error) *error = "node API at " + p.url_ + " never answered";
  return std::nullopt;
}

NodeProcess::~NodeProcess() {
  if (pid_ > 0) signal_and_wait(SIGKILL);
}

namespace {
// Sends sig to *pid, waits for it and forgets it; -1 if there is none.
int kill_and_reap(pid_t* pid, int sig) {
  if (*pid <= 0) return -1;
  ::kill(*pid, sig);
  int st = 0;
  ::waitpid(*pid, &st, 0);
  *pid = -1;
  return st;
}
}  // namespace

int NodeProcess::signal_and_wait(int sig) {
  return kill_and_reap(&pid_, sig);
}

std::optional<ServiceProcess> ServiceProcess::start(const std::vector<std::string>& args,
                                                    const std::string& log, std::string* error) {
  ServiceProcess p;
  const size_t seen = read_all(log).size();  // a restart appends to the same log: only new lines count
  p.pid_ = ::fork();
  if (p.pid_ == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive a crashed test
    const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::string bin = binary();
    std::vector<const char*> argv = {bin.c_str()};
    for (const std::string& a : args) argv.push_back(a.c_str());
    argv.push_back(nullptr);
    ::execv(bin.c_str(), const_cast<char* const*>(argv.data()));
    ::_exit(127);
  }
  for (int i = 0; i < 1200; ++i) {
    std::string text = read_all(log);
    std::istringstream lines(text.size() > seen ? text.substr(seen) : std::string());
    for (std::string line; std::getline(lines, line);) {
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.value("event", "") == "ready") {
        p.ready_ = std::move(j);
        return p;
      }
    }
    int st = 0;
    if (::waitpid(p.pid_, &st, WNOHANG) == p.pid_) {
      p.pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  if (error) *error = "the service did not say it was ready; its log: " + read_all(log);
  return std::nullopt;
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) signal_and_wait(SIGKILL);
}

int ServiceProcess::signal_and_wait(int sig) {
  return kill_and_reap(&pid_, sig);
}

nlohmann::json HttpResult::json() const {
  return nlohmann::json::parse(body, nullptr, false);
}

HttpResult http_get(uint16_t port, const std::string& path) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2);
  cli.set_read_timeout(10);
  auto r = cli.Get(path.c_str());
  if (!r) return {};
  return {r->status, r->body};
}

HttpResult http_post(uint16_t port, const std::string& path, const std::string& body,
                     const std::string& type) {
  httplib::Client cli("127.0.0.1", port);
  cli.set_connection_timeout(2);
  cli.set_read_timeout(10);
  auto r = cli.Post(path.c_str(), body, type.c_str());
  if (!r) return {};
  return {r->status, r->body};
}

nlohmann::json last_json(const std::string& out) {
  size_t pos = out.rfind("\n{");
  size_t first = out.find('{');
  if (pos == std::string::npos && first == std::string::npos) return nlohmann::json::value_t::discarded;
  return nlohmann::json::parse(pos == std::string::npos ? out.substr(first) : out.substr(pos + 1), nullptr,
                               false);
}

std::optional<NodeProcess> start_dev_node(const std::string& data_dir, std::string* error,
                                          const std::vector<std::string>& node_args) {
  Exec init = run("init --data " + data_dir + " --port " + std::to_string(free_port()) +
                  " --block-interval-ms 100 --json");
  if (init.status != 0) {
    if (error) *error = "trustmesh init failed: " + init.out;
    return std::nullopt;
  }
  auto n = NodeProcess::start(data_dir, error, node_args);
  if (!n) return std::nullopt;
  ::setenv("TRUSTMESH_NODE", n->url().c_str(), 1);
  ::setenv("TRUSTMESH_KEYRING", (data_dir + "/keys").c_str(), 1);
  return n;
}

}  // namespace trustmesh::testproc
