#!/bin/sh
echo "bazel coverage is not available in the offline build (no coverage tools are installed)" >&2
exit 1
