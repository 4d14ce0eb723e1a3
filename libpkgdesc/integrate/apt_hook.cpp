// apt's hooks: see apt_hook.hpp.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/integrate/apt_hook.hpp>
#include <libpkgdesc/trust/apt_chain.hpp>
#include <libpkgdesc/trust/captured.hpp>
#include <libpkgdesc/trust/release.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>
#include <libpkgdesc/util/lines.hpp>

#include <apt-pkg/debversion.h>

#include <cerrno>
#include <charconv>
#include <sstream>
#include <unistd.h>

namespace pkgdesc {

namespace {

constexpr std::size_t k_max_hook_lines = 1000000;
// "NAME ARCH VERSION CAPTURED" a line; a million packages at most.
constexpr std::uint64_t k_max_noted = std::uint64_t{128} << 20;
// How long a version noted but not installed stays noted (an apt run that failed half-way).
constexpr std::int64_t k_noted_for = 24 * 60 * 60;

std::string noted_path(const ReferenceSources& sources) {
    return captured_dir(sources) + "/just-installed";
}

struct Noted {
    PackageVersion version;
    std::int64_t captured = 0;
};

// What was noted; a file that cannot be read is dropped (with a warning), so that one bad file
// does not stop every later run.
std::vector<Noted> read_noted(const std::string& path, std::vector<std::string>& warnings) {
    std::vector<Noted> noted;
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(path, k_max_noted);
    } catch (const Error& e) {
        warnings.push_back(std::string(e.what()) + "; dropped");
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            throw IoError::from_errno(path, "cannot remove", errno);
        }
        return noted;
    }
    if (!text) {
        return noted;
    }
    std::istringstream in(*text);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        Noted n;
        std::string captured;
        if (fields >> n.version.name >> n.version.architecture >> n.version.version >> captured) {
            const auto [end, error] =
                std::from_chars(captured.data(), captured.data() + captured.size(), n.captured);
            if (error == std::errc() && end == captured.data() + captured.size()) {
                noted.push_back(std::move(n));
            }
        }
    }
    return noted;
}

void write_noted(const std::string& path, const std::vector<Noted>& noted) {
    if (noted.empty()) {
        if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
            throw IoError::from_errno(path, "cannot remove", errno);
        }
        return;
    }
    std::string text;
    for (const Noted& n : noted) {
        text += n.version.name + " " + n.version.architecture + " " + n.version.version + " " +
                std::to_string(n.captured) + "\n";
    }
    AtomicFile out(path);
    out.write(text);
    out.commit();
}

bool same(const PackageVersion& a, const PackageVersion& b) {
    return a.name == b.name && a.architecture == b.architecture &&
           debVS.CmpVersion(a.version, b.version) == 0;
}

AptChainOptions chain_options(const AptHookOptions& options) {
    AptChainOptions chain;
    chain.apt_options = options.sources.apt_options;
    chain.cache_dir = options.sources.cache_dir ? *options.sources.cache_dir : default_cache_dir();
    chain.jobs = std::max(1u, options.sources.jobs);
    chain.now = options.now;
    return chain;
}

// Collects what the check of the just installed packages found.
class Collector : public FindingSink {
public:
    explicit Collector(JustInstalledReport& report) : m_report(report) {}

    void finding(const Finding& f) override {
        ++m_report.files;
        if (f.status == FileStatus::pristine) {
            ++m_report.pristine;
            return;
        }
        if (!is_deviation(f.status)) {
            return;
        }
        std::string line = f.path + " (" + f.package + "): " + std::string(status_name(f.status));
        for (const FailedAttribute& a : f.failed) {
            line += (&a == &f.failed.front() ? ": " : ", ") + a.name;
        }
        if (!f.reason.empty()) {
            line += " (" + f.reason + ")";
        }
        m_report.deviations.push_back(std::move(line));
    }

private:
    JustInstalledReport& m_report;
};

} // namespace

std::vector<std::string> hook_debs(std::string_view input) {
    std::vector<std::string> debs;
    std::size_t lines = 0;
    for (std::string_view line : split_lines(input)) {
        if (++lines > k_max_hook_lines) {
            break;
        }
        while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) {
            line.remove_suffix(1);
        }
        if (line.size() > 4 && line.front() == '/' && line.substr(line.size() - 4) == ".deb") {
            debs.emplace_back(line);
        }
    }
    return debs;
}

