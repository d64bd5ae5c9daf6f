"""Embeds text files (a web page's HTML, CSS, JavaScript) in a binary.

    onramp_embedded_files(
        name = "assets",
        srcs = glob(["static/*"]),
        cc_namespace = "onramp::gateway::console",
    )

gives a cc_library `:assets` whose header `<package>/assets.h` declares
`std::span<const EmbeddedFile> Files()` in `cc_namespace`, each file by its
base name (names must differ), sorted by name. A file's own $(cat) is kept
byte for byte but its final newline.
"""

def onramp_embedded_files(name, srcs, cc_namespace, visibility = None):
    header = name + ".h"
    source = name + ".cc"
    include_path = (native.package_name() + "/" + header) if native.package_name() else header
    native.genrule(
        name = name + "_gen",
        srcs = srcs,
        outs = [header, source],
        cmd = "$(location //tools/bazel:embed_files.sh) $(location {}) $(location {}) {} {} $(SRCS)".format(
            header,
            source,
            cc_namespace,
            include_path,
        ),
        tools = ["//tools/bazel:embed_files.sh"],
    )
    native.cc_library(
        name = name,
        srcs = [source],
        hdrs = [header],
        visibility = visibility,
    )
