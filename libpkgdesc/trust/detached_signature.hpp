// Detached signatures made and proven by pkgdesc itself (an evidence trail's manifests, a
// collected system's stream): OpenPGP through GPGME, or Ed25519 through OpenSSL.
#pragma once

#include <libpkgdesc/export.hpp>

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace pkgdesc {

// Who signs: the OpenPGP secret key `key` of the user's GnuPG home (GNUPGHOME or ~/.gnupg;
// empty: GnuPG's default key), an armored detached signature; or the Ed25519 private key of the
// PEM file `key` (openssl genpkey -algorithm ed25519), the 64-byte signature in base64 and a
// newline. Signing never asks for a passphrase: a key that needs one cannot sign.
struct PKGDESC_EXPORT DetachedSigner {
    enum class Kind { openpgp, ed25519 };
    Kind kind = Kind::openpgp;
    std::string key;
};

// What signatures are proven with: OpenPGP keyrings (binary or armored public keys) and Ed25519
// public keys (PEM files, openssl pkey -pubout). A signature counts only when one of these keys
// made it.
struct PKGDESC_EXPORT DetachedKeys {
    std::vector<std::string> keyrings;
    std::vector<std::string> ed25519;
    bool empty() const { return keyrings.empty() && ed25519.empty(); }
};

// Signs `data`. Throws TrustError (a key that cannot sign).
PKGDESC_EXPORT std::string make_detached_signature(const DetachedSigner& signer,
                                                   std::string_view data);

class PKGDESC_EXPORT DetachedVerifier {
public:
    // Reads the keys. Throws TrustError for a key that cannot be read.
    explicit DetachedVerifier(const DetachedKeys& keys);
    ~DetachedVerifier();
    DetachedVerifier(const DetachedVerifier&) = delete;
    DetachedVerifier& operator=(const DetachedVerifier&) = delete;

    // The signer ("ed25519:" and the SHA-256 of its public key, or the OpenPGP fingerprint)
    // when `signature`, of `kind` and read from `shown`, is one of the keys' over `data`;
    // otherwise nullopt, and `refused` says why.
    std::optional<std::string> verify(std::string_view data, std::string_view signature,
                                      DetachedSigner::Kind kind, const std::string& shown,
                                      std::string& refused) const;

private:
    struct Keys;
    std::unique_ptr<Keys> m_keys;
};

} // namespace pkgdesc
