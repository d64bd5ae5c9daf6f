#ifndef ONRAMP_SERVICES_ACS_TASK_STORE_H_
#define ONRAMP_SERVICES_ACS_TASK_STORE_H_

// Partners' tasks for their phones and where each phone takes connection
// requests, in PostgreSQL (schema "acs"). A task is queued, sent while a
// session carries its request (queued again, in effect, if that session
// dies: open tasks are the queued and the sent), then done or failed — a
// Download the phone does after its session is downloading until its
// TransferComplete.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "lib/kit/store/pool.h"
#include "onramp/acs/v1/acs.pb.h"

namespace onramp::acs {

struct PhoneAddress {
  std::string connection_request_url;
  std::string source_address;  // where its Inform came from
};

class TaskStore {
 public:
  virtual ~TaskStore() = default;
  // Stores `task` (its id set by the caller) as queued; with an
  // idempotency key already used by the partner, the task stored then.
  virtual absl::StatusOr<v1::Task> Create(v1::Task task, const std::string& idempotency_key) = 0;
  // NOT_FOUND for another partner's task.
  virtual absl::StatusOr<v1::Task> Get(const std::string& partner, const std::string& id) = 0;
  // Newest first; the next page's token ("" at the end).
  virtual absl::StatusOr<std::pair<std::vector<v1::Task>, std::string>> List(const std::string& partner,
                                                                             const std::string& mac, int page_size,
                                                                             const std::string& page_token) = 0;
  // The phone's queued and sent tasks, oldest first.
  virtual absl::StatusOr<std::vector<v1::Task>> Open(const std::string& mac) = 0;
  // The phone's downloading task whose id starts with `id_prefix` (a
  // Download's CommandKey holds the start of its task's id); nullopt: none.
  virtual absl::StatusOr<std::optional<v1::Task>> FindDownloading(const std::string& mac,
                                                                  const std::string& id_prefix) = 0;
  // Saves the task as it is now (its state, result, fault).
  virtual absl::Status Update(const v1::Task& task) = 0;
  // How the connection request asked with it went (Task.connection_request).
  virtual absl::Status SetConnectionRequest(const std::string& id, const std::string& outcome) = 0;

  virtual absl::Status PutPhone(const std::string& mac, const PhoneAddress& address) = 0;
  virtual absl::StatusOr<std::optional<PhoneAddress>> GetPhone(const std::string& mac) = 0;
};

class PostgresTaskStore final : public TaskStore {
 public:
  explicit PostgresTaskStore(store::ConnectionPool& pool) : pool_(pool) {}
  absl::StatusOr<v1::Task> Create(v1::Task task, const std::string& idempotency_key) override;
  absl::StatusOr<v1::Task> Get(const std::string& partner, const std::string& id) override;
  absl::StatusOr<std::pair<std::vector<v1::Task>, std::string>> List(const std::string& partner,
                                                                     const std::string& mac, int page_size,
                                                                     const std::string& page_token) override;
  absl::StatusOr<std::vector<v1::Task>> Open(const std::string& mac) override;
  absl::StatusOr<std::optional<v1::Task>> FindDownloading(const std::string& mac,
                                                          const std::string& id_prefix) override;
  absl::Status Update(const v1::Task& task) override;
  absl::Status SetConnectionRequest(const std::string& id, const std::string& outcome) override;
  absl::Status PutPhone(const std::string& mac, const PhoneAddress& address) override;
  absl::StatusOr<std::optional<PhoneAddress>> GetPhone(const std::string& mac) override;

 private:
  store::ConnectionPool& pool_;
};

}  // namespace onramp::acs

#endif  // ONRAMP_SERVICES_ACS_TASK_STORE_H_
