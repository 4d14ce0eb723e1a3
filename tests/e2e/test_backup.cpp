// End-to-end tests of the backup plan: pkgdesc-verify --backup-plan on a root the test builds,
// then the real tar, rsync, borg and restic back up what the plan says, and what each backed up
// is compared with the root: every path but the pristine package files the manifest names.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <set>
#include <sstream>

using namespace pkgdesc::test;

namespace {

using Paths = std::set<std::string>;

// Every path under DIR, as "/x" ("/" for DIR itself), whatever bytes the names hold.
Paths tree_paths(const std::string& dir) {
    const RunResult r = sh("cd " + shell_quote(dir) + " && find . -print0");
    if (r.status != 0) {
        throw std::runtime_error("find failed in " + dir + ": " + r.err);
    }
    Paths paths;
    std::size_t start = 0;
    while (start < r.out.size()) {
        const std::size_t end = r.out.find('\0', start);
        const std::string name = r.out.substr(start, end - start);
        paths.insert(name == "." ? "/" : name.substr(1));
        start = end + 1;
    }
    return paths;
}

// The NUL-separated names of a plan list, as "/x".
Paths plan_paths(const std::string& list) {
    Paths paths;
    std::size_t start = 0;
    while (start < list.size()) {
        const std::size_t end = list.find('\0', start);
        const std::string name = list.substr(start, end - start);
        paths.insert(name == "." ? "/" : "/" + name);
        start = end + 1;
    }
    return paths;
}

// The paths of the manifest's Files fields, unescaped (\ooo).
Paths manifest_paths(const std::string& manifest) {
    Paths paths;
    std::istringstream in(manifest);
    std::string line;
    bool files = false;
    while (std::getline(in, line)) {
        if (line == "Files:") {
            files = true;
            continue;
        }
        if (!files || line.empty() || line[0] != ' ') {
            files = false;
            continue;
        }
        // " SHA256 SIZE MODE OWNER GROUP MTIME PATH [FIRST-LINK]"
        std::istringstream fields(line);
        std::string escaped;
        for (int k = 0; k < 7; ++k) {
            fields >> escaped;
        }
        std::string path;
        for (std::size_t i = 0; i < escaped.size(); ++i) {
            if (escaped[i] == '\\' && i + 3 < escaped.size()) {
                path += static_cast<char>(std::stoi(escaped.substr(i + 1, 3), nullptr, 8));
                i += 3;
            } else {
                path += escaped[i];
            }
        }
        paths.insert(path);
    }
    return paths;
}

std::string describe(const Paths& paths) {
    std::string text;
    for (const std::string& path : paths) {
        text += path + "\n";
    }
    return text;
}

Paths minus(const Paths& a, const Paths& b) {
    Paths out;
    for (const std::string& path : a) {
        if (!b.contains(path)) {
            out.insert(path);
        }
    }
    return out;
}

// A root with what a backup must keep and what it may leave out: pristine package files (one
// named with a trailing space, which borg's patterns cannot hold), a hard link, a symlink, an
// edited conffile, a modified package file, a statoverride, merged /usr, unowned files with
// spaces, backslashes, brackets, '*', '?' and a newline in their names.
struct PlanRoot {
    TempDir tmp;
    std::string deb;
    std::string ref;
    SystemRoot root{tmp / "root"};
    std::string plan = tmp / "plan";

    PlanRoot() {
        const std::string dir = tmp / "pkg";
        write_control(dir, "keeper", "1.0", "amd64");
        write_file(dir + "/DEBIAN/conffiles", "/etc/keeper.conf\n/etc/keeper-default.conf\n");
        deb = tmp / "keeper_1.0_amd64.deb";
        build_deb(dir, deb, "xz",
                  "mkdir -p usr/bin usr/sbin usr/lib/keeper usr/share/doc/keeper etc\n"
                  "printf '#!/bin/sh\\necho keep\\n' > usr/bin/keeper && chmod 0755 "
                  "usr/bin/keeper\n"
                  "ln usr/bin/keeper usr/bin/keeper-again\n"
                  "ln -s keeper usr/bin/keeper-link\n"
                  "printf 'daemon\\n' > usr/sbin/keeperd && chmod 0755 usr/sbin/keeperd\n"
                  "printf 'setting=1\\n' > etc/keeper.conf\n"
                  "printf 'default=1\\n' > etc/keeper-default.conf\n"
                  "printf 'Read me.\\n' > usr/share/doc/keeper/README\n"
                  "printf 'changelog\\n' > usr/share/doc/keeper/changelog\n"
                  "head -c 100000 /dev/zero | tr '\\0' x > usr/lib/keeper/data.bin\n"
                  "printf 'odd\\n' > 'usr/lib/keeper/trailing '\n"
                  "printf 'lib\\n' > usr/lib/keeper/only.so\n");
        ref = make_reference(tmp, {deb});
        root.install(deb);
        root.merge_usr();
        must_sh("printf 'setting=2\\n' > " + q("/etc/keeper.conf") + " && printf 'changed\\n' > " +
                q("/usr/share/doc/keeper/README") + " && chmod 0700 " + q("/usr/sbin/keeperd"));
        root.add_statoverride("root", "root", 0700, "/usr/sbin/keeperd");
        for (const char* name : {"name with space", "back\\slash", "br[ack]et", "st*r", "q?m",
                                 "new\nline", "trail "}) {
            write_file(root / ("/etc/" + std::string(name)), std::string(name) + "\n");
        }
        must_sh("mkdir -p " + q("/srv/data/empty") + " && printf 'mine\\n' > " +
                q("/srv/data/file"));
    }

