"""C++ protobuf and gRPC code from the system protoc and grpc_cpp_plugin.

    onramp_proto_library(name = "common_proto", srcs = ["common.proto"], deps = [...])

gives `:common_proto` (a cc_library of the generated messages and gRPC stubs)
and `:common_proto_srcs` (the .proto files with those of its deps, which
dependents need on protoc's path). Import paths are relative to protos/, so a
file imports `onramp/common/v1/common.proto` and C++ includes
`onramp/common/v1/common.pb.h`.
"""

_PROTO_ROOT = "protos"

def onramp_proto_library(name, srcs, deps = [], visibility = None):
    native.filegroup(
        name = name + "_srcs",
        srcs = srcs + [d + "_srcs" for d in deps],
        visibility = visibility,
    )
    bases = [s[:-len(".proto")] for s in srcs]
    hdrs = [b + ".pb.h" for b in bases] + [b + ".grpc.pb.h" for b in bases]
    cc_srcs = [b + ".pb.cc" for b in bases] + [b + ".grpc.pb.cc" for b in bases]
    native.genrule(
        name = name + "_gen",
        srcs = srcs + [name + "_srcs"],
        outs = hdrs + cc_srcs,
        cmd = " ".join([
            "protoc",
            "--proto_path=" + _PROTO_ROOT,
            "--cpp_out=$(GENDIR)/" + _PROTO_ROOT,
            "--grpc_out=$(GENDIR)/" + _PROTO_ROOT,
            "--plugin=protoc-gen-grpc=$$(command -v grpc_cpp_plugin)",
        ] + ["$(location {})".format(s) for s in srcs]),
        message = "Generating C++ protobuf and gRPC code for " + name,
    )
    native.cc_library(
        name = name,
        srcs = cc_srcs,
        hdrs = hdrs,
        # Generated code is not ours to fix: keep project warnings off it.
        copts = ["-w"],
        strip_include_prefix = "/" + _PROTO_ROOT,
        deps = deps + [
            "@system//:grpcpp",
            "@system//:protobuf",
        ],
        visibility = visibility,
    )
