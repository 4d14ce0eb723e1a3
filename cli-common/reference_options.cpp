// What the pkgdesc CLIs share: see reference_options.hpp.
#include "reference_options.hpp"

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/exit_code.hpp>
#include <libpkgdesc/report/reporter.hpp>

#include "terminal_line.hpp"

#include <cstdio>
#include <iostream>
#include <memory>

namespace po = boost::program_options;

namespace pkgdesc::cli {

std::function<void(std::size_t, std::size_t, std::uint64_t)>
generation_progress(std::string_view program, bool quiet) {
    auto line = std::make_shared<TerminalLine>(quiet);
    if (!line->shown()) {
        return {};
    }
    return [name = std::string(program), line](std::size_t done, std::size_t total,
                                               std::uint64_t bytes) {
        if (done == total) {
            line->clear();
            return;
        }
        char text[160];
        std::snprintf(text, sizeof text, "%s: generating stanzas: %zu of %zu packages, %.1f MB of .debs",
                      name.c_str(), done, total, static_cast<double>(bytes) / 1e6);
        line->show(text);
    };
}

void print_message(std::string_view program, std::string_view kind, std::string_view message) {
    std::cerr << program << ": " << kind << (kind.empty() ? "" : ": ")
              << escape_text(message, Backslashes::keep) << "\n";
}

std::optional<int> help_or_version(const po::variables_map& vm, std::string_view program,
                                   std::string_view usage, const po::options_description& visible,
                                   std::string_view exit_codes, std::string_view version) {
    if (vm.count("help") != 0) {
        std::cout << usage << "\n\n" << visible << "\n" << exit_codes << "\n";
    } else if (vm.count("version") != 0) {
        std::cout << program << " " << version << "\n";
    } else {
        return std::nullopt;
    }
    return std::cout.flush() ? 0 : to_int(ExitCode::error);
}

int guarded(std::string_view program, const std::function<int()>& body) {
    try {
        return body();
    } catch (const TrustError& e) {
        print_message(program, "error", e.what());
        return to_int(ExitCode::untrusted);
    } catch (const std::exception& e) {
        print_message(program, "error", e.what());
        return to_int(ExitCode::error);
    }
}

ReferenceOptions reference_options(ReferenceSources& sources, DebsFor debs, bool short_apt_option) {
    ReferenceOptions options;
    options.reference.add_options()(
        "pkgdesc", po::value<std::vector<std::string>>(&sources.pkgdesc)->value_name("PATH"),
        "a file of pkgdesc stanzas, or a directory of *.pkgdesc files (as written by "
        "pkgdesc-gen -o); repeatable")(
        "trust-unsigned", po::bool_switch(&sources.trust_unsigned),
        "use --pkgdesc data, which carries no signature (otherwise: exit status 3)")(
        "repo", po::value<std::vector<std::string>>(&sources.repos)->value_name("DIR"),
        "a signed pkgdesc repository (a directory or a file: URI, as pkgdesc-gen --repo "
        "writes it); repeatable")(
        "suite", po::value<std::vector<std::string>>(&sources.suites)->value_name("SUITE"),
        "read only this suite of the repositories (default: all); repeatable")(
        "keyring", po::value<std::vector<std::string>>(&sources.keyrings)->value_name("FILE"),
        "trust signatures by the keys in FILE (binary .gpg or armored .asc), and no others; "
        "repeatable")("state-dir", po::value<std::string>()->value_name("DIR"),
                      "remember the newest Release seen in DIR, to detect rollbacks (default: "
                      "/var/lib/pkgdesc for root, else ~/.local/state/pkgdesc)");
    (debs == DebsFor::apt_chain ? options.chain : options.reference)
        .add_options()("debs",
                       po::value<std::vector<std::string>>(&sources.debs_dirs)->value_name("DIR"),
                       "also look for .deb files in DIR; repeatable");
    options.chain.add_options()(
        "fetch", po::bool_switch(&sources.fetch),
        "download the .deb files found nowhere, through apt's acquire system, into the cache")(
        "cache-dir", po::value<std::string>()->value_name("DIR"),
        "keep generated stanzas (by .deb SHA256) and downloads in DIR (default: "
        "/var/cache/pkgdesc for root, else ~/.cache/pkgdesc)")(
        short_apt_option ? "apt-option,o" : "apt-option",
        po::value<std::vector<std::string>>(&sources.apt_options)->value_name("NAME=VALUE"),
        "set an apt configuration item, as apt -o does (e.g. Dir::State::lists=/x); "
        "repeatable");
    return options;
}

std::optional<std::string> finish_reference_options(const po::variables_map& vm,
                                                    ReferenceSources& sources, DebsFor debs,
                                                    bool keeps_state) {
    if (vm.count("cache-dir") != 0) {
        sources.cache_dir = vm["cache-dir"].as<std::string>();
    }
    if (vm.count("state-dir") != 0) {
        sources.state_dir = vm["state-dir"].as<std::string>();
    }
    if (!sources.repos.empty() && sources.keyrings.empty()) {
        return "--repo needs --keyring FILE: the keys its signature must be made by";
    }
    if (sources.trust_unsigned && sources.pkgdesc.empty()) {
        return "--trust-unsigned only applies to --pkgdesc (other reference data is signed)";
    }
    if (!sources.keyrings.empty() && sources.repos.empty()) {
        return "--keyring needs --repo (the apt chain trusts apt's keys)";
    }
    if (sources.repos.empty() && !sources.suites.empty()) {
        return "--suite needs --repo";
    }
    if (!sources.apt_chain() &&
        ((debs == DebsFor::apt_chain && !sources.debs_dirs.empty()) || sources.fetch ||
         !sources.apt_options.empty() || vm.count("cache-dir") != 0)) {
        return debs == DebsFor::apt_chain
                   ? "--debs, --fetch, --cache-dir and --apt-option apply to the apt chain, not "
                     "to --repo or --pkgdesc"
                   : "--fetch, --cache-dir and --apt-option apply to the apt chain, not to "
                     "--repo or --pkgdesc";
    }
    if (vm.count("state-dir") != 0 && !keeps_state && !sources.apt_chain() &&
        sources.repos.empty()) {
        return "--state-dir applies to --repo and the apt chain, not to --pkgdesc";
    }
    return std::nullopt;
}

} // namespace pkgdesc::cli
