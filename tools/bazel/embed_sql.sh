#!/usr/bin/env bash
# Writes a C++ header and source that embed SQL migration files.
#   embed_sql.sh OUT_H OUT_CC NAMESPACE INCLUDE_PATH FILE...
# Files are named NNNN_name.sql; the number is the migration's version.
set -euo pipefail
out_h=$1 out_cc=$2 namespace=$3 include_path=$4
shift 4
guard=$(echo "ONRAMP_${include_path}_" | tr '[:lower:]/.-' '[:upper:]___')
cat >"$out_h" <<EOT
// Generated from SQL migration files by tools/bazel/embed_sql.sh.
#ifndef $guard
#define $guard

#include <span>

#include "lib/kit/store/migrations.h"

namespace $namespace {

// This service's schema migrations, in version order.
std::span<const onramp::store::Migration> Migrations();

}  // namespace $namespace

#endif  // $guard
EOT
{
  echo "// Generated from SQL migration files by tools/bazel/embed_sql.sh."
  echo "#include \"$include_path\""
  echo
  echo "namespace $namespace {"
  echo
  echo "std::span<const onramp::store::Migration> Migrations() {"
  echo "  static const onramp::store::Migration kMigrations[] = {"
  for file in "$@"; do
    base=$(basename "$file" .sql)
    if [[ ! $base =~ ^([0-9]{4})_([a-z0-9_]+)$ ]]; then
      echo "embed_sql.sh: $file: migration files are named NNNN_lowercase_name.sql" >&2
      exit 1
    fi
    if grep -q ')onramp_sql"' "$file"; then
      echo "embed_sql.sh: $file contains the raw-string terminator )onramp_sql\"" >&2
      exit 1
    fi
    echo "      {$((10#${BASH_REMATCH[1]})), \"${BASH_REMATCH[2]}\", R\"onramp_sql($(cat "$file"))onramp_sql\"},"
  done
  echo "  };"
  echo "  return kMigrations;"
  echo "}"
  echo
  echo "}  // namespace $namespace"
} >"$out_cc"