CaptureReport capture_debs(const AptHookOptions& options, const std::vector<std::string>& debs) {
    CaptureReport report;
    report.debs = debs.size();
    if (debs.empty()) {
        return report;
    }
    try {
        ReleaseHistory history(state_dir(options.sources) + "/release-history");
        ReferenceSet references;
        AptChainResult chain;
        const std::vector<ProvenDeb> proven =
            prove_debs(chain_options(options), debs, history, references, &chain);
        report.warnings = chain.warnings;
        const CapturedStore store(captured_dir(options.sources));
        std::vector<Noted> noted;
        for (const ProvenDeb& deb : proven) {
            if (!deb.reason.empty()) {
                report.not_captured.push_back(deb.reason);
                continue;
            }
            const PackageVersion& v = *deb.version;
            const Pkgdesc* desc = references.find(v.name, v.architecture, v.version);
            const Provenance* provenance = references.provenance(v.name, v.architecture, v.version);
            if (std::any_of(noted.begin(), noted.end(),
                            [&](const Noted& n) { return same(n.version, v); })) {
                continue; // another file of the same version
            }
            try {
                store.keep(*desc, *provenance, options.now);
                noted.push_back(Noted{v, options.now});
                ++report.captured;
            } catch (const Error& e) {
                report.not_captured.push_back(deb.path + ": " + e.what());
            }
        }
        try {
            history.save();
        } catch (const Error& e) {
            report.warnings.push_back(std::string(e.what()) + ": cannot record the Releases seen");
        }
        if (!noted.empty()) {
            const std::string path = noted_path(options.sources);
            std::vector<Noted> all = read_noted(path, report.warnings);
            for (const Noted& n : noted) {
                const bool known = std::any_of(all.begin(), all.end(), [&](const Noted& other) {
                    return same(other.version, n.version);
                });
                if (!known) {
                    all.push_back(n);
                }
            }
            write_noted(path, all);
        }
    } catch (const Error& e) {
        report.warnings.push_back(e.what());
    }
    return report;
}

JustInstalledReport check_just_installed(const AptHookOptions& options) {
    JustInstalledReport report;
    try {
        const std::string path = noted_path(options.sources);
        const std::vector<Noted> noted = read_noted(path, report.warnings);
        VerifyOptions every = options.verify;
        every.packages.clear();
        // One reading of the database for the versions, the reference data and the check.
        std::optional<DpkgDatabase> db = load_checked_database(every);
        const std::vector<PackageVersion> installed = selected_versions(*db, every);
        std::vector<Noted> waiting;
        VerifyOptions verify = options.verify;
        verify.packages.clear();
        verify.unowned = false;
        verify.only_paths.reset();
        for (const Noted& n : noted) {
            const bool is_installed =
                std::any_of(installed.begin(), installed.end(),
                            [&](const PackageVersion& v) { return same(v, n.version); });
            const std::string qualified = n.version.name + ":" + n.version.architecture;
            if (is_installed) {
                if (std::find(verify.packages.begin(), verify.packages.end(), qualified) ==
                    verify.packages.end()) {
                    verify.packages.push_back(qualified);
                }
            } else if (n.captured <= options.now && options.now - n.captured < k_noted_for) {
                waiting.push_back(n);
            }
        }
        if (!verify.packages.empty()) {
            ReferenceLog log;
            log.warning = [&report](const std::string& text) { report.warnings.push_back(text); };
            const ReferenceSet references = load_references(
                options.sources, [&verify, &db] { return selected_versions(*db, verify); }, log,
                options.now);
            Collector collector(report);
            const Summary summary = Verifier(verify, references, std::move(db)).run(collector);
            report.packages = summary.packages_checked;
            for (const Summary::Package& p : summary.unreferenced) {
                report.unreferenced.push_back(p.name + " " + p.version + ": " + p.reason);
            }
        }
        write_noted(path, waiting);
        // Pruned against the database of the system apt installs into, and never on one that
        // says nothing is installed (that is no system); a check of another root leaves the
        // default store alone (a store named with the root, --state-dir, is pruned with it).
        const bool own_root = options.verify.root == "/" && !options.verify.admindir;
        if (!installed.empty() && (own_root || options.sources.state_dir)) {
            std::vector<PackageVersion> keep = installed;
            for (const Noted& n : waiting) {
                keep.push_back(n.version);
            }
            report.pruned = CapturedStore(captured_dir(options.sources)).prune(keep);
        }
    } catch (const Error& e) {
        report.warnings.push_back(e.what());
    }
    return report;
}

} // namespace pkgdesc
