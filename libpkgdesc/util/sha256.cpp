// Streaming SHA-256 through OpenSSL's EVP interface.
#include <libpkgdesc/util/sha256.hpp>

#include <openssl/evp.h>

#include <algorithm>
#include <stdexcept>

namespace pkgdesc {

namespace {

// Fetched once: an implicit fetch per EVP_DigestInit_ex costs a provider lookup each time.
const EVP_MD* sha256_md() {
    static EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    if (md == nullptr) {
        throw std::runtime_error("OpenSSL: SHA-256 is not available");
    }
    return md;
}

void check(int rc, const char* what) {
    if (rc != 1) {
        throw std::runtime_error(std::string("OpenSSL: ") + what + " failed");
    }
}

} // namespace

Sha256::Sha256() : m_ctx(EVP_MD_CTX_new()) {
    if (m_ctx == nullptr) {
        throw std::bad_alloc();
    }
    check(EVP_DigestInit_ex(m_ctx, sha256_md(), nullptr), "EVP_DigestInit_ex");
}

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
    Sha256Digest out{};
    unsigned int len = 0;
    check(EVP_DigestFinal_ex(m_ctx, out.data(), &len), "EVP_DigestFinal_ex");
    check(EVP_DigestInit_ex(m_ctx, sha256_md(), nullptr), "EVP_DigestInit_ex");
    return out;
}

Sha256Digest Sha256::digest(std::string_view data) {
    Sha256 h;
    h.update(data);
    return h.finish();
}

std::string to_hex(const Sha256Digest& digest) {
    static constexpr char k_digits[] = "0123456789abcdef";
    std::string out(64, '0');
    for (std::size_t i = 0; i < digest.size(); ++i) {
        out[2 * i] = k_digits[digest[i] >> 4];
        out[2 * i + 1] = k_digits[digest[i] & 0xf];
    }
    return out;
}

std::optional<Sha256Digest> sha256_from_hex(std::string_view hex) {
    if (hex.size() != 64) {
        return std::nullopt;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    };
    Sha256Digest out{};
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(hex[2 * i]);
        const int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return std::nullopt;
        }
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

} // namespace pkgdesc
