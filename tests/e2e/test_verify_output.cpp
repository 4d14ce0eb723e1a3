// End-to-end tests of what pkgdesc-verify prints: values from the checked system escaped for
// the terminal as the man page says, rpm lines in dpkg --verify's exact layout, no exit status 1
// without a line that explains it, and options that would have no effect refused.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <unistd.h>

#include <map>
#include <sstream>

using namespace pkgdesc::test;

namespace {

const std::string k_try_help = "Try 'pkgdesc-verify --help' for more information.\n";

// pkgdesc-verify on the installed "hello" with its unsigned reference data, and EXTRA.
RunResult verify_hello(const Installed& sys, const std::vector<std::string>& extra) {
    std::vector<std::string> args{"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                  "--trust-unsigned"};
    args.insert(args.end(), extra.begin(), extra.end());
    return verify(args);
}

// Records an installed package without files, and without reference data, in ROOT's database.
void add_unreferenced(const SystemRoot& root, const std::string& name, const std::string& version) {
    const std::string status = root / "/var/lib/dpkg/status";
    write_file(status, read_file(status) + "Package: " + name +
                           "\nStatus: install ok installed\nVersion: " + version +
                           "\nArchitecture: all\nDescription: test package\n\n");
}

// Replaces the first FROM in FILE by TO.
void replace_in_file(const std::string& file, const std::string& from, const std::string& to) {
    std::string text = read_file(file);
    const std::size_t at = text.find(from);
    CPPUNIT_ASSERT_MESSAGE(from, at != std::string::npos);
    text.replace(at, from.size(), to);
    write_file(file, text);
}

// The name of the man page's example: a space, a tab, ESC, U+009B (a C1 control) and a
// backslash.
const std::string k_hostile_name = "/usr/share/names/a b\t\033\xc2\x9b\\";
const std::string k_hostile_escaped = "/usr/share/names/a b\\011\\033\\302\\233\\134";
// é, a Latin-1 é, DEL, U+202E (right-to-left override), an overlong '/', and U+2028.
const std::string k_mixed_name =
    "/usr/share/names/caf\xc3\xa9\xe9\x7f\xe2\x80\xae\xc0\xaf\xe2\x80\xa8";
const std::string k_mixed_escaped =
    "/usr/share/names/caf\xc3\xa9\\351\\177\\342\\200\\256\\300\\257\\342\\200\\250";

// The package "names", which ships files so named, installed with its reference data.
struct NamesInstalled {
    TempDir tmp;
    SystemRoot root{tmp / "root"};
    std::string ref;

    NamesInstalled() {
        const std::string dir = tmp / "names";
        write_control(dir, "names", "1.0", "all");
        for (const std::string& name : {k_hostile_name, k_mixed_name}) {
            write_file(dir + name, "x\n");
        }
        const std::string deb = tmp / "names.deb";
        build_deb(dir, deb);
        ref = make_reference(tmp, {deb});
        root.install(deb);
        // The file list with the names as they are (tar -t would escape them).
        must_sh("dpkg-deb --fsys-tarfile " + shell_quote(deb) +
                " | tar -t --quoting-style=literal | sed -e 's,^\\./,/,' -e 's,/$,,' "
                "-e 's,^$,/.,' > " +
                shell_quote(root / "/var/lib/dpkg/info/names.list"));
    }

    RunResult verify_names(const std::vector<std::string>& extra) const {
        std::vector<std::string> args{"--root", root.dir(), "--pkgdesc", ref, "--trust-unsigned"};
        args.insert(args.end(), extra.begin(), extra.end());
        return verify(args);
    }
};

void assert_usage_error(const std::vector<std::string>& args, const std::string& message) {
    const RunResult r = verify(args);
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
    CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
    CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + message + "\n" + k_try_help, r.err);
}

// ---------------------------------------------------------------------------------------------

class VerifyEscapingTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyEscapingTest);
    CPPUNIT_TEST(testTextLineEscapesControlsC1AndBackslashButKeepsSpaces);
    CPPUNIT_TEST(testRpmLineEscapesPathsLikeText);
    CPPUNIT_TEST(testListPrintsRawBytes);
    CPPUNIT_TEST(testValidUtf8StaysReadableAndInvalidBytesAreEscaped);
    CPPUNIT_TEST(testVerboseLineEscapesDiversionAndStatoverride);
    CPPUNIT_TEST(testSummaryEscapesUnreferencedPackages);
    CPPUNIT_TEST(testErrorQuotingTheStatusFileIsEscaped);
    CPPUNIT_TEST(testErrorQuotingAFileListIsEscaped);
    CPPUNIT_TEST(testUsageErrorQuotingAnArgumentIsEscaped);
    CPPUNIT_TEST_SUITE_END();

