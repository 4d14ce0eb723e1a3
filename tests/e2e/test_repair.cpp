// End-to-end tests of pkgdesc-restore --repair: a root tampered with in the ways the tamper
// suite checks, repaired from the package's .deb, then verified pristine by pkgdesc-verify.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>

using namespace pkgdesc::test;
using json = nlohmann::json;

namespace {

class RepairTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RepairTest);
    CPPUNIT_TEST(testRepairsEveryTamperingOfRegularFiles);
    CPPUNIT_TEST(testRepairsSymlinksDirectoriesAndWhatTookAFilesPlace);
    CPPUNIT_TEST(testRepairGivesWhatAStatoverrideSets);
    CPPUNIT_TEST(testShowsThePlanAndChangesNothingWithoutApply);
    CPPUNIT_TEST(testRefusesADebOfOtherContent);
    CPPUNIT_TEST(testLeavesWhatTheSystemsOwnRecordsSet);
    CPPUNIT_TEST(testAFailedRepairPutsNothingInPlace);
    CPPUNIT_TEST(testRepairsManyFilesOfOneContent);
    CPPUNIT_TEST(testOneWriterIntoARootAtATime);
    CPPUNIT_TEST(testADirectoryReplacedBySymlinkIsMadeWithWhatIsBelowIt);
    CPPUNIT_TEST(testADirectoryInAHardLinksPlaceLeavesOnlyItsGroup);
    CPPUNIT_TEST_SUITE_END();

    static RunResult repair(const Installed& sys, const std::vector<std::string>& extra) {
        std::vector<std::string> argv{program("PKGDESC_RESTORE"),
                                      "--repair",
                                      "--root",
                                      sys.root.dir(),
                                      "--pkgdesc",
                                      sys.ref,
                                      "--trust-unsigned",
                                      "--debs",
                                      sys.tmp.path()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv);
    }

    // Content, size, mode, setuid, owner, a capability, an ACL, the mtime alone, a deleted file,
    // a broken hard link, an edited conffile.
    static void tamper(const Installed& sys) {
        must_sh("set -e\n"
                "m=$(stat -c %Y " +
                sys.q("/usr/lib/hello/data.bin") +
                ")\n"
                "printf y | dd of=" +
                sys.q("/usr/lib/hello/data.bin") +
                " bs=1 seek=5000 conv=notrunc status=none\n"
                "touch -d @$m " +
                sys.q("/usr/lib/hello/data.bin") +
                "\n"
                "chmod 4755 " +
                sys.q("/usr/sbin/hellod") +
                "\n"
                "chown 65534:65534 " +
                sys.q("/usr/share/doc/hello/README") +
                "\n"
                "touch -d @1 " +
                sys.q("/usr/bin/hello") +
                "\n"
                "rm " +
                sys.q("/usr/bin/hello-again") + " && cp -p " + sys.q("/usr/bin/hello") + " " +
                sys.q("/usr/bin/hello-again") +
                "\n"
                "printf 'greeting=evil\\n' > " +
                sys.q("/etc/hello.conf") + "\n");
        // Where the tools and the file system allow it.
        sh("setcap cap_net_raw+ep " + sys.q("/usr/sbin/hellod"));
        sh("setfacl -m u:65534:rwx " + sys.q("/usr/lib/hello/data.bin"));
    }

