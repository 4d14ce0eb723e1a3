// End-to-end tests of the backup plan: pkgdesc-verify --backup-plan on a root the test builds,
// then the real tar, rsync, borg and restic back up what the plan says, and what each backed up
// is compared with the root: every path but the pristine package files the manifest names.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
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

    // The plan's backup made with tar and restored into TMP/target: the root to restore into.
    std::string restored_backup() const {
        const std::string target = tmp / "target";
        must_sh("mkdir " + shell_quote(target) + " && tar -C " + q("") +
                " --null --no-recursion -T " + shell_quote(plan + "/tar.files") +
                " -cf - | tar -C " + shell_quote(target) + " -xpf -");
        return target;
    }

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
    CPPUNIT_TEST(testKeepsFilesWithExtendedAttributesNoPackageGives);
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

    void testKeepsFilesWithExtendedAttributesNoPackageGives() {
        // user.* and trusted.* are not compared, and no .deb gives them back: such a file is
        // backed up, however pristine its content and metadata.
        PlanRoot sys;
        if (sh("setfattr -n user.note -v keep " + sys.q("/usr/lib/keeper/only.so")).status != 0) {
            return skip("user extended attributes are not supported here");
        }
        must_sh("setfattr -n trusted.overlay.opaque -v y " + sys.q("/usr/lib/keeper/data.bin"));
        const RunResult r = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const Paths planned = plan_paths(read_file(sys.plan + "/tar.files"));
        const Paths left_out = manifest_paths(read_file(sys.plan + "/manifest"));
        for (const char* path : {"/usr/lib/keeper/only.so", "/usr/lib/keeper/data.bin"}) {
            CPPUNIT_ASSERT_MESSAGE(path, planned.contains(path));
            CPPUNIT_ASSERT_MESSAGE(path, !left_out.contains(path));
        }
        CPPUNIT_ASSERT(left_out.contains("/usr/bin/keeper"));
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

// Every path under DIR with its type, mode, owner, group, mtime (to the nanosecond), size and
// link target, NUL-separated and sorted: two trees alike in all of that print the same.
std::string tree_metadata(const std::string& dir) {
    const RunResult r = sh("cd " + shell_quote(dir) +
                           " && find . -printf '%p\\t%y %m %U %G %T@ %s %l\\0' | sort -z");
    if (r.status != 0) {
        throw std::runtime_error("find failed in " + dir + ": " + r.err);
    }
    return r.out;
}

std::string readable(std::string text) {
    std::replace(text.begin(), text.end(), '\0', '\n');
    return text;
}

// The first word of what --backup-plan printed: the manifest's SHA-256.
std::string manifest_sha256(const RunResult& plan) {
    return plan.out.substr(0, plan.out.find(' '));
}

class BackupRestoreTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(BackupRestoreTest);
    CPPUNIT_TEST(testEveryToolRestoresTheTreeWithThePackages);
    CPPUNIT_TEST(testWithoutApplyNothingIsWritten);
    CPPUNIT_TEST(testRefusesAnEditedManifest);
    CPPUNIT_TEST(testRefusesADebThatIsNotTheProvenOne);
    CPPUNIT_TEST(testRefusesARootOfOtherPackageVersions);
    CPPUNIT_TEST(testRefusesToWriteThroughASymlink);
    CPPUNIT_TEST(testExtractsThePristineCopyOfAnEditedConffile);
    CPPUNIT_TEST_SUITE_END();

    RunResult restore(const PlanRoot& sys, const std::string& root, const std::string& sha256,
                      const std::vector<std::string>& extra = {"--apply"}) {
        std::vector<std::string> argv{program("PKGDESC_RESTORE"),
                                      "--manifest",
                                      sys.plan + "/manifest",
                                      "--manifest-sha256",
                                      sha256,
                                      "--root",
                                      root,
                                      "--debs",
                                      sys.tmp.path()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return run(argv);
    }

public:
    void testEveryToolRestoresTheTreeWithThePackages() {
        PlanRoot sys;
        for (const char* tool : {"rsync", "borg", "restic"}) {
            if (!have_tool(tool)) {
                return skip(std::string(tool) + " is not installed");
            }
        }
        // Directories and symlinks made long before the backup, as on a real system: rsync
        // sets a directory's time only when it differs from the copy's by a second or more.
        must_sh("find " + sys.q("") +
                " \\( -type d -o -type l \\) -exec touch -h -d "
                "'2024-05-01 12:00:00.123456789' {} +");
        const RunResult plan = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        const std::string original = tree_metadata(sys.root.dir());
        const std::string host_root = sh("realpath " + sys.q("")).out;
        const std::string inner = host_root.substr(0, host_root.size() - 1);
        const std::string p = shell_quote(sys.plan);
        const std::string r = shell_quote(sys.root.dir());
        const std::string t = shell_quote(sys.tmp.path());
        const std::vector<std::string> env{
            "BORG_PASSPHRASE=", "BORG_UNKNOWN_UNENCRYPTED_REPO_ACCESS_IS_OK=yes",
            "BORG_BASE_DIR=" + sys.tmp / "borg-home", "RESTIC_PASSWORD=test",
            "RESTIC_CACHE_DIR=" + sys.tmp / "restic-cache"};
        // Each tool backs up what the plan says and puts it back in an empty directory; the
        // restored root is then that directory (below the absolute path borg and restic keep).
        const std::vector<std::pair<std::string, std::string>> tools{
            {"tar", "tar -C " + r + " --format=posix --null --no-recursion -T " + p +
                        "/tar.files -cf " + t + "/b.tar\nmkdir " + t + "/tar\ntar -C " + t +
                        "/tar -xpf " + t + "/b.tar\n"},
            {"rsync",
             "rsync -a --from0 --files-from=" + p + "/rsync.files " + r + "/ " + t + "/rsync/\n"},
            {"borg", "borg init -e none " + t + "/borg-repo\nborg create --patterns-from " + p +
                         "/borg.patterns " + t + "/borg-repo::one\nmkdir " + t + "/borg\ncd " + t +
                         "/borg\nborg extract " + t + "/borg-repo::one\n"},
            {"restic", "restic -q init --repo " + t + "/restic-repo\nrestic -q --repo " + t +
                           "/restic-repo backup --files-from-raw " + p +
                           "/restic.files\nrestic -q --repo " + t +
                           "/restic-repo restore latest --target " + t + "/restic\n"}};
        for (const auto& [tool, script] : tools) {
            const RunResult backup = sh("set -e\n" + script, env);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(tool + ": " + backup.err, 0, backup.status);
            const std::string restored =
                sys.tmp / tool + (tool == "borg" || tool == "restic" ? inner : "");
            const RunResult put_back = restore(sys, restored, manifest_sha256(plan));
            CPPUNIT_ASSERT_EQUAL_MESSAGE(tool + ": " + put_back.err, 0, put_back.status);
            CPPUNIT_ASSERT_MESSAGE(put_back.err,
                                   put_back.err.find("pkgdesc-restore: restored 6 files (1 hard "
                                                     "links,") != std::string::npos);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(tool, readable(original),
                                         readable(tree_metadata(restored)));
            for (const std::string& path : tree_paths(sys.root.dir())) {
                if (sh("test -f " + shell_quote(sys.root / path) + " && ! test -L " +
                       shell_quote(sys.root / path))
                        .status == 0) {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(tool + ": " + path, read_file(sys.root / path),
                                                 read_file(restored + path));
                }
            }
            // And the verifier calls every file put back pristine, hard link included.
            std::string list;
            for (const std::string& path : k_left_out) {
                list += path + '\0';
            }
            write_file(sys.tmp / "left-out", list);
            const RunResult check =
                verify_as_given({"--root", restored, "--pkgdesc", sys.ref, "--trust-unsigned",
                                 "--paths-from", sys.tmp / "left-out", "--from0"});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(tool + ": " + check.out + check.err, 0, check.status);
        }
    }

    void testWithoutApplyNothingIsWritten() {
        PlanRoot sys;
        const RunResult plan = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        const std::string target = sys.restored_backup();
        const std::string before = tree_metadata(target);
        const RunResult r = restore(sys, target, manifest_sha256(plan), {"-v"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT(r.err.find("pkgdesc-restore: would restore /usr/bin/keeper from ") !=
                       std::string::npos);
        CPPUNIT_ASSERT(r.err.find("would link /usr/bin/keeper-again to /usr/bin/keeper\n") !=
                       std::string::npos);
        CPPUNIT_ASSERT_EQUAL(readable(before), readable(tree_metadata(target)));
    }

    void testRefusesAnEditedManifest() {
        PlanRoot sys;
        const RunResult plan = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        const std::string manifest = sys.plan + "/manifest";
        write_file(manifest, read_file(manifest) + " ");
        const std::string target = sys.tmp / "target";
        must_sh("mkdir " + shell_quote(target));
        const RunResult r = restore(sys, target, manifest_sha256(plan));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find("not the manifest the plan wrote, refused") !=
                                          std::string::npos);
        CPPUNIT_ASSERT(tree_paths(target) == Paths{"/"});
    }

    void testRefusesADebThatIsNotTheProvenOne() {
        // Another build of the same version, whose content is not what the backup left out.
        PlanRoot sys;
        const RunResult plan = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        const std::string other = sys.tmp / "other-build";
        write_control(other, "keeper", "1.0", "amd64");
        build_deb(other, sys.tmp / "elsewhere.deb", "xz",
                  "mkdir -p usr/bin && printf 'evil\\n' > usr/bin/keeper");
        must_sh("mv " + shell_quote(sys.tmp / "elsewhere.deb") + " " + shell_quote(sys.deb));
        const std::string target = sys.restored_backup();
        const std::string before = tree_metadata(target);
        const RunResult r = restore(sys, target, manifest_sha256(plan));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 3, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err,
                               r.err.find("no .deb proves them, nothing is written: " + sys.deb +
                                          ": holds no member with the content "
                                          "of ") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(readable(before), readable(tree_metadata(target)));
    }

    void testRefusesARootOfOtherPackageVersions() {
        // The backup restored is of a system where keeper is at another version: the
        // manifest's files are not that system's.
        PlanRoot sys;
        const RunResult plan = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        const std::string target = sys.restored_backup();
        const std::string status = target + "/var/lib/dpkg/status";
        std::string text = read_file(status);
        text.replace(text.find("Version: 1.0\n"), 13, "Version: 1.1\n");
        write_file(status, text);
        const std::string before = tree_metadata(target);
        const RunResult r = restore(sys, target, manifest_sha256(plan));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(status + ": 1 of the manifest's packages differ: "
                                                          "keeper (amd64) is 1.1, not 1.0: not "
                                                          "the system the manifest was written "
                                                          "for") != std::string::npos);
        CPPUNIT_ASSERT_EQUAL(readable(before), readable(tree_metadata(target)));
        // Nor does a database that lists the package twice, at its version and at another.
        std::string twice = read_file(sys.root / "/var/lib/dpkg/status");
        const std::size_t start = twice.find("Package: keeper\n");
        std::string stanza = twice.substr(start, twice.find("\n\n", start) + 2 - start);
        stanza.replace(stanza.find("Version: 1.0\n"), 13, "Version: 1.1\n");
        write_file(status, twice + (twice.ends_with("\n\n") ? "" : "\n") + stanza);
        const RunResult doubled = restore(sys, target, manifest_sha256(plan));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(doubled.err, 2, doubled.status);
        CPPUNIT_ASSERT_MESSAGE(doubled.err, doubled.err.find("keeper (amd64) is 1.1, not 1.0") !=
                                                std::string::npos);
    }

    void testRefusesToWriteThroughASymlink() {
        // A restored root whose /usr/bin leads outside it: nothing is written there, nor
        // anywhere else.
        PlanRoot sys;
        const RunResult plan = sys.make_plan();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(plan.err, 0, plan.status);
        const std::string target = sys.tmp / "target";
        const std::string outside = sys.tmp / "outside";
        must_sh("mkdir -p " + shell_quote(target + "/usr/lib/keeper") + " " +
                shell_quote(target + "/usr/share/doc/keeper") + " " + shell_quote(outside) +
                " && ln -s " + shell_quote(outside) + " " + shell_quote(target + "/usr/bin") +
                " && cp -a " + sys.q("/etc") + " " + shell_quote(target + "/etc"));
        const std::string before = tree_metadata(target);
        const RunResult r = restore(sys, target, manifest_sha256(plan));
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_MESSAGE(r.err, r.err.find(target + "/usr/bin: a symbolic link or a file, "
                                                          "not a directory, on the way to "
                                                          "/usr/bin/keeper") != std::string::npos);
        CPPUNIT_ASSERT(tree_paths(outside) == Paths{"/"});
        CPPUNIT_ASSERT_EQUAL(readable(before), readable(tree_metadata(target)));
    }

    void testExtractsThePristineCopyOfAnEditedConffile() {
        PlanRoot sys;
        auto extract = [&](const std::vector<std::string>& extra) {
            std::vector<std::string> argv{program("PKGDESC_RESTORE"),
                                          "--root",
                                          sys.root.dir(),
                                          "--pkgdesc",
                                          sys.ref,
                                          "--debs",
                                          sys.tmp.path()};
            argv.insert(argv.end(), extra.begin(), extra.end());
            return run(argv);
        };
        const RunResult r = extract({"--trust-unsigned", "--extract", "/etc/keeper.conf"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("setting=1\n"), r.out);
        CPPUNIT_ASSERT_EQUAL(std::string("setting=2\n"), read_file(sys.root / "/etc/keeper.conf"));
        CPPUNIT_ASSERT_EQUAL("pkgdesc-restore: pristine /etc/keeper.conf of keeper 1.0, from " +
                                 sys.tmp / "keeper_1.0_amd64.deb\n",
                             r.err);
        // To a file, as diff takes it.
        const RunResult to_file = extract({"--trust-unsigned", "--extract", "/etc/keeper.conf",
                                           "-q", "-o", sys.tmp / "pristine.conf"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(to_file.err, 0, to_file.status);
        CPPUNIT_ASSERT_EQUAL(std::string("setting=1\n"), read_file(sys.tmp / "pristine.conf"));
        // A hard link gives its target's content.
        const RunResult link =
            extract({"--trust-unsigned", "--extract", "/usr/bin/keeper-again", "-q"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(link.err, 0, link.status);
        CPPUNIT_ASSERT_EQUAL(std::string("#!/bin/sh\necho keep\n"), link.out);
        // Unsigned reference data is used only when vouched for; a path no package lists is
        // no package's.
        const RunResult unsigned_data = extract({"--extract", "/etc/keeper.conf"});
        CPPUNIT_ASSERT_EQUAL(3, unsigned_data.status);
        const RunResult unowned = extract({"--trust-unsigned", "--extract", "/etc/trail "});
        CPPUNIT_ASSERT_EQUAL(2, unowned.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-restore: error: " + sys.root.dir() +
                                 "/etc/trail : no installed package lists it\n",
                             unowned.err);
        // A .deb of the same version whose member is not the proven content: nothing is given.
        const std::string other = sys.tmp / "other-build";
        write_control(other, "keeper", "1.0", "amd64");
        build_deb(other, sys.tmp / "elsewhere.deb", "xz",
                  "mkdir -p etc && printf 'setting=evil\\n' > etc/keeper.conf");
        must_sh("mv " + shell_quote(sys.tmp / "elsewhere.deb") + " " + shell_quote(sys.deb));
        const RunResult forged = extract(
            {"--trust-unsigned", "--extract", "/etc/keeper.conf", "-o", sys.tmp / "forged"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(forged.err, 3, forged.status);
        CPPUNIT_ASSERT(forged.out.empty() && !exists(sys.tmp / "forged"));
        CPPUNIT_ASSERT_MESSAGE(
            forged.err,
            forged.err.find("no .deb of keeper 1.0 (amd64) holds its pristine content") !=
                std::string::npos);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(BackupRestoreTest, "e2e.backup.restore");

} // namespace
