"""Embeds a service's SQL migrations in its binary.

    onramp_sql_migrations(
        name = "migrations",
        srcs = glob(["migrations/*.sql"]),
        cc_namespace = "onramp::activation",
    )

gives a cc_library `:migrations` whose header `<package>/migrations.h`
declares `std::span<const onramp::store::Migration> Migrations()` in
`cc_namespace`, for onramp::store::Migrate. Files are named
NNNN_name.sql and sorted by name, so their numbers give the order.
"""

def onramp_sql_migrations(name, srcs, cc_namespace, visibility = None, testonly = False):
    header = name + ".h"
    source = name + ".cc"
    include_path = (native.package_name() + "/" + header) if native.package_name() else header
    native.genrule(
        name = name + "_gen",
        srcs = sorted(srcs),
        outs = [header, source],
        cmd = "$(location //tools/bazel:embed_sql.sh) $(location {}) $(location {}) {} {} $(SRCS)".format(
            header,
            source,
            cc_namespace,
            include_path,
        ),
        tools = ["//tools/bazel:embed_sql.sh"],
        testonly = testonly,
    )
    native.cc_library(
        name = name,
        srcs = [source],
        hdrs = [header],
        deps = ["//lib/kit/store:migrations"],
        testonly = testonly,
        visibility = visibility,
    )