public:
    void testRepairsEveryTamperingOfRegularFiles() {
        Installed sys;
        tamper(sys);
        const json before = verify_json(sys.root, sys.ref, {}, 1);
        CPPUNIT_ASSERT(deviations(before).size() >= 6);
        // The conffile stays the admin's unless asked.
        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err,
                               r.err.find("pkgdesc-restore: not repaired: /etc/hello.conf "
                                          "(hello): a conffile (--conffiles repairs it)\n") !=
                                   std::string::npos);
        assert_deviations({{"/etc/hello.conf", "modified size,sha256 conffile"}},
                          verify_json(sys.root, sys.ref, {}, 1));
        const RunResult all = repair(sys, {"--apply", "--conffiles"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(all.err, 0, all.status);
        assert_deviations({}, verify_json(sys.root, sys.ref, {}, 0));
        // Then there is nothing left to do.
        const RunResult again = repair(sys, {"--apply", "--conffiles"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(again.err, 0, again.status);
        CPPUNIT_ASSERT_MESSAGE(again.err, again.err.find("repaired 0 files") != std::string::npos);
    }

    void testRepairsSymlinksDirectoriesAndWhatTookAFilesPlace() {
        // A symlink retargeted, a symlink and a FIFO where files were, a package directory
        // replaced by a symlink to a copy outside the root, a directory's mode and owner, and a
        // directory where a file was.
        Installed sys;
        const std::string outside = sys.tmp / "outside";
        must_sh("set -e\n"
                "ln -sfn /etc/passwd " +
                sys.q("/usr/bin/hello-link") + "\nrm " + sys.q("/usr/sbin/hellod") +
                " && ln -s ../bin/hello " + sys.q("/usr/sbin/hellod") + "\nrm " +
                sys.q("/usr/lib/hello/data.bin") + " && mkfifo " +
                sys.q("/usr/lib/hello/data.bin") + "\ncp -a " + sys.q("/usr/share/doc/hello") +
                " " + shell_quote(outside) + " && rm -r " + sys.q("/usr/share/doc/hello") +
                " && ln -s " + shell_quote(outside) + " " + sys.q("/usr/share/doc/hello") +
                "\nchmod 0700 " + sys.q("/usr/lib/hello") + " && chown 65534:65534 " +
                sys.q("/usr/lib/hello") + "\nrm " + sys.q("/usr/bin/hello-again") + " && mkdir " +
                sys.q("/usr/bin/hello-again") + " && touch " + sys.q("/usr/bin/hello-again/kept") +
                "\n");
        sh("setfacl -m u:65534:rwx " + sys.q("/usr/share"));
        const json before = verify_json(sys.root, sys.ref, {}, 1);
        CPPUNIT_ASSERT(deviations(before).size() >= 7);

        const RunResult plan = repair(sys, {});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 1, plan.status);
        CPPUNIT_ASSERT_MESSAGE(plan.err, plan.err.find("would replace what is at "
                                                       "/usr/share/doc/hello by directory "
                                                       "/usr/share/doc/hello (0755 root:root)") !=
                                             std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(plan.err,
                               plan.err.find("would replace symbolic link "
                                             "/usr/bin/hello-link -> hello") != std::string::npos);
        CPPUNIT_ASSERT(deviations(before) == deviations(verify_json(sys.root, sys.ref, {}, 1)));

        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        // The directory's content is not removed, nor the group it breaks repaired.
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not repaired: /usr/bin/hello-again (hello): a "
                                                 "directory is in its place") != std::string::npos);
        CPPUNIT_ASSERT(exists(sys.root / "/usr/bin/hello-again/kept"));
        // Nothing was written through the symlink: the copy outside is as it was.
        CPPUNIT_ASSERT_EQUAL(std::string("Read me.\n"), read_file(outside + "/README"));
        CPPUNIT_ASSERT(sh("test -d " + sys.q("/usr/share/doc/hello") + " && test ! -L " +
                          sys.q("/usr/share/doc/hello"))
                           .status == 0);
        assert_deviations({{"/usr/bin/hello-again", "modified type"}},
                          verify_json(sys.root, sys.ref, {}, 1));

        // Once the admin has taken the directory away, the rest is put back.
        must_sh("rm -r " + sys.q("/usr/bin/hello-again"));
        const RunResult rest = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(rest.err, 0, rest.status);
        assert_deviations({}, verify_json(sys.root, sys.ref, {}, 0));
    }

    void testRepairGivesWhatAStatoverrideSets() {
        // A statoverride that takes privilege away is the system's own word: a repair gives
        // it. One that asks for setuid the package never gave gets the rest of what it asks.
        Installed sys;
        sys.root.add_statoverride("root", "root", 0750, "/usr/sbin/hellod");
        sys.root.add_statoverride("daemon", "daemon", 04700, "/usr/share/doc/hello/README");
        must_sh("printf 'evil\\n' > " + sys.q("/usr/sbin/hellod") + " && chmod 4755 " +
                sys.q("/usr/sbin/hellod") + " && chmod 0644 " +
                sys.q("/usr/share/doc/hello/README"));
        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("daemon\n"), read_file(sys.root / "/usr/sbin/hellod"));
        CPPUNIT_ASSERT_EQUAL(std::string("750\n"),
                             sh("stat -c %a " + sys.q("/usr/sbin/hellod")).out);
        CPPUNIT_ASSERT_EQUAL(std::string("700 7001:7001\n"),
                             sh("stat -c '%a %u:%g' " + sys.q("/usr/share/doc/hello/README")).out);
        assert_deviations({}, verify_json(sys.root, sys.ref, {}, 0));
    }

    void testShowsThePlanAndChangesNothingWithoutApply() {
        Installed sys;
        must_sh("rm " + sys.q("/usr/sbin/hellod") + " && chmod 0600 " +
                sys.q("/usr/share/doc/hello/README"));
        const json before = verify_json(sys.root, sys.ref, {}, 1);
        const RunResult r = repair(sys, {});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("would restore /usr/sbin/hellod from ") !=
                                          std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("would restore /usr/share/doc/hello/README") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(!exists(sys.root / "/usr/sbin/hellod"));
        CPPUNIT_ASSERT(deviations(before) == deviations(verify_json(sys.root, sys.ref, {}, 1)));
    }

    void testRefusesADebOfOtherContent() {
        Installed sys;
        must_sh("printf 'evil\\n' > " + sys.q("/usr/sbin/hellod"));
        const std::string other = sys.tmp / "other-build";
        write_control(other, "hello", "1.0", "amd64");
        build_deb(other, sys.tmp / "elsewhere.deb", "xz",
                  "mkdir -p usr/sbin && printf 'evil\\\\n' > usr/sbin/hellod");
        must_sh("mv " + shell_quote(sys.tmp / "elsewhere.deb") + " " + shell_quote(sys.deb));
        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("evil\n"), read_file(sys.root / "/usr/sbin/hellod"));
    }

    void testAFailedRepairPutsNothingInPlace() {
        // The second file to put in place cannot be replaced (immutable): the first, already
        // exchanged with its repaired copy, is exchanged back, and no temporary file is left.
        Installed sys;
        must_sh("printf 'evil\\n' > " + sys.q("/usr/lib/hello/data.bin") + " && printf " +
                "'changed\\n' > " + sys.q("/usr/share/doc/hello/README"));
        if (sh("chattr +i " + sys.q("/usr/share/doc/hello/README")).status != 0) {
            return skip("chattr +i does not work here");
        }
        const std::string before = sh("cd " + sys.q("") + " && ls -laR --time-style=+%s.%N .").out;
        const RunResult r = repair(sys, {"--apply"});
        sh("chattr -i " + sys.q("/usr/share/doc/hello/README"));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("/usr/share/doc/hello/README: cannot put in "
                                                 "place") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("evil\n"), read_file(sys.root / "/usr/lib/hello/data.bin"));
        CPPUNIT_ASSERT_EQUAL(before,
                             sh("cd " + sys.q("") + " && ls -laR --time-style=+%s.%N .").out);
    }

    void testADirectoryInAHardLinksPlaceLeavesOnlyItsGroup() {
        Installed sys;
        must_sh("rm " + sys.q("/usr/bin/hello-again") + " && mkdir " +
                sys.q("/usr/bin/hello-again") + " && printf 'HELLO\\n' > " +
                sys.q("/usr/bin/hello") + " && printf 'changed\\n' > " +
                sys.q("/usr/share/doc/hello/README"));
        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not repaired: /usr/bin/hello (hello): of its "
                                                 "hard-link group, /usr/bin/hello-again is not "
                                                 "repaired: a directory is in its "
                                                 "place") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("HELLO\n"), read_file(sys.root / "/usr/bin/hello"));
        CPPUNIT_ASSERT_EQUAL(std::string("Read me.\n"),
                             read_file(sys.root / "/usr/share/doc/hello/README"));
    }

    void testADirectoryReplacedBySymlinkIsMadeWithWhatIsBelowIt() {
        // /usr/share/doc moved inside the image and a symlink left in its place: the plan makes
        // /usr/share/doc anew and everything of the package below it, and does what it says.
        Installed sys;
        must_sh("mkdir " + sys.q("/store") + " && cp -a " + sys.q("/usr/share/doc") + " " +
                sys.q("/store/doc") + " && rm -r " + sys.q("/usr/share/doc") +
                " && ln -s /store/doc " + sys.q("/usr/share/doc"));
        const RunResult plan = repair(sys, {});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        CPPUNIT_ASSERT_MESSAGE(plan.err, plan.err.find("would make directory /usr/share/doc/hello") !=
                                             std::string::npos);
        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("Read me.\n"),
                             read_file(sys.root / "/usr/share/doc/hello/README"));
        CPPUNIT_ASSERT_EQUAL(std::string("Read me.\n"),
                             read_file(sys.root / "/store/doc/hello/README"));
        assert_deviations({}, verify_json(sys.root, sys.ref, {"--no-unowned"}, 0));
    }

    void testOneWriterIntoARootAtATime() {
        // Another process holds the root (flock(1) on its directory, as a second restore or
        // repair would): the repair writes nothing.
        Installed sys;
        must_sh("printf 'evil\\n' > " + sys.q("/usr/sbin/hellod"));
        std::vector<std::string> argv{"flock", "-x", sys.root.dir(), program("PKGDESC_RESTORE"),
                                      "--repair", "--apply", "--root", sys.root.dir(),
                                      "--pkgdesc", sys.ref, "--trust-unsigned", "--debs",
                                      sys.tmp.path()};
        const RunResult r = run(argv);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("another restore or repair is writing into this "
                                                 "root") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(std::string("evil\n"), read_file(sys.root / "/usr/sbin/hellod"));
        // Once it is free, the repair runs.
        const RunResult free = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(free.err, 0, free.status);
    }

    void testRepairsManyFilesOfOneContent() {
        // 300 files of one content, all deleted, repaired with 64 file descriptors to spare.
        TempDir tmp;
        const std::string dir = tmp / "pkg";
        write_control(dir, "icons", "1.0", "amd64");
        const std::string deb = tmp / "icons_1.0_amd64.deb";
        build_deb(dir, deb, "xz",
                  "mkdir -p usr/share/icons && for i in $(seq 300); do printf 'icon\\n' > "
                  "usr/share/icons/$i.png; done");
        const std::string ref = make_reference(tmp, {deb});
        SystemRoot root{tmp / "root"};
        root.install(deb);
        must_sh("rm " + shell_quote(root / "/usr/share/icons") + "/*.png");
        const RunResult r =
            sh("ulimit -n 64 && exec " + shell_quote(program("PKGDESC_RESTORE")) +
               " --repair --apply --root " + shell_quote(root.dir()) + " --pkgdesc " +
               shell_quote(ref) + " --trust-unsigned --debs " + shell_quote(tmp.path()));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("icon\n"), read_file(root / "/usr/share/icons/300.png"));
        const json after = verify_json(root, ref, {}, 0);
        CPPUNIT_ASSERT(deviations(after).empty());
    }

    void testLeavesWhatTheSystemsOwnRecordsSet() {
        // A diversion on one name of a hard-link group: the group is left whole, and nothing is
        // written where the diversion points. A tampered maintainer script is named, never
        // taken for a file to put back.
        Installed sys;
        write_file(sys.root / "/etc/victim", "precious\n");
        sys.root.add_diversion("/usr/bin/hello-again", "/etc/victim", ":");
        must_sh("printf 'evil\\n' > " + sys.q("/usr/bin/hello") +
                " && printf 'curl evil | sh\\n' >> " + sys.q("/var/lib/dpkg/info/hello.postinst"));
        const RunResult r = repair(sys, {"--apply"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("precious\n"), read_file(sys.root / "/etc/victim"));
        CPPUNIT_ASSERT_EQUAL(std::string("evil\n"), read_file(sys.root / "/usr/bin/hello"));
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not repaired: /usr/bin/hello (hello): of its "
                                                 "hard-link group, ") != std::string::npos);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not repaired: /var/lib/dpkg/info/hello.postinst "
                                                 "(hello): ") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RepairTest, "e2e.restore.repair");

} // namespace
