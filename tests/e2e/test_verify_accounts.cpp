// End-to-end tests of pkgdesc-verify with hostile account files in the checked root: names must
// resolve to what the system's C library would give them, or the root is refused (exit 2), and
// /etc/passwd and /etc/group are read inside the root only, following symlinks there.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"
#include "../support/system_root.hpp"
#include "../support/verify_fixture.hpp"

#include <cppunit/extensions/HelperMacros.h>
#include <nlohmann/json.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

using namespace pkgdesc::test;
using nlohmann::json;

namespace {

bool failed(const json& file, const std::string& attribute) {
    const json& names = file["failed"];
    return std::find(names.begin(), names.end(), attribute) != names.end();
}

// The "mailer" package: /usr/bin/dotlock is setgid group "mail" (gid 8 on the build host, as
// on every Debian system), the rest belongs to root.
struct Mailer {
    TempDir tmp;
    std::string deb = tmp / "mailer_1.0_amd64.deb";
    std::string ref;
    SystemRoot root{tmp / "root"};

    Mailer() {
        const std::string dir = tmp / "mailer";
        write_control(dir, "mailer", "1.0", "amd64");
        build_deb(dir, deb, "xz",
                  "mkdir -p usr/bin usr/share/doc/mailer\n"
                  "printf 'lock\\n' > usr/bin/dotlock\n"
                  "chgrp 8 usr/bin/dotlock && chmod 2755 usr/bin/dotlock\n"
                  "printf 'doc\\n' > usr/share/doc/mailer/README\n",
                  false);
        ref = make_reference(tmp, {deb});
        root.install(deb);
    }
    // Whether the archive names the group "mail" (dpkg-deb takes the name from the build host).
    bool names_mail() const { return sh("grep -rq 'gname=mail' " + shell_quote(ref)).status == 0; }
    std::string dotlock() const { return shell_quote(root / "/usr/bin/dotlock"); }
    RunResult run_verify(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> args{"--root", root.dir(), "--pkgdesc", ref, "--trust-unsigned"};
        args.insert(args.end(), extra.begin(), extra.end());
        return verify(args);
    }
};

// A package built with --root-owner-group: /usr/bin/tool and its README, all root's.
struct Tool {
    TempDir tmp;
    std::string deb = build_small_deb(tmp.path(), "tool", "1.0", "hi");
    std::string ref = make_reference(tmp, {deb});
    SystemRoot root{tmp / "root"};

    Tool() { root.install(deb); }
    RunResult run_verify(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> args{"--root", root.dir(), "--pkgdesc", ref, "--trust-unsigned"};
        args.insert(args.end(), extra.begin(), extra.end());
        return verify(args);
    }
};

// ---------------------------------------------------------------------------------------------

class VerifyAccountsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(VerifyAccountsTest);
    CPPUNIT_TEST(testSignedGidBeforeAGidZeroEntryIsRefused);
    CPPUNIT_TEST(testEntryWithoutMemberListThenAGidZeroEntryIsRefused);
    CPPUNIT_TEST(testSetgidFileChangedToGroupZeroIsMetadata);
    CPPUNIT_TEST(testSymlinkedAccountFilesAreFollowedInsideTheRoot);
    CPPUNIT_TEST(testSymlinkOutOfTheRootNeverReadsTheHostsFile);
    CPPUNIT_TEST_SUITE_END();

