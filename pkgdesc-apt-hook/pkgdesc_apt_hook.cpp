// pkgdesc-apt-hook: run by apt (/etc/apt/apt.conf.d/80pkgdesc). "capture" reads the .debs apt
// is about to install (DPkg::Pre-Install-Pkgs) and keeps their proven stanzas; "check" verifies
// the packages just installed (DPkg::Post-Invoke). Neither makes apt fail.
#include "reference_options.hpp"

#include <libpkgdesc/error.hpp>
#include <libpkgdesc/exit_code.hpp>
#include <libpkgdesc/integrate/apt_hook.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/thread_pool.hpp>

#include <boost/program_options.hpp>

#include <csignal>
#include <ctime>
#include <iostream>
#include <new>
#include <optional>
#include <string>
#include <vector>

namespace po = boost::program_options;
using namespace pkgdesc;

namespace {

constexpr std::string_view k_program = "pkgdesc-apt-hook";

constexpr const char* k_usage = R"(Usage: pkgdesc-apt-hook [OPTIONS] capture < DEB-LIST
       pkgdesc-apt-hook [OPTIONS] check

Run by apt through /etc/apt/apt.conf.d/80pkgdesc. capture (DPkg::Pre-Install-Pkgs) proves the
.debs named on standard input through the signed apt chain and keeps their stanzas in
STATE/captured, for later runs of pkgdesc-verify after the .deb left apt's cache and the
version left the archive; check (DPkg::Post-Invoke) verifies the files of the packages just
installed and warns about those that are not pristine.)";

constexpr const char* k_exit_codes = R"(Exit status:
  0  always, once the options are understood: problems are warnings, never a failed apt run
  2  usage error)";

// The most a .deb list on standard input may hold (a million long paths).
constexpr std::size_t k_max_input = std::size_t{256} << 20;
// The most deviations printed into apt's output; pkgdesc-verify lists them all.
constexpr std::size_t k_max_shown = 20;

void say(std::string_view kind, const std::string& message) {
    cli::print_message(k_program, kind, message);
}

int usage_error(const std::string& message) {
    say("error", message);
    std::cerr << "Try 'pkgdesc-apt-hook --help' for more information.\n";
    return to_int(ExitCode::error);
}

void capture(const AptHookOptions& options, bool quiet) {
    std::vector<std::string> debs;
    try {
        debs = hook_debs(read_input("-", k_max_input));
    } catch (const Error& e) {
        say("warning", std::string(e.what()) + ": nothing captured");
        return;
    }
    const CaptureReport report = capture_debs(options, debs);
    for (const std::string& warning : report.warnings) {
        say("warning", warning);
    }
    for (const std::string& reason : report.not_captured) {
        say("warning", "not captured: " + reason);
    }
    if (!quiet && report.debs != 0) {
        say("", "captured the stanzas of " + std::to_string(report.captured) + " of " +
                    std::to_string(report.debs) + " packages, proven through apt's signed "
                                                  "indexes");
    }
}

void check(const AptHookOptions& options, bool quiet) {
    const JustInstalledReport report = check_just_installed(options);
    for (const std::string& warning : report.warnings) {
        say("warning", warning);
    }
    for (std::size_t i = 0; i < report.deviations.size() && i < k_max_shown; ++i) {
        say("warning", "just installed, not pristine: " + report.deviations[i]);
    }
    if (report.deviations.size() > k_max_shown) {
        say("warning", "... and " + std::to_string(report.deviations.size() - k_max_shown) +
                           " more files just installed are not pristine (pkgdesc-verify lists "
                           "them)");
    }
    for (const std::string& package : report.unreferenced) {
        say("warning", "just installed, no reference data: " + package);
    }
    if (!quiet && report.packages != 0) {
        say("", "checked " + std::to_string(report.packages) + " packages just installed: " +
                    std::to_string(report.pristine) + " of " + std::to_string(report.files) +
                    " files pristine");
    }
}

} // namespace

int main(int argc, char** argv) {
    std::ios::sync_with_stdio(false);
    // apt's output closed early is no reason to stop half-way.
    std::signal(SIGPIPE, SIG_IGN);
    AptHookOptions options;
    bool quiet = false;
    std::string step;
    po::options_description visible("Options");
    visible.add_options()("state-dir", po::value<std::string>()->value_name("DIR"),
                          "keep the captured stanzas in DIR/captured (default: /var/lib/pkgdesc "
                          "for root, else ~/.local/state/pkgdesc)")(
        "cache-dir", po::value<std::string>()->value_name("DIR"),
        "pkgdesc's cache of generated stanzas (default: /var/cache/pkgdesc for root, else "
        "~/.cache/pkgdesc)")(
        "apt-option,o",
        po::value<std::vector<std::string>>(&options.sources.apt_options)->value_name("NAME=VALUE"),
        "set an apt configuration item, as apt -o does; repeatable")(
        "root", po::value<std::string>()->value_name("DIR"),
        "check: the system apt installs into (default: /)")(
        "admindir", po::value<std::string>()->value_name("DIR"),
        "check: its dpkg database (default: ROOT/var/lib/dpkg)")(
        "quiet,q", po::bool_switch(&quiet), "only warnings")("help,h", "show this help and exit")(
        "version", "show the version and exit");
    po::options_description hidden;
    hidden.add_options()("step", po::value<std::string>(&step));
    po::positional_options_description positional;
    positional.add("step", 1);
    po::options_description all;
    all.add(visible).add(hidden);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(all).positional(positional).run(),
                  vm);
        po::notify(vm);
    } catch (const po::error& e) {
        return usage_error(e.what());
    }
    if (const std::optional<int> done = cli::help_or_version(vm, "pkgdesc-apt-hook", k_usage, visible,
                                                             k_exit_codes, PKGDESC_VERSION)) {
        return *done;
    }
    if (step != "capture" && step != "check") {
        return usage_error(step.empty() ? "say which step: capture or check"
                                        : "unknown step '" + step + "' (capture or check)");
    }
    if (step == "capture" && (vm.count("root") != 0 || vm.count("admindir") != 0)) {
        return usage_error("--root and --admindir apply to check");
    }
    if (vm.count("state-dir") != 0) {
        options.sources.state_dir = vm["state-dir"].as<std::string>();
    }
    if (vm.count("cache-dir") != 0) {
        options.sources.cache_dir = vm["cache-dir"].as<std::string>();
    }
    if (vm.count("root") != 0) {
        options.verify.root = vm["root"].as<std::string>();
    }
    if (vm.count("admindir") != 0) {
        options.verify.admindir = vm["admindir"].as<std::string>();
    }
    options.sources.jobs = default_jobs();
    options.now = std::time(nullptr);
    // apt goes on whatever happens here: even running out of memory is a warning.
    try {
        if (step == "capture") {
            capture(options, quiet);
        } else {
            check(options, quiet);
        }
    } catch (const std::exception& e) {
        say("warning", e.what());
    }
    return 0;
}
