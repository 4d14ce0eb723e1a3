// The apt chain: apt's sources and lists through libapt-pkg, signatures through GPGME, .debs
// described by the streaming reader while their SHA256 is computed in the same pass.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/generate/generator.hpp>
#include <libpkgdesc/trust/apt_chain.hpp>
#include <libpkgdesc/trust/captured.hpp>
#include <libpkgdesc/trust/openpgp.hpp>
#include <libpkgdesc/util/apt_error.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/util/thread_pool.hpp>
#include <libpkgdesc/util/unique_fd.hpp>

#include <apt-pkg/acquire-item.h>
#include <apt-pkg/acquire.h>
#include <apt-pkg/configuration.h>
#include <apt-pkg/debversion.h>
#include <apt-pkg/fileutl.h>
#include <apt-pkg/hashes.h>
#include <apt-pkg/indexfile.h>
#include <apt-pkg/init.h>
#include <apt-pkg/metaindex.h>
#include <apt-pkg/pkgsystem.h>
#include <apt-pkg/sourcelist.h>
#include <apt-pkg/strutl.h>
#include <apt-pkg/tagfile.h>

#include <archive.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <set>
#include <sstream>
#include <unordered_map>

namespace pkgdesc {

namespace {

// What a signed Packages index says about one installed version.
struct Candidate {
    std::string sha256;
    std::uint64_t size = 0;
    std::string filename; // relative to the source's URI ("pool/main/h/hello/hello_1.0_amd64.deb")
    std::string base_uri;
};

struct Wanted {
    const PackageVersion* version = nullptr;
    std::vector<Candidate> candidates;
};

// Reads apt's configuration once per process (libapt-pkg keeps it in globals).
void init_apt(const std::vector<std::string>& options) {
    static std::mutex mutex;
    const std::lock_guard<std::mutex> lock(mutex);
    static bool initialised = false;
    if (!initialised) {
        if (!pkgInitConfig(*_config) || !pkgInitSystem(*_config, _system)) {
            AptErrorScope::fail("apt configuration", "cannot read apt's configuration");
        }
        initialised = true;
    }
    for (const std::string& option : options) {
        const std::size_t eq = option.find('=');
        if (eq == std::string::npos || eq == 0) {
            throw Error(option, "not an apt option (NAME=VALUE)");
        }
        _config->Set(option.substr(0, eq), option.substr(eq + 1));
    }
}

std::string hex_lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// Signed documents (InRelease, Release, Release.gpg) are small; anything larger is refused
// before it is read.
constexpr std::uint64_t k_max_release_size = std::uint64_t{64} << 20;

// Decompresses a list file apt kept compressed (Acquire::GzipIndexes, lz4 on some systems), to
// at most `limit` bytes: the list is not proven yet.
std::string decompress(const std::string& data, const std::string& path, std::uint64_t limit) {
    std::unique_ptr<archive, decltype(&archive_read_free)> a(archive_read_new(),
                                                             &archive_read_free);
    archive_read_support_filter_all(a.get());
    archive_read_support_format_raw(a.get());
    archive_entry* entry = nullptr;
    if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK ||
        archive_read_next_header(a.get(), &entry) != ARCHIVE_OK) {
        throw Error(path, std::string("cannot decompress: ") + archive_error_string(a.get()));
    }
    std::string out;
    std::vector<char> buffer(1 << 16);
    for (;;) {
        const la_ssize_t n = archive_read_data(a.get(), buffer.data(), buffer.size());
        if (n < 0) {
            throw Error(path, std::string("cannot decompress: ") + archive_error_string(a.get()));
        }
        if (n == 0) {
            break;
        }
        if (out.size() + static_cast<std::size_t>(n) > limit) {
            throw TrustError(path, "decompresses to more than the " + std::to_string(limit) +
                                       " bytes the signed Release gives");
        }
        out.append(buffer.data(), static_cast<std::size_t>(n));
    }
    return out;
}

// The keys a source trusts: its Signed-By (keyring files, fingerprints or an inline key block),
// else apt's trusted.gpg and trusted.gpg.d.
KeySource keys_for(const metaIndex& meta) {
    KeySource keys;
    const std::string signed_by = meta.GetSignedBy();
    if (signed_by.find("-----BEGIN PGP PUBLIC KEY BLOCK-----") != std::string::npos) {
        keys.armored.push_back(signed_by);
        return keys;
    }
    std::vector<std::string> fingerprints;
    for (std::string item : VectorizeString(signed_by, ',')) {
        item = APT::String::Strip(item);
        if (item.empty()) {
            continue;
        }
        if (item.front() == '/') {
            keys.files.push_back(item);
        } else {
            // A fingerprint; "!" (exact subkey) is treated as the key itself.
            if (item.back() == '!') {
                item.pop_back();
            }
            keys.fingerprints.push_back(item);
        }
    }
    if (keys.files.empty()) {
        const std::string trusted = _config->FindFile("Dir::Etc::trusted");
        if (!trusted.empty() && FileExists(trusted)) {
            keys.files.push_back(trusted);
        }
        const std::string parts = _config->FindDir("Dir::Etc::trustedparts");
        std::vector<std::string> found;
        if (DirectoryExists(parts)) {
            for (const std::string& file :
                 GetListOfFilesInDir(parts, std::vector<std::string>{"gpg", "asc"}, true)) {
                found.push_back(file);
            }
        }
        keys.files.insert(keys.files.end(), found.begin(), found.end());
    }
    return keys;
}

std::string key_id(const KeySource& keys) {
    std::string id;
    for (const auto* list : {&keys.files, &keys.armored, &keys.fingerprints}) {
        for (const std::string& item : *list) {
            id += item + '\n';
        }
        id += '\x1f';
    }
    return id;
}

// Where apt keeps a source's InRelease (as apt's debReleaseIndex names it).
std::string meta_index_file(const metaIndex& meta, const char* type) {
    const std::string& dist = meta.GetDist();
    std::string uri = meta.GetURI();
    if (dist == "/") {
        // flat repository at the URI itself
    } else if (!dist.empty() && dist.back() == '/') {
        uri += dist;
    } else {
        uri += "dists/" + dist + "/";
    }
    return _config->FindDir("Dir::State::lists") + URItoFileName(uri + type);
}

std::string deb_cache_name(const PackageVersion& pkg) {
    return pkg.name + "_" + QuoteString(pkg.version, "_:") + "_" + pkg.architecture + ".deb";
}

class Chain {
public:
    Chain(const AptChainOptions& options, const std::vector<PackageVersion>& wanted,
          ReleaseHistory& history, ReferenceSet& references)
        : m_options(options), m_history(history), m_references(references) {
        for (const PackageVersion& pkg : wanted) {
            m_wanted.push_back(Wanted{&pkg, {}});
        }
        for (std::size_t i = 0; i < m_wanted.size(); ++i) {
            m_by_name[wanted[i].name].push_back(i);
        }
    }

