// profile-tool: what a provisioning engineer needs at a terminal.
//
//   profile-tool encrypt --cipher aes-256-cbc|aes128gcm --key K [--md md5|sha256]
//                        [--rs N] [--keyid ID] [--gzip] IN OUT
//   profile-tool decrypt --cipher aes-256-cbc|aes128gcm --key K [--md md5|sha256] IN OUT
//   profile-tool validate PROFILE.xml
//   profile-tool expand-rule 'RULE' --mac M --model PN --serial SN [...]
//
// IN and OUT may be "-" for standard input and output. OUT is written
// whole or not at all.

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "lib/base/strings/json.h"
#include "lib/base/strings/strings.h"
#include "lib/kit/config/flags.h"
#include "lib/phone/flat_profile/flat_profile.h"
#include "lib/phone/identity/mac_address.h"
#include "lib/phone/identity/product.h"
#include "lib/phone/macro/macro.h"
#include "lib/phone/profile_crypto/aes128gcm.h"
#include "lib/phone/profile_crypto/gzip.h"
#include "lib/phone/profile_crypto/openssl_enc.h"
#include "lib/phone/rule/rule.h"

namespace onramp::profile_tool {
namespace {

using strings::JsonString;

constexpr char kUsage[] =
    "Usage: profile-tool COMMAND [flags] ARGS\n"
    "\n"
    "Commands:\n"
    "  encrypt      encrypt (and optionally gzip) a profile as phones decrypt it\n"
    "  decrypt      decrypt a profile (gzip is undone too)\n"
    "  validate     check a <flat-profile> file as a phone would read it\n"
    "  expand-rule  resolve a Profile_Rule/Upgrade_Rule for one phone, as JSON\n"
    "\n"
    "`profile-tool COMMAND --help` describes each.\n";

absl::StatusOr<std::string> ReadInput(const std::string& path) {
  std::ostringstream contents;
  if (path == "-") {
    contents << std::cin.rdbuf();
    return contents.str();
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) return absl::NotFoundError(absl::StrCat("cannot read ", path));
  contents << file.rdbuf();
  return contents.str();
}

// Writes a sibling temp file and renames it over `path`, so a failure never
// leaves a partial output.
absl::Status WriteOutput(const std::string& path, std::string_view data) {
  if (path == "-") {
    std::cout.write(data.data(), static_cast<std::streamsize>(data.size()));
    return std::cout.flush() ? absl::OkStatus() : absl::UnavailableError("cannot write stdout");
  }
  std::string temp = absl::StrCat(path, ".tmp-", getpid());
  {
    std::ofstream file(temp, std::ios::binary | std::ios::trunc);
    file.write(data.data(), static_cast<std::streamsize>(data.size()));
    if (!file.flush()) {
      std::remove(temp.c_str());
      return absl::UnavailableError(absl::StrCat("cannot write ", path));
    }
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    std::remove(temp.c_str());
    return absl::UnavailableError(absl::StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

struct CipherFlags {
  std::string cipher;
  std::string key;
  std::string md;
  int rs = 4096;
  std::string keyid;
  bool gzip = false;
  std::vector<std::string> files;
};

void DeclareCipherFlags(config::Flags& flags, CipherFlags* options, bool encrypting) {
  flags.Choice("cipher", &options->cipher, {"aes-256-cbc", "aes128gcm"}, "The encryption.");
  flags.RequiredString("key", &options->key,
                       "aes-256-cbc: the passphrase, as `openssl enc -k` takes it; "
                       "aes128gcm: the input keying material, unpadded base64url.");
  flags.Choice("md", &options->md, {"", "md5", "sha256"},
               encrypting ? "aes-256-cbc key derivation digest (default md5)."
                          : "aes-256-cbc key derivation digest (default: try md5, then sha256).");
  if (encrypting) {
    flags.Int("rs", &options->rs, 18, 1 << 24, "aes128gcm record size.");
    flags.String("keyid", &options->keyid, "aes128gcm key id (at most 255 bytes).");
    flags.Bool("gzip", &options->gzip, "Compress before encrypting (phones need that order).");
  }
  flags.AllowPositional("IN OUT", &options->files);
  flags.Check([options]() -> absl::Status {
    if (options->cipher.empty()) return absl::InvalidArgumentError("--cipher is required");
    if (options->files.size() != 2) {
      return absl::InvalidArgumentError("expected two files: IN OUT (\"-\" for stdin/stdout)");
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<std::string> GcmKey(const std::string& key) {
  std::string ikm;
  if (!absl::WebSafeBase64Unescape(key, &ikm) || ikm.empty()) {
    return absl::InvalidArgumentError("--key for aes128gcm must be base64url keying material");
  }
  return ikm;
}

profile_crypto::KeyDigest Digest(const std::string& md) {
  return md == "sha256" ? profile_crypto::KeyDigest::kSha256 : profile_crypto::KeyDigest::kMd5;
}

absl::Status Encrypt(const CipherFlags& options) {
  absl::StatusOr<std::string> input = ReadInput(options.files[0]);
  if (!input.ok()) return input.status();
  std::string plaintext = options.gzip ? profile_crypto::Gzip(*input) : *std::move(input);
  std::string output;
  if (options.cipher == "aes-256-cbc") {
    output = profile_crypto::EncryptOpensslEnc(plaintext, options.key, Digest(options.md));
  } else {
    absl::StatusOr<std::string> ikm = GcmKey(options.key);
    if (!ikm.ok()) return ikm.status();
    absl::StatusOr<std::string> encoded = profile_crypto::EncodeAes128Gcm(
        plaintext, *ikm,
        {.record_size = static_cast<uint32_t>(options.rs), .keyid = options.keyid});
    if (!encoded.ok()) return encoded.status();
    output = *std::move(encoded);
  }
  return WriteOutput(options.files[1], output);
}

absl::Status Decrypt(const CipherFlags& options) {
  absl::StatusOr<std::string> input = ReadInput(options.files[0]);
  if (!input.ok()) return input.status();
  std::string plaintext;
  if (options.cipher == "aes-256-cbc") {
    std::optional<profile_crypto::KeyDigest> digest;
    if (!options.md.empty()) digest = Digest(options.md);
    auto decrypted = profile_crypto::DecryptOpensslEnc(*input, options.key, digest);
    if (!decrypted.ok()) return decrypted.status();
    plaintext = std::move(decrypted->plaintext);
  } else {
    absl::StatusOr<std::string> ikm = GcmKey(options.key);
    if (!ikm.ok()) return ikm.status();
    absl::StatusOr<std::string> decoded = profile_crypto::DecodeAes128Gcm(*input, *ikm);
    if (!decoded.ok()) return decoded.status();
    plaintext = *std::move(decoded);
  }
  if (profile_crypto::LooksGzipped(plaintext)) {
    absl::StatusOr<std::string> unzipped = profile_crypto::Gunzip(plaintext);
    if (!unzipped.ok()) return unzipped.status();
    plaintext = *std::move(unzipped);
  }
  return WriteOutput(options.files[1], plaintext);
}

absl::Status Validate(const std::string& path) {
  absl::StatusOr<std::string> input = ReadInput(path);
  if (!input.ok()) return input.status();
  absl::StatusOr<flat_profile::ParseResult> parsed = flat_profile::Parse(*input);
  if (!parsed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", parsed.status().message()));
  }
  for (const flat_profile::Warning& warning : parsed->warnings) {
    std::cerr << path << ": line " << warning.line << ", column " << warning.column
              << ": warning: " << warning.message << "\n";
  }
  std::cout << path << ": " << parsed->profile.parameters.size() << " parameters, "
            << parsed->warnings.size() << " warnings\n";
  return absl::OkStatus();
}

struct RuleFlags {
  std::string mac;
  std::string model;
  std::string serial;
  std::string swver;
  std::string dhcp_server;
  std::string kind = "profile";
  std::vector<std::string> rule;
};

std::string ResolutionJson(const std::optional<rule::Resolution>& resolution) {
  if (!resolution.has_value()) return R"({"kind":"skipped"})";
  if (resolution->kind == rule::Rule::Kind::kGds) return R"({"kind":"gds"})";
  std::string json;
  if (resolution->target.has_value()) {
    const rule::Target& t = *resolution->target;
    json = absl::StrCat(R"({"kind":"url","scheme":)", JsonString(rule::SchemeName(t.scheme)),
                        R"(,"host":)", JsonString(t.host), R"(,"port":)", t.port,
                        R"(,"path":)", JsonString(t.path), R"(,"options":{)");
    std::vector<std::string> options;
    auto text = [&](const char* name, const std::optional<std::string>& value) {
      if (value) options.push_back(absl::StrCat("\"", name, "\":", JsonString(*value)));
    };
    text("key", t.key);
    text("uid", t.uid);
    text("pwd", t.pwd);
    text("post", t.post_parameter);
    text("alias", t.alias_parameter);
    if (t.srv) options.push_back(R"("srv":true)");
    if (t.delta) options.push_back(R"("delta":true)");
    if (t.status) options.push_back(R"("status":true)");
    absl::StrAppend(&json, absl::StrJoin(options, ","), "}");
  } else {
    json = R"({"kind":"assignments")";
  }
  std::vector<std::string> assignments;
  for (const rule::Assignment& a : resolution->assignments) {
    assignments.push_back(absl::StrCat(R"({"parameter":)", JsonString(a.parameter),
                                       R"(,"value":)", JsonString(a.value), "}"));
  }
  absl::StrAppend(&json, R"(,"assignments":[)", absl::StrJoin(assignments, ","), "]}");
  return json;
}

absl::Status ExpandRule(const RuleFlags& options) {
  absl::StatusOr<identity::MacAddress> mac = identity::MacAddress::Parse(options.mac);
  if (!mac.ok()) return mac.status();
  rule::RuleKind kind = options.kind == "upgrade" ? rule::RuleKind::kUpgrade
                        : options.kind == "report" ? rule::RuleKind::kReport
                                                   : rule::RuleKind::kProfile;
  absl::StatusOr<rule::Rule> parsed = rule::ParseRule(options.rule[0], kind);
  if (!parsed.ok()) return parsed.status();
  macro::Variables variables;
  variables.mac = *mac;
  variables.product_name = options.model;
  variables.serial = options.serial;
  variables.software_version = options.swver;
  variables.product_series = std::string(identity::ProductSeries(options.model));
  auto resolution = rule::Evaluate(*parsed, variables,
                                   {.kind = kind, .dhcp_tftp_server = options.dhcp_server});
  if (!resolution.ok()) return resolution.status();
  std::cout << ResolutionJson(*resolution) << "\n";
  return absl::OkStatus();
}

int Fail(const std::string& command, const absl::Status& status) {
  std::cerr << "profile-tool " << command << ": " << status.message() << "\n";
  return 1;
}

int Main(int argc, char** argv) {
  if (argc < 2 || std::string_view(argv[1]) == "--help" || std::string_view(argv[1]) == "-h") {
    std::cout << kUsage;
    return argc < 2 ? 2 : 0;
  }
  std::string command = argv[1];
  std::string program = "profile-tool " + command;
  // Each command parses the arguments after its name.
  int sub_argc = argc - 1;
  char** sub_argv = argv + 1;
  if (command == "encrypt" || command == "decrypt") {
    bool encrypting = command == "encrypt";
    CipherFlags options;
    config::Flags flags(program, encrypting
                                     ? "Encrypts IN into OUT as phones decrypt it."
                                     : "Decrypts IN into OUT; gzip-compressed content is "
                                       "decompressed.");
    DeclareCipherFlags(flags, &options, encrypting);
    flags.ParseOrExit(sub_argc, sub_argv);
    absl::Status status = encrypting ? Encrypt(options) : Decrypt(options);
    return status.ok() ? 0 : Fail(command, status);
  }
  if (command == "validate") {
    std::vector<std::string> files;
    config::Flags flags(program,
                        "Reads PROFILE.xml as a phone would; errors and warnings carry "
                        "line:column. Exit 1 on errors.");
    flags.AllowPositional("PROFILE.xml", &files);
    flags.Check([&]() -> absl::Status {
      return files.size() == 1 ? absl::OkStatus()
                               : absl::InvalidArgumentError("expected one PROFILE.xml");
    });
    flags.ParseOrExit(sub_argc, sub_argv);
    absl::Status status = Validate(files[0]);
    return status.ok() ? 0 : Fail(command, status);
  }
  if (command == "expand-rule") {
    RuleFlags options;
    config::Flags flags(program,
                        "Resolves RULE for one phone and prints the result as JSON: scheme, "
                        "host, port, path, options and assignments; {\"kind\":\"skipped\"} "
                        "when no alternative applies.");
    flags.RequiredString("mac", &options.mac, "The phone's MAC address.");
    flags.RequiredString("model", &options.model, "Product name ($PN), e.g. CP-8851-3PCC.");
    flags.String("serial", &options.serial, "Serial number ($SN).");
    flags.String("swver", &options.swver, "Running firmware ($SWVER).");
    flags.String("dhcp_server", &options.dhcp_server,
                 "DHCP option 66 server, for rules that name none.");
    flags.Choice("kind", &options.kind, {"profile", "upgrade", "report"}, "Which rule it is.");
    flags.AllowPositional("'RULE'", &options.rule);
    flags.Check([&]() -> absl::Status {
      return options.rule.size() == 1 ? absl::OkStatus()
                                      : absl::InvalidArgumentError("expected one RULE");
    });
    flags.ParseOrExit(sub_argc, sub_argv);
    absl::Status status = ExpandRule(options);
    return status.ok() ? 0 : Fail(command, status);
  }
  std::cerr << "profile-tool: unknown command \"" << command << "\"\n\n" << kUsage;
  return 2;
}

}  // namespace
}  // namespace onramp::profile_tool

int main(int argc, char** argv) { return onramp::profile_tool::Main(argc, argv); }
