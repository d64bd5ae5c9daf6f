#!/usr/bin/python3
"""Checks the container build without a Docker engine: for every image in
deploy/images/Dockerfile, the libraries its binary links (as `ldd` resolves
them on this Debian machine, the same packages as the image's Debian) must
come from the image's package list (packages/<image>.txt) or from packages
those depend on, and the list must hold nothing the binary does not use.
The Dockerfile must build that binary, copy it in, and run it as a non-root
user. Run by `tools/test` (a sh_test; runfiles hold the binaries).
"""

import os
import re
import subprocess
import sys
import unittest

# Image -> the Bazel target its binary comes from (runfiles path).
IMAGES = {
    "activation-code": "services/activation-code/activation_code",
    "device-activation": "services/device-activation/device_activation",
    "profile-render": "services/profile-render/profile_render",
    "firmware-catalog": "services/firmware-catalog/firmware_catalog",
    "gateway": "services/gateway/gateway",
    "acs": "services/acs/acs",
    "migrate": "tools/migrate/onramp-migrate",
}
# In every Debian image: Essential, never listed.
BASE = {"libc6"}


def linked_libraries(binary):
    """The shared libraries `ldd` resolves for `binary`, direct and indirect."""
    out = subprocess.run(["ldd", binary], capture_output=True, text=True, check=True).stdout
    libraries = []
    for line in out.splitlines():
        match = re.match(r"\s*(\S+) => (\S+)", line) or re.match(r"\s*(/\S+) \(", line)
        if match is None:
            continue  # linux-vdso: the kernel's
        path = match.group(match.lastindex)
        if path == "not":
            raise AssertionError(f"{binary}: {line.strip()}")
        libraries.append(path)
    return libraries


def owning_packages(paths):
    """path -> the Debian package holding it, whichever /usr-merge spelling dpkg knows."""
    spellings = {}
    for path in paths:
        for spelling in {path, os.path.realpath(path)}:
            spellings[spelling] = path
            merged = spelling[len("/usr"):] if spelling.startswith("/usr/") else "/usr" + spelling
            spellings[merged] = path
    out = subprocess.run(["dpkg", "-S", *spellings], capture_output=True, text=True, check=False).stdout
    owners = {}
    for line in out.splitlines():
        package, _, found = line.partition(": ")
        if found in spellings:
            owners[spellings[found]] = package.split(":")[0].split(",")[0].strip()
    missing = sorted(set(paths) - set(owners))
    if missing:
        raise AssertionError(f"no package holds {missing}")
    return owners


def dependency_closure(packages):
    """`packages` and everything they depend on (installed alternatives only)."""
    out = subprocess.run(["dpkg-query", "-W", "-f", "${Package}\t${Depends}, ${Pre-Depends}\n"],
                         capture_output=True, text=True, check=True).stdout
    depends = {}
    for line in out.splitlines():
        name, _, wants = line.partition("\t")
        names = set()
        for clause in wants.split(","):
            for alternative in clause.split("|"):
                word = alternative.strip().split(" ")[0].split(":")[0]
                if word:
                    names.add(word)
        depends[name] = names
    closure, todo = set(), list(packages)
    while todo:
        package = todo.pop()
        if package in closure:
            continue
        closure.add(package)
        todo.extend(depends.get(package, ()))
    return closure


def read_list(image):
    with open(f"deploy/images/packages/{image}.txt") as f:
        return [line.split("#", 1)[0].strip() for line in f if line.split("#", 1)[0].strip()]


class ImageContentsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        with open("deploy/images/Dockerfile") as f:
            cls.dockerfile = f.read()

    def stage(self, image):
        match = re.search(rf"^FROM runtime AS {re.escape(image)}\n(.*?)(?=^FROM |\Z)", self.dockerfile, re.M | re.S)
        self.assertIsNotNone(match, f"no stage {image} in the Dockerfile")
        return match.group(1)

    def test_every_library_comes_from_the_image_package_list(self):
        for image, binary in IMAGES.items():
            with self.subTest(image=image):
                listed = read_list(image)
                self.assertEqual(len(listed), len(set(listed)), f"{image}: a package listed twice")
                for package in listed:
                    self.assertFalse(package.endswith("-dev"), f"{image}: {package} is a build package")
                owners = set(owning_packages(linked_libraries(binary)).values())
                available = dependency_closure(set(listed) | BASE)
                self.assertEqual(sorted(owners - available), [], f"{image}: libraries from packages not listed")
                self.assertEqual(sorted(set(listed) - owners), [], f"{image}: listed but not linked")

    def test_each_stage_builds_copies_and_runs_its_binary_unprivileged(self):
        build = re.search(r"^FROM debian:bookworm AS build\n(.*?)(?=^FROM )", self.dockerfile, re.M | re.S).group(1)
        runtime = re.search(r"^FROM debian:bookworm-slim AS runtime\n(.*?)(?=^FROM )", self.dockerfile, re.M | re.S)
        self.assertIsNotNone(runtime)
        self.assertIn("--uid 65532", runtime.group(1))
        self.assertIn("COPY deploy/images/install-packages /usr/local/sbin/install-packages", runtime.group(1))
        for image, binary in IMAGES.items():
            with self.subTest(image=image):
                folder, name = binary.rsplit("/", 1)
                self.assertIn(f"//{folder}:{name}", build, "not built")
                self.assertIn(f'"$bin/{binary}" /out/{image}', build, "not taken out of the build")
                stage = self.stage(image)
                self.assertIn(f"COPY deploy/images/packages/{image}.txt /tmp/packages.txt", stage)
                self.assertIn(f"COPY --from=build /out/{image} /usr/local/bin/{image}", stage)
                self.assertRegex(stage, r"(?m)^USER 65532:65532$")
                self.assertIn(f'ENTRYPOINT ["/usr/local/bin/{image}"]', stage)
                self.assertRegex(stage, r"(?m)^RUN install-packages$")


if __name__ == "__main__":
    unittest.main(argv=[sys.argv[0]], verbosity=2)
