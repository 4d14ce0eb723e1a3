// Test GnuPG homes, made with the real gpg.
#include "gnupg.hpp"

#include "support.hpp"

#include <sys/stat.h>

#include <sstream>
#include <stdexcept>

namespace pkgdesc::test {

GnupgHome::GnupgHome(std::string dir, const std::string& name, const std::string& expire)
    : m_dir(std::move(dir)) {
    if (::mkdir(m_dir.c_str(), 0700) != 0) {
        throw std::runtime_error("cannot create " + m_dir);
    }
    const std::string params = m_dir + "/key-params";
    write_file(params, "%no-protection\nKey-Type: EdDSA\nKey-Curve: ed25519\nName-Real: " + name +
                           "\nName-Email: test@example.org\nExpire-Date: " + expire +
                           "\n%commit\n");
    const RunResult gen = run({"gpg", "--batch", "--quiet", "--gen-key", params}, {env()});
    if (gen.status != 0) {
        throw std::runtime_error("gpg --gen-key failed: " + gen.err);
    }
    const RunResult list = run({"gpg", "--batch", "--with-colons", "--list-secret-keys"}, {env()});
    std::istringstream in(list.out);
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("fpr:", 0) == 0 && m_fingerprint.empty()) {
            m_fingerprint = line.substr(12, 40);
        }
    }
    if (m_fingerprint.size() != 40) {
        throw std::runtime_error("no fingerprint in: " + list.out);
    }
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
