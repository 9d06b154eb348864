// Errors of the client commands (keys, name, tx, status, account, verify):
// an Error plus the exit status it maps to, and Outcome<T>, a Result whose
// error side is such a Failure.
//
// Exit statuses (documented in docs/API.md, Client commands):
//   0 ok; 1 an error reported by the node, or bad input; 2 usage (the command
//   line does not parse, CLI11); 3 cannot reach the node; 4 timeout waiting
//   for a block or a commit; 5 a tx was committed but its operation failed.
//
// Invariants: a Failure's exit status is never 0; an Outcome holds exactly one
// of a value or a Failure (accessing the wrong one aborts, like Result).
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "core/result.h"

namespace trustmesh::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitTimeout = 4;
inline constexpr int kExitTxFailed = 5;

struct Failure {
  Error error;
  int exit = kExitError;
};

template <typename T>
class [[nodiscard]] Outcome {
 public:
  Outcome(T value) : v_(std::in_place_index<0>, std::move(value)) {}           // NOLINT
  Outcome(Failure failure) : v_(std::in_place_index<1>, std::move(failure)) {  // NOLINT
    TM_ASSERT(std::get<1>(v_).exit != kExitOk);
  }
  Outcome(Error error) : v_(std::in_place_index<1>, Failure{std::move(error), kExitError}) {}  // NOLINT

  bool ok() const { return v_.index() == 0; }
  T& value() & {
    TM_ASSERT(ok());
    return std::get<0>(v_);
  }
  const T& value() const& {
    TM_ASSERT(ok());
    return std::get<0>(v_);
  }
  T&& value() && {
    TM_ASSERT(ok());
    return std::get<0>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Failure& failure() const {
    TM_ASSERT(!ok());
    return std::get<1>(v_);
  }

 private:
  std::variant<T, Failure> v_;
};

// An Outcome with no value.
using Done = Outcome<std::monostate>;
inline constexpr std::monostate kDone{};

// The Failure of any failed Result, Status or Outcome (bad input: exit 1).
template <typename T>
Failure failure_of(const Result<T>& r) {
  return Failure{r.error(), kExitError};
}
inline Failure failure_of(const Status& s) {
  return Failure{s.error(), kExitError};
}
template <typename T>
Failure failure_of(const Outcome<T>& o) {
  return o.failure();
}

// Prints "error: <code name> (<code>): <message>" on stderr; returns the exit status.
int report(const Failure& f);

// Propagate a failure from an expression returning Result, Status or Outcome.
#define TM_CLI_TRY(expr)                                                 \
  do {                                                                   \
    auto&& tm_cli_r_ = (expr);                                           \
    if (!tm_cli_r_.ok()) return ::trustmesh::cli::failure_of(tm_cli_r_); \
  } while (0)

// TM_CLI_ASSIGN(auto x, f()); binds the value or returns the failure.
#define TM_CLI_ASSIGN(lhs, expr) TM_CLI_ASSIGN_IMPL(TM_CONCAT(tm_cli_r_, __LINE__), lhs, expr)
#define TM_CLI_ASSIGN_IMPL(tmp, lhs, expr)                 \
  auto tmp = (expr);                                       \
  if (!tmp.ok()) return ::trustmesh::cli::failure_of(tmp); \
  lhs = std::move(tmp).value()

}  // namespace trustmesh::cli
