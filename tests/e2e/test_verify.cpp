// End-to-end tests of pkgdesc-verify on temporary installed systems: packages built with
// dpkg-deb, unpacked with dpkg-deb -x, with a dpkg database written as dpkg writes it, then
// tampered with in every way an intruder or an admin would.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <thread>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

constexpr std::size_t k_hello_entries = 17; // every path of hello's list, "/" included
// The control members dpkg keeps of it in /var/lib/dpkg/info: conffiles and md5sums.
constexpr std::size_t k_hello_control = 2;

// ---------------------------------------------------------------------------------------------

class VerifyPristineTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyPristineTest);
    CPPUNIT_TEST(testUntouchedSystemIsPristineWithExitZero);
    CPPUNIT_TEST(testListPristineNamesEveryFileAndDeviatingNone);
    CPPUNIT_TEST(testOutputIsTheSameForAnyNumberOfJobs);
    CPPUNIT_TEST(testUnreferencedPackageIsNeverPristine);
    CPPUNIT_TEST(testNamedPackagesOnly);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUntouchedSystemIsPristineWithExitZero() {
        Installed sys;
        const RunResult r =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        const std::size_t total = k_hello_entries + k_hello_control;
        CPPUNIT_ASSERT(r.out.find("Total files checked: " + std::to_string(total)) !=
                       std::string::npos);
        CPPUNIT_ASSERT(r.out.find("  pristine:     " + std::to_string(total)) !=
                       std::string::npos);
        CPPUNIT_ASSERT(r.out.find("Unreferenced packages: 0") != std::string::npos);
        const json doc = verify_json(sys.root, sys.ref, {"--all"}, 0);
        CPPUNIT_ASSERT_EQUAL(total, doc["files"].size());
        CPPUNIT_ASSERT_EQUAL(total, doc["summary"]["pristine"].get<std::size_t>());
        const json& md5sums = file_entry(doc, "/var/lib/dpkg/info/hello.md5sums");
        CPPUNIT_ASSERT(md5sums["control"].get<bool>());
        const json& conf = file_entry(doc, "/etc/hello.conf");
        CPPUNIT_ASSERT(conf["conffile"].get<bool>());
        CPPUNIT_ASSERT(!conf["control"].get<bool>());
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), conf["package"].get<std::string>());
    }

    void testListPristineNamesEveryFileAndDeviatingNone() {
        Installed sys;
        const RunResult pristine = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                           "--trust-unsigned", "--list", "pristine", "-0"});
        CPPUNIT_ASSERT_EQUAL(0, pristine.status);
        std::string expected;
        for (const char* path :
             {"/", "/etc", "/etc/hello.conf", "/usr", "/usr/bin", "/usr/bin/hello",
              "/usr/bin/hello-again", "/usr/bin/hello-link", "/usr/lib", "/usr/lib/hello",
              "/usr/lib/hello/data.bin", "/usr/sbin", "/usr/sbin/hellod", "/usr/share",
              "/usr/share/doc", "/usr/share/doc/hello"}) {
            expected += std::string(path) + '\0';
        }
        // The README too: sorted by byte value.
        expected.insert(expected.find("/usr/share/doc/hello") + 21,
                        std::string("/usr/share/doc/hello/README") + '\0');
        // Then the control members dpkg keeps, proven like the files.
        for (const char* path :
             {"/var/lib/dpkg/info/hello.conffiles", "/var/lib/dpkg/info/hello.md5sums"}) {
            expected += std::string(path) + '\0';
        }
        CPPUNIT_ASSERT_EQUAL(expected, pristine.out);
        const RunResult deviating = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                            "--trust-unsigned", "--list", "deviating"});
        CPPUNIT_ASSERT_EQUAL(0, deviating.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), deviating.out);
    }

    void testOutputIsTheSameForAnyNumberOfJobs() {
        Installed sys;
        must_sh("printf x >> " + sys.q("/usr/bin/hello") + "; chmod 600 " +
                sys.q("/usr/share/doc/hello/README"));
        std::string first;
        for (const char* jobs : {"1", "2", "7"}) {
            const RunResult r = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                        "--trust-unsigned", "--all", "-j", jobs});
            CPPUNIT_ASSERT_EQUAL(1, r.status);
            if (first.empty()) {
                first = r.out;
            }
            CPPUNIT_ASSERT_EQUAL(first, r.out);
        }
    }

    void testUnreferencedPackageIsNeverPristine() {
        Installed sys;
        const std::string other = build_hello(sys.tmp, "2.0");
        const std::string dir = sys.tmp / "other";
        write_control(dir, "other", "1.0", "all");
        build_deb(dir, sys.tmp / "other.deb", "xz",
                  "mkdir -p usr/share/other && echo x > "
                  "usr/share/other/file");
        sys.root.install(sys.tmp / "other.deb");
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, doc["unreferenced"].size());
        CPPUNIT_ASSERT_EQUAL(std::string("other"),
                             doc["unreferenced"][0]["package"].get<std::string>());
        assert_deviations({}, doc);
        const RunResult list = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                       "--trust-unsigned", "--list", "pristine"});
        CPPUNIT_ASSERT_EQUAL(1, list.status);
        CPPUNIT_ASSERT(list.out.find("/usr/share/other") == std::string::npos);
        // A reference for another version of the package does not count.
        const json wrong = verify_json(sys.root, make_reference(sys.tmp, {other}, "ref2"), {}, 1);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, wrong["unreferenced"].size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{0}, wrong["summary"]["checked"].get<std::size_t>());
    }

    void testNamedPackagesOnly() {
        Installed sys;
        const RunResult r = verify(
            {"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned", "hello:amd64"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const RunResult missing = verify(
            {"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned", "nosuchpkg"});
        CPPUNIT_ASSERT_EQUAL(2, missing.status);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: error: nosuchpkg: package is not "
                                         "installed\n"),
                             missing.err);
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyTamperTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyTamperTest);
    CPPUNIT_TEST(testSameSizeSameMtimeContentChangeIsModified);
    CPPUNIT_TEST(testChmodAndSetuidAreMetadata);
    CPPUNIT_TEST(testChownIsMetadata);
    CPPUNIT_TEST(testFileReplacedBySymlinkIsModified);
    CPPUNIT_TEST(testFifoIsReportedWithoutBeingOpened);
    CPPUNIT_TEST(testSymlinkRetargetedIsModified);
    CPPUNIT_TEST(testLinkTargetCannotForgeALine);
    CPPUNIT_TEST(testDirectorySymlinkOutOfRootIsNeverFollowedOut);
    CPPUNIT_TEST(testDeletedFileIsMissing);
    CPPUNIT_TEST(testBrokenHardLinkIsMetadata);
    CPPUNIT_TEST(testCapabilityIsMetadata);
    CPPUNIT_TEST(testAclIsMetadata);
    CPPUNIT_TEST(testMtimeAloneIsMetadata);
    CPPUNIT_TEST(testUnreadableFileIsUnverifiable);
    CPPUNIT_TEST(testEditedListHidesNothing);
    CPPUNIT_TEST(testListMovedToAnUncheckedPackageHidesNothing);
    CPPUNIT_TEST(testDiversionCannotVouchForAnotherPath);
    CPPUNIT_TEST(testObsoleteConffileIsNeverPristine);
    CPPUNIT_TEST_SUITE_END();

