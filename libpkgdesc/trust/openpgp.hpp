// OpenPGP signatures through GPGME. Verification only ever consults the keys it is given: they
// are imported into a private, temporary GnuPG home (never the user's keyring), and a signature
// counts only if GnuPG calls it good, it was made with a strong hash by one of those keys, and
// neither the key nor the signature has expired or been revoked.
#pragma once

#include <libpkgdesc/export.hpp>

#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace pkgdesc {

// Where trusted keys come from, as apt's Signed-By: keyring files (binary ".gpg" or armored
// ".asc") and armored key blocks given inline; `fingerprints`, when not empty, limits the
// accepted signers to those keys (primary key fingerprints, hex).
struct PKGDESC_EXPORT KeySource {
    std::vector<std::string> files;
    std::vector<std::string> armored;
    std::vector<std::string> fingerprints;
};

struct PKGDESC_EXPORT VerifiedText {
    // The signed text, as GnuPG returns it (never the bytes around the signature).
    std::string text;
    // The primary key fingerprint of the accepted signer.
    std::string signer;
    // When this verdict stops being true by itself: the earliest expiry of the signature, the
    // signing subkey and its primary key (0: none expires).
    std::time_t expires = 0;
};

class PKGDESC_EXPORT SignatureVerifier {
public:
    // Imports the keys into a new temporary GnuPG home. Throws TrustError naming the keyring
    // that cannot be read or holds no public key, or IoError.
    explicit SignatureVerifier(const KeySource& keys);
    ~SignatureVerifier();
    SignatureVerifier(const SignatureVerifier&) = delete;
    SignatureVerifier& operator=(const SignatureVerifier&) = delete;

    // Verifies a clear-signed document (an InRelease file) and returns the text it signs. The
    // document must be exactly one clear-signed message: nothing before or after it. Throws
    // TrustError("origin: reason") otherwise.
    VerifiedText verify_clearsigned(const std::string& document, const std::string& origin) const;
    // Verifies a detached signature (Release.gpg) of `data`; `text` of the result is `data`.
    VerifiedText verify_detached(const std::string& data, const std::string& signature,
                                 const std::string& origin) const;

    // The fingerprints of the imported primary keys.
    const std::vector<std::string>& fingerprints() const { return m_fingerprints; }

    struct Context;

private:
    struct SigningKey {
        std::string primary;
        std::time_t expires = 0; // earliest of subkey and primary key; 0: never
    };
    VerifiedText accept(const std::string& origin) const;

    std::string m_home;
    std::vector<std::string> m_fingerprints;
    std::vector<std::string> m_allowed;
    // Every (sub)key fingerprint of the imported keys -> its primary key.
    std::map<std::string, SigningKey> m_keys;
    // One GPGME context for every operation (each new one costs a gpg --version).
    std::unique_ptr<Context> m_context;
    mutable std::mutex m_mutex;
};

// Signs with the secret key `key_id` of the user's GnuPG home (GNUPGHOME or ~/.gnupg); an empty
// key_id means GnuPG's default key. Throws TrustError when the key cannot be found or used.
// The key that sign_clear() and sign_detached() sign with for `key_id` (empty: GnuPG's default
// key, found by making a signature): its primary fingerprint and its public key, armored. What a
// publisher checks its own earlier signatures with.
struct PKGDESC_EXPORT PublicKey {
    std::string fingerprint;
    std::string armored;
};
PKGDESC_EXPORT PublicKey signing_key(const std::string& key_id);
// The public key `key_id` from the user's keyring (a secret key is not needed).
PKGDESC_EXPORT PublicKey public_key(const std::string& key_id);
PKGDESC_EXPORT std::string sign_clear(const std::string& text, const std::string& key_id);
PKGDESC_EXPORT std::string sign_detached(const std::string& text, const std::string& key_id);
// The same without ever asking for a passphrase (a key that needs one is a TrustError): for
// signing in scheduled runs.
PKGDESC_EXPORT std::string sign_detached_unattended(const std::string& text,
                                                    const std::string& key_id);

} // namespace pkgdesc
