// What the pkgdesc CLIs share: the options that name reference sources, their checks, and the
// one place that turns an exception into a message and an exit status.
#pragma once

#include <libpkgdesc/trust/reference_sources.hpp>

#include <boost/program_options.hpp>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace pkgdesc::cli {

// "PROGRAM: KIND: MESSAGE" (or "PROGRAM: MESSAGE") on standard error, escaped as text.
void print_message(std::string_view program, std::string_view kind, std::string_view message);

// --help (USAGE, the options, EXIT-CODES) or --version ("PROGRAM VERSION") on standard output
// when `vm` asks for one: the exit status then; nullopt otherwise.
std::optional<int> help_or_version(const boost::program_options::variables_map& vm,
                                   std::string_view program, std::string_view usage,
                                   const boost::program_options::options_description& visible,
                                   std::string_view exit_codes, std::string_view version);

// Runs `body` and returns its exit status; an exception is printed as an error, with exit status
// 3 for a TrustError and 2 for any other.
int guarded(std::string_view program, const std::function<int()>& body);

// Progress of the apt chain's stanza generation on standard error ("PROGRAM: generating
// stanzas: N of M packages, X MB of .debs"), one line rewritten at most ten times a second and
// cleared at the end; empty (no progress) unless standard error is a terminal, TERM is set and
// not "dumb", and not `quiet`.
std::function<void(std::size_t, std::size_t, std::uint64_t)>
generation_progress(std::string_view program, bool quiet);

// Where the .debs of --debs serve: the apt chain only (the verifier, which reads them to make
// reference data), or every source (a restore, which reads file contents from them).
enum class DebsFor { apt_chain, every_source };

// The reference options, bound to `sources`: "Reference data" (--pkgdesc, --trust-unsigned,
// --repo, --suite, --keyring, --state-dir) and "The apt chain" (--debs, --fetch, --cache-dir,
// --apt-option, with -o as its short name when `short_apt_option`).
struct ReferenceOptions {
    boost::program_options::options_description reference{"Reference data"};
    boost::program_options::options_description chain{
        "The apt chain (without --repo and --pkgdesc)"};
};
ReferenceOptions reference_options(ReferenceSources& sources, DebsFor debs, bool short_apt_option);

// After parsing: the directories given into `sources`, and the first option that has no effect
// with the others (a usage error), if any. `keeps_state`: the run keeps state of its own in the
// state directory (pkgdesc-verify --incremental), so --state-dir applies whatever the sources.
std::optional<std::string> finish_reference_options(const boost::program_options::variables_map& vm,
                                                    ReferenceSources& sources, DebsFor debs,
                                                    bool keeps_state = false);

} // namespace pkgdesc::cli
