// A real GnuPG home for tests: a fresh Ed25519 signing key without a passphrase.
#pragma once

#include <string>
#include <vector>

namespace pkgdesc::test {

class GnupgHome {
public:
    // Creates DIR (mode 0700) and generates a key for `name`; `expire` as GnuPG's Expire-Date.
    explicit GnupgHome(std::string dir, const std::string& name = "pkgdesc test",
                       const std::string& expire = "0");
    // Stops the agent that signing started.
    ~GnupgHome();
    GnupgHome(const GnupgHome&) = delete;
    GnupgHome& operator=(const GnupgHome&) = delete;

    const std::string& dir() const { return m_dir; }
    const std::string& fingerprint() const { return m_fingerprint; }
    // "GNUPGHOME=DIR", for run().
    std::string env() const { return "GNUPGHOME=" + m_dir; }
    // Writes the public key to PATH, binary or armored.
    void export_public(const std::string& path, bool armored = false) const;
    // Generates a further secret key in the same home (the first stays GnuPG's default);
    // returns its fingerprint.
    std::string add_key(const std::string& name) const;

private:
    std::string m_dir;
    std::string m_fingerprint;
};

} // namespace pkgdesc::test