public:
    void testTextLineEscapesControlsC1AndBackslashButKeepsSpaces() {
        NamesInstalled sys;
        CPPUNIT_ASSERT_EQUAL(0, sys.verify_names({}).status);
        ::unlink((sys.root / k_hostile_name).c_str());
        const RunResult r = sys.verify_names({"-q"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL("missing      " + k_hostile_escaped + " (names)\n", r.out);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.err);
    }

    void testRpmLineEscapesPathsLikeText() {
        NamesInstalled sys;
        ::unlink((sys.root / k_hostile_name).c_str());
        const RunResult r = sys.verify_names({"--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL("missing     " + k_hostile_escaped + "\n", r.out);
    }

    void testListPrintsRawBytes() {
        NamesInstalled sys;
        ::unlink((sys.root / k_hostile_name).c_str());
        const RunResult r = sys.verify_names({"--list", "deviating", "-0"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL(k_hostile_name + '\0', r.out);
    }

    void testValidUtf8StaysReadableAndInvalidBytesAreEscaped() {
        NamesInstalled sys;
        ::unlink((sys.root / k_mixed_name).c_str());
        const RunResult r = sys.verify_names({"-q"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL("missing      " + k_mixed_escaped + " (names)\n", r.out);
    }

    void testVerboseLineEscapesDiversionAndStatoverride() {
        Installed sys;
        // A terminal title set by the diverting "package", blinking by the statoverride's user.
        sys.root.add_diversion("/usr/sbin/hellod", "/usr/sbin/hellod.distrib", "\033]0;x\007");
        must_sh("mv " + sys.q("/usr/sbin/hellod") + " " + sys.q("/usr/sbin/hellod.distrib"));
        sys.root.add_statoverride("\033[5m", "root", 0644, "/usr/share/doc/hello/README");
        const RunResult r = verify_hello(sys, {"-v", "-q", "--all"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("\npristine     /usr/sbin/hellod.distrib (hello); "
                                                 "listed as /usr/sbin/hellod; diverted by "
                                                 "\\033]0;x\\007\n") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("; statoverride \\033[5m root 0644\n") !=
                                          std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string::npos, r.out.find('\033'));
    }

    void testSummaryEscapesUnreferencedPackages() {
        Installed sys;
        add_unreferenced(sys.root, "evil", "1\033[2J\xc2\x9b");
        const RunResult r = verify_hello(sys, {});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.out, r.out.find("Unreferenced packages: 1\n"
                                                 "  evil 1\\033[2J\\302\\233: no reference data "
                                                 "for this version\n") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string::npos, r.out.find('\033'));
    }

    void testErrorQuotingTheStatusFileIsEscaped() {
        Installed sys;
        replace_in_file(sys.root / "/var/lib/dpkg/status", "Status: install ok installed",
                        "Status: install ok \033[31mex\\ploded");
        const RunResult r = verify_hello(sys, {});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        // The backslash is kept: messages quote paths escaped already.
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.root.dir() +
                                 "/var/lib/dpkg/status: package 'hello': unknown package state "
                                 "'\\033[31mex\\ploded'\n",
                             r.err);
    }

    void testErrorQuotingAFileListIsEscaped() {
        Installed sys;
        write_file(sys.root / "/var/lib/dpkg/info/hello.list",
                   read_file(sys.root / "/var/lib/dpkg/info/hello.list") + "\xc2\x9b"
                                                                           "2J\n");
        const RunResult r = verify_hello(sys, {});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.root.dir() +
                                 "/var/lib/dpkg/info/hello.list: relative path '\\302\\2332J' in "
                                 "file list\n",
                             r.err);
    }

    void testUsageErrorQuotingAnArgumentIsEscaped() {
        assert_usage_error({"--format", "\033[2J"},
                           "unknown --format '\\033[2J' (text, rpm or json)");
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyUnreferencedNotesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyUnreferencedNotesTest);
    CPPUNIT_TEST(testQuietNamesUnreferencedPackagesOnStandardError);
    CPPUNIT_TEST(testRpmNamesUnreferencedPackagesOnStandardError);
    CPPUNIT_TEST(testListNamesUnreferencedPackagesOnStandardError);
    CPPUNIT_TEST(testSummaryAndJsonNeedNoNotes);
    CPPUNIT_TEST(testTenNotesUnlessVerbose);
    CPPUNIT_TEST_SUITE_END();

public:
    void testQuietNamesUnreferencedPackagesOnStandardError() {
        Installed sys;
        add_unreferenced(sys.root, "other", "1.0");
        const RunResult r = verify_hello(sys, {"-q"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: unreferenced package other 1.0: no "
                                         "reference data for this version\n"),
                             r.err);
    }

    void testRpmNamesUnreferencedPackagesOnStandardError() {
        Installed sys;
        add_unreferenced(sys.root, "other", "1.0");
        const RunResult r = verify_hello(sys, {"--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: unreferenced package other 1.0: no "
                                         "reference data for this version\n"),
                             r.err);
    }

    void testListNamesUnreferencedPackagesOnStandardError() {
        Installed sys;
        add_unreferenced(sys.root, "other", "1.0");
        const RunResult r = verify_hello(sys, {"--list", "deviating"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: unreferenced package other 1.0: no "
                                         "reference data for this version\n"),
                             r.err);
    }

    void testSummaryAndJsonNeedNoNotes() {
        Installed sys;
        add_unreferenced(sys.root, "other", "1.0");
        const RunResult text = verify_hello(sys, {});
        CPPUNIT_ASSERT_EQUAL(1, text.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), text.err);
        CPPUNIT_ASSERT(text.out.find("Unreferenced packages: 1\n  other 1.0: no reference data for "
                                     "this version\n") != std::string::npos);
        const RunResult json = verify_hello(sys, {"--format", "json"});
        CPPUNIT_ASSERT_EQUAL(1, json.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), json.err);
    }

    void testTenNotesUnlessVerbose() {
        Installed sys;
        std::string ten;
        std::string all;
        for (int i = 10; i < 22; ++i) {
            const std::string name = "p" + std::to_string(i);
            add_unreferenced(sys.root, name, "1.0");
            const std::string note = "pkgdesc-verify: unreferenced package " + name +
                                     " 1.0: no reference data for this version\n";
            ten += i < 20 ? note : "";
            all += note;
        }
        const RunResult r = verify_hello(sys, {"-q"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_EQUAL(
            ten + "pkgdesc-verify: ... and 2 more unreferenced packages (-v lists all)\n", r.err);
        const RunResult verbose = verify_hello(sys, {"-q", "-v"});
        CPPUNIT_ASSERT_EQUAL(1, verbose.status);
        CPPUNIT_ASSERT_EQUAL(all, verbose.err);
    }
};

// ---------------------------------------------------------------------------------------------

// The lines of dpkg --verify --root=ROOT, by path (the text from column 12 on).
std::map<std::string, std::string> dpkg_verify_lines(const SystemRoot& root) {
    const RunResult r = run({"dpkg", "--verify", "--root=" + root.dir()});
    std::map<std::string, std::string> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) {
        CPPUNIT_ASSERT_MESSAGE(line, line.size() > 12);
        lines[line.substr(12)] = line;
    }
    return lines;
}

class VerifyRpmLayoutTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyRpmLayoutTest);
    CPPUNIT_TEST(testRpmLinesHaveDpkgVerifyLayout);
    CPPUNIT_TEST(testMissingLinesAreDpkgVerifyLines);
    CPPUNIT_TEST(testUnownedLineReadsLikeAMissingOne);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRpmLinesHaveDpkgVerifyLayout() {
        if (!have_tool("dpkg")) {
            skip("dpkg is not installed");
            return;
        }
        Installed sys;
        must_sh("printf x >> " + sys.q("/usr/bin/hello") + " && echo edited > " +
                sys.q("/etc/hello.conf") + " && rm " + sys.q("/usr/share/doc/hello/README"));
        const RunResult r = verify_hello(sys, {"--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        // Where dpkg prints '?' for what it does not check, every column says how it went.
        CPPUNIT_ASSERT_EQUAL(std::string("S.5...... c /etc/hello.conf\n"
                                         "S.5....T.   /usr/bin/hello\n"
                                         "S.5....T.   /usr/bin/hello-again\n"
                                         "missing     /usr/share/doc/hello/README\n"),
                             r.out);
        const std::map<std::string, std::string> dpkg = dpkg_verify_lines(sys.root);
        CPPUNIT_ASSERT_EQUAL(std::size_t{4}, dpkg.size());
        std::istringstream in(r.out);
        for (std::string line; std::getline(in, line);) {
            const auto it = dpkg.find(line.substr(12));
            CPPUNIT_ASSERT_MESSAGE(line, it != dpkg.end());
            // The same flag width, conffile column and separators, and dpkg's digest column.
            CPPUNIT_ASSERT_EQUAL(it->second.size(), line.size());
            CPPUNIT_ASSERT_EQUAL(it->second.substr(9, 3), line.substr(9, 3));
            CPPUNIT_ASSERT_EQUAL(it->second[2], line[2]);
        }
    }

    void testMissingLinesAreDpkgVerifyLines() {
        if (!have_tool("dpkg")) {
            skip("dpkg is not installed");
            return;
        }
        Installed sys;
        must_sh("rm " + sys.q("/etc/hello.conf") + " " + sys.q("/usr/share/doc/hello/README"));
        const RunResult r = verify_hello(sys, {"--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        std::string dpkg;
        for (const auto& [path, line] : dpkg_verify_lines(sys.root)) {
            dpkg += line + "\n";
        }
        CPPUNIT_ASSERT_EQUAL(std::string("missing   c /etc/hello.conf\n"
                                         "missing     /usr/share/doc/hello/README\n"),
                             dpkg);
        CPPUNIT_ASSERT_EQUAL(dpkg, r.out);
    }

    void testUnownedLineReadsLikeAMissingOne() {
        Installed sys;
        write_file(sys.root / "/usr/bin/evil", "dropped\n");
        const RunResult r =
            verify_hello(sys, {"--unowned", "--unowned-dir", "/usr/bin", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("unowned     /usr/bin/evil\n"), r.out);
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyOptionsWithoutEffectTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyOptionsWithoutEffectTest);
    CPPUNIT_TEST(testUnownedDirNeedsUnownedScanning);
    CPPUNIT_TEST(testUnownedAllowNeedsUnownedScanning);
    CPPUNIT_TEST(testUnownedAllowFileNeedsUnownedScanning);
    CPPUNIT_TEST(testKeyringNeedsRepo);
    CPPUNIT_TEST(testSuiteNeedsRepo);
    CPPUNIT_TEST(testTrustUnsignedNeedsPkgdesc);
    CPPUNIT_TEST(testStateDirNeedsRepoOrTheAptChain);
    CPPUNIT_TEST(testAllDoesNotApplyToList);
    CPPUNIT_TEST(testNullNeedsList);
    CPPUNIT_TEST(testAptChainOptionsNeedTheAptChain);
    CPPUNIT_TEST(testJobsMustBeOneOrMore);
    CPPUNIT_TEST(testOptionsWithAnEffectAreAccepted);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUnownedDirNeedsUnownedScanning() {
        assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "--unowned-dir", "/opt"},
                           "--unowned-dir applies only when unowned files are scanned "
                           "(--unowned, the default with --root)");
    }

    void testUnownedAllowNeedsUnownedScanning() {
        assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "--unowned-allow", "/opt/*"},
                           "--unowned-allow applies only when unowned files are scanned "
                           "(--unowned, the default with --root)");
    }

    void testUnownedAllowFileNeedsUnownedScanning() {
        assert_usage_error(
            {"--pkgdesc", "/ref", "--trust-unsigned", "--unowned-allow-file", "/allow"},
            "--unowned-allow-file applies only when unowned files are scanned (--unowned, the default with --root)");
    }

    void testKeyringNeedsRepo() {
        const std::string message = "--keyring needs --repo (the apt chain trusts apt's keys)";
        assert_usage_error({"--keyring", "/key.gpg"}, message);
        assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "--keyring", "/key.gpg"},
                           message);
    }

    void testSuiteNeedsRepo() { assert_usage_error({"--suite", "stable"}, "--suite needs --repo"); }

    void testTrustUnsignedNeedsPkgdesc() {
        const std::string message =
            "--trust-unsigned only applies to --pkgdesc (other reference data is signed)";
        assert_usage_error({"--trust-unsigned"}, message);
        assert_usage_error({"--repo", "/repo", "--keyring", "/key.gpg", "--trust-unsigned"},
                           message);
    }

    void testStateDirNeedsRepoOrTheAptChain() {
        assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "--state-dir", "/state"},
                           "--state-dir applies to --repo and the apt chain, not to --pkgdesc");
    }

    void testAllDoesNotApplyToList() {
        assert_usage_error(
            {"--pkgdesc", "/ref", "--trust-unsigned", "--list", "pristine", "--all"},
            "--all does not apply to --list, which selects pristine or deviating files itself");
    }

    void testNullNeedsList() {
        assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "-0"},
                           "-0 only applies to --list");
    }

    void testAptChainOptionsNeedTheAptChain() {
        assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "--fetch"},
                           "--debs, --fetch, --cache-dir and --apt-option apply to the apt chain, "
                           "not to --repo or --pkgdesc");
    }

    void testJobsMustBeOneOrMore() {
        for (const char* jobs : {"0", "-1", "x", "2x", ""}) {
            assert_usage_error({"--pkgdesc", "/ref", "--trust-unsigned", "-j", jobs},
                               "--jobs '" + std::string(jobs) +
                                   "' is not a number of threads (1 or more)");
        }
    }

    void testOptionsWithAnEffectAreAccepted() {
        Installed sys;
        const std::string allow = sys.tmp / "allow";
        write_file(allow, "/opt/*\n");
        const RunResult r = verify_hello(sys, {"-j", "1", "--unowned", "--unowned-dir", "/opt",
                                               "--unowned-allow", "/opt/x*", "--unowned-allow-file",
                                               allow, "--list", "pristine", "-0"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.err);
    }
};