    // The .debs at these paths (SHA-256 -> path) rather than installed versions: each one a
    // signed index lists becomes a wanted version, found through its hash.
    void want_debs(std::map<std::string, std::string> debs) { m_deb_files = std::move(debs); }

    AptChainResult run() {
        AptErrorScope errors;
        init_apt(m_options.apt_options);
        pkgSourceList sources;
        if (!sources.ReadMainList()) {
            AptErrorScope::fail("apt sources", "cannot read apt's sources");
        }
        for (metaIndex* meta : sources) {
            read_source(*meta);
        }
        std::vector<std::size_t> found;
        for (std::size_t i = 0; i < m_wanted.size(); ++i) {
            const Wanted& w = m_wanted[i];
            if (w.candidates.empty()) {
                if (!from_captured(w)) {
                    set_reason(w, not_signed_reason("this version"));
                }
                continue;
            }
            ++m_result.found;
            found.push_back(i);
        }
        generate(from_cache(found));
        return m_result;
    }

    std::string not_signed_reason(const std::string& what) const {
        return what + " is in no signed Packages index of apt's sources (" +
               std::to_string(m_result.sources_verified) + " of " +
               std::to_string(m_result.sources) + " proven" +
               (m_result.sources_verified < m_result.sources ? "; see the warnings" : "") + ")";
    }

    // The wanted versions of a run by .debs, in the order they were found.
    const std::vector<Wanted>& wanted() const { return m_wanted; }

private:
    // A stanza the apt hook captured for this version, when it was proven through a .deb that
    // the signed indexes read now still list for it, if they list it at all.
    bool from_captured(const Wanted& w) {
        if (m_options.captured_dir.empty()) {
            return false;
        }
        std::string problem;
        std::optional<CapturedStanza> captured =
            CapturedStore(m_options.captured_dir).find(*w.version, &problem);
        if (!problem.empty()) {
            warn(problem, "not used");
        }
        if (!captured) {
            return false;
        }
        const bool listed = std::any_of(
            w.candidates.begin(), w.candidates.end(),
            [&](const Candidate& c) { return c.sha256 == captured->provenance.deb_sha256; });
        if (!w.candidates.empty() && !listed) {
            warn(captured->provenance.origin,
                 "captured from a .deb the signed indexes do not list for this version; not used");
            return false;
        }
        m_references.add(std::move(captured->desc), std::move(captured->provenance));
        ++m_result.captured;
        return true;
    }

    void warn(const std::string& what, const std::string& reason) {
        m_result.warnings.push_back(what + ": " + reason);
    }

    void set_reason(const Wanted& w, const std::string& reason) {
        m_references.set_missing_reason(w.version->name, w.version->architecture,
                                        w.version->version, reason);
    }

