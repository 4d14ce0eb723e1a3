// Shared by the pkgdesc-verify end-to-end suites: the "hello" package, reference data made by
// the real pkgdesc-gen, runs of the real pkgdesc-verify, and the findings of its JSON output.
#pragma once

#include "support.hpp"
#include "system_root.hpp"

#include <nlohmann/json.hpp>

#include <map>
#include <string>
#include <vector>

namespace pkgdesc::test {

// path -> "status failed,attributes [conffile]" of every deviating file.
using Deviations = std::map<std::string, std::string>;

// The "hello" package: a program with a hard link and a symlink, a daemon, a conffile, docs
// and data. Returns the .deb.
std::string build_hello(const TempDir& tmp, const std::string& version = "1.0",
                        const std::string& extra_control = "");
// pkgdesc-gen -o TMP/NAME DEBS...; returns the directory.
std::string make_reference(const TempDir& tmp, const std::vector<std::string>& debs,
                           const std::string& name = "ref");
// Runs pkgdesc-verify with these arguments; with --root, and neither --unowned nor --no-unowned,
// adds --no-unowned: most suites check package files, and the unowned scan that --root implies
// would count the allowed files of the test roots. verify_as_given() adds nothing.
RunResult verify(const std::vector<std::string>& args);
RunResult verify_as_given(const std::vector<std::string>& args);
// Whether ARGS decide about the unowned scan themselves (or have no --root, or a HIDS mode).
bool asks_about_unowned(const std::vector<std::string>& args);
// Runs a JSON verification of ROOT against REF and returns the parsed document; asserts the
// exit status when given, and that nothing was written to standard error.
nlohmann::json verify_json(const SystemRoot& root, const std::string& ref,
                           const std::vector<std::string>& extra = {}, int expected_status = -1);
Deviations deviations(const nlohmann::json& doc);
const nlohmann::json& file_entry(const nlohmann::json& doc, const std::string& path);
void assert_deviations(const Deviations& expected, const nlohmann::json& doc);
// Runs a shell script; throws when it fails.
void must_sh(const std::string& script);

// One installed "hello" with its reference data.
struct Installed {
    TempDir tmp;
    std::string deb = build_hello(tmp);
    std::string ref = make_reference(tmp, {deb});
    SystemRoot root{tmp / "root"};
    Installed() { root.install(deb); }
    std::string q(const std::string& path) const { return shell_quote(root / path); }
};

} // namespace pkgdesc::test
