// Streaming SHA-256 through OpenSSL's EVP interface (which uses the CPU's SHA extensions).
#pragma once

#include <libpkgdesc/export.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace pkgdesc {

using Sha256Digest = std::array<std::uint8_t, 32>;

class PKGDESC_EXPORT Sha256 {
public:
    Sha256();
    ~Sha256();
    Sha256(const Sha256&) = delete;
    Sha256& operator=(const Sha256&) = delete;

    void update(const void* data, std::size_t size);
    void update(std::string_view data) { update(data.data(), data.size()); }
    // Feeds `count` zero bytes (holes of sparse files).
    void update_zeros(std::uint64_t count);
    // Returns the digest and resets the object for a new message.
    Sha256Digest finish();

    static Sha256Digest digest(std::string_view data);

private:
    evp_md_ctx_st* m_ctx;
};

// MD5, only to compare files with the checked system's own md5sums (what dpkg --verify does):
// never proof of anything.
using Md5Digest = std::array<std::uint8_t, 16>;

class PKGDESC_EXPORT Md5 {
public:
    Md5();
    ~Md5();
    Md5(const Md5&) = delete;
    Md5& operator=(const Md5&) = delete;

    void update(const void* data, std::size_t size);
    Md5Digest finish();

private:
    evp_md_ctx_st* m_ctx;
};

// Lower-case hexadecimal, 64 (32) characters.
PKGDESC_EXPORT std::string to_hex(const Sha256Digest& digest);
PKGDESC_EXPORT std::string to_hex(const Md5Digest& digest);
// Accepts upper or lower case; nullopt unless exactly 32 hex digits.
PKGDESC_EXPORT std::optional<Md5Digest> md5_from_hex(std::string_view hex);
// Accepts upper or lower case; nullopt unless exactly 64 hex digits.
PKGDESC_EXPORT std::optional<Sha256Digest> sha256_from_hex(std::string_view hex);

} // namespace pkgdesc