    const SignatureVerifier& verifier_for(const KeySource& keys) {
        const std::string id = key_id(keys);
        auto it = m_verifiers.find(id);
        if (it == m_verifiers.end()) {
            it = m_verifiers.emplace(id, std::make_unique<SignatureVerifier>(keys)).first;
        }
        return *it->second;
    }

    // A signature verdict, from the cache when these very bytes were proven by these very keys
    // before and nothing has expired since; GnuPG is not even started then.
    VerifiedText verify(const KeySource& keys, const std::string& document,
                        const std::optional<std::string>& detached, const std::string& origin) {
        // Every piece length-prefixed, so that no two different inputs make the same key.
        Sha256 id;
        const auto piece = [&id](std::string_view bytes) {
            id.update(std::to_string(bytes.size()) + ":");
            id.update(bytes);
        };
        for (const std::string& file : keys.files) {
            const std::optional<std::string> bytes = read_file_if_exists(file);
            piece("file");
            piece(file);
            piece(bytes ? *bytes : std::string_view("missing"));
        }
        for (const std::string& block : keys.armored) {
            piece("armored");
            piece(block);
        }
        for (const std::string& fingerprint : keys.fingerprints) {
            piece("fingerprint");
            piece(fingerprint);
        }
        piece("document");
        piece(document);
        piece(detached ? "detached" : "clear-signed");
        piece(detached ? *detached : std::string_view());
        const std::string path = m_options.cache_dir + "/verified/" + to_hex(id.finish());
        try {
            if (const std::optional<std::string> cached = read_file_if_exists(path)) {
                const std::size_t eol = cached->find('\n');
                const std::size_t space = cached->find(' ');
                if (eol != std::string::npos && space < eol) {
                    VerifiedText verdict;
                    verdict.signer = cached->substr(0, space);
                    verdict.expires = std::strtoll(cached->c_str() + space + 1, nullptr, 10);
                    verdict.text = cached->substr(eol + 1);
                    if (verdict.expires == 0 || verdict.expires > m_options.now) {
                        return verdict;
                    }
                }
            }
        } catch (const Error&) {
            // unreadable: verified again below
        }
        const SignatureVerifier& verifier = verifier_for(keys);
        VerifiedText verdict = detached ? verifier.verify_detached(document, *detached, origin)
                                        : verifier.verify_clearsigned(document, origin);
        try {
            make_directories(m_options.cache_dir + "/verified");
            AtomicFile out(path);
            out.write(verdict.signer + " " + std::to_string(verdict.expires) + "\n" + verdict.text);
            out.commit();
        } catch (const Error& e) {
            warn(path, e.what());
        }
        return verdict;
    }

    // Proves one source's Release and reads the Packages indexes it signs.
    void read_source(const metaIndex& meta) {
        const std::vector<IndexTarget> targets = meta.GetIndexTargets();
        std::vector<const IndexTarget*> packages;
        for (const IndexTarget& target : targets) {
            if (target.Option(IndexTarget::CREATED_BY) == "Packages") {
                packages.push_back(&target);
            }
        }
        if (packages.empty()) {
            return;
        }
        const std::string inrelease = meta_index_file(meta, "InRelease");
        const std::string what = meta.GetURI() + " " + meta.GetDist();
        ++m_result.sources;
        Release release;
        try {
            const KeySource keys = keys_for(meta);
            std::string text;
            std::string signer;
            if (std::optional<std::string> signed_doc =
                    read_file_if_exists(inrelease, k_max_release_size)) {
                VerifiedText verified = verify(keys, *signed_doc, std::nullopt, inrelease);
                text = std::move(verified.text);
                signer = verified.signer;
            } else {
                // An archive without InRelease: Release and its detached signature, both read
                // into memory before the check.
                const std::string release_path = meta_index_file(meta, "Release");
                const std::string sig_path = meta_index_file(meta, "Release.gpg");
                const std::optional<std::string> plain =
                    read_file_if_exists(release_path, k_max_release_size);
                const std::optional<std::string> sig =
                    read_file_if_exists(sig_path, k_max_release_size);
                if (!plain || !sig) {
                    throw TrustError(inrelease, "no InRelease, nor Release with Release.gpg, in "
                                                "apt's lists (run apt update?)");
                }
                VerifiedText verified = verify(keys, *plain, *sig, sig_path);
                text = std::move(verified.text);
                signer = verified.signer;
            }
            release = parse_release(text, inrelease);
            // The Release must be the one for this source's suite, not another one signed by
            // the same key (apt only warns about a "conflicting distribution").
            const std::string& dist = meta.GetDist();
            if (!dist.empty() && dist.back() != '/' && release.suite != dist &&
                release.codename != dist) {
                throw TrustError(inrelease, "signed for suite '" + release.suite + "' (codename '" +
                                                release.codename + "'), not '" + dist + "'");
            }
            check_release_time(release, m_options.now, inrelease);
            m_history.check_and_record(release, signer, inrelease);
            m_result.signed_sources.push_back(what + ": signed by " + signer);
        } catch (const Error& e) {
            warn(what, e.what());
            return;
        } catch (const std::bad_alloc&) {
            warn(what, "out of memory");
            return;
        }
        ++m_result.sources_verified;
        for (const IndexTarget* target : packages) {
            read_packages(*target, release);
        }
    }

