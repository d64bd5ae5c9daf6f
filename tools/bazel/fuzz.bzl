"""Fuzz targets that double as corpus regression tests.

    onramp_fuzz_target(
        name = "rule_fuzz",
        srcs = ["rule_fuzz.cc"],      # defines LLVMFuzzerTestOneInput
        deps = [":rule"],
        corpus = "testdata/fuzz/rule", # committed seed inputs
    )

gives
  :rule_fuzz_corpus_test  a cc_test replaying the corpus (part of //...);
  :rule_fuzz              the libFuzzer binary, built only by tools/fuzz
                          (clang, -fsanitize=fuzzer), hence tagged manual.
"""

def onramp_fuzz_target(name, srcs, deps, corpus):
    native.cc_library(
        name = name + "_lib",
        testonly = True,
        srcs = srcs,
        deps = deps,
        alwayslink = True,
    )
    native.cc_test(
        name = name + "_corpus_test",
        size = "small",
        deps = [
            name + "_lib",
            "//tools/fuzz:corpus_runner",
        ],
        data = native.glob([corpus + "/**"]),
        args = [native.package_name() + "/" + corpus],
    )
    native.cc_binary(
        name = name,
        testonly = True,
        deps = [name + "_lib"],
        tags = [
            "fuzz",
            "manual",
        ],
    )
