#ifndef ONRAMP_LIB_KIT_STORE_POOL_H_
#define ONRAMP_LIB_KIT_STORE_POOL_H_

// A bounded pool of PostgreSQL connections.
//
// At most `size` connections exist; Acquire waits up to `acquire_timeout` for
// one and then fails with RESOURCE_EXHAUSTED, so a slow database turns into
// quick errors instead of a pile of blocked threads. Connections are opened
// lazily. One idle for longer than `validate_after` is pinged before reuse;
// one that failed is dropped and replaced, so the pool recovers by itself
// after PostgreSQL restarts. Use it through Transact (transaction.h).

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "pqxx/connection"

namespace onramp::store {

struct PoolOptions {
  // A libpq connection URI or key=value string.
  std::string url;
  int size = 8;
  absl::Duration acquire_timeout = absl::Seconds(5);
  absl::Duration connect_timeout = absl::Seconds(5);
  absl::Duration validate_after = absl::Seconds(30);
};

class ConnectionPool {
 public:
  // Opens one connection to check the URL and credentials: a service with a
  // wrong URL fails at start, with a clear message.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const PoolOptions& options);

  ~ConnectionPool();

  // A connection borrowed from the pool, returned when the lease ends.
  class Lease {
   public:
    Lease(Lease&& other) noexcept;
    Lease& operator=(Lease&&) = delete;
    ~Lease();

    pqxx::connection& connection() { return *connection_; }
    // The connection failed: drop it instead of returning it.
    void Discard() { discard_ = true; }

   private:
    friend class ConnectionPool;
    Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> connection)
        : pool_(pool), connection_(std::move(connection)) {}

    ConnectionPool* pool_;
    std::unique_ptr<pqxx::connection> connection_;
    bool discard_ = false;
  };

  absl::StatusOr<Lease> Acquire();

  struct Stats {
    int open = 0;    // connections that exist, idle or leased
    int idle = 0;
    int64_t opened_total = 0;
    int64_t discarded_total = 0;
  };
  Stats stats() const;

 private:
  explicit ConnectionPool(PoolOptions options) : options_(std::move(options)) {}

  absl::StatusOr<std::unique_ptr<pqxx::connection>> Connect();
  void Return(std::unique_ptr<pqxx::connection> connection, bool discard);

  struct Idle {
    std::unique_ptr<pqxx::connection> connection;
    absl::Time since;
  };

  const PoolOptions options_;
  mutable absl::Mutex mutex_;
  std::vector<Idle> idle_ ABSL_GUARDED_BY(mutex_);
  int open_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t opened_total_ ABSL_GUARDED_BY(mutex_) = 0;
  int64_t discarded_total_ ABSL_GUARDED_BY(mutex_) = 0;
};

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_POOL_H_
