// Loads reference data from the sources a user named: see reference_sources.hpp.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/trust/apt_chain.hpp>
#include <libpkgdesc/trust/openpgp.hpp>
#include <libpkgdesc/trust/reference_sources.hpp>
#include <libpkgdesc/trust/release.hpp>
#include <libpkgdesc/trust/repository.hpp>
#include <libpkgdesc/util/host_dirs.hpp>

namespace pkgdesc {

namespace {

void say(const std::function<void(const std::string&)>& to, const std::string& text) {
    if (to) {
        to(text);
    }
}

// Only after everything was proven: remember the newest Release of each archive.
void save_history(const ReleaseHistory& history, const ReferenceLog& log) {
    try {
        history.save();
    } catch (const Error& e) {
        say(log.warning, std::string(e.what()) +
                             ": cannot record the Releases seen; rollbacks to them will go "
                             "unnoticed");
    }
}

void load_apt(const ReferenceSources& sources, const std::vector<PackageVersion>& installed,
              ReleaseHistory& history, const ReferenceLog& log, std::time_t now,
              ReferenceSet& references) {
    AptChainOptions options;
    options.apt_options = sources.apt_options;
    options.debs_dirs = sources.debs_dirs;
    options.fetch = sources.fetch;
    options.cache_dir = sources.cache_dir ? *sources.cache_dir : default_cache_dir();
    options.captured_dir = captured_dir(sources);
    options.jobs = sources.jobs;
    options.now = now;
    options.progress = log.generating;
    const AptChainResult result = load_apt_chain(options, installed, history, references);
    for (const std::string& warning : result.warnings) {
        say(log.warning, warning);
    }
    for (const std::string& source : result.signed_sources) {
        say(log.detail, "apt chain: " + source);
    }
    say(log.note, "apt chain: " + std::to_string(result.sources_verified) + " of " +
                      std::to_string(result.sources) + " sources proven, " +
                      std::to_string(result.indexes) + " Packages indexes; " +
                      std::to_string(result.found) + " of " + std::to_string(installed.size()) +
                      " installed versions signed; stanzas: " + std::to_string(result.from_cache) +
                      " from the cache, " + std::to_string(result.generated) + " generated, " +
                      std::to_string(result.fetched) + " .debs downloaded" +
                      (result.captured != 0
                           ? ", " + std::to_string(result.captured) + " captured at install time"
                           : std::string()));
}

void load_repos(const ReferenceSources& sources, const std::vector<PackageVersion>& installed,
                ReleaseHistory& history, const ReferenceLog& log, std::time_t now,
                ReferenceSet& references) {
    const ReferenceSet::Filter wanted = sources.other_versions
                                            ? ReferenceSet::any_version_of(installed)
                                            : ReferenceSet::only(installed);
    KeySource keys;
    keys.files = sources.keyrings;
    const SignatureVerifier verifier(keys);
    std::string where;
    for (const std::string& repo : sources.repos) {
        const std::vector<std::string> suites =
            sources.suites.empty() ? repository_suites(repo) : sources.suites;
        for (const std::string& suite : suites) {
            const RepositoryLoad load = load_repository_suite(repo, suite, verifier, history, now,
                                                              wanted, sources.jobs, references);
            say(log.detail, repository_path(repo) + "/dists/" + suite + ": signed by " +
                                load.signer + ", " + std::to_string(load.indexes) + " indexes, " +
                                std::to_string(load.stanzas_parsed) + " stanzas used");
            where += (where.empty() ? "" : ", ") + repository_path(repo) + "/dists/" + suite;
        }
    }
    for (const PackageVersion& pkg : installed) {
        references.set_missing_reason(pkg.name, pkg.architecture, pkg.version,
                                      "this version is in no signed repository read (" + where +
                                          ")");
    }
}

} // namespace

std::vector<std::string> describe_sources(const ReferenceSources& sources) {
    auto joined = [](const std::vector<std::string>& items) {
        std::string text;
        for (const std::string& item : items) {
            text += (text.empty() ? "" : ", ") + item;
        }
        return text;
    };
    std::vector<std::string> lines;
    for (const std::string& path : sources.pkgdesc) {
        lines.push_back("pkgdesc file or directory " + path + " (unsigned, vouched for)");
    }
    for (const std::string& repo : sources.repos) {
        lines.push_back("repository " + repo +
                        (sources.suites.empty() ? "" : ", suites " + joined(sources.suites)) +
                        ", keyrings " + joined(sources.keyrings));
    }
    if (sources.apt_chain()) {
        std::string line = "apt chain (apt's configuration and keyrings";
        if (!sources.debs_dirs.empty()) {
            line += "; .debs from " + joined(sources.debs_dirs);
        }
        if (!sources.apt_options.empty()) {
            line += "; apt options " + joined(sources.apt_options);
        }
        lines.push_back(line + (sources.fetch ? "; downloads allowed)" : ")"));
    }
    return lines;
}

std::string state_dir(const ReferenceSources& sources) {
    return sources.state_dir ? *sources.state_dir : default_state_dir();
}

std::string captured_dir(const ReferenceSources& sources) {
    return state_dir(sources) + "/captured";
}

void check_vouched(const ReferenceSources& sources) {
    if (!sources.pkgdesc.empty() && !sources.trust_unsigned) {
        throw TrustError(sources.pkgdesc.front(),
                         "untrusted reference data: it carries no signature (use "
                         "--trust-unsigned to rely on it anyway)");
    }
}

ReferenceSet load_references(const ReferenceSources& sources,
                             const std::function<std::vector<PackageVersion>()>& installed,
                             const ReferenceLog& log, std::time_t now) {
    check_vouched(sources);
    // Unsigned files the user vouched for, then the signed sources: of either, only the stanzas
    // of the versions to check are parsed.
    const std::vector<PackageVersion> versions = installed();
    ReferenceSet references;
    if (!sources.pkgdesc.empty()) {
        const ReferenceSet::Filter wanted = sources.other_versions
                                                ? ReferenceSet::any_version_of(versions)
                                                : ReferenceSet::only(versions);
        for (const std::string& path : sources.pkgdesc) {
            references.add_path(path, wanted);
        }
    }
    if (!sources.apt_chain() && sources.repos.empty()) {
        return references;
    }
    ReleaseHistory history(state_dir(sources) + "/release-history");
    if (sources.apt_chain()) {
        load_apt(sources, versions, history, log, now, references);
    } else {
        load_repos(sources, versions, history, log, now, references);
    }
    save_history(history, log);
    return references;
}

} // namespace pkgdesc