    std::string q(const std::string& path) const { return shell_quote(root / path); }

    RunResult make_plan(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> args{"--root",           root.dir(),      "--pkgdesc", ref,
                                      "--trust-unsigned", "--backup-plan", plan};
        args.insert(args.end(), extra.begin(), extra.end());
        return verify_as_given(args);
    }
};

const Paths k_left_out{"/usr/bin/keeper",           "/usr/bin/keeper-again",
                       "/usr/lib/keeper/data.bin",  "/usr/lib/keeper/only.so",
                       "/usr/lib/keeper/trailing ", "/usr/share/doc/keeper/changelog"};

class BackupPlanTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BackupPlanTest);
    CPPUNIT_TEST(testLeavesOutOnlyPristinePackageFiles);
    CPPUNIT_TEST(testTarAndRsyncBackUpThePlan);
    CPPUNIT_TEST(testBorgAndResticBackUpThePlan);
    CPPUNIT_TEST(testRefusesWhatHasNoEffect);
    CPPUNIT_TEST_SUITE_END();

public:
    void testLeavesOutOnlyPristinePackageFiles() {
        PlanRoot sys;
        const RunResult r = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        // The manifest's SHA-256, as sha256sum -c reads it.
        const RunResult sum = sh("printf '%s' " + shell_quote(r.out) + " | sha256sum -c --status");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out, 0, sum.status);
        const std::string manifest = read_file(sys.plan + "/manifest");
        CPPUNIT_ASSERT_EQUAL(describe(k_left_out), describe(manifest_paths(manifest)));
        CPPUNIT_ASSERT(manifest.find("\nPackage: keeper\nArchitecture: amd64\nVersion: 1.0\n") !=
                       std::string::npos);
        // Everything else is in the plan: directories, symlinks (/bin and the others of
        // merged /usr too), the edited conffile, the modified and statoverridden files, the
        // dpkg database, the unowned files whatever their names.
        const Paths planned = plan_paths(read_file(sys.plan + "/tar.files"));
        CPPUNIT_ASSERT_EQUAL(describe(minus(tree_paths(sys.root.dir()), k_left_out)),
                             describe(planned));
        CPPUNIT_ASSERT_EQUAL(read_file(sys.plan + "/tar.files"),
                             read_file(sys.plan + "/rsync.files"));
        for (const char* path :
             {"/bin", "/etc/keeper.conf", "/usr/share/doc/keeper/README", "/usr/sbin/keeperd",
              "/var/lib/dpkg/status", "/etc/new\nline", "/srv/data/empty"}) {
            CPPUNIT_ASSERT_MESSAGE(path, planned.contains(path));
        }
    }

    void testTarAndRsyncBackUpThePlan() {
        PlanRoot sys;
        if (!have_tool("rsync")) {
            return skip("rsync is not installed");
        }
        const RunResult r = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const Paths planned = plan_paths(read_file(sys.plan + "/tar.files"));
        const std::string tar_out = sys.tmp / "tar-out";
        must_sh("mkdir " + shell_quote(tar_out) + " && tar -C " + shell_quote(sys.root.dir()) +
                " --null --no-recursion -T " + shell_quote(sys.plan + "/tar.files") + " -cf " +
                shell_quote(sys.tmp / "backup.tar") + " && tar -C " + shell_quote(tar_out) +
                " -xf " + shell_quote(sys.tmp / "backup.tar"));
        CPPUNIT_ASSERT_EQUAL(describe(planned), describe(tree_paths(tar_out)));
        const std::string rsync_out = sys.tmp / "rsync-out";
        must_sh("rsync -a --from0 --files-from=" + shell_quote(sys.plan + "/rsync.files") + " " +
                shell_quote(sys.root.dir() + "/") + " " + shell_quote(rsync_out + "/"));
        CPPUNIT_ASSERT_EQUAL(describe(planned), describe(tree_paths(rsync_out)));
        // What was backed up is what is there.
        for (const char* path : {"/etc/keeper.conf", "/etc/new\nline", "/var/lib/dpkg/status"}) {
            CPPUNIT_ASSERT_EQUAL(read_file(sys.root / path), read_file(tar_out + path));
            CPPUNIT_ASSERT_EQUAL(read_file(sys.root / path), read_file(rsync_out + path));
        }
    }

    void testBorgAndResticBackUpThePlan() {
        PlanRoot sys;
        if (!have_tool("borg") || !have_tool("restic")) {
            return skip("borg or restic is not installed");
        }
        const RunResult r = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const Paths planned = plan_paths(read_file(sys.plan + "/tar.files"));
        const std::string host_root = sh("realpath " + sys.q("")).out;
        const std::string inner = host_root.substr(0, host_root.size() - 1); // no newline
        const std::vector<std::string> env{
            "BORG_PASSPHRASE=", "BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes",
            "BORG_BASE_DIR=" + sys.tmp / "borg-home", "RESTIC_PASSWORD=test",
            "RESTIC_CACHE_DIR=" + sys.tmp / "restic-cache"};
        const std::string borg_out = sys.tmp / "borg-out";
        const RunResult borg =
            sh("set -e\nborg init -e none " + shell_quote(sys.tmp / "borg") + "\nborg create " +
                   "--patterns-from " + shell_quote(sys.plan + "/borg.patterns") + " " +
                   shell_quote(sys.tmp / "borg") + "::one\nmkdir " + shell_quote(borg_out) +
                   "\ncd " + shell_quote(borg_out) + "\nborg extract " +
                   shell_quote(sys.tmp / "borg") + "::one\n",
               env);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(borg.err, 0, borg.status);
        // borg backs up, besides the plan, the left-out file whose name its patterns cannot
        // hold (white space at the end).
        Paths borg_expected = planned;
        borg_expected.insert("/usr/lib/keeper/trailing ");
        CPPUNIT_ASSERT_EQUAL(describe(borg_expected), describe(tree_paths(borg_out + inner)));
        const std::string restic_out = sys.tmp / "restic-out";
        const RunResult restic =
            sh("set -e\nrestic -q init --repo " + shell_quote(sys.tmp / "restic") +
                   "\nrestic -q --repo " + shell_quote(sys.tmp / "restic") +
                   " backup --files-from-raw " + shell_quote(sys.plan + "/restic.files") +
                   "\nrestic -q --repo " + shell_quote(sys.tmp / "restic") +
                   " restore latest --target " + shell_quote(restic_out) + "\n",
               env);
        CPPUNIT_ASSERT_EQUAL_MESSAGE(restic.err, 0, restic.status);
        // restic, besides the plan, the smallest left-out file of a directory that holds
        // nothing else, so that restic records the directory (/usr/share/doc/keeper is not
        // one: it holds the README that is backed up).
        const Paths restic_got = tree_paths(restic_out + inner);
        CPPUNIT_ASSERT_EQUAL(std::string(), describe(minus(planned, restic_got)));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/lib/keeper/only.so\n"),
                             describe(minus(restic_got, planned)));
    }

    void testRefusesWhatHasNoEffect() {
        PlanRoot sys;
        for (const auto& [extra, message] :
             std::vector<std::pair<std::vector<std::string>, std::string>>{
                 {{"--format", "json"},
                  "--backup-plan writes its own files: --format, --list and --all do not apply"},
                 {{"--backup-dir", "etc"}, "--backup-dir 'etc' is not an absolute path"},
                 {{"--unowned"},
                  "--unowned and --no-unowned do not apply to --backup-plan, "
                  "which backs up every file that is not a pristine package "
                  "file"}}) {
            const RunResult r = sys.make_plan(extra);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
            CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + message +
                                     "\nTry 'pkgdesc-verify --help' for more information.\n",
                                 r.err);
            CPPUNIT_ASSERT(!exists(sys.plan));
        }
        const RunResult r = verify_as_given({"--root", sys.root.dir(), "--pkgdesc", sys.ref,
                                             "--trust-unsigned", "--backup-dir", "/etc"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT(r.err.find("--backup-dir applies to --backup-plan") != std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(BackupPlanTest, "e2e.backup.plan");

} // namespace
