// Unit tests of the dpkg database reader, the root's accounts, merged-/usr detection and the
// reference set, on real temporary directories.
#include "../support/support.hpp"

#include <libpkgdesc/dpkg/database.hpp>
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/fs/root_accounts.hpp>
#include <libpkgdesc/verify/layout_aliases.hpp>
#include <libpkgdesc/verify/reference_set.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>
#include <unistd.h>

using namespace pkgdesc;
using namespace pkgdesc::test;

namespace {

template <typename F> std::string error_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.what();
    }
    return "no error";
}

class DpkgDatabaseTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(DpkgDatabaseTest);
    CPPUNIT_TEST(testReadsStatesConffilesAndLists);
    CPPUNIT_TEST(testRefusesUnknownStateNamingThePackage);
    CPPUNIT_TEST(testMissingStatusIsAnError);
    CPPUNIT_TEST(testParsesDiversionsIncludingLocal);
    CPPUNIT_TEST(testRefusesTruncatedDiversions);
    CPPUNIT_TEST(testParsesStatoverridesWithSpacesInPaths);
    CPPUNIT_TEST(testRefusesMalformedStatoverrideWithLine);
    CPPUNIT_TEST_SUITE_END();

public:
    void testReadsStatesConffilesAndLists() {
        TempDir tmp;
        ::mkdir((tmp / "info").c_str(), 0755);
        write_file(tmp / "status",
                   "Package: a\nStatus: install ok installed\nArchitecture: amd64\nVersion: 1.0\n"
                   "Conffiles:\n /etc/a.conf 0123 \n /etc/old.conf 4567 obsolete\n\n"
                   "Package: lib\nStatus: install ok unpacked\nArchitecture: i386\n"
                   "Multi-Arch: same\nVersion: 2\n\n"
                   "Package: gone\nStatus: purge ok not-installed\nArchitecture: all\n\n");
        write_file(tmp / "info/a.list", "/.\n/etc\n/etc/a.conf\n");
        write_file(tmp / "info/lib:i386.list", "/usr/lib/i386/x.so\n");
        const RootDir admindir = RootDir::open(tmp.path());
        DpkgDatabase db = DpkgDatabase::load(admindir);
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, db.packages().size());
        // File lists are read on demand.
        CPPUNIT_ASSERT(!db.packages()[0].files_read);
        db.read_file_lists(admindir, [](const InstalledPackage& pkg) { return pkg.name == "a"; });
        CPPUNIT_ASSERT(db.packages()[0].files_read);
        CPPUNIT_ASSERT(!db.packages()[1].files_read);
        db.read_all_file_lists(admindir);
        CPPUNIT_ASSERT(!db.packages()[2].files_read); // not-installed
        const InstalledPackage& a = db.packages()[0];
        CPPUNIT_ASSERT_EQUAL(std::string("a"), a.display_name());
        CPPUNIT_ASSERT(a.state == PackageState::installed);
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, a.conffiles.size());
        CPPUNIT_ASSERT(!a.conffiles[0].obsolete);
        CPPUNIT_ASSERT(a.conffiles[1].obsolete);
        CPPUNIT_ASSERT_EQUAL(std::string("/"), a.files.front());
        CPPUNIT_ASSERT_EQUAL(std::size_t{3}, a.files.size());
        const InstalledPackage& lib = db.packages()[1];
        CPPUNIT_ASSERT_EQUAL(std::string("lib:i386"), lib.display_name());
        CPPUNIT_ASSERT(lib.has_unpacked_files());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/lib/i386/x.so"), lib.files.front());
        CPPUNIT_ASSERT(db.packages()[2].files.empty());
    }

    void testRefusesUnknownStateNamingThePackage() {
        TempDir tmp;
        write_file(tmp / "status", "Package: a\nStatus: install ok sleeping\n\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "status" + ": package 'a': unknown package state 'sleeping'",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
        write_file(tmp / "status", "Package: a\nStatus: installed\n\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "status" + ": package 'a': malformed Status 'installed'",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
        write_file(tmp / "status", "Package: a\nStatus: install ok installed\nConffiles:\n "
                                   "/etc/x abc frozen\n\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "status" + ": package 'a': unknown Conffiles flag 'frozen'",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
    }

    void testMissingStatusIsAnError() {
        TempDir tmp;
        CPPUNIT_ASSERT_EQUAL(tmp / "status" +
                                 ": cannot open the dpkg status file: No such file or directory",
                             error_of([&] { DpkgDatabase::load(RootDir::open(tmp.path())); }));
    }

    void testParsesDiversionsIncludingLocal() {
        const auto diversions =
            parse_diversions("/usr/bin/a\n/usr/bin/a.real\nwrap\n/etc/b\n/etc/b.local\n:\n", "d");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, diversions.size());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/a.real"), diversions[0].to);
        CPPUNIT_ASSERT_EQUAL(std::string("wrap"), diversions[0].by);
        CPPUNIT_ASSERT_EQUAL(std::string(), diversions[1].by);
    }

    void testRefusesTruncatedDiversions() {
        CPPUNIT_ASSERT_EQUAL(std::string("d: truncated diversion (2 lines, not a multiple of 3)"),
                             error_of([] { parse_diversions("/a\n/b\n", "d"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("d: malformed diversion at line 1"),
                             error_of([] { parse_diversions("a\n/b\npkg\n", "d"); }));
    }

    void testParsesStatoverridesWithSpacesInPaths() {
        const auto overrides =
            parse_statoverrides("root crontab 2755 /usr/bin/crontab\n#0 #5 644 /srv/a file\n", "s");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, overrides.size());
        CPPUNIT_ASSERT_EQUAL(02755u, overrides[0].mode);
        CPPUNIT_ASSERT_EQUAL(std::string("crontab"), overrides[0].group);
        CPPUNIT_ASSERT_EQUAL(std::string("/srv/a file"), overrides[1].path);
        CPPUNIT_ASSERT_EQUAL(std::string("#5"), overrides[1].group);
    }

    void testRefusesMalformedStatoverrideWithLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("s:2: malformed mode '9755'"), error_of([] {
                                 parse_statoverrides("root root 755 /a\nroot root 9755 /b\n", "s");
                             }));
        CPPUNIT_ASSERT_EQUAL(std::string("s:1: malformed statoverride line"),
                             error_of([] { parse_statoverrides("root root\n", "s"); }));
        CPPUNIT_ASSERT_EQUAL(std::string("s:1: malformed statoverride line"), error_of([] {
                                 parse_statoverrides("root root 755 relative\n", "s");
                             }));
    }
};

class RootAccountsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(RootAccountsTest);
    CPPUNIT_TEST(testStockDebianFilesLoad);
    CPPUNIT_TEST(testAcceptsWhatGlibcReadsTheSameWay);
    CPPUNIT_TEST(testFirstEntryOfANameAndOfAnIdWins);
    CPPUNIT_TEST(testRefusesAmbiguousGroupLinesNamingTheLine);
    CPPUNIT_TEST(testRefusesAmbiguousPasswdLinesNamingTheLine);
    CPPUNIT_TEST(testReadsTheRootsFilesNotTheHosts);
    CPPUNIT_TEST(testSymlinkedFilesAreFollowedInsideTheRoot);
    CPPUNIT_TEST(testLoadNamesTheRootsFileAndLine);
    CPPUNIT_TEST_SUITE_END();

    static AccountIds group(std::string_view text) {
        return RootAccounts::parse(text, AccountsFile::group, "g");
    }
    static AccountIds passwd(std::string_view text) {
        return RootAccounts::parse(text, AccountsFile::passwd, "p");
    }
    static std::string group_error(std::string_view text) {
        return error_of([&] { group(text); });
    }
    static std::string passwd_error(std::string_view text) {
        return error_of([&] { passwd(text); });
    }

public:
    void testStockDebianFilesLoad() {
        // Debian 12's base-passwd masters with the entries a standard installation adds.
        const AccountIds users =
            passwd("root:x:0:0:root:/root:/bin/bash\n"
                   "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                   "bin:x:2:2:bin:/bin:/usr/sbin/nologin\n"
                   "sys:x:3:3:sys:/dev:/usr/sbin/nologin\n"
                   "sync:x:4:65534:sync:/bin:/bin/sync\n"
                   "games:x:5:60:games:/usr/games:/usr/sbin/nologin\n"
                   "man:x:6:12:man:/var/cache/man:/usr/sbin/nologin\n"
                   "lp:x:7:7:lp:/var/spool/lpd:/usr/sbin/nologin\n"
                   "mail:x:8:8:mail:/var/mail:/usr/sbin/nologin\n"
                   "news:x:9:9:news:/var/spool/news:/usr/sbin/nologin\n"
                   "uucp:x:10:10:uucp:/var/spool/uucp:/usr/sbin/nologin\n"
                   "proxy:x:13:13:proxy:/bin:/usr/sbin/nologin\n"
                   "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                   "backup:x:34:34:backup:/var/backups:/usr/sbin/nologin\n"
                   "list:x:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin\n"
                   "irc:x:39:39:ircd:/run/ircd:/usr/sbin/nologin\n"
                   "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n"
                   "nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
                   "systemd-network:x:998:998:systemd Network Management:/:/usr/sbin/nologin\n"
                   "messagebus:x:100:107::/nonexistent:/usr/sbin/nologin\n"
                   "sshd:x:101:65534::/run/sshd:/usr/sbin/nologin\n"
                   "user:x:1000:1000:User,,,:/home/user:/bin/bash\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{22}, users.ids.size());
        CPPUNIT_ASSERT_EQUAL(0u, users.ids.at("root"));
        CPPUNIT_ASSERT_EQUAL(65534u, users.ids.at("nobody"));
        CPPUNIT_ASSERT_EQUAL(std::string("_apt"), users.names.at(42));
        const AccountIds groups =
            group("root:x:0:\ndaemon:x:1:\nbin:x:2:\nsys:x:3:\nadm:x:4:user\ntty:x:5:\ndisk:x:6:\n"
                  "lp:x:7:\nmail:x:8:\nnews:x:9:\nuucp:x:10:\nman:x:12:\nproxy:x:13:\nkmem:x:15:\n"
                  "dialout:x:20:\nfax:x:21:\nvoice:x:22:\ncdrom:x:24:user\nfloppy:x:25:user\n"
                  "tape:x:26:\nsudo:x:27:user\naudio:x:29:user\ndip:x:30:user\nwww-data:x:33:\n"
                  "backup:x:34:\noperator:x:37:\nlist:x:38:\nirc:x:39:\nsrc:x:40:\nshadow:x:42:\n"
                  "utmp:x:43:\nvideo:x:44:user\nsasl:x:45:\nplugdev:x:46:user\nstaff:x:50:\n"
                  "games:x:60:\nusers:x:100:user\nnogroup:x:65534:\nsystemd-journal:x:999:\n"
                  "systemd-network:x:998:\ninput:x:101:\nmessagebus:x:107:\n"
                  "netdev:x:109:user,other\nuser:x:1000:\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{44}, groups.ids.size());
        CPPUNIT_ASSERT_EQUAL(8u, groups.ids.at("mail"));
        CPPUNIT_ASSERT_EQUAL(std::string("nogroup"), groups.names.at(65534));
        // And the files of the machine running the tests (and the masters of base-passwd, as
        // shipped with '*' passwords), when there are any.
        for (const char* path : {"/etc/passwd", "/usr/share/base-passwd/passwd.master"}) {
            if (::access(path, R_OK) == 0) {
                CPPUNIT_ASSERT_MESSAGE(
                    path,
                    !RootAccounts::parse(read_file(path), AccountsFile::passwd, path).ids.empty());
            }
        }
        for (const char* path : {"/etc/group", "/usr/share/base-passwd/group.master"}) {
            if (::access(path, R_OK) == 0) {
                CPPUNIT_ASSERT_MESSAGE(
                    path,
                    !RootAccounts::parse(read_file(path), AccountsFile::group, path).ids.empty());
            }
        }
    }

    void testAcceptsWhatGlibcReadsTheSameWay() {
        // Blank lines, white space alone and comments (even indented) are skipped; the member
        // list and its colon may be missing ("mail:x:8" is group 8 for glibc); leading zeros
        // are decimal; 4294967295 is the largest id; a CR is part of the member list.
        const AccountIds groups = group("\n   \n\t\r\n# mail:x:0:\n  #x\nmail:x:8\n"
                                        "news:x:009:a,b\nbig:x:4294967295:\ncrlf:x:7:\r\n"
                                        "caf\xc3\xa9::12:\nlast:x:13");
        CPPUNIT_ASSERT_EQUAL(std::size_t{6}, groups.ids.size());
        CPPUNIT_ASSERT_EQUAL(8u, groups.ids.at("mail"));
        CPPUNIT_ASSERT_EQUAL(9u, groups.ids.at("news"));
        CPPUNIT_ASSERT_EQUAL(4294967295u, groups.ids.at("big"));
        CPPUNIT_ASSERT_EQUAL(7u, groups.ids.at("crlf"));
        CPPUNIT_ASSERT_EQUAL(12u, groups.ids.at("caf\xc3\xa9"));
        CPPUNIT_ASSERT_EQUAL(13u, groups.ids.at("last"));
        // A passwd entry needs uid and gid; GECOS, home and shell may be missing, and a shell
        // field with colons is still the shell.
        const AccountIds users =
            passwd("a:x:1:2\nb::3:4:\nc:x:5:6:g:/h:/bin/sh:extra\nd:x:7:8::/:/bin/sh\r\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{4}, users.ids.size());
        CPPUNIT_ASSERT_EQUAL(1u, users.ids.at("a"));
        CPPUNIT_ASSERT_EQUAL(3u, users.ids.at("b"));
        CPPUNIT_ASSERT_EQUAL(5u, users.ids.at("c"));
        CPPUNIT_ASSERT_EQUAL(7u, users.ids.at("d"));
        CPPUNIT_ASSERT(group("").ids.empty());
    }

    void testFirstEntryOfANameAndOfAnIdWins() {
        // The same definition twice is harmless; an id's name is its first in the file, as
        // getpwuid(3) answers (not the first in alphabetical order).
        const AccountIds users = passwd("zed:x:5:5::/:\nabe:x:5:5::/:\nzed:x:5:9:again:/:\n");
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, users.ids.size());
        CPPUNIT_ASSERT_EQUAL(5u, users.ids.at("zed"));
        CPPUNIT_ASSERT_EQUAL(std::string("zed"), users.names.at(5));
        const AccountIds groups = group("mail:x:8:\nmail:x:8:root\n");
        CPPUNIT_ASSERT_EQUAL(8u, groups.ids.at("mail"));
    }

    void testRefusesAmbiguousGroupLinesNamingTheLine() {
        // The attack of the issue: glibc reads "+8" as 8 and keeps the first entry.
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: malformed gid '+8' (only the digits 0-9 are "
                                         "accepted)"),
                             group_error("mail:x:+8:\nmail:x:0:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:2: group 'mail' is defined again with gid 0 (line 1 "
                                         "has gid 8)"),
                             group_error("mail:x:8\nmail:x:0:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:3: group 'mail' is defined again with gid 0 (line 1 "
                                         "has gid 8)"),
                             group_error("mail:x:8:\n# comment\nmail:x:0:\n"));
        const std::string digits = " (only the digits 0-9 are accepted)";
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '-8'" + digits, group_error("mail:x:-8:\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '-0'" + digits, group_error("mail:x:-0:\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid ' 8'" + digits, group_error("mail:x: 8:\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '\\t8'" + digits, group_error("mail:x:\t8:\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '8 '" + digits, group_error("mail:x:8 :\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '8\\r'" + digits, group_error("mail:x:8\r\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '0x8'" + digits, group_error("mail:x:0x8:\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: malformed gid '\\x01'" + digits, group_error("m:x:\x01:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: gid '4294967296' is out of range (over "
                                         "4294967295)"),
                             group_error("mail:x:4294967296:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:2: gid '99999999999999999999999' is out of range "
                                         "(over 4294967295)"),
                             group_error("root:x:0:\nmail:x:99999999999999999999999:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: empty gid"), group_error("mail:x::\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: empty gid"), group_error("mail:x:"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: truncated entry: no gid field"),
                             group_error("mail:x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:2: truncated entry: no gid field"),
                             group_error("root:x:0:\nmail\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: line starts with white space"),
                             group_error("  mail:x:8:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: line starts with white space"),
                             group_error("\tmail:x:8"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:2: NUL byte in the line"),
                             group_error(std::string_view("root:x:0:\nmail:x:8\0:\n", 21)));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: NUL byte in the line"),
                             group_error(std::string_view("\0\n", 2)));
        const std::string nis = "NIS compat entry ('+' or '-') is not supported";
        CPPUNIT_ASSERT_EQUAL("g:1: " + nis, group_error("+mail:x:8:\n"));
        CPPUNIT_ASSERT_EQUAL("g:2: " + nis, group_error("mail:x:8:\n-mail::0:\n"));
        CPPUNIT_ASSERT_EQUAL("g:1: " + nis, group_error("+\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: empty group name"), group_error(":x:8:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: control character in the group name "
                                         "'ma\\x01il'"),
                             group_error("ma\x01il:x:8:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("g:1: control character in the group name 'mail\\r'"),
                             group_error("mail\r:x:8:\n"));
    }

    void testRefusesAmbiguousPasswdLinesNamingTheLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("p:2: user 'root' is defined again with uid 5 (line 1 "
                                         "has uid 0)"),
                             passwd_error("root:x:0:0::/:\nroot:x:5:5::/:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: malformed uid '+5' (only the digits 0-9 are "
                                         "accepted)"),
                             passwd_error("bob:x:+5:5::/:/bin/sh\nbob:x:0:0::/:/bin/sh\n"));
        // glibc skips an entry whose gid is invalid or missing: the uid would come from a
        // later line.
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: malformed gid '-7' (only the digits 0-9 are "
                                         "accepted)"),
                             passwd_error("bob:x:5:-7:\nbob:x:0:0::/:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: truncated entry: no gid field"),
                             passwd_error("bob:x:5\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: empty gid"), passwd_error("bob:x:5:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: empty uid"), passwd_error("bob:x::5:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: uid '4294967296' is out of range (over "
                                         "4294967295)"),
                             passwd_error("bob:x:4294967296:5::/:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:3: truncated entry: no uid field"),
                             passwd_error("a:x:1:1\n\nbob\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: truncated entry: no uid field"),
                             passwd_error("bob:x\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: empty user name"), passwd_error(":x:0:0::/:\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: NIS compat entry ('+' or '-') is not supported"),
                             passwd_error("+::::::\n"));
        CPPUNIT_ASSERT_EQUAL(std::string("p:1: line starts with white space"),
                             passwd_error(" root:x:0:0::/:\n"));
    }

    void testReadsTheRootsFilesNotTheHosts() {
        TempDir tmp;
        ::mkdir((tmp / "etc").c_str(), 0755);
        write_file(tmp / "etc/passwd", "root:x:1234:1234::/:\n");
        write_file(tmp / "etc/group", "wheel:x:77:\n");
        const RootAccounts accounts = RootAccounts::load(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT_EQUAL(1234u, *accounts.uid("root"));
        CPPUNIT_ASSERT(!accounts.gid("root"));
        CPPUNIT_ASSERT_EQUAL(std::string("wheel"), accounts.group_name(77));
        CPPUNIT_ASSERT_EQUAL(std::string("root"), accounts.user_name(1234));
        CPPUNIT_ASSERT_EQUAL(std::string(), accounts.user_name(0));
        // Missing files leave every name unresolvable.
        ::unlink((tmp / "etc/passwd").c_str());
        ::unlink((tmp / "etc/group").c_str());
        const RootAccounts none = RootAccounts::load(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT(!none.uid("root"));
        CPPUNIT_ASSERT(!none.gid("wheel"));
    }

    void testSymlinkedFilesAreFollowedInsideTheRoot() {
        TempDir tmp;
        ::mkdir((tmp / "etc").c_str(), 0755);
        write_file(tmp / "etc/passwd.real", "root:x:1234:1234::/:\n");
        write_file(tmp / "etc/group.real", "wheel:x:77:\n");
        // Absolute and relative targets, both read inside the root.
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("/etc/passwd.real", (tmp / "etc/passwd").c_str()));
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("group.real", (tmp / "etc/group").c_str()));
        const RootAccounts accounts = RootAccounts::load(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT_EQUAL(1234u, *accounts.uid("root"));
        CPPUNIT_ASSERT_EQUAL(77u, *accounts.gid("wheel"));
        // A symlink out of the root resolves inside it: nothing there.
        write_file(tmp / "outside", "root:x:999:999::/:\n");
        ::unlink((tmp / "etc/passwd").c_str());
        CPPUNIT_ASSERT_EQUAL(0, ::symlink((tmp / "outside").c_str(), (tmp / "etc/passwd").c_str()));
        const RootAccounts escaped = RootAccounts::load(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT(!escaped.uid("root"));
        // "../../etc/passwd" stays in the root, where it is the link itself: never the host's.
        ::unlink((tmp / "etc/passwd").c_str());
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("../../etc/passwd", (tmp / "etc/passwd").c_str()));
        CPPUNIT_ASSERT_EQUAL(tmp / "etc/passwd" +
                                 ": cannot open: Too many levels of symbolic links",
                             error_of([&] { RootAccounts::load(RootDir::open(tmp.path())); }));
        // A link to a directory is no account file.
        ::unlink((tmp / "etc/passwd").c_str());
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("/etc", (tmp / "etc/passwd").c_str()));
        CPPUNIT_ASSERT_EQUAL(tmp / "etc/passwd" + ": not a regular file",
                             error_of([&] { RootAccounts::load(RootDir::open(tmp.path())); }));
    }

    void testLoadNamesTheRootsFileAndLine() {
        TempDir tmp;
        ::mkdir((tmp / "etc").c_str(), 0755);
        write_file(tmp / "etc/passwd", "root:x:0:0::/:\n");
        write_file(tmp / "etc/group", "root:x:0:\nmail:x:+8:\nmail:x:0:\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "etc/group" +
                                 ":2: malformed gid '+8' (only the digits 0-9 are accepted)",
                             error_of([&] { RootAccounts::load(RootDir::open(tmp.path())); }));
        write_file(tmp / "etc/group", "root:x:0:\n");
        write_file(tmp / "etc/passwd", "root:x:0:0::/:\n\nroot:x:00:0::/:\nmail:x:8:x\n");
        CPPUNIT_ASSERT_EQUAL(tmp / "etc/passwd" +
                                 ":4: malformed gid 'x' (only the digits 0-9 are accepted)",
                             error_of([&] { RootAccounts::load(RootDir::open(tmp.path())); }));
    }
};

class LayoutAliasesTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(LayoutAliasesTest);
    CPPUNIT_TEST(testOnlyLinksIntoUsrAreAliases);
    CPPUNIT_TEST_SUITE_END();

public:
    void testOnlyLinksIntoUsrAreAliases() {
        TempDir tmp;
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("usr/bin", (tmp / "bin").c_str()));
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("/usr/sbin", (tmp / "sbin").c_str()));
        CPPUNIT_ASSERT_EQUAL(0, ::symlink("usr/lib64", (tmp / "lib").c_str()));
        ::mkdir((tmp / "lib64").c_str(), 0755);
        const LayoutAliases merged = LayoutAliases::detect(RootDir::open(tmp.path()));
        CPPUNIT_ASSERT_EQUAL(std::size_t{2}, merged.aliases().size());
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/ls"), merged.resolve("/bin/ls"));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin"), merged.resolve("/bin"));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/sbin/x"), merged.resolve("/sbin/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("/binary"), merged.resolve("/binary"));
        CPPUNIT_ASSERT_EQUAL(std::string("/lib/x"), merged.resolve("/lib/x"));
        CPPUNIT_ASSERT_EQUAL(std::string("/lib64/x"), merged.resolve("/lib64/x"));
    }
};

class ReferenceSetTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ReferenceSetTest);
    CPPUNIT_TEST(testFindsByPackageArchitectureAndDpkgVersionOrder);
    CPPUNIT_TEST(testIdenticalDuplicateIsIgnoredDifferentOneRefused);
    CPPUNIT_TEST_SUITE_END();

    static Pkgdesc stanza(const std::string& version, const std::string& hash_digit) {
        const std::string text = "Package: ab\nArchitecture: amd64\nVersion: " + version +
                                 "\nFormat: 1\nDescription: a\nControl-SHA256:\n " +
                                 std::string(64, hash_digit[0]) + " control\n" +
                                 "Content-SHA256:\nContent-Metadata:\n / type=dir mode=0755 "
                                 "uname=root gname=root time=0.000000000\n";
        return parse_pkgdesc(text, "test");
    }