    // Sets up the attack of the issue: the setgid file of group "mail" is moved to group 0 and
    // the root's /etc/group gets GROUP_LINES. False (and the test skipped) when impossible.
    static bool attack(Mailer& sys, const std::string& group_lines) {
        if (!running_as_root()) {
            skip("a setgid file of group mail moved to group 0 needs root");
            return false;
        }
        if (!sys.names_mail()) {
            skip("the build host has no group 'mail' with gid 8");
            return false;
        }
        must_sh("chgrp 0 " + sys.dotlock() + " && chmod 2755 " + sys.dotlock());
        write_file(sys.root / "/etc/group", "root:x:0:\ndaemon:x:7001:\n" + group_lines);
        return true;
    }

public:
    void testSignedGidBeforeAGidZeroEntryIsRefused() {
        Mailer sys;
        // glibc reads "+8" with strtoul(3): "mail" is group 8, and the setgid-root file is not
        // what dpkg installed. Reading it as 0 would call it pristine.
        if (!attack(sys, "mail:x:+8:\nmail:x:0:\n")) {
            return;
        }
        const RunResult r = sys.run_verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.root / "/etc/group" +
                                 ":3: malformed gid '+8' (only the digits 0-9 are accepted)\n",
                             r.err);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
    }

    void testEntryWithoutMemberListThenAGidZeroEntryIsRefused() {
        Mailer sys;
        // glibc takes "mail:x:8" (no colon after the gid) as group 8, the first entry wins.
        if (!attack(sys, "mail:x:8\nmail:x:0:\n")) {
            return;
        }
        const RunResult r = sys.run_verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.root / "/etc/group" +
                                 ":4: group 'mail' is defined again with gid 0 (line 3 has gid "
                                 "8)\n",
                             r.err);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
    }

    void testSetgidFileChangedToGroupZeroIsMetadata() {
        Mailer sys;
        // Without the trap the same change is found: "mail:x:8" alone is group 8, as for glibc.
        if (!attack(sys, "mail:x:8\n")) {
            return;
        }
        const RunResult r = sys.run_verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.err);
        const json doc = json::parse(r.out);
        const json& file = file_entry(doc, "/usr/bin/dotlock");
        CPPUNIT_ASSERT_EQUAL(std::string("metadata"), file["status"].get<std::string>());
        CPPUNIT_ASSERT(failed(file, "group"));
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, file["failed"].size());
        CPPUNIT_ASSERT_EQUAL(std::string("mail"), file["expected"]["group"].get<std::string>());
        CPPUNIT_ASSERT_EQUAL(std::string("root"), file["actual"]["group"].get<std::string>());
        // Untouched, it is pristine.
        must_sh("chgrp 8 " + sys.dotlock() + " && chmod 2755 " + sys.dotlock());
        const RunResult clean = sys.run_verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(clean.out + clean.err, 0, clean.status);
    }

    void testSymlinkedAccountFilesAreFollowedInsideTheRoot() {
        Tool sys;
        // An absolute link (into the root, never to the host's /etc) and a relative one.
        must_sh("cd " + shell_quote(sys.root / "/etc") +
                " && mv passwd passwd.real && ln -s /etc/passwd.real passwd"
                " && mkdir alt && mv group alt/group && ln -s alt/group group");
        const RunResult r = sys.run_verify({"--all"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.err);
        // What the links lead to is what counts: "root" is now another uid and gid there.
        write_file(sys.root / "/etc/passwd.real", "root:x:4242:4242::/root:/bin/sh\n");
        write_file(sys.root / "/etc/alt/group", "root:x:4242:\n");
        const RunResult changed = sys.run_verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(changed.err, 1, changed.status);
        const json doc = json::parse(changed.out);
        const json& readme = file_entry(doc, "/usr/share/doc/tool/README");
        CPPUNIT_ASSERT_EQUAL(std::string("metadata"), readme["status"].get<std::string>());
        CPPUNIT_ASSERT(failed(readme, "owner"));
        CPPUNIT_ASSERT(failed(readme, "group"));
    }

    void testSymlinkOutOfTheRootNeverReadsTheHostsFile() {
        Tool sys;
        const std::string accounts = read_file(sys.root / "/etc/passwd");
        // "../../etc/passwd" climbs no higher than the root: it names the link itself, a loop.
        // Had the host's /etc/passwd been read, every file would look right.
        must_sh("ln -sfn ../../etc/passwd " + shell_quote(sys.root / "/etc/passwd"));
        const RunResult loop = sys.run_verify();
        CPPUNIT_ASSERT_EQUAL_MESSAGE(loop.out + loop.err, 2, loop.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-verify: error: " + sys.root / "/etc/passwd" +
                                 ": cannot open: Too many levels of symbolic links\n",
                             loop.err);
        // A link to a file beside the root holding the right accounts, as the host resolves
        // it; inside the root there is no such file, so no user is known.
        write_file(sys.tmp / "outside-passwd", accounts);
        std::string up;
        for (int i = 0; i < 32; ++i) {
            up += "../";
        }
        must_sh("ln -sfn " + shell_quote(up + sys.tmp.path().substr(1) + "/outside-passwd") + " " +
                shell_quote(sys.root / "/etc/passwd"));
        // (The host would follow it there.)
        CPPUNIT_ASSERT_EQUAL(accounts, read_file(sys.root / "/etc/passwd"));
        const RunResult r = sys.run_verify({"--format", "json"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 1, r.status);
        const json doc = json::parse(r.out);
        const json& readme = file_entry(doc, "/usr/share/doc/tool/README");
        CPPUNIT_ASSERT_EQUAL(std::string("metadata"), readme["status"].get<std::string>());
        CPPUNIT_ASSERT(failed(readme, "owner"));
        CPPUNIT_ASSERT(!failed(readme, "group"));
        CPPUNIT_ASSERT_EQUAL(std::string("root (unknown user)"),
                             readme["expected"]["owner"].get<std::string>());
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(VerifyAccountsTest, "e2e.verify.accounts");
