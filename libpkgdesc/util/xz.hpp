// Whole-buffer xz compression and decompression through liblzma's multi-threaded coders (the
// encoder cuts the stream into blocks, so that the decoder can use every CPU on large indexes).
#pragma once

#include <libpkgdesc/export.hpp>

#include <cstdint>
#include <string>
#include <string_view>

namespace pkgdesc {

// What a liblzma return code (lzma_ret) means, for error messages.
PKGDESC_EXPORT const char* xz_error_reason(int lzma_ret_code);

PKGDESC_EXPORT std::string xz_compress(std::string_view data, unsigned threads);
// Throws Error("origin: reason") for corrupt or truncated data, or output above `limit` bytes.
PKGDESC_EXPORT std::string xz_decompress(std::string_view data, unsigned threads,
                                         const std::string& origin,
                                         std::uint64_t limit = std::uint64_t{16} << 30);

} // namespace pkgdesc
