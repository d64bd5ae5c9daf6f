#include "lib/kit/store/pool.h"

#include "absl/strings/str_cat.h"
#include "lib/kit/store/errors.h"
#include "pqxx/nontransaction"

namespace onramp::store {
namespace {

// libpq takes the connect timeout from the connection string; add ours unless
// the operator set one.
std::string WithConnectTimeout(const std::string& url, absl::Duration timeout) {
  if (url.find("connect_timeout") != std::string::npos) return url;
  int64_t seconds = std::max<int64_t>(2, absl::ToInt64Seconds(timeout));
  bool is_uri = url.starts_with("postgresql://") || url.starts_with("postgres://");
  if (!is_uri) return absl::StrCat(url, " connect_timeout=", seconds);
  return absl::StrCat(url, url.find('?') == std::string::npos ? "?" : "&",
                      "connect_timeout=", seconds);
}

bool Ping(pqxx::connection& connection) {
  try {
    pqxx::nontransaction ping(connection);
    ping.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(
    const PoolOptions& options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError(absl::StrCat("pool size ", options.size, " is below 1"));
  }
  PoolOptions adjusted = options;
  adjusted.url = WithConnectTimeout(options.url, options.connect_timeout);
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(std::move(adjusted)));
  absl::StatusOr<Lease> first = pool->Acquire();
  if (!first.ok()) return first.status();
  return pool;
}

ConnectionPool::~ConnectionPool() = default;

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Connect() {
  try {
    return std::make_unique<pqxx::connection>(options_.url);
  } catch (...) {
    return StatusFromCurrentException();
  }
}

absl::StatusOr<ConnectionPool::Lease> ConnectionPool::Acquire() {
  absl::Time deadline = absl::Now() + options_.acquire_timeout;
  std::unique_ptr<pqxx::connection> connection;
  absl::Time idle_since;
  {
    absl::MutexLock lock(&mutex_);
    auto available = [this]() ABSL_SHARED_LOCKS_REQUIRED(mutex_) {
      return !idle_.empty() || open_ < options_.size;
    };
    if (!mutex_.AwaitWithDeadline(absl::Condition(&available), deadline)) {
      return absl::ResourceExhaustedError(absl::StrCat(
          "database: all ", options_.size, " connections busy for ",
          absl::FormatDuration(options_.acquire_timeout)));
    }
    if (!idle_.empty()) {
      // Most recently used first: it is the likeliest to be alive.
      connection = std::move(idle_.back().connection);
      idle_since = idle_.back().since;
      idle_.pop_back();
    } else {
      ++open_;
    }
  }
  if (connection != nullptr &&
      (!connection->is_open() ||
       (absl::Now() - idle_since > options_.validate_after && !Ping(*connection)))) {
    connection.reset();  // Its slot stays counted in open_ for the replacement.
    absl::MutexLock lock(&mutex_);
    ++discarded_total_;
  }
  if (connection == nullptr) {
    absl::StatusOr<std::unique_ptr<pqxx::connection>> opened = Connect();
    absl::MutexLock lock(&mutex_);
    if (!opened.ok()) {
      --open_;
      return opened.status();
    }
    ++opened_total_;
    connection = std::move(*opened);
  }
  return Lease(this, std::move(connection));
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> connection, bool discard) {
  bool keep = !discard && connection->is_open();
  // Closing may block on the network: not under the lock.
  if (!keep) connection.reset();
  absl::MutexLock lock(&mutex_);
  if (keep) {
    idle_.push_back({std::move(connection), absl::Now()});
  } else {
    --open_;
    ++discarded_total_;
  }
}

ConnectionPool::Stats ConnectionPool::stats() const {
  absl::MutexLock lock(&mutex_);
  return {.open = open_,
          .idle = static_cast<int>(idle_.size()),
          .opened_total = opened_total_,
          .discarded_total = discarded_total_};
}

ConnectionPool::Lease::Lease(Lease&& other) noexcept
    : pool_(other.pool_), connection_(std::move(other.connection_)), discard_(other.discard_) {}

ConnectionPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->Return(std::move(connection_), discard_);
}

}  // namespace onramp::store