// --record: what a scheduled run leaves for monitoring.
class VerifyRecordTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyRecordTest);
    CPPUNIT_TEST(testKeepsTheLastTwoReportsTheStateAndMetrics);
    CPPUNIT_TEST(testRefusesAnotherOutput);
    CPPUNIT_TEST_SUITE_END();

    static RunResult record(const Installed& sys, const std::string& dir) {
        return verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned",
                       "--record", dir});
    }

public:
    void testKeepsTheLastTwoReportsTheStateAndMetrics() {
        Installed sys;
        const std::string dir = sys.tmp / "record";
        must_sh("mkdir " + shell_quote(dir));
        const RunResult first = record(sys, dir);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(first.err, 0, first.status);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: "), first.out.substr(0, 16));
        CPPUNIT_ASSERT_EQUAL(first.out.substr(16), read_file(dir + "/state"));
        CPPUNIT_ASSERT_MESSAGE(first.out, first.out.find("trusted: ") == 16);
        const std::string report = read_file(dir + "/last.json");
        CPPUNIT_ASSERT(nlohmann::json::parse(report)["files"].empty());
        const std::string metrics = read_file(dir + "/pkgdesc.prom");
        CPPUNIT_ASSERT_MESSAGE(metrics, metrics.find("\npkgdesc_trust_state{state=\"trusted\"} 1\n") !=
                                            std::string::npos);
        CPPUNIT_ASSERT(metrics.find("\npkgdesc_packages_checked 1\n") != std::string::npos);
        CPPUNIT_ASSERT(!exists(dir + "/previous.json"));
        // A tampered file (and its hard link): degraded, and the first report is the previous
        // one.
        write_file(sys.root / "/usr/bin/hello", "HELLO\n", 0755);
        const RunResult second = record(sys, dir);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(second.err, 1, second.status);
        CPPUNIT_ASSERT_MESSAGE(second.out,
                               second.out.find("pkgdesc-verify: degraded: ") == 0 &&
                                   second.out.find("; 2 deviating (2 modified)") !=
                                       std::string::npos);
        CPPUNIT_ASSERT_EQUAL(report, read_file(dir + "/previous.json"));
        const nlohmann::json last = nlohmann::json::parse(read_file(dir + "/last.json"));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, last["files"].size());
        const std::string degraded = read_file(dir + "/pkgdesc.prom");
        CPPUNIT_ASSERT(degraded.find("\npkgdesc_files{status=\"modified\"} 2\n") != std::string::npos);
        CPPUNIT_ASSERT(degraded.find("\npkgdesc_trust_state{state=\"degraded\"} 1\n") !=
                       std::string::npos);
        // Read by the textfile collector as it is: no temporary file left beside.
        CPPUNIT_ASSERT_EQUAL(std::size_t{4}, list_dir(dir).size());
    }

    void testRefusesAnotherOutput() {
        Installed sys;
        const RunResult r = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                    "--trust-unsigned", "--record", sys.tmp.path(), "--format",
                                    "text"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("--record keeps the JSON report") !=
                                          std::string::npos);
        // A record directory that is not there: an error naming it, nothing verified quietly.
        const std::string missing = sys.tmp / "no-such-dir";
        const RunResult none = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                       "--trust-unsigned", "--record", missing});
        CPPUNIT_ASSERT_EQUAL(2, none.status);
        CPPUNIT_ASSERT_MESSAGE(none.err, none.err.find(missing + "/last.json") != std::string::npos);
        CPPUNIT_ASSERT(!exists(missing));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyRecordTest, "e2e.verify.output");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyEscapingTest, "e2e.verify.output");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyUnreferencedNotesTest, "e2e.verify.output");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyRpmLayoutTest, "e2e.verify.output");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyOptionsWithoutEffectTest, "e2e.verify.output");