public:
    void testSameSizeSameMtimeContentChangeIsModified() {
        Installed sys;
        const std::string data = sys.root / "/usr/lib/hello/data.bin";
        must_sh("m=$(stat -c %Y " + shell_quote(data) + "); printf y | dd of=" + shell_quote(data) +
                " bs=1 seek=5000 conv=notrunc status=none; touch -d @$m " + shell_quote(data));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/lib/hello/data.bin", "modified sha256"}}, doc);
        const json& file = file_entry(doc, "/usr/lib/hello/data.bin");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), file["package"].get<std::string>());
        CPPUNIT_ASSERT(file["expected"]["sha256"] != file["actual"]["sha256"]);
        CPPUNIT_ASSERT_EQUAL(std::size_t{64}, file["actual"]["sha256"].get<std::string>().size());
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, doc["summary"]["modified"].get<std::size_t>());
    }

    void testChmodAndSetuidAreMetadata() {
        Installed sys;
        must_sh("chmod 4755 " + sys.q("/usr/sbin/hellod") + " && chmod 0666 " +
                sys.q("/usr/share/doc/hello/README"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/sbin/hellod", "metadata mode"},
                           {"/usr/share/doc/hello/README", "metadata mode"}},
                          doc);
        const json& hellod = file_entry(doc, "/usr/sbin/hellod");
        CPPUNIT_ASSERT_EQUAL(std::string("0755"), hellod["expected"]["mode"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("4755"), hellod["actual"]["mode"].get<std::string>());
    }

    void testChownIsMetadata() {
        if (!running_as_root()) {
            skip("chown to another user needs root");
            return;
        }
        Installed sys;
        must_sh("chown 7001 " + sys.q("/usr/bin/hello-link") + " -h && chgrp 7001 " +
                sys.q("/usr/sbin/hellod"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations(
            {{"/usr/bin/hello-link", "metadata owner"}, {"/usr/sbin/hellod", "metadata group"}},
            doc);
        // Names come from the root's own /etc/passwd and /etc/group.
        CPPUNIT_ASSERT_EQUAL(
            std::string("daemon"),
            file_entry(doc, "/usr/bin/hello-link")["actual"]["owner"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(
            std::string("daemon"),
            file_entry(doc, "/usr/sbin/hellod")["actual"]["group"].get<std::string>());
    }

    void testFileReplacedBySymlinkIsModified() {
        Installed sys;
        must_sh("rm " + sys.q("/usr/sbin/hellod") + " && ln -s ../bin/hello " +
                sys.q("/usr/sbin/hellod"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/sbin/hellod", "modified type"}}, doc);
        const json& file = file_entry(doc, "/usr/sbin/hellod");
        CPPUNIT_ASSERT_EQUAL(std::string("file"), file["expected"]["type"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("link"), file["actual"]["type"].get<std::string>());
    }

    void testFifoIsReportedWithoutBeingOpened() {
        Installed sys;
        const std::string fifo = sys.root / "/usr/lib/hello/data.bin";
        const std::string marker = sys.tmp / "writer-done";
        must_sh("rm " + shell_quote(fifo) + " && mkfifo " + shell_quote(fifo));
        // A writer blocks in open() until somebody opens the FIFO for reading.
        std::thread writer(
            [&] { sh("timeout 5 sh -c 'echo x > " + fifo + " && touch " + marker + "'"); });
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const bool opened = exists(marker);
        writer.join();
        CPPUNIT_ASSERT_MESSAGE("the FIFO was opened for reading", !opened);
        assert_deviations({{"/usr/lib/hello/data.bin", "modified type"}}, doc);
        CPPUNIT_ASSERT_EQUAL(
            std::string("fifo"),
            file_entry(doc, "/usr/lib/hello/data.bin")["actual"]["type"].get<std::string>());
    }

    void testSymlinkRetargetedIsModified() {
        Installed sys;
        must_sh("ln -sfn /etc/passwd " + sys.q("/usr/bin/hello-link"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/hello-link", "modified link"}}, doc);
        const json& file = file_entry(doc, "/usr/bin/hello-link");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), file["expected"]["link"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("/etc/passwd"), file["actual"]["link"].get<std::string>());
    }

    void testLinkTargetCannotForgeALine() {
        Installed sys;
        must_sh("ln -sfn \"$(printf 'x\\nmodified     /usr/bin/fake')\" " +
                sys.q("/usr/bin/hello-link"));
        const RunResult r =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned", "-q"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("modified     /usr/bin/hello-link (hello): link hello -> "
                                         "x\\012modified     /usr/bin/fake\n"),
                             r.out);
    }

    void testDirectorySymlinkOutOfRootIsNeverFollowedOut() {
        Installed sys;
        // A copy of the docs outside the root, identical to the package's: reaching it would
        // "prove" the README pristine.
        const std::string outside = sys.tmp / "outside";
        must_sh("cp -a " + sys.q("/usr/share/doc/hello") + " " + shell_quote(outside) +
                " && rm -r " + sys.q("/usr/share/doc/hello") + " && ln -s " + shell_quote(outside) +
                " " + sys.q("/usr/share/doc/hello"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations(
            {{"/usr/share/doc/hello", "modified type"}, {"/usr/share/doc/hello/README", "missing"}},
            doc);
        // Inside the root, the same link target does exist: reached, but never pristine.
        must_sh("mkdir -p " + sys.q(outside) + " && cp -a " + shell_quote(outside) + "/. " +
                sys.q(outside));
        const json inside = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/share/doc/hello", "modified type"},
                           {"/usr/share/doc/hello/README", "metadata path"}},
                          inside);
    }

    void testDeletedFileIsMissing() {
        Installed sys;
        must_sh("rm " + sys.q("/usr/share/doc/hello/README") + " " + sys.q("/etc/hello.conf"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations(
            {{"/usr/share/doc/hello/README", "missing"}, {"/etc/hello.conf", "missing conffile"}},
            doc);
        const RunResult rpm = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                      "--trust-unsigned", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(1, rpm.status);
        CPPUNIT_ASSERT_EQUAL(std::string("missing   c /etc/hello.conf\n"
                                         "missing     /usr/share/doc/hello/README\n"),
                             rpm.out);
    }

    void testBrokenHardLinkIsMetadata() {
        Installed sys;
        must_sh("cp -p " + sys.q("/usr/bin/hello-again") + " " + sys.q("/usr/bin/tmp") + " && mv " +
                sys.q("/usr/bin/tmp") + " " + sys.q("/usr/bin/hello-again"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/hello-again", "metadata hardlink"}}, doc);
    }

    void testCapabilityIsMetadata() {
        if (!running_as_root() || !have_tool("setcap")) {
            skip("setcap needs root and libcap2-bin");
            return;
        }
        Installed sys;
        must_sh("setcap cap_net_raw+ep " + sys.q("/usr/bin/hello"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        // The hard link shares the inode, so it carries the capability too.
        assert_deviations({{"/usr/bin/hello", "metadata security.capability"},
                           {"/usr/bin/hello-again", "metadata security.capability"}},
                          doc);
        const json ignored =
            verify_json(sys.root, sys.ref, {"--ignore-xattr", "security.capability"}, 0);
        assert_deviations({}, ignored);
    }

    void testAclIsMetadata() {
        if (!have_tool("setfacl")) {
            skip("setfacl (package acl) is not installed");
            return;
        }
        Installed sys;
        const RunResult r = sh("setfacl -m u:7001:r " + sys.q("/usr/share/doc/hello/README") +
                               " && setfacl -d -m u:7001:r " + sys.q("/usr/lib/hello"));
        if (r.status != 0) {
            skip("the file system has no POSIX ACLs: " + r.err);
            return;
        }
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        // A read-only entry keeps the mask, and so the mode, as it was: only the ACL tells.
        assert_deviations({{"/usr/share/doc/hello/README", "metadata system.posix_acl_access"},
                           {"/usr/lib/hello", "metadata system.posix_acl_default"}},
                          doc);
    }

    void testMtimeAloneIsMetadata() {
        Installed sys;
        must_sh("touch " + sys.q("/usr/sbin/hellod") + " " + sys.q("/etc/hello.conf") + " " +
                sys.q("/usr/share/doc/hello"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        // Not for conffiles (dpkg keeps unchanged ones across upgrades) nor directories.
        assert_deviations({{"/usr/sbin/hellod", "metadata mtime"}}, doc);
        const RunResult rpm = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                      "--trust-unsigned", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(std::string(".......T.   /usr/sbin/hellod\n"), rpm.out);
    }

    void testUnreadableFileIsUnverifiable() {
        Installed sys;
        must_sh("chmod 0 " + sys.q("/usr/sbin/hellod") + " && chmod 0755 " +
                shell_quote(sys.tmp.path()));
        // Root reads every file: verify as nobody then, with a copy of the program that nobody
        // can reach (the build tree may be in a private home).
        std::vector<std::string> argv{
            program("PKGDESC_VERIFY"), "--root",   sys.root.dir(), "--pkgdesc", sys.ref,
            "--trust-unsigned",        "--format", "json"};
        std::vector<std::string> env;
        if (running_as_root()) {
            const std::string bin = sys.tmp / "bin";
            must_sh("mkdir " + shell_quote(bin) + " && cp " + shell_quote(argv[0]) + " " +
                    shell_quote(std::string(std::getenv("PKGDESC_BINARY_DIR")) +
                                "/libpkgdesc/libpkgdesc.so.0") +
                    " " + shell_quote(bin) + " && chmod -R a+rX " + shell_quote(bin));
            argv[0] = bin + "/pkgdesc-verify";
            env.push_back("LD_LIBRARY_PATH=" + bin);
            argv.insert(argv.begin(),
                        {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"});
        }
        const RunResult r = run(argv, env);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        const json doc = json::parse(r.out);
        assert_deviations({{"/usr/sbin/hellod", "unverifiable mode"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("cannot open for reading: Permission denied"),
                             file_entry(doc, "/usr/sbin/hellod")["reason"].get<std::string>());
    }

    void testListMovedToAnUncheckedPackageHidesNothing() {
        Installed sys;
        const std::string dir = sys.tmp / "other";
        write_control(dir, "other", "1.0", "all");
        build_deb(dir, sys.tmp / "other.deb", "xz", "mkdir -p usr/share/other");
        sys.root.install(sys.tmp / "other.deb");
        // hellod "belongs" to a package without reference data now.
        must_sh("printf x >> " + sys.q("/usr/sbin/hellod") + " && sed -i '/hellod/d' " +
                sys.q("/var/lib/dpkg/info/hello.list") + " && echo /usr/sbin/hellod >> " +
                sys.q("/var/lib/dpkg/info/other.list"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/sbin/hellod", "modified size,sha256,mtime"}}, doc);
    }

    void testDiversionCannotVouchForAnotherPath() {
        Installed sys;
        // hello's own program put where hellod belongs, "explained" by a local diversion.
        must_sh("cp -a " + sys.q("/usr/bin/hello") + " " + sys.q("/usr/sbin/hellod"));
        sys.root.add_diversion("/usr/bin/hello", "/usr/sbin/hellod", ":");
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        const json& file = file_entry(doc, "/usr/sbin/hellod");
        CPPUNIT_ASSERT_EQUAL(std::string("modified"), file["status"].get<std::string>());
    }

    void testObsoleteConffileIsNeverPristine() {
        Installed sys;
        must_sh("cp " + sys.q("/usr/bin/hello") + " " + sys.q("/usr/bin/backdoor") +
                " && echo /usr/bin/backdoor >> " + sys.q("/var/lib/dpkg/info/hello.list") +
                " && sed -i 's,^ /etc/hello.conf .*,&\\n /usr/bin/backdoor 0123 obsolete,' " +
                sys.q("/var/lib/dpkg/status"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/bin/backdoor", "unverifiable conffile"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("obsolete conffile: no longer part of the package"),
                             file_entry(doc, "/usr/bin/backdoor")["reason"].get<std::string>());
        // Nothing about it was proven: every rpm column says so.
        const RunResult rpm = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                      "--trust-unsigned", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(std::string("????????? c /usr/bin/backdoor\n"), rpm.out);
    }

    void testEditedListHidesNothing() {
        Installed sys;
        must_sh("printf x >> " + sys.q("/usr/sbin/hellod") + " && sed -i '/hellod/d' " +
                sys.q("/var/lib/dpkg/info/hello.list"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/sbin/hellod", "modified size,sha256,mtime"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("not in the dpkg file list"),
                             file_entry(doc, "/usr/sbin/hellod")["reason"].get<std::string>());
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyDpkgTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyDpkgTest);
    CPPUNIT_TEST(testEditedConffileIsFlagged);
    CPPUNIT_TEST(testDivertedFileIsCheckedWhereItWasMoved);
    CPPUNIT_TEST(testStatoverrideSetsTheExpectedModeAndOwner);
    CPPUNIT_TEST(testStatoverrideGivesNoPrivilege);
    CPPUNIT_TEST(testLayoutAliasesAreNoDeviation);
    CPPUNIT_TEST(testMultiArchSameSharedFilesAreCheckedOnce);
    CPPUNIT_TEST(testHalfInstalledPackageIsUnverifiable);
    CPPUNIT_TEST(testAdmindirOverridesTheDatabase);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEditedConffileIsFlagged() {
        Installed sys;
        must_sh("echo 'greeting=bye' > " + sys.q("/etc/hello.conf"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/etc/hello.conf", "modified size,sha256 conffile"}}, doc);
        CPPUNIT_ASSERT_EQUAL(std::size_t{1},
                             doc["summary"]["modified_conffiles"].get<std::size_t>());
        const RunResult rpm = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                      "--trust-unsigned", "--format", "rpm"});
        CPPUNIT_ASSERT_EQUAL(std::string("S.5...... c /etc/hello.conf\n"), rpm.out);
        const RunResult text =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned", "-q"});
        CPPUNIT_ASSERT_EQUAL(std::string("modified     /etc/hello.conf (hello, conffile): size "
                                         "15 -> 13, sha256\n"),
                             text.out);
    }

    void testDivertedFileIsCheckedWhereItWasMoved() {
        Installed sys;
        sys.root.add_diversion("/usr/sbin/hellod", "/usr/sbin/hellod.distrib", "wrapper");
        must_sh("mv " + sys.q("/usr/sbin/hellod") + " " + sys.q("/usr/sbin/hellod.distrib") +
                " && echo 'wrapper script' > " + sys.q("/usr/sbin/hellod"));
        const json doc = verify_json(sys.root, sys.ref, {"--all"}, 0);
        const json& file = file_entry(doc, "/usr/sbin/hellod.distrib");
        CPPUNIT_ASSERT_EQUAL(std::string("pristine"), file["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("wrapper"), file["diverted_by"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/sbin/hellod"),
                             file["listed_path"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, doc["summary"]["diverted"].get<std::size_t>());
        must_sh("printf x >> " + sys.q("/usr/sbin/hellod.distrib"));
        const json changed = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/sbin/hellod.distrib", "modified size,sha256,mtime"}}, changed);
    }

    void testStatoverrideSetsTheExpectedModeAndOwner() {
        Installed sys;
        sys.root.add_statoverride("root", "staff", 0750, "/usr/sbin/hellod");
        const json before = verify_json(sys.root, sys.ref, {}, 1);
        const bool group_differs = running_as_root();
        assert_deviations(
            {{"/usr/sbin/hellod", group_differs ? "metadata mode,group" : "metadata mode"}},
            before);
        CPPUNIT_ASSERT_EQUAL(
            std::string("0750"),
            file_entry(before, "/usr/sbin/hellod")["expected"]["mode"].get<std::string>());
        must_sh("chgrp 50 " + sys.q("/usr/sbin/hellod") + " 2>/dev/null || true; chmod 0750 " +
                sys.q("/usr/sbin/hellod"));
        const json after = verify_json(sys.root, sys.ref, {"--all"}, 0);
        const json& file = file_entry(after, "/usr/sbin/hellod");
        CPPUNIT_ASSERT_EQUAL(std::string("pristine"), file["status"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("root staff 0750"),
                             file["statoverride"].get<std::string>());
    }

    void testStatoverrideGivesNoPrivilege() {
        // The statoverride file is the checked system's: one line of it must not turn a
        // setgid (or setuid) program the package never made into a pristine one.
        Installed sys;
        sys.root.add_statoverride("root", "staff", 02755, "/usr/sbin/hellod");
        must_sh("chgrp 50 " + sys.q("/usr/sbin/hellod") + " 2>/dev/null || true; chmod 2755 " +
                sys.q("/usr/sbin/hellod"));
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        assert_deviations({{"/usr/sbin/hellod", "metadata mode"}}, doc);
        const json& file = file_entry(doc, "/usr/sbin/hellod");
        CPPUNIT_ASSERT_EQUAL(std::string("0755"), file["expected"]["mode"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("its statoverride asks for setgid, which neither its "
                                         "reference nor its package's scripts give"),
                             file["reason"].get<std::string>());
    }

    void testLayoutAliasesAreNoDeviation() {
        TempDir tmp;
        const std::string dir = tmp / "tool";
        write_control(dir, "tool", "1.0", "all");
        build_deb(dir, tmp / "tool.deb", "xz",
                  "mkdir -p bin sbin lib/tool usr/share/doc/tool var/run/tool run\n"
                  "echo tool > bin/tool && chmod 755 bin/tool\n"
                  "ln -s tool bin/tool-alias\n"
                  "echo lib > lib/tool/data\n"
                  "echo doc > usr/share/doc/tool/README\n");
        const std::string ref = make_reference(tmp, {tmp / "tool.deb"});
        SystemRoot root(tmp / "root");
        root.install(tmp / "tool.deb");
        root.merge_usr();
        // /var/run -> /run, as Debian's base-files and initscripts make it.
        must_sh("cd " + shell_quote(root.dir()) +
                " && mv var/run/tool run/ && rmdir var/run && ln -s /run var/run");
        const json doc = verify_json(root, ref, {"--all"}, 0);
        assert_deviations({}, doc);
        CPPUNIT_ASSERT_EQUAL(std::string("/var/run/tool"),
                             file_entry(doc, "/run/tool")["listed_path"].get<std::string>());
        // A file system mounted on a package directory hides it: only its type is checked.
        if (running_as_root() &&
            sh("mount -t tmpfs -o mode=0700 none " + shell_quote(root / "/run/tool")).status == 0) {
            const json mounted = verify_json(root, ref, {"--all"}, 0);
            sh("umount " + shell_quote(root / "/run/tool"));
            CPPUNIT_ASSERT_EQUAL(
                std::string("mount point: mode, owner and group are the mounted file system's"),
                file_entry(mounted, "/run/tool")["reason"].get<std::string>());
        }
        // Each file once, at its real location; the alias directories fold into /usr's.
        const json& tool = file_entry(doc, "/usr/bin/tool");
        CPPUNIT_ASSERT_EQUAL(std::string("/bin/tool"), tool["listed_path"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("pristine"),
                             file_entry(doc, "/usr/lib/tool/data")["status"].get<std::string>());
        for (const json& file : doc["files"]) {
            CPPUNIT_ASSERT(!file["path"].get<std::string>().starts_with("/bin"));
        }
        // /lib pointing anywhere but usr/lib is no alias: a package directory replaced by a
        // symlink.
        must_sh("cd " + shell_quote(root.dir()) +
                " && mv usr/lib usr/lib.real && rm lib && ln -s "
                "usr/lib.real lib");
        const json moved = verify_json(root, ref, {}, 1);
        assert_deviations({{"/lib", "modified type"},
                           {"/lib/tool", "metadata path"},
                           {"/lib/tool/data", "metadata path"}},
                          moved);
    }

    void testMultiArchSameSharedFilesAreCheckedOnce() {
        TempDir tmp;
        std::vector<std::string> debs;
        for (const char* arch : {"amd64", "i386"}) {
            const std::string dir = tmp / (std::string("libx-") + arch);
            write_control(dir, "libx", "1.0", arch);
            write_file(dir + "/DEBIAN/control",
                       read_file(dir + "/DEBIAN/control") + "Multi-Arch: same\n");
            build_deb(dir, tmp / (std::string("libx_1.0_") + arch + ".deb"), "xz",
                      std::string("mkdir -p usr/lib/") + arch + " usr/share/doc/libx\n" + "echo " +
                          arch + " > usr/lib/" + arch + "/libx.so.1\n" +
                          "echo copyright > usr/share/doc/libx/copyright\n");
            debs.push_back(tmp / (std::string("libx_1.0_") + arch + ".deb"));
        }
        const std::string ref = make_reference(tmp, debs);
        SystemRoot root(tmp / "root");
        for (const std::string& deb : debs) {
            root.install(deb, {.multi_arch_same = true});
        }
        const json doc = verify_json(root, ref, {"--all"}, 0);
        std::size_t copyright = 0;
        for (const json& file : doc["files"]) {
            copyright += file["path"] == "/usr/share/doc/libx/copyright" ? 1 : 0;
        }
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, copyright);
        CPPUNIT_ASSERT_EQUAL(
            std::string("libx:amd64"),
            file_entry(doc, "/usr/lib/amd64/libx.so.1")["package"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(
            std::string("libx:i386"),
            file_entry(doc, "/usr/lib/i386/libx.so.1")["package"].get<std::string>());
        must_sh("echo changed > " + shell_quote(root / "/usr/lib/i386/libx.so.1"));
        assert_deviations({{"/usr/lib/i386/libx.so.1", "modified size,sha256,mtime"}},
                          verify_json(root, ref, {}, 1));
    }

    void testHalfInstalledPackageIsUnverifiable() {
        TempDir tmp;
        const std::string deb = build_hello(tmp);
        const std::string ref = make_reference(tmp, {deb});
        SystemRoot root(tmp / "root");
        root.install(deb, {.state = "half-installed"});
        const json doc = verify_json(root, ref, {}, 1);
        CPPUNIT_ASSERT_EQUAL(k_hello_entries, doc["summary"]["unverifiable"].get<std::size_t>());
        CPPUNIT_ASSERT_EQUAL(std::string("the package is half-installed"),
                             file_entry(doc, "/usr/bin/hello")["reason"].get<std::string>());
    }

    void testAdmindirOverridesTheDatabase() {
        Installed sys;
        const std::string admin = sys.tmp / "admin";
        must_sh("cp -a " + sys.q("/var/lib/dpkg") + " " + shell_quote(admin) + " && rm -r " +
                sys.q("/var/lib/dpkg"));
        const RunResult without =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, without.status);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-verify: error: ") + sys.root.dir() +
                                 "/var/lib/dpkg: cannot open directory: No such file or "
                                 "directory\n",
                             without.err);
        assert_deviations({}, verify_json(sys.root, sys.ref, {"--admindir", admin}, 0));
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyUnownedTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyUnownedTest);
    CPPUNIT_TEST(testDroppedBinaryIsUnowned);
    CPPUNIT_TEST(testAllowListAndDirectories);
    CPPUNIT_TEST_SUITE_END();

public:
    void testDroppedBinaryIsUnowned() {
        Installed sys;
        must_sh("cp " + sys.q("/usr/bin/hello") + " " + sys.q("/usr/bin/evil") + " && touch " +
                sys.q("/etc/ld.so.cache") + " && mkdir -p " +
                sys.q("/usr/lib/python3/__pycache__") + " && touch " +
                sys.q("/usr/lib/python3/__pycache__/x.pyc"));
        const json plain = verify_json(sys.root, sys.ref, {}, 0);
        assert_deviations({}, plain);
        const json doc = verify_json(sys.root, sys.ref, {"--unowned"}, 1);
        // A bytecode cache without its source is a sourceless module, not a cache.
        assert_deviations({{"/usr/bin/evil", "unowned"},
                           {"/usr/lib/python3", "unowned"},
                           {"/usr/lib/python3/__pycache__/x.pyc", "unowned"}},
                          doc);
        CPPUNIT_ASSERT_EQUAL(std::string("file"),
                             file_entry(doc, "/usr/bin/evil")["actual"]["type"].get<std::string>());
        CPPUNIT_ASSERT(file_entry(doc, "/usr/bin/evil")["package"].is_null());
        const RunResult list = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                       "--trust-unsigned", "--unowned", "--list", "deviating"});
        CPPUNIT_ASSERT_EQUAL(
            std::string("/usr/bin/evil\n/usr/lib/python3\n/usr/lib/python3/__pycache__/x.pyc\n"),
            list.out);
    }

    void testAllowListAndDirectories() {
        Installed sys;
        must_sh("mkdir -p " + sys.q("/opt/vendor/bin") + " && touch " +
                sys.q("/opt/vendor/bin/tool") + " " + sys.q("/usr/bin/evil"));
        const std::string allow = sys.tmp / "allow";
        write_file(allow, "# vendor software\n/opt/vendor/**\n\n");
        const json doc =
            verify_json(sys.root, sys.ref, {"--unowned", "--unowned-allow-file", allow}, 1);
        assert_deviations({{"/usr/bin/evil", "unowned"}}, doc);
        const json only_opt =
            verify_json(sys.root, sys.ref, {"--unowned", "--unowned-dir", "/opt"}, 1);
        assert_deviations({{"/opt/vendor", "unowned"},
                           {"/opt/vendor/bin", "unowned"},
                           {"/opt/vendor/bin/tool", "unowned"}},
                          only_opt);
        const json allowed = verify_json(
            sys.root, sys.ref,
            {"--unowned", "--unowned-allow", "/usr/bin/ev*", "--unowned-allow", "/opt/**"}, 0);
        assert_deviations({}, allowed);
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyCliTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyCliTest);
    CPPUNIT_TEST(testUnsignedReferenceNeedsTrustUnsigned);
    CPPUNIT_TEST(testUsageErrors);
    CPPUNIT_TEST(testBadInputNamesTheFile);
    CPPUNIT_TEST(testOnlyTheCheckedVersionsAreParsed);
    CPPUNIT_TEST(testNothingIsWrittenUnderTheRoot);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUnsignedReferenceNeedsTrustUnsigned() {
        Installed sys;
        const RunResult r = verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref});
        CPPUNIT_ASSERT_EQUAL(3, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.ref +
                                 ": untrusted reference data: it carries no signature (use "
                                 "--trust-unsigned to rely on it anyway)\n",
                             r.err);
    }

    void testUsageErrors() {
        Installed sys;
        const std::vector<std::vector<std::string>> cases{
            {"--pkgdesc", sys.ref, "--trust-unsigned", "--fetch"},
            {"--pkgdesc", sys.ref, "--trust-unsigned", "--format", "xml"},
            {"--pkgdesc", sys.ref, "--trust-unsigned", "--list", "some"},
            {"--pkgdesc", sys.ref, "--trust-unsigned", "-0"},
            {"--pkgdesc", sys.ref, "--trust-unsigned", "--bogus"},
            {"--pkgdesc", sys.ref, "--trust-unsigned", "--unowned", "--unowned-dir", "usr"},
        };
        for (const auto& args : cases) {
            const RunResult r = verify(args);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(args.back(), 2, r.status);
            CPPUNIT_ASSERT(r.err.starts_with("pkgdesc-verify: error: "));
        }
    }

    void testBadInputNamesTheFile() {
        Installed sys;
        const std::string bad = sys.tmp / "bad.pkgdesc";
        write_file(bad, "Package: hello\nVersion: 1.0\n");
        const RunResult r =
            verify({"--root", sys.root.dir(), "--pkgdesc", bad, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT(r.err.starts_with("pkgdesc-verify: error: " + bad + ":"));
        const RunResult no_root = verify({"--root", sys.tmp / "nowhere", "--pkgdesc", sys.ref,
                                          "--trust-unsigned", "--format", "json"});
        CPPUNIT_ASSERT_EQUAL(2, no_root.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), no_root.out); // no half a JSON document
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.tmp / "nowhere" +
                                 ": cannot open directory: No such file or directory\n",
                             no_root.err);
        write_file(sys.root / "/var/lib/dpkg/status", "Package: hello\nStatus: install ok "
                                                      "exploded\n");
        const RunResult status =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, status.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.root.dir() +
                                 "/var/lib/dpkg/status: package 'hello': unknown package state "
                                 "'exploded'\n",
                             status.err);
        // A status file that is a symlink out of the root is not followed.
        must_sh("ln -sf /etc/passwd " + sys.q("/var/lib/dpkg/status"));
        const RunResult link =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, link.status);
        CPPUNIT_ASSERT(link.err.find("/var/lib/dpkg/status: cannot open the dpkg status file") !=
                       std::string::npos);
    }

    void testOnlyTheCheckedVersionsAreParsed() {
        // A directory of many packages' references: only the installed versions' stanzas are
        // parsed, so a broken stanza of another package (or version) costs nothing and stops
        // nothing; the same break in a checked version's stanza is an error naming its file.
        Installed sys;
        const std::string hello = sys.ref + "/" + list_dir(sys.ref).at(0);
        const std::string text = read_file(hello);
        auto broken = [&](const std::string& from, const std::string& to) {
            std::string out = text;
            const std::size_t at = out.find(from);
            CPPUNIT_ASSERT(at != std::string::npos);
            out.replace(at, from.size(), to);
            const std::size_t files = out.find("\nContent-Metadata:\n");
            CPPUNIT_ASSERT(files != std::string::npos);
            return out.insert(files + 19, " not an mtree line\n");
        };
        write_file(sys.ref + "/ghost.pkgdesc", broken("Package: hello", "Package: ghost"));
        // Named for another package as pkgdesc-gen -o names them: not even read.
        write_file(sys.ref + "/ghost_1%3a2.0_amd64.pkgdesc", "not a stanza at all\n");
        must_sh("mkfifo " + shell_quote(sys.ref + "/other_1.0_all.pkgdesc"));
        write_file(sys.ref + "/hello-old.pkgdesc", broken("Version: 1.0", "Version: 0.9"));
        const RunResult r =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        // A stanza lacking one of the fields it is found by is an error all the same.
        write_file(sys.ref + "/nameless.pkgdesc", "Version: 1.0\nArchitecture: amd64\n");
        const RunResult nameless =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, nameless.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.ref +
                                 "/nameless.pkgdesc:1: stanza without a Package field\n",
                             nameless.err);
        must_sh("rm " + shell_quote(sys.ref + "/nameless.pkgdesc"));
        write_file(hello, broken("Package: hello", "Package: hello"));
        const RunResult checked =
            verify({"--root", sys.root.dir(), "--pkgdesc", sys.ref, "--trust-unsigned"});
        CPPUNIT_ASSERT_EQUAL(2, checked.status);
        CPPUNIT_ASSERT_MESSAGE(checked.err,
                               checked.err.starts_with("pkgdesc-verify: error: " + hello));
    }

    void testNothingIsWrittenUnderTheRoot() {
        Installed sys;
        must_sh("printf x >> " + sys.q("/usr/bin/hello"));
        // Everything but the access times of directories (which listing them for the snapshot
        // updates) and of symlinks (which reading them updates: mount images noatime).
        const std::string snapshot =
            "cd " + shell_quote(sys.root.dir()) +
            " && find . \\( -type d -o -type l \\) -printf '%p %M %U %G %s %T@ %C@\\n' -o "
            "-printf '%p %M %U %G %s %T@ %A@ %C@\\n' | sort";
        sh(snapshot);
        const std::string before = sh(snapshot).out;
        verify_json(sys.root, sys.ref, {"--unowned", "--all"}, 1);
        const std::string after = sh(snapshot).out;
        CPPUNIT_ASSERT(before.find("./etc/passwd") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(before, after);
    }
};

// ---------------------------------------------------------------------------------------------

// What dpkg --verify says changed: path -> "content" or "missing".
Deviations dpkg_verify(const std::vector<std::string>& args) {
    std::vector<std::string> argv{"dpkg", "--verify"};
    argv.insert(argv.end(), args.begin(), args.end());
    const RunResult r = run(argv);
    Deviations out;
    std::istringstream in(r.out);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() < 13) {
            continue;
        }
        const std::string path = line.substr(line.find('/'));
        if (line.starts_with("missing")) {
            out[path] = "missing";
        } else if (line[2] == '5') {
            out[path] = "content";
        }
    }
    return out;
}

// The same question answered by pkgdesc-verify, for the files dpkg knows: content and presence.
Deviations pkgdesc_content_deviations(const json& doc) {
    Deviations out;
    for (const json& file : doc["files"]) {
        const std::string path = file.contains("listed_path")
                                     ? file["listed_path"].get<std::string>()
                                     : file["path"].get<std::string>();
        if (file["status"] == "missing") {
            out[path] = "missing";
        } else {
            for (const json& name : file["failed"]) {
                if (name == "sha256") {
                    out[path] = "content";
                }
            }
        }
    }
    return out;
}

std::string describe(const Deviations& deviations) {
    std::string text;
    for (const auto& [path, what] : deviations) {
        text += path + ": " + what + "\n";
    }
    return text;
}

class VerifyDpkgCrosscheckTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyDpkgCrosscheckTest);
    CPPUNIT_TEST(testTamperedRootAgreesWithDpkgVerify);
    CPPUNIT_TEST(testLiveSystemAgreesWithDpkgVerify);
    CPPUNIT_TEST_SUITE_END();

public:
    void testTamperedRootAgreesWithDpkgVerify() {
        Installed sys;
        must_sh("printf x >> " + sys.q("/usr/bin/hello") + " && rm " +
                sys.q("/usr/share/doc/hello/README") + " && echo edited > " +
                sys.q("/etc/hello.conf") + " && chmod 4755 " + sys.q("/usr/sbin/hellod"));
        const Deviations dpkg = dpkg_verify({"--root=" + sys.root.dir()});
        CPPUNIT_ASSERT_EQUAL(std::size_t{4}, dpkg.size()); // hello and its hard link too
        const json doc = verify_json(sys.root, sys.ref, {}, 1);
        const Deviations ours = pkgdesc_content_deviations(doc);
        CPPUNIT_ASSERT_EQUAL_MESSAGE("dpkg:\n" + describe(dpkg) + "pkgdesc:\n" + describe(ours),
                                     describe(dpkg), describe(ours));
        // What dpkg --verify cannot see: the setuid bit.
        CPPUNIT_ASSERT_EQUAL(std::string("metadata"),
                             file_entry(doc, "/usr/sbin/hellod")["status"].get<std::string>());
    }

    void testLiveSystemAgreesWithDpkgVerify() {
        // The installed packages whose exact .deb is in apt's cache: reference data from them.
        const RunResult query =
            run({"dpkg-query", "-W", "-f",
                 "${Package}_${Version}_${Architecture} ${db:Status-Abbrev}\n"});
        std::set<std::string> installed;
        std::istringstream in(query.out);
        std::string line;
        while (std::getline(in, line)) {
            if (line.ends_with(" ii ")) {
                std::string name = line.substr(0, line.find(' '));
                for (std::size_t pos; (pos = name.find(':')) != std::string::npos;) {
                    name.replace(pos, 1, "%3a");
                }
                installed.insert(name);
            }
        }
        std::vector<std::string> debs;
        std::vector<std::string> packages;
        for (const std::string& file : list_dir("/var/cache/apt/archives")) {
            if (file.ends_with(".deb") && installed.contains(file.substr(0, file.size() - 4)) &&
                debs.size() < 25) {
                debs.push_back("/var/cache/apt/archives/" + file);
                packages.push_back(file.substr(0, file.find('_')));
            }
        }
        if (debs.empty()) {
            skip("no .deb of an installed package in apt's cache");
            return;
        }
        TempDir tmp;
        const std::string ref = make_reference(tmp, debs);
        const Deviations dpkg = dpkg_verify(packages);
        std::vector<std::string> args{"--pkgdesc", ref, "--trust-unsigned", "--format", "json"};
        args.insert(args.end(), packages.begin(), packages.end());
        const RunResult r = verify(args);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.status == 0 || r.status == 1);
        const json doc = json::parse(r.out);
        CPPUNIT_ASSERT_EQUAL(debs.size(), doc["summary"]["packages_checked"].get<std::size_t>());
        CPPUNIT_ASSERT(doc["summary"]["checked"].get<std::size_t>() > debs.size());
        CPPUNIT_ASSERT_EQUAL(describe(dpkg), describe(pkgdesc_content_deviations(doc)));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyPristineTest, "e2e.verify.pristine");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyTamperTest, "e2e.verify.tamper");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyDpkgTest, "e2e.verify.dpkg");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyUnownedTest, "e2e.verify.unowned");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyCliTest, "e2e.verify.cli");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyDpkgCrosscheckTest, "e2e.verify.dpkg_crosscheck");