public:
    void testFindsByPackageArchitectureAndDpkgVersionOrder() {
        ReferenceSet set;
        set.add(stanza("1.0", "1"), "one");
        set.add(stanza("1:2.0", "2"), "two");
        CPPUNIT_ASSERT(set.find("ab", "amd64", "0:1.0") != nullptr);
        CPPUNIT_ASSERT(set.find("ab", "amd64", "1:2.0") != nullptr);
        CPPUNIT_ASSERT(set.find("ab", "amd64", "2.0") == nullptr);
        CPPUNIT_ASSERT(set.find("ab", "i386", "1.0") == nullptr);
        CPPUNIT_ASSERT(set.find("b", "amd64", "1.0") == nullptr);
    }

    void testIdenticalDuplicateIsIgnoredDifferentOneRefused() {
        ReferenceSet set;
        set.add(stanza("1.0", "1"), "one");
        set.add(stanza("1.0", "1"), "again");
        CPPUNIT_ASSERT_EQUAL(std::size_t{1}, set.size());
        CPPUNIT_ASSERT_EQUAL(std::string("other: a different stanza for ab 1.0 (amd64) was read "
                                         "from one"),
                             error_of([&] { set.add(stanza("1.0", "2"), "other"); }));
    }
};

} // namespace

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(DpkgDatabaseTest, "unit.dpkg_database");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(RootAccountsTest, "unit.root_accounts");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(LayoutAliasesTest, "unit.layout_aliases");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ReferenceSetTest, "unit.reference_set");
