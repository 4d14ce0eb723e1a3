// Detached signatures: OpenPGP through GPGME, Ed25519 through OpenSSL.
#include <libpkgdesc/trust/detached_signature.hpp>

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/trust/openpgp.hpp>
#include <libpkgdesc/util/base64.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <array>
#include <utility>

namespace pkgdesc {

namespace {

constexpr std::uint64_t k_max_key = std::uint64_t{64} << 10;

struct PkeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MdCtxFree {
    void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};

// Never asks for a passphrase (on a terminal or anywhere): an encrypted key is refused.
int no_passphrase(char*, int, int, void*) {
    return 0;
}

Pkey read_ed25519_key(const std::string& file, bool secret) {
    const std::optional<std::string> pem = read_file_if_exists(file, k_max_key);
    if (!pem) {
        throw TrustError(file, "no such key file");
    }
    const std::unique_ptr<BIO, BioFree> bio(
        BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
    Pkey key(secret ? PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr)
                    : PEM_read_bio_PUBKEY(bio.get(), nullptr, no_passphrase, nullptr));
    if (!key) {
        throw TrustError(file,
                         secret ? "not an unencrypted PEM private key" : "not a PEM public key");
    }
    if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_ED25519) {
        throw TrustError(file, "not an Ed25519 key");
    }
    return key;
}

// "ed25519:" and the SHA-256 of the key's SubjectPublicKeyInfo: what names the signer.
std::string ed25519_identity(EVP_PKEY* key) {
    unsigned char* der = nullptr;
    const int n = i2d_PUBKEY(key, &der);
    if (n <= 0) {
        throw TrustError("Ed25519 key", "cannot encode the public key");
    }
    const Sha256Digest digest = Sha256::digest(
        std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(n)));
    OPENSSL_free(der);
    return "ed25519:" + to_hex(digest);
}

std::string ed25519_sign(const std::string& key_file, std::string_view data) {
    const Pkey key = read_ed25519_key(key_file, true);
    const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    std::array<unsigned char, 64> signature{};
    std::size_t length = signature.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) != 1 ||
        EVP_DigestSign(ctx.get(), signature.data(), &length,
                       reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1 ||
        length != signature.size()) {
        throw TrustError(key_file, "cannot sign with this key");
    }
    return base64_encode(std::string_view(reinterpret_cast<const char*>(signature.data()),
                                          signature.size())) +
           "\n";
}

bool ed25519_verify(EVP_PKEY* key, std::string_view data, std::string_view signature) {
    const std::unique_ptr<EVP_MD_CTX, MdCtxFree> ctx(EVP_MD_CTX_new());
    return ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key) == 1 &&
           EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                            signature.size(), reinterpret_cast<const unsigned char*>(data.data()),
                            data.size()) == 1;
}

} // namespace

std::string make_detached_signature(const DetachedSigner& signer, std::string_view data) {
    return signer.kind == DetachedSigner::Kind::openpgp
               ? sign_detached_unattended(std::string(data), signer.key)
               : ed25519_sign(signer.key, data);
}

struct DetachedVerifier::Keys {
    std::unique_ptr<SignatureVerifier> openpgp;
    std::vector<std::pair<Pkey, std::string>> ed25519; // key, identity
};

DetachedVerifier::DetachedVerifier(const DetachedKeys& keys) : m_keys(std::make_unique<Keys>()) {
    if (!keys.keyrings.empty()) {
        KeySource source;
        source.files = keys.keyrings;
        m_keys->openpgp = std::make_unique<SignatureVerifier>(source);
    }
    for (const std::string& file : keys.ed25519) {
        Pkey key = read_ed25519_key(file, false);
        std::string identity = ed25519_identity(key.get());
        m_keys->ed25519.emplace_back(std::move(key), std::move(identity));
    }
}

DetachedVerifier::~DetachedVerifier() = default;

std::optional<std::string> DetachedVerifier::verify(std::string_view data,
                                                    std::string_view signature,
                                                    DetachedSigner::Kind kind,
                                                    const std::string& shown,
                                                    std::string& refused) const {
    if (kind == DetachedSigner::Kind::openpgp) {
        if (!m_keys->openpgp) {
            refused = "an OpenPGP signature, and no OpenPGP keyring was given";
            return std::nullopt;
        }
        try {
            return m_keys->openpgp
                ->verify_detached(std::string(data), std::string(signature), shown)
                .signer;
        } catch (const TrustError& e) {
            refused = e.what();
            return std::nullopt;
        }
    }
    std::string_view encoded = signature;
    while (!encoded.empty() && (encoded.back() == '\n' || encoded.back() == '\r')) {
        encoded.remove_suffix(1);
    }
    const std::optional<std::string> raw = base64_decode(encoded);
    if (!raw || raw->size() != 64) {
        refused = shown + ": not an Ed25519 signature";
        return std::nullopt;
    }
    if (m_keys->ed25519.empty()) {
        refused = "an Ed25519 signature, and no Ed25519 public key was given";
        return std::nullopt;
    }
    for (const auto& [key, identity] : m_keys->ed25519) {
        if (ed25519_verify(key.get(), data, *raw)) {
            return identity;
        }
    }
    refused = shown + ": not made by any of the given Ed25519 keys";
    return std::nullopt;
}

} // namespace pkgdesc