    void read_packages(const IndexTarget& target, const Release& release) {
        const std::string path = target.Option(IndexTarget::EXISTING_FILENAME);
        if (path.empty()) {
            return; // not downloaded (another architecture, or apt update never ran)
        }
        const std::string base_uri = target.Option(IndexTarget::REPO_URI);
        try {
            // The Release names the file as apt keeps it, or uncompressed.
            const std::string plain_path = target.Option(IndexTarget::FILENAME);
            const std::string extension = path.substr(std::min(path.size(), plain_path.size()));
            const ReleaseEntry* entry = release.find(target.MetaKey + extension);
            const bool decompress_first = entry == nullptr && !extension.empty();
            if (decompress_first) {
                entry = release.find(target.MetaKey);
            }
            if (entry == nullptr) {
                throw TrustError(path, "not listed in the signed Release");
            }
            // A list proven before, unchanged since (same inode, size, mtime and ctime: only
            // the clock can fake a ctime), is read from its cached digest.
            struct stat st {};
            if (::stat(path.c_str(), &st) != 0) {
                return;
            }
            const std::string identity =
                std::to_string(st.st_dev) + " " + std::to_string(st.st_ino) + " " +
                std::to_string(st.st_size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                std::to_string(st.st_mtim.tv_nsec) + " " + std::to_string(st.st_ctim.tv_sec) + "." +
                std::to_string(st.st_ctim.tv_nsec) + " " + entry->sha256 + "\n";
            const std::string digest_path =
                m_options.cache_dir + "/lists/" + to_hex(Sha256::digest(path));
            std::optional<MappedFile> digest;
            try {
                digest = MappedFile::open_if_exists(digest_path);
            } catch (const Error&) {
            }
            if (digest && digest->view().substr(0, identity.size()) == identity) {
                ++m_result.indexes;
                read_digest(digest->view().substr(identity.size()), base_uri);
                return;
            }
            if (!decompress_first && static_cast<std::uint64_t>(st.st_size) != entry->size) {
                throw TrustError(path, "size " + std::to_string(st.st_size) +
                                           " bytes, the signed Release says " +
                                           std::to_string(entry->size));
            }
            // Compression never grows data by more than a little: a larger file is not the list.
            std::optional<std::string> data = read_file_if_exists(
                path, decompress_first ? entry->size + entry->size / 16 + (1 << 20) : entry->size);
            if (!data) {
                return;
            }
            std::string text;
            if (decompress_first) {
                text = decompress(*data, path, entry->size);
                check(text, *entry, path);
            } else {
                check(*data, *entry, path);
                text = extension.empty() ? std::move(*data)
                                         : decompress(*data, path, std::uint64_t{16} << 30);
            }
            ++m_result.indexes;
            std::string records = scan_packages(text, path);
            read_digest(records, base_uri);
            try {
                make_directories(m_options.cache_dir + "/lists");
                AtomicFile out(digest_path);
                out.write(identity);
                out.write(records);
                out.commit();
            } catch (const Error& e) {
                warn(digest_path, e.what());
            }
        } catch (const Error& e) {
            warn(path, e.what());
        } catch (const std::bad_alloc&) {
            warn(path, "out of memory");
        }
    }

    static void check(const std::string& data, const ReleaseEntry& entry, const std::string& path) {
        if (data.size() != entry.size) {
            throw TrustError(path, "size " + std::to_string(data.size()) +
                                       " bytes, the signed Release says " +
                                       std::to_string(entry.size));
        }
        if (to_hex(Sha256::digest(data)) != entry.sha256) {
            throw TrustError(path, "SHA256 does not match the signed Release");
        }
    }

    // The digest of a Packages index: "package architecture version sha256 size filename" per
    // stanza, read with libapt-pkg's tag section scanner.
    static std::string scan_packages(std::string& text, const std::string& path) {
        text.append("\n\n");
        const char* pos = text.data();
        const char* const end = text.data() + text.size();
        pkgTagSection section;
        std::string records;
        while (pos < end) {
            while (pos < end && (*pos == '\n' || *pos == '\r')) {
                ++pos;
            }
            if (pos >= end) {
                break;
            }
            if (!section.Scan(pos, static_cast<unsigned long>(end - pos))) {
                throw TrustError(path,
                                 "malformed stanza at byte " + std::to_string(pos - text.data()));
            }
            pos += section.size();
            const std::string fields[] = {section.FindS("Package"), section.FindS("Architecture"),
                                          section.FindS("Version"), section.FindS("SHA256"),
                                          section.FindS("Size"),    section.FindS("Filename")};
            bool usable = true;
            for (const std::string& field : fields) {
                usable =
                    usable && !field.empty() && field.find_first_of(" \t\n") == std::string::npos;
            }
            if (!usable) {
                continue; // no SHA256 or Filename: nothing to prove a .deb with
            }
            for (const std::string& field : fields) {
                records += field;
                records += &field == &fields[5] ? '\n' : ' ';
            }
        }
        return records;
    }

    // Offers each record of a digest to the wanted versions (most records are other packages:
    // they cost one lookup by name, without a copy).
    void read_digest(std::string_view records, const std::string& base_uri) {
        std::size_t pos = 0;
        while (pos < records.size()) {
            std::size_t eol = records.find('\n', pos);
            if (eol == std::string_view::npos) {
                eol = records.size();
            }
            const std::string_view line = records.substr(pos, eol - pos);
            pos = eol + 1;
            const std::size_t first = line.find(' ');
            if (first == std::string_view::npos) {
                continue;
            }
            if (!m_deb_files.empty()) {
                offer_deb(line, base_uri);
                continue;
            }
            const auto it = m_by_name.find(line.substr(0, first));
            if (it == m_by_name.end()) {
                continue;
            }
            offer(line.substr(first + 1), it->second, base_uri);
        }
    }

    // "architecture version sha256 size filename" for the wanted versions of one package name.
    void offer(std::string_view rest, const std::vector<std::size_t>& indexes,
               const std::string& base_uri) {
        std::istringstream in{std::string(rest)};
        std::string architecture, version, sha256, size, filename;
        in >> architecture >> version >> sha256 >> size >> filename;
        Candidate c;
        c.sha256 = hex_lower(sha256);
        c.filename = filename;
        c.base_uri = base_uri;
        c.size = std::strtoull(size.c_str(), nullptr, 10);
        if (!sha256_from_hex(c.sha256) || filename.empty()) {
            return;
        }
        for (const std::size_t index : indexes) {
            Wanted& w = m_wanted[index];
            if (w.version->architecture != architecture ||
                debVS.CmpVersion(w.version->version, version) != 0) {
                continue;
            }
            const bool known =
                std::any_of(w.candidates.begin(), w.candidates.end(),
                            [&](const Candidate& other) { return other.sha256 == c.sha256; });
            if (!known) {
                w.candidates.push_back(c);
            }
        }
    }

    // "package architecture version sha256 size filename": wanted when its SHA-256 is one of
    // the .debs asked about (once, whichever index lists it first).
    void offer_deb(std::string_view line, const std::string& base_uri) {
        std::istringstream in{std::string(line)};
        std::string name, architecture, version, sha256, size, filename;
        in >> name >> architecture >> version >> sha256 >> size >> filename;
        sha256 = hex_lower(sha256);
        if (m_deb_files.count(sha256) == 0 || filename.empty() ||
            std::any_of(m_wanted.begin(), m_wanted.end(), [&](const Wanted& w) {
                return w.candidates.front().sha256 == sha256;
            })) {
            return;
        }
        m_owned.push_back(PackageVersion{name, architecture, version});
        Candidate c;
        c.sha256 = sha256;
        c.filename = filename;
        c.base_uri = base_uri;
        c.size = std::strtoull(size.c_str(), nullptr, 10);
        m_wanted.push_back(Wanted{&m_owned.back(), {c}});
    }

    std::string stanza_path(const std::string& sha256) const {
        return m_options.cache_dir + "/stanzas/" + sha256 + ".pkgdesc";
    }

    bool matches(const Pkgdesc& desc, const PackageVersion& pkg) const {
        return desc.package == pkg.name && desc.architecture == pkg.architecture &&
               debVS.CmpVersion(desc.version, pkg.version) == 0;
    }

    // A stanza from the cache, or nullopt; parsed on a worker thread.
    struct Cached {
        std::optional<Pkgdesc> desc;
        std::string path;
        std::string sha256; // of the .deb it describes
        std::string uri;
        std::vector<std::string> warnings;
    };

    Cached cached(const Wanted& w) const {
        Cached out;
        for (const Candidate& c : w.candidates) {
            const std::string path = stanza_path(c.sha256);
            try {
                const std::optional<std::string> text = read_file_if_exists(path);
                if (!text) {
                    continue;
                }
                Pkgdesc desc = parse_pkgdesc(*text, path);
                if (!matches(desc, *w.version)) {
                    out.warnings.push_back(path + ": describes another package; ignored");
                    continue;
                }
                out.desc = std::move(desc);
                out.path = path;
                out.sha256 = c.sha256;
                out.uri = c.base_uri + c.filename;
                return out;
            } catch (const Error& e) {
                out.warnings.push_back(std::string(e.what()) + "; regenerated");
            }
        }
        return out;
    }

    // Takes what the cache has of `found` (parsed on every CPU); returns the others.
    std::vector<std::size_t> from_cache(const std::vector<std::size_t>& found) {
        std::vector<std::size_t> pending;
        std::vector<std::size_t> schedule(found.size());
        std::iota(schedule.begin(), schedule.end(), 0);
        run_ordered<Cached>(
            found.size(), std::max(1u, m_options.jobs), schedule,
            [&](std::size_t i) { return cached(m_wanted[found[i]]); },
            [&](std::size_t i, Cached& c) {
                for (const std::string& warning : c.warnings) {
                    m_result.warnings.push_back(warning);
                }
                if (!c.desc) {
                    pending.push_back(found[i]);
                    return;
                }
                m_references.add(std::move(*c.desc), Provenance{c.path, c.sha256, c.uri});
                ++m_result.from_cache;
            });
        return pending;
    }

    std::vector<std::string> deb_dirs() const {
        std::vector<std::string> dirs{_config->FindDir("Dir::Cache::archives")};
        dirs.insert(dirs.end(), m_options.debs_dirs.begin(), m_options.debs_dirs.end());
        dirs.push_back(m_options.cache_dir + "/debs/");
        for (std::string& dir : dirs) {
            if (!dir.empty() && dir.back() != '/') {
                dir.push_back('/');
            }
        }
        return dirs;
    }

    // The outcome of one package: a stanza proven through its .deb, or why not.
    struct Outcome {
        std::optional<Pkgdesc> desc;
        std::string sha256;
        std::string uri;
        std::string reason;
    };

    Outcome describe(const Wanted& w, unsigned xz_threads) const {
        Outcome out;
        std::vector<std::string> problems;
        DebReaderOptions reader;
        reader.xz_threads = xz_threads;
        reader.hash_file = true;
        std::vector<std::string> dirs = deb_dirs();
        if (!m_deb_files.empty()) {
            dirs.insert(dirs.begin(), std::string()); // the path asked about, first
        }
        for (const std::string& dir : dirs) {
            for (const Candidate& c : w.candidates) {
                std::set<std::string> names{flNotDir(c.filename), deb_cache_name(*w.version)};
                if (dir.empty()) {
                    const auto it = m_deb_files.find(c.sha256);
                    names = {it == m_deb_files.end() ? std::string() : it->second};
                }
                for (const std::string& name : names) {
                    if (name.empty()) {
                        continue;
                    }
                    const std::string path = dir + name;
                    struct stat st {};
                    if (::stat(path.c_str(), &st) != 0) {
                        continue;
                    }
                    if (static_cast<std::uint64_t>(st.st_size) != c.size) {
                        continue; // another build of the same version, or a partial download
                    }
                    try {
                        // Proven before it is described: a file that is not the signed .deb
                        // is never unpacked (a crafted one could make describing it endless).
                        const std::optional<Sha256Digest> digest = sha256_of_file_if_exists(path);
                        if (!digest || to_hex(*digest) != c.sha256) {
                            problems.push_back(path + ": SHA256 does not match the signed "
                                                      "Packages index");
                            continue;
                        }
                        // Hashed again while described: the bytes described are the bytes
                        // proven, even if the file changed in between.
                        DebDescription d = describe_deb(path, reader);
                        if (d.file_sha256 != c.sha256) {
                            problems.push_back(path + ": SHA256 " + d.file_sha256 +
                                               " does not match the signed Packages index");
                            continue;
                        }
                        if (!matches(d.desc, *w.version)) {
                            problems.push_back(path + ": describes " + d.desc.package + " " +
                                               d.desc.version);
                            continue;
                        }
                        out.desc = std::move(d.desc);
                        out.sha256 = c.sha256;
                        out.uri = c.base_uri + c.filename;
                        return out;
                    } catch (const Error& e) {
                        problems.push_back(e.what());
                    }
                }
            }
        }
        if (problems.empty()) {
            out.reason = "its .deb (" + flNotDir(w.candidates.front().filename) +
                         ") is in none of apt's archives cache, --debs or pkgdesc's cache" +
                         (m_options.fetch ? "" : " (--fetch downloads it)");
        } else {
            for (const std::string& problem : problems) {
                out.reason += (out.reason.empty() ? "" : "; ") + problem;
            }
        }
        return out;
    }

    void fetch(const std::vector<std::size_t>& missing) {
        const std::string dir = m_options.cache_dir + "/debs";
        make_directories(dir);
        std::vector<DebDownload> downloads;
        for (const std::size_t index : missing) {
            const Candidate& c = m_wanted[index].candidates.front();
            downloads.push_back(
                {c.base_uri + c.filename, c.sha256, c.size, dir + "/" + flNotDir(c.filename)});
        }
        const std::vector<std::string> failures = download_debs(downloads, m_options.apt_options);
        for (std::size_t i = 0; i < missing.size(); ++i) {
            if (failures[i].empty()) {
                ++m_result.fetched;
            } else {
                m_fetch_errors[missing[i]] = failures[i];
            }
        }
    }

    void generate(const std::vector<std::size_t>& pending) {
        if (pending.empty()) {
            return;
        }
        std::vector<Outcome> outcomes = describe_all(pending);
        if (m_options.fetch) {
            std::vector<std::size_t> missing;
            for (std::size_t i = 0; i < pending.size(); ++i) {
                if (!outcomes[i].desc) {
                    missing.push_back(pending[i]);
                }
            }
            if (!missing.empty()) {
                fetch(missing);
                std::vector<Outcome> retried = describe_all(missing);
                std::size_t next = 0;
                for (std::size_t i = 0; i < pending.size(); ++i) {
                    if (!outcomes[i].desc) {
                        outcomes[i] = std::move(retried[next++]);
                        if (!outcomes[i].desc && m_fetch_errors.count(pending[i]) != 0) {
                            outcomes[i].reason = m_fetch_errors[pending[i]];
                        }
                    }
                }
            }
        }
        bool cache_ok = true;
        try {
            make_directories(m_options.cache_dir + "/stanzas");
        } catch (const Error& e) {
            warn(m_options.cache_dir, std::string(e.what()) + ": stanzas are not cached");
            cache_ok = false;
        }
        for (std::size_t i = 0; i < pending.size(); ++i) {
            Outcome& outcome = outcomes[i];
            const Wanted& w = m_wanted[pending[i]];
            if (!outcome.desc) {
                if (!from_captured(w)) {
                    set_reason(w, outcome.reason);
                }
                continue;
            }
            ++m_result.generated;
            if (cache_ok) {
                try {
                    AtomicFile out(stanza_path(outcome.sha256));
                    out.write(to_string(*outcome.desc));
                    out.commit();
                } catch (const Error& e) {
                    warn(stanza_path(outcome.sha256), e.what());
                }
            }
            m_references.add(std::move(*outcome.desc),
                             Provenance{stanza_path(outcome.sha256), outcome.sha256, outcome.uri});
        }
    }

    std::vector<Outcome> describe_all(const std::vector<std::size_t>& which) const {
        std::vector<Outcome> outcomes(which.size());
        const unsigned workers =
            std::max(1u, std::min<unsigned>(m_options.jobs, static_cast<unsigned>(which.size())));
        const unsigned xz_threads = std::max(1u, m_options.jobs / workers);
        std::vector<std::size_t> schedule(which.size());
        std::iota(schedule.begin(), schedule.end(), 0);
        // Largest first, so that one big package does not finish last on its own.
        std::stable_sort(schedule.begin(), schedule.end(), [&](std::size_t a, std::size_t b) {
            return m_wanted[which[a]].candidates.front().size >
                   m_wanted[which[b]].candidates.front().size;
        });
        std::size_t done = 0;
        std::uint64_t bytes = 0;
        if (m_options.progress) {
            m_options.progress(0, which.size(), 0);
        }
        run_ordered<Outcome>(
            which.size(), workers, schedule,
            [&](std::size_t i) { return describe(m_wanted[which[i]], xz_threads); },
            [&](std::size_t i, Outcome& outcome) {
                outcomes[i] = std::move(outcome);
                bytes += m_wanted[which[i]].candidates.front().size;
                if (m_options.progress) {
                    m_options.progress(++done, which.size(), bytes);
                }
            });
        return outcomes;
    }

    const AptChainOptions& m_options;
    ReleaseHistory& m_history;
    ReferenceSet& m_references;
    std::vector<Wanted> m_wanted;
    // Package name -> indexes into m_wanted (views of the names in `wanted`).
    std::unordered_map<std::string_view, std::vector<std::size_t>> m_by_name;
    std::map<std::string, std::unique_ptr<SignatureVerifier>> m_verifiers;
    std::map<std::size_t, std::string> m_fetch_errors;
    // The .debs a run by .debs asks about (SHA-256 -> path), and the versions they are.
    std::map<std::string, std::string> m_deb_files;
    std::deque<PackageVersion> m_owned;
    AptChainResult m_result;
};

} // namespace

AptChainResult load_apt_chain(const AptChainOptions& options,
                              const std::vector<PackageVersion>& wanted, ReleaseHistory& history,
                              ReferenceSet& references) {
    return Chain(options, wanted, history, references).run();
}

// Larger than any package: Debian's largest .debs are a few hundred MB.
constexpr std::uint64_t k_max_deb_size = std::uint64_t{8} << 30;

std::vector<ProvenDeb> prove_debs(const AptChainOptions& options,
                                  const std::vector<std::string>& debs, ReleaseHistory& history,
                                  ReferenceSet& references, AptChainResult* result) {
    std::vector<ProvenDeb> proven(debs.size());
    std::map<std::string, std::string> by_sha;
    std::set<std::pair<dev_t, ino_t>> seen;
    for (std::size_t i = 0; i < debs.size(); ++i) {
        proven[i].path = debs[i];
        try {
            // Read, not mapped: a file cut short while it is read is an error, not a SIGBUS.
            const UniqueFd fd(::open(debs[i].c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
            if (fd.get() < 0) {
                proven[i].reason = errno == ENOENT ? debs[i] + ": no such file"
                                                   : IoError::from_errno(debs[i], "cannot open",
                                                                         errno)
                                                         .what();
                continue;
            }
            struct stat st {};
            if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
                proven[i].reason = debs[i] + ": not a regular file";
                continue;
            }
            if (static_cast<std::uint64_t>(st.st_size) > k_max_deb_size) {
                proven[i].reason = debs[i] + ": larger than any .deb (" +
                                   std::to_string(k_max_deb_size >> 30) + " GiB)";
                continue;
            }
            // The same file named twice is read once.
            if (!seen.emplace(st.st_dev, st.st_ino).second) {
                proven[i].reason = debs[i] + ": named before";
                continue;
            }
            Sha256 sha;
            std::vector<char> buffer(1 << 20);
            std::uint64_t total = 0;
            for (;;) {
                const ssize_t got = ::read(fd.get(), buffer.data(), buffer.size());
                if (got < 0 && errno == EINTR) {
                    continue;
                }
                if (got < 0) {
                    throw IoError::from_errno(debs[i], "cannot read", errno);
                }
                if (got == 0) {
                    break;
                }
                total += static_cast<std::uint64_t>(got);
                if (total > k_max_deb_size) {
                    throw IoError(debs[i], "grew while it was read");
                }
                sha.update(buffer.data(), static_cast<std::size_t>(got));
            }
            proven[i].sha256 = to_hex(sha.finish());
            by_sha.emplace(proven[i].sha256, debs[i]);
        } catch (const Error& e) {
            proven[i].reason = e.what();
        }
    }
    // Proven from the chain as it is now: nothing downloaded, nothing taken from the store.
    AptChainOptions own = options;
    own.fetch = false;
    own.captured_dir.clear();
    const std::vector<PackageVersion> none;
    Chain chain(own, none, history, references);
    AptChainResult outcome;
    if (!by_sha.empty()) {
        chain.want_debs(by_sha);
        outcome = chain.run();
    }
    for (ProvenDeb& deb : proven) {
        if (deb.sha256.empty() || !deb.reason.empty()) {
            continue;
        }
        for (const Wanted& w : chain.wanted()) {
            if (w.candidates.front().sha256 == deb.sha256) {
                deb.version = *w.version;
            }
        }
        if (!deb.version) {
            deb.reason = deb.path + ": " + chain.not_signed_reason("this .deb");
        } else if (references.find(deb.version->name, deb.version->architecture,
                                   deb.version->version) == nullptr) {
            deb.reason = deb.path + ": " +
                         references.missing_reason(deb.version->name, deb.version->architecture,
                                                   deb.version->version);
        }
    }
    if (result != nullptr) {
        *result = outcome;
    }
    return proven;
}

std::string apt_archives_dir(const std::vector<std::string>& apt_options) {
    const AptErrorScope errors;
    init_apt(apt_options);
    std::string dir = _config->FindDir("Dir::Cache::archives");
    while (dir.size() > 1 && dir.back() == '/') {
        dir.pop_back();
    }
    return dir;
}

std::vector<std::string> download_debs(const std::vector<DebDownload>& downloads,
                                       const std::vector<std::string>& apt_options) {
    // What apt says of a failure is in the item's ErrorText, returned.
    const AptErrorScope errors;
    init_apt(apt_options);
    pkgAcquire fetcher;
    std::map<const pkgAcquire::Item*, std::size_t> items;
    for (std::size_t i = 0; i < downloads.size(); ++i) {
        const DebDownload& d = downloads[i];
        HashStringList hashes;
        hashes.push_back(HashString("SHA256", d.sha256));
        // The queue owns the items; pkgAcquire deletes them.
        auto* item = new pkgAcqFile(&fetcher, d.uri, hashes, d.size, flNotDir(d.file),
                                    flNotDir(d.file), "", d.file);
        items[item] = i;
    }
    std::vector<std::string> failures(downloads.size());
    if (downloads.empty()) {
        return failures;
    }
    fetcher.Run();
    for (auto it = fetcher.ItemsBegin(); it != fetcher.ItemsEnd(); ++it) {
        const auto found = items.find(*it);
        if (found != items.end() && (*it)->Status != pkgAcquire::Item::StatDone) {
            failures[found->second] =
                "download of " + (*it)->DescURI() + " failed: " + (*it)->ErrorText;
        }
    }
    return failures;
}

} // namespace pkgdesc
