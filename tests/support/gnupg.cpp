// Test GnuPG homes, made with the real gpg.
#include "gnupg.hpp"

#include "support.hpp"

#include <sys/stat.h>

#include <sstream>
#include <stdexcept>

namespace pkgdesc::test {

namespace {

// Generates a key in HOME; returns the fingerprint of the newest secret key.
std::string generate_key(const std::string& home, const std::string& env, const std::string& name,
                         const std::string& expire) {
    const std::string params = home + "/key-params";
    write_file(params, "%no-protection\nKey-Type: EdDSA\nKey-Curve: ed25519\nName-Real: " + name +
                           "\nName-Email: test@example.org\nExpire-Date: " + expire +
                           "\n%commit\n");
    const RunResult gen = run({"gpg", "--batch", "--quiet", "--gen-key", params}, {env});
    if (gen.status != 0) {
        throw std::runtime_error("gpg --gen-key failed: " + gen.err);
    }
    const RunResult list =
        run({"gpg", "--batch", "--with-colons", "--list-secret-keys", name}, {env});
    std::istringstream in(list.out);
    std::string fingerprint;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("fpr:", 0) == 0 && fingerprint.empty()) {
            fingerprint = line.substr(12, 40);
        }
    }
    if (fingerprint.size() != 40) {
        throw std::runtime_error("no fingerprint in: " + list.out);
    }
    return fingerprint;
}

} // namespace

GnupgHome::GnupgHome(std::string dir, const std::string& name, const std::string& expire)
    : m_dir(std::move(dir)) {
    if (::mkdir(m_dir.c_str(), 0700) != 0) {
        throw std::runtime_error("cannot create " + m_dir);
    }
    m_fingerprint = generate_key(m_dir, env(), name, expire);
}

std::string GnupgHome::add_key(const std::string& name) const {
    return generate_key(m_dir, env(), name, "0");
}

GnupgHome::~GnupgHome() {
    run({"gpgconf", "--homedir", m_dir, "--kill", "all"}, {env()});
}

void GnupgHome::export_public(const std::string& path, bool armored) const {
    std::vector<std::string> argv{"gpg", "--batch", "--output", path};
    if (armored) {
        argv.push_back("--armor");
    }
    argv.push_back("--export");
    argv.push_back(m_fingerprint);
    const RunResult r = run(argv, {env()});
    if (r.status != 0) {
        throw std::runtime_error("gpg --export failed: " + r.err);
    }
}

} // namespace pkgdesc::test
