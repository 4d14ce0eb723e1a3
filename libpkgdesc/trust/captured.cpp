// The store of stanzas the apt hook captured: see captured.hpp.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/deb822.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/trust/captured.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <apt-pkg/debversion.h>

#include <cerrno>
#include <charconv>
#include <filesystem>
#include <set>
#include <system_error>
#include <unistd.h>

namespace pkgdesc {

namespace {

constexpr std::string_view k_stanza = ".pkgdesc";
constexpr std::string_view k_proof = ".proof";
// A proof is a few lines; a stanza as large as the parser takes one.
constexpr std::uint64_t k_max_proof = 64 * 1024;
constexpr std::uint64_t k_max_stanza = std::uint64_t{256} << 20;

bool only(std::string_view text, std::string_view extra) {
    if (text.empty()) {
        return false;
    }
    for (const char c : text) {
        const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && extra.find(c) == std::string_view::npos) {
            return false;
        }
    }
    return true;
}

// Whether a name, version and architecture can name a file of the store: Debian's characters
// only (a version's ':' becomes "%3a", as apt names its archives), so that no name leads out.
bool nameable(const PackageVersion& v) {
    return only(v.name, "+.-") && v.name.front() != '.' && only(v.version, ".+~:-") &&
           only(v.architecture, "-");
}

std::string quoted_version(const std::string& version) {
    std::string out;
    for (const char c : version) {
        if (c == ':') {
            out += "%3a";
        } else {
            out += c;
        }
    }
    return out;
}

std::string field(const Deb822Stanza& stanza, std::string_view name) {
    const Deb822Field* f = stanza.find(name);
    return f == nullptr ? std::string() : f->value;
}

} // namespace

std::string CapturedStore::base(const PackageVersion& v) const {
    return m_dir + "/" + v.name + "_" + quoted_version(v.version) + "_" + v.architecture;
}

void CapturedStore::keep(const Pkgdesc& desc, const Provenance& provenance,
                         std::int64_t now) const {
    const PackageVersion version{desc.package, desc.architecture, desc.version};
    if (!nameable(version) || !sha256_from_hex(provenance.deb_sha256) ||
        provenance.deb_uri.find('\n') != std::string::npos) {
        throw Error(m_dir, "cannot keep a stanza for '" + desc.package + "' version '" +
                               desc.version + "': not a Debian package name and version, or not "
                               "proven through a .deb");
    }
    make_directories(m_dir);
    const std::string base_path = base(version);
    // The stanza first: a proof is never there for a stanza that is not.
    AtomicFile stanza(base_path + std::string(k_stanza));
    stanza.write(to_string(desc));
    stanza.commit();
    AtomicFile proof(base_path + std::string(k_proof));
    proof.write("Package: " + desc.package + "\nVersion: " + desc.version +
                "\nArchitecture: " + desc.architecture + "\nSHA256: " + provenance.deb_sha256 +
                "\nURI: " + provenance.deb_uri + "\nCaptured: " + std::to_string(now) + "\n");
    proof.commit();
}

std::optional<CapturedStanza> CapturedStore::find(const PackageVersion& version,
                                                  std::string* problem) const {
    if (m_dir.empty() || !nameable(version)) {
        return std::nullopt;
    }
    const std::string base_path = base(version);
    const std::string proof_path = base_path + std::string(k_proof);
    const std::string stanza_path = base_path + std::string(k_stanza);
    const auto refuse = [&](const std::string& file, const std::string& why) {
        if (problem != nullptr) {
            *problem = file + ": " + why;
        }
        return std::nullopt;
    };
    try {
        const std::optional<std::string> proof_text = read_file_if_exists(proof_path, k_max_proof);
        if (!proof_text) {
            return std::nullopt;
        }
        const std::vector<Deb822Stanza> proof = parse_deb822(*proof_text, proof_path);
        if (proof.size() != 1) {
            return refuse(proof_path, "not one stanza");
        }
        const Deb822Stanza& p = proof.front();
        CapturedStanza out;
        out.provenance.origin = stanza_path;
        out.provenance.deb_sha256 = field(p, "SHA256");
        out.provenance.deb_uri = field(p, "URI");
        const std::string captured = field(p, "Captured");
        const auto [end, error] =
            std::from_chars(captured.data(), captured.data() + captured.size(), out.captured);
        if (field(p, "Package") != version.name || field(p, "Architecture") != version.architecture ||
            debVS.CmpVersion(field(p, "Version"), version.version) != 0 ||
            !sha256_from_hex(out.provenance.deb_sha256) || error != std::errc() ||
            end != captured.data() + captured.size()) {
            return refuse(proof_path, "not a proof for " + version.name + " " + version.version +
                                          " (" + version.architecture + ")");
        }
        const std::optional<std::string> text = read_file_if_exists(stanza_path, k_max_stanza);
        if (!text) {
            return refuse(stanza_path, "missing, though its proof is there");
        }
        out.desc = parse_pkgdesc(*text, stanza_path);
        if (out.desc.package != version.name || out.desc.architecture != version.architecture ||
            debVS.CmpVersion(out.desc.version, version.version) != 0) {
            return refuse(stanza_path, "describes " + out.desc.package + " " + out.desc.version +
                                           " (" + out.desc.architecture + ")");
        }
        return out;
    } catch (const Error& e) {
        return refuse(base_path, e.what());
    }
}

std::size_t CapturedStore::prune(const std::vector<PackageVersion>& keep) const {
    std::set<std::string> kept;
    for (const PackageVersion& v : keep) {
        if (nameable(v)) {
            kept.insert(base(v).substr(m_dir.size() + 1));
        }
    }
    std::set<std::string> removed;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(m_dir, ec)) {
        const std::string name = entry.path().filename().string();
        for (const std::string_view suffix : {k_stanza, k_proof}) {
            if (name.size() <= suffix.size() ||
                name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0) {
                continue;
            }
            const std::string stem = name.substr(0, name.size() - suffix.size());
            if (kept.count(stem) == 0 && ::unlink(entry.path().c_str()) == 0) {
                removed.insert(stem);
            }
        }
    }
    return removed.size();
}

} // namespace pkgdesc
