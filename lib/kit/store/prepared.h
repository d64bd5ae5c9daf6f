#ifndef ONRAMP_LIB_KIT_STORE_PREPARED_H_
#define ONRAMP_LIB_KIT_STORE_PREPARED_H_

// A hot query as a prepared statement: parsed and planned once per
// connection instead of on every call.
//
//   pqxx::result rows = store::ExecPrepared(tx, "device_lookup", kLookupSql, mac, model);
//
// The statement is defined on the transaction's connection under `name` the
// first time (libpqxx sends it to the server with its first use); a name
// must always stand for the same SQL.

#include <string>
#include <utility>

#include "pqxx/connection_base"
#include "pqxx/transaction_base"

namespace onramp::store {

template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& tx, const std::string& name, const std::string& sql,
                          Args&&... args) {
  // Defining the same name with the same SQL again changes nothing.
  tx.conn().prepare(name, sql);
  return tx.exec_prepared(name, std::forward<Args>(args)...);
}

}  // namespace onramp::store

#endif  // ONRAMP_LIB_KIT_STORE_PREPARED_H_
