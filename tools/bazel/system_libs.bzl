"""One cc_library per Debian system library, described by pkg-config.

The repository is generated at fetch time: each target carries the library's
link flags and preprocessor defines as pkg-config reports them, so upgrading a
Debian package needs no edit here. Headers live in /usr/include, which the
auto-configured toolchain already treats as a system include directory.
"""

# target name -> pkg-config modules (or [] for header-only libraries without a
# .pc file) and any flags pkg-config does not know.
_LIBRARIES = {
    "grpcpp": struct(modules = ["grpc++"], extra_linkopts = []),
    "grpc": struct(modules = ["grpc"], extra_linkopts = []),
    "protobuf": struct(modules = ["protobuf"], extra_linkopts = []),
    "absl_status": struct(modules = ["absl_status"], extra_linkopts = []),
    "absl_statusor": struct(modules = ["absl_statusor"], extra_linkopts = []),
    "absl_strings": struct(modules = ["absl_strings"], extra_linkopts = []),
    "absl_str_format": struct(modules = ["absl_str_format"], extra_linkopts = []),
    "absl_time": struct(modules = ["absl_time"], extra_linkopts = []),
    "absl_synchronization": struct(modules = ["absl_synchronization"], extra_linkopts = []),
    "absl_flags": struct(modules = ["absl_flags", "absl_flags_parse"], extra_linkopts = []),
    "absl_random": struct(modules = ["absl_random_random"], extra_linkopts = []),
    "absl_hash": struct(modules = ["absl_hash"], extra_linkopts = []),
    "absl_container": struct(modules = ["absl_flat_hash_map"], extra_linkopts = []),
    "pqxx": struct(modules = ["libpqxx"], extra_linkopts = ["-lpq"]),
    "prometheus_core": struct(modules = ["prometheus-cpp-core"], extra_linkopts = []),
    "prometheus_pull": struct(modules = ["prometheus-cpp-pull"], extra_linkopts = []),
    "ssl": struct(modules = ["libssl"], extra_linkopts = []),
    "crypto": struct(modules = ["libcrypto"], extra_linkopts = []),
    "gtest": struct(modules = ["gtest"], extra_linkopts = []),
    "gtest_main": struct(modules = ["gtest_main"], extra_linkopts = []),
    "gmock": struct(modules = ["gmock"], extra_linkopts = []),
    "gmock_main": struct(modules = ["gmock_main"], extra_linkopts = []),
    "benchmark": struct(modules = ["benchmark"], extra_linkopts = ["-pthread"]),
    "benchmark_main": struct(modules = ["benchmark"], extra_linkopts = ["-lbenchmark_main", "-pthread"]),
    "boost": struct(modules = [], extra_linkopts = ["-pthread"]),
    # Boost.Context: the fibers under boost::asio::spawn.
    "boost_context": struct(modules = [], extra_linkopts = ["-lboost_context", "-pthread"]),
    # Boost.URL: URLs and relative references (RFC 3986).
    "boost_url": struct(modules = [], extra_linkopts = ["-lboost_url"]),
    "mustache": struct(modules = [], extra_linkopts = []),
    "pugixml": struct(modules = ["pugixml"], extra_linkopts = []),
    "spdlog": struct(modules = ["spdlog"], extra_linkopts = []),
    "cares": struct(modules = ["libcares"], extra_linkopts = []),
    "zlib": struct(modules = ["zlib"], extra_linkopts = []),
}

def _pkg_config(ctx, args):
    result = ctx.execute(["pkg-config"] + args)
    if result.return_code != 0:
        fail("pkg-config {} failed: {}\nRun tools/bootstrap to install the missing -dev package.".format(
            " ".join(args),
            result.stderr.strip(),
        ))
    return result.stdout.strip().split(" ") if result.stdout.strip() else []

def _quoted_list(items):
    return "[" + ", ".join(['"{}"'.format(i) for i in items]) + "]"

def _system_libs_impl(ctx):
    targets = []
    for name, lib in _LIBRARIES.items():
        defines = []
        includes = []
        linkopts = []
        if lib.modules:
            for flag in _pkg_config(ctx, ["--cflags"] + lib.modules):
                if flag.startswith("-D"):
                    defines.append(flag[2:])
                elif flag.startswith("-I"):
                    # Bazel accepts include folders only inside a repository:
                    # link the folder in and export it.
                    link = "include" + flag[2:].replace("/", "_")
                    if link not in includes:
                        ctx.symlink(flag[2:], link)
                        includes.append(link)
            linkopts = _pkg_config(ctx, ["--libs"] + lib.modules)
        linkopts = linkopts + lib.extra_linkopts
        targets.append("""cc_library(
    name = "{name}",
    hdrs = glob([{globs}]),
    defines = {defines},
    includes = {includes},
    linkopts = {linkopts},
)
""".format(
            name = name,
            globs = ", ".join(['"{}/**"'.format(i) for i in includes]),
            defines = _quoted_list(sorted(depset(defines).to_list())),
            includes = _quoted_list(includes),
            linkopts = _quoted_list(linkopts),
        ))
    ctx.file("WORKSPACE", "workspace(name = \"{}\")\n".format(ctx.name))
    ctx.file("BUILD.bazel", "package(default_visibility = [\"//visibility:public\"])\n\n" + "\n".join(targets))

system_libs = repository_rule(
    implementation = _system_libs_impl,
    environ = ["PKG_CONFIG_PATH"],
    local = True,
    doc = "Generates @<name>//:<library> targets from pkg-config.",
)
