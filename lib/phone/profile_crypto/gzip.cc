#include "lib/phone/profile_crypto/gzip.h"

#include <zlib.h>

#include <cstring>

#include "absl/strings/str_cat.h"

namespace onramp::profile_crypto {
namespace {

// windowBits 15 + 16: a gzip wrapper instead of zlib's.
constexpr int kGzipWindowBits = 15 + 16;

}  // namespace

bool LooksGzipped(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

GzipCompressor::GzipCompressor(int level) : stream_(new z_stream{}) {
  deflateInit2(stream_, level, Z_DEFLATED, kGzipWindowBits, 8, Z_DEFAULT_STRATEGY);
}

GzipCompressor::~GzipCompressor() {
  deflateEnd(stream_);
  delete stream_;
}

std::string GzipCompressor::Compress(std::string_view data) {
  deflateReset(stream_);
  std::string out(deflateBound(stream_, data.size()), '\0');
  stream_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream_->avail_in = static_cast<uInt>(data.size());
  stream_->next_out = reinterpret_cast<Bytef*>(out.data());
  stream_->avail_out = static_cast<uInt>(out.size());
  // deflateBound guarantees one call finishes.
  deflate(stream_, Z_FINISH);
  out.resize(stream_->total_out);
  return out;
}

std::string Gzip(std::string_view data) { return GzipCompressor().Compress(data); }

absl::StatusOr<std::string> Gunzip(std::string_view data, size_t max_output) {
  if (!LooksGzipped(data)) return absl::InvalidArgumentError("not gzip data (no 1f 8b header)");
  z_stream stream{};
  if (inflateInit2(&stream, kGzipWindowBits) != Z_OK) {
    return absl::InternalError("zlib inflateInit2 failed");
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buffer[16384];
  int result = Z_OK;
  while (result == Z_OK) {
    stream.next_out = reinterpret_cast<Bytef*>(buffer);
    stream.avail_out = sizeof buffer;
    result = inflate(&stream, Z_NO_FLUSH);
    size_t produced = sizeof buffer - stream.avail_out;
    if (out.size() + produced > max_output) {
      inflateEnd(&stream);
      return absl::ResourceExhaustedError(
          absl::StrCat("gzip data expands past ", max_output, " bytes"));
    }
    out.append(buffer, produced);
    if (result == Z_BUF_ERROR && stream.avail_in == 0) break;
  }
  bool complete = result == Z_STREAM_END && stream.avail_in == 0;
  std::string why = stream.msg != nullptr ? stream.msg : "";
  inflateEnd(&stream);
  if (!complete) {
    return absl::InvalidArgumentError(
        result == Z_STREAM_END ? "trailing bytes after the gzip data"
                               : absl::StrCat("truncated or corrupt gzip data",
                                              why.empty() ? "" : ": ", why));
  }
  return out;
}

}  // namespace onramp::profile_crypto
