// Streaming SHA-256 through OpenSSL's EVP interface.
#include <libpkgdesc/util/sha256.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <stdexcept>

namespace pkgdesc {

namespace {

// Fetched once: an implicit fetch per EVP_DigestInit_ex costs a provider lookup each time.
const EVP_MD* fetch_md(const char* name) {
    EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
    if (md == nullptr) {
        throw std::runtime_error(std::string("OpenSSL: ") + name + " is not available");
    }
    return md;
}

const EVP_MD* sha256_md() {
    static const EVP_MD* md = fetch_md("SHA256");
    return md;
}

const EVP_MD* md5_md() {
    static const EVP_MD* md = fetch_md("MD5");
    return md;
}

void check(int rc, const char* what) {
    if (rc != 1) {
        throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
    }
}

EVP_MD_CTX* new_context(const EVP_MD* md) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (ctx == nullptr) {
        throw std::bad_alloc();
    }
    if (EVP_DigestInit_ex(ctx, md, nullptr) != 1) {
        EVP_MD_CTX_free(ctx);
        throw std::runtime_error("OpenSSL: EVP_DigestInit_ex failed");
    }
    return ctx;
}

template <typename Digest> Digest finish_context(EVP_MD_CTX* ctx, const EVP_MD* md) {
    Digest out{};
    unsigned int len = 0;
    check(EVP_DigestFinal_ex(ctx, out.data(), &len), "EVP_DigestFinal_ex");
    check(EVP_DigestInit_ex(ctx, md, nullptr), "EVP_DigestInit_ex");
    return out;
}

std::string hex(const std::uint8_t* data, std::size_t size) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(2 * size, '0');
    for (std::size_t i = 0; i < size; ++i) {
        out[2 * i] = k_digits[data[i] >> 4];
        out[2 * i + 1] = k_digits[data[i] & 0xf];
    }
    return out;
}

template <typename Digest> std::optional<Digest> from_hex(std::string_view text) {
    Digest out{};
    if (text.size() != 2 * out.size()) {
        return std::nullopt;
    }
    // A table: reference data holds one digest per file, hundreds of thousands on a system.
    static constexpr auto k_nibbles = [] {
        std::array<std::int8_t, 256> table{};
        table.fill(-1);
        for (int c = '0'; c <= '9'; ++c) {
            table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - '0');
        }
        for (int c = 'a'; c <= 'f'; ++c) {
            table[static_cast<std::size_t>(c)] = static_cast<std::int8_t>(c - 'a' + 10);
            table[static_cast<std::size_t>(c - 'a' + 'A')] = static_cast<std::int8_t>(c - 'a' + 10);
        }
        return table;
    }();
    auto nibble = [](char c) -> int { return k_nibbles[static_cast<unsigned char>(c)]; };
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(text[2 * i]);
        const int lo = nibble(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

} // namespace

Sha256::Sha256() : m_ctx(new_context(sha256_md())) {}

Sha256::~Sha256() {
    EVP_MD_CTX_free(m_ctx);
}

void Sha256::update(const void* data, std::size_t size) {
    check(EVP_DigestUpdate(m_ctx, data, size), "EVP_DigestUpdate");
}

void Sha256::update_zeros(std::uint64_t count) {
    static const std::array<char, 65536> zeros{};
    while (count > 0) {
        const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(count, zeros.size()));
        update(zeros.data(), n);
        count -= n;
    }
}

Sha256Digest Sha256::finish() {
    return finish_context<Sha256Digest>(m_ctx, sha256_md());
}

Sha256Digest Sha256::digest(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish();
}

std::string to_hex(const Sha256Digest& digest) {
    return hex(digest.data(), digest.size());
}

std::optional<Sha256Digest> sha256_from_hex(std::string_view text) {
    return from_hex<Sha256Digest>(text);
}

Md5::Md5() : m_ctx(new_context(md5_md())) {}

Md5::~Md5() {
    EVP_MD_CTX_free(m_ctx);
}

void Md5::update(const void* data, std::size_t size) {
    check(EVP_DigestUpdate(m_ctx, data, size), "EVP_DigestUpdate");
}

Md5Digest Md5::finish() {
    return finish_context<Md5Digest>(m_ctx, md5_md());
}

std::string to_hex(const Md5Digest& digest) {
    return hex(digest.data(), digest.size());
}

std::optional<Md5Digest> md5_from_hex(std::string_view text) {
    return from_hex<Md5Digest>(text);
}

} // namespace pkgdesc
