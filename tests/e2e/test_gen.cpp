// End-to-end tests of pkgdesc-gen on .deb files built with dpkg-deb or written by hand.
#include "../support/fixtures.hpp"
#include "../support/support.hpp"

#include <libpkgdesc/format/path.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/util/sha256.hpp>

#include <archive.h>
#include <archive_entry.h>

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>

#include <algorithm>
#include <map>
#include <memory>
#include <sstream>

using namespace pkgdesc;
using namespace pkgdesc::test;

namespace {

RunResult gen(const std::vector<std::string>& args) {
    std::vector<std::string> argv{program("PKGDESC_GEN")};
    argv.insert(argv.end(), args.begin(), args.end());
    return run(argv);
}

// The lines of a field's continuation block ("Content-Metadata" -> its lines without " ").
std::vector<std::string> field_lines(const std::string& stanza, const std::string& field) {
    std::istringstream in(stanza);
    std::string line;
    std::vector<std::string> out;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line == field + ":") {
            inside = true;
            continue;
        }
        if (inside) {
            if (line.empty() || line[0] != ' ') {
                break;
            }
            out.push_back(line.substr(1));
        }
    }
    return out;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string hash(const std::string& data) {
    return to_hex(Sha256::digest(data));
}

// A package with one of everything dpkg-deb can pack.
void make_rich_tree(const std::string& dir) {
    write_control(dir, "rich", "1:2.0-1", "all");
    write_file(dir + "/DEBIAN/postinst", "#!/bin/sh\nexit 0\n", 0755);
    write_file(dir + "/usr/bin/prog", "#!/bin/sh\necho prog\n", 0755);
    write_file(dir + "/usr/bin/suid", "suid\n", 0755);
    write_file(dir + "/usr/share/rich/empty", "");
    write_file(dir + "/usr/share/rich/with space", "space\n");
    write_file(dir + "/usr/share/rich/caf\xc3\xa9", "utf8\n");
    write_file(dir + "/usr/share/rich/\xe9t\xe9", "latin1\n");
    write_file(dir + "/etc/rich.conf", "conf\n");
}

// Run under fakeroot before each build; idempotent, so one tree serves several builds.
const char* k_rich_setup = "chmod 4755 usr/bin/suid\n"
                           "ln -sfn prog usr/bin/link\n"
                           "mkdir -p usr/lib/rich dev\n"
                           "ln -f usr/bin/prog usr/lib/rich/hard\n"
                           "rm -f dev/null dev/sda usr/share/rich/fifo\n"
                           "mknod dev/null c 1 3 && mknod dev/sda b 8 0\n"
                           "mkfifo usr/share/rich/fifo\n"
                           "chown 1:1 etc/rich.conf\n";

} // namespace

// ---------------------------------------------------------------------------------------------

class GenCompressionsTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenCompressionsTest);
    CPPUNIT_TEST(testEveryCompressionGivesTheSameStanza);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEveryCompressionGivesTheSameStanza() {
        TempDir tmp;
        make_rich_tree(tmp / "tree");
        std::string reference;
        for (const std::string comp : {"xz", "gzip", "zstd", "none", "bzip2", "lzma"}) {
            const std::string deb = tmp / ("rich-" + comp + ".deb");
            build_deb(tmp / "tree", deb, comp, k_rich_setup);
            const auto r = gen({deb});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(comp + ": " + r.err, 0, r.status);
            CPPUNIT_ASSERT_EQUAL_MESSAGE(comp, std::string(), r.err);
            // control.tar has the same compression, so control hashes agree too.
            if (reference.empty()) {
                reference = r.out;
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE(comp, reference, r.out);
        }
        CPPUNIT_ASSERT(contains(field_lines(reference, "Content-SHA256"),
                                hash("#!/bin/sh\necho prog\n") + "  /usr/bin/prog"));
    }
};

class GenMembersTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenMembersTest);
    CPPUNIT_TEST(testEveryMemberTypeIsDescribed);
    CPPUNIT_TEST(testHeaderFieldsComeFromControl);
    CPPUNIT_TEST(testNamesWithNewlinesAndControlBytesRoundTrip);
    CPPUNIT_TEST(testOwnersWithoutNamesAreNumeric);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEveryMemberTypeIsDescribed() {
        TempDir tmp;
        make_rich_tree(tmp / "tree");
        build_deb(tmp / "tree", tmp / "rich.deb", "xz",
                  std::string(k_rich_setup) + "touch -h -d @500 usr/bin/link\n", false);
        const auto r = gen({tmp / "rich.deb"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const auto meta = field_lines(r.out, "Content-Metadata");
        const auto content = field_lines(r.out, "Content-SHA256");
        const auto control = field_lines(r.out, "Control-SHA256");
        // Directory "./" becomes "/"; owners come from fakeroot (root); times are clamped to
        // SOURCE_DATE_EPOCH by dpkg-deb unless older.
        const std::string debug = r.out;
        auto expect = [&](const std::string& line) {
            CPPUNIT_ASSERT_MESSAGE("missing: " + line + "\nin:\n" + debug, contains(meta, line));
        };
        expect("/usr/bin/suid type=file mode=4755 uname=root gname=root size=5 time=" +
               std::string("1000.000000000"));
        expect("/usr/share/rich/empty type=file mode=0644 uname=root gname=root size=0 "
               "time=1000.000000000");
        expect("/usr/bin/link type=link mode=0777 uname=root gname=root link=prog "
               "time=500.000000000");
        expect("/usr/bin/prog type=file mode=0755 uname=root gname=root size=20 "
               "time=1000.000000000");
        expect("/usr/lib/rich/hard type=hardlink mode=0755 uname=root gname=root "
               "link=/usr/bin/prog time=1000.000000000");
        expect("/dev/null type=char mode=0644 uname=root gname=root device=linux,1,3 "
               "time=1000.000000000");
        expect("/dev/sda type=block mode=0644 uname=root gname=root device=linux,8,0 "
               "time=1000.000000000");
        expect("/usr/share/rich/fifo type=fifo mode=0644 uname=root gname=root "
               "time=1000.000000000");
        expect("/usr/share/rich/with\\040space type=file mode=0644 uname=root gname=root size=6 "
               "time=1000.000000000");
        expect("/usr/share/rich/caf\\303\\251 type=file mode=0644 uname=root gname=root size=5 "
               "time=1000.000000000");
        expect("/usr/share/rich/\\351t\\351 type=file mode=0644 uname=root gname=root size=7 "
               "time=1000.000000000");
        expect("/etc/rich.conf type=file mode=0644 uname=daemon gname=daemon size=5 "
               "time=1000.000000000");
        expect("/ type=dir mode=0755 uname=root gname=root time=1000.000000000");
        CPPUNIT_ASSERT(contains(content, hash("") + "  /usr/share/rich/empty"));
        CPPUNIT_ASSERT(contains(content, hash("latin1\n") + "  /usr/share/rich/\\351t\\351"));
        CPPUNIT_ASSERT(contains(control, hash("#!/bin/sh\nexit 0\n") + "  postinst"));
        // Hard links, devices, FIFOs, symlinks and directories have no content line.
        CPPUNIT_ASSERT_EQUAL(std::size_t(7), content.size());
    }

    void testHeaderFieldsComeFromControl() {
        TempDir tmp;
        make_rich_tree(tmp / "tree");
        build_deb(tmp / "tree", tmp / "rich.deb", "xz", k_rich_setup);
        const auto r = gen({tmp / "rich.deb"});
        CPPUNIT_ASSERT_EQUAL(0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("Package: rich\nArchitecture: all\nVersion: 1:2.0-1\n"
                                         "Format: 1\nDescription: test package rich\n"),
                             r.out.substr(0, r.out.find("Control-SHA256")));
        // The parser accepts what the generator writes, and the paths are sorted by bytes.
        const Pkgdesc d = parse_pkgdesc(r.out, "out");
        for (std::size_t i = 1; i < d.entries.size(); ++i) {
            CPPUNIT_ASSERT(d.entries[i - 1].path < d.entries[i].path);
        }
    }

    void testNamesWithNewlinesAndControlBytesRoundTrip() {
        TempDir tmp;
        write_handmade_deb(tmp / "nl.deb", {{"./", 'd', "", "", 0755},
                                            {"./new\nline", 'f', "x"},
                                            {"./tab\there\\", 'f', "y"},
                                            {"./sym", 'l', "", "new\nline", 0777}});
        const auto r = gen({tmp / "nl.deb"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const auto meta = field_lines(r.out, "Content-Metadata");
        CPPUNIT_ASSERT(contains(meta, "/new\\012line type=file mode=0644 uname=root gname=root "
                                      "size=1 time=1000.000000000"));
        CPPUNIT_ASSERT(contains(meta, "/tab\\011here\\134 type=file mode=0644 uname=root "
                                      "gname=root size=1 time=1000.000000000"));
        CPPUNIT_ASSERT(contains(meta, "/sym type=link mode=0777 uname=root gname=root "
                                      "link=new\\012line time=1000.000000000"));
        const Pkgdesc d = parse_pkgdesc(r.out, "out");
        CPPUNIT_ASSERT(d.find("/new\nline") != nullptr);
    }

    void testOwnersWithoutNamesAreNumeric() {
        TempDir tmp;
        write_control(tmp / "tree", "numeric");
        write_file(tmp / "tree/file", "x");
        build_deb(tmp / "tree", tmp / "n.deb", "gzip", "");
        // Rewrite the data.tar with numeric owners only, as "tar --numeric-owner" makes it.
        const auto r0 =
            sh("cd " + shell_quote(tmp.path()) +
               " && mkdir x && cd x && ar x ../n.deb && mkdir d && tar -xzf data.tar.gz -C d"
               " && tar --numeric-owner --owner=7 --group=8 -czf data.tar.gz -C d ."
               " && rm ../n.deb && ar rc ../n.deb debian-binary control.tar.gz data.tar.gz");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r0.err, 0, r0.status);
        const auto r = gen({tmp / "n.deb"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        const auto meta = field_lines(r.out, "Content-Metadata");
        CPPUNIT_ASSERT_MESSAGE(r.out, meta.at(1).find(" uid=7 gid=8 ") != std::string::npos);
    }
};

// ---------------------------------------------------------------------------------------------

class GenHostileTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenHostileTest);
    CPPUNIT_TEST(testRefusesDotDotMember);
    CPPUNIT_TEST(testRefusesAbsoluteMember);
    CPPUNIT_TEST(testRefusesDuplicateMembers);
    CPPUNIT_TEST(testRefusesWrongMagic);
    CPPUNIT_TEST(testRefusesMissingDataTar);
    CPPUNIT_TEST(testRefusesUnknownCompression);
    CPPUNIT_TEST(testRefusesHugeNames);
    CPPUNIT_TEST(testRefusesDanglingHardLink);
    CPPUNIT_TEST(testRefusesWrongFormatVersion);
    CPPUNIT_TEST(testRefusesCompressionThatLiesAboutItself);
    CPPUNIT_TEST(testRefusesDirectoriesAndFifos);
    CPPUNIT_TEST(testRefusesPackageNamesThatWouldEscapeTheOutputDir);
    CPPUNIT_TEST(testOtherInputsAreStillProcessed);
    CPPUNIT_TEST(testRefusesSparseMemberWithoutHashingItsHoles);
    CPPUNIT_TEST_SUITE_END();

    // Runs pkgdesc-gen on `deb` and expects exit 2 and exactly "pkgdesc-gen: DEB: reason".
    void expect_refused(const std::string& deb, const std::string& reason) {
        const auto r = gen({deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 2, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: " + deb + ": " + reason + "\n", r.err);
    }

public:
    void testRefusesSparseMemberWithoutHashingItsHoles() {
        // A few kilobytes claiming a 4 TiB file of zeros (GNU tar's sparse format, which dpkg
        // cannot unpack): refused at the first hole, not hashed for hours.
        TempDir tmp;
        const std::string data = tmp / "data";
        const RunResult made =
            sh("mkdir -p " + shell_quote(data) + " && truncate -s 4T " +
               shell_quote(data + "/zeros") + " && printf x >> " + shell_quote(data + "/zeros") +
               " && tar --sparse --format=gnu -C " + shell_quote(data) + " -cf " +
               shell_quote(tmp / "data.tar") + " ./zeros");
        CPPUNIT_ASSERT_EQUAL_MESSAGE(made.err, 0, made.status);
        write_ar(tmp / "x.deb", {{"debian-binary", "2.0\n"},
                                 {"control.tar.gz", control_tar()},
                                 {"data.tar", read_file(tmp / "data.tar")}});
        expect_refused(tmp / "x.deb",
                       "data.tar: /zeros: sparse member data (dpkg cannot unpack it)");
    }

    void testRefusesDotDotMember() {
        TempDir tmp;
        write_handmade_deb(tmp / "x.deb", {{"./", 'd'}, {"../evil", 'f', "x"}});
        expect_refused(tmp / "x.deb",
                       "data.tar.gz: member name contains a \"..\" component: ../evil");
        write_handmade_deb(tmp / "y.deb", {{"./usr/../../evil", 'f', "x"}});
        expect_refused(tmp / "y.deb",
                       "data.tar.gz: member name contains a \"..\" component: ./usr/../../evil");
    }

    void testRefusesAbsoluteMember() {
        TempDir tmp;
        write_handmade_deb(tmp / "x.deb", {{"/etc/passwd", 'f', "x"}});
        expect_refused(tmp / "x.deb", "data.tar.gz: absolute member name: /etc/passwd");
    }

    void testRefusesDuplicateMembers() {
        TempDir tmp;
        write_handmade_deb(tmp / "x.deb", {{"./a", 'f', "1"}, {"./b", 'f', "2"}, {"a", 'f', "3"}});
        expect_refused(tmp / "x.deb", "data.tar.gz: duplicate member /a");
    }

    void testRefusesWrongMagic() {
        TempDir tmp;
        write_file(tmp / "x.deb", "PK\x03\x04 not an ar archive");
        expect_refused(tmp / "x.deb", "not a Debian binary package (no ar archive signature)");
        write_file(tmp / "empty.deb", "");
        expect_refused(tmp / "empty.deb", "not a Debian binary package (no ar archive signature)");
    }

    void testRefusesMissingDataTar() {
        TempDir tmp;
        write_ar(tmp / "x.deb", {{"debian-binary", "2.0\n"}, {"control.tar.gz", control_tar()}});
        expect_refused(tmp / "x.deb", "missing data.tar member");
        write_ar(tmp / "y.deb", {{"debian-binary", "2.0\n"}});
        expect_refused(tmp / "y.deb", "missing control.tar member");
    }

    void testRefusesUnknownCompression() {
        TempDir tmp;
        write_ar(tmp / "x.deb", {{"debian-binary", "2.0\n"},
                                 {"control.tar.gz", control_tar()},
                                 {"data.tar.rar", "whatever"}});
        expect_refused(tmp / "x.deb", "member data.tar.rar: unknown compression");
    }

    void testRefusesHugeNames() {
        TempDir tmp;
        const std::string name = "./" + std::string(5000, 'n');
        write_handmade_deb(tmp / "x.deb", {{name, 'f', "x"}});
        expect_refused(tmp / "x.deb", "data.tar.gz: member name longer than 4095 bytes");
    }

    void testRefusesDanglingHardLink() {
        TempDir tmp;
        write_handmade_deb(tmp / "x.deb", {{"./a", 'h', "", "./nowhere"}});
        expect_refused(tmp / "x.deb",
                       "data.tar.gz: hard link /a to /nowhere, which is not an earlier "
                       "non-directory member");
    }

    void testRefusesWrongFormatVersion() {
        TempDir tmp;
        write_ar(tmp / "x.deb", {{"debian-binary", "3.0\n"}});
        expect_refused(tmp / "x.deb", "unsupported package format version \"3.0\"");
        write_ar(tmp / "y.deb", {{"control.tar.gz", control_tar()}});
        expect_refused(tmp / "y.deb", "first member is \"control.tar.gz\", not debian-binary");
    }

    void testRefusesCompressionThatLiesAboutItself() {
        TempDir tmp;
        write_ar(tmp / "x.deb", {{"debian-binary", "2.0\n"},
                                 {"control.tar.gz", control_tar()},
                                 {"data.tar.xz", make_tar({{"./a", 'f', "x"}}, "gz")}});
        const auto r = gen({tmp / "x.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: " + (tmp / "x.deb") + ": data.tar.xz: xz: not xz data\n",
                             r.err);
    }

    void testRefusesDirectoriesAndFifos() {
        TempDir tmp;
        expect_refused(tmp.path(), "not a regular file");
        CPPUNIT_ASSERT_EQUAL(0, ::mkfifo((tmp / "fifo").c_str(), 0600));
        expect_refused(tmp / "fifo", "not a regular file");
        const auto r = gen({tmp / "missing.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: " + (tmp / "missing.deb") +
                                 ": cannot open: No such file or directory\n",
                             r.err);
    }

    void testRefusesPackageNamesThatWouldEscapeTheOutputDir() {
        TempDir tmp;
        const std::string control = make_tar(
            {{"./control", 'f', "Package: x/../../escape\nVersion: 1\nArchitecture: all\n"}}, "gz");
        write_ar(tmp / "x.deb", {{"debian-binary", "2.0\n"},
                                 {"control.tar.gz", control},
                                 {"data.tar.gz", make_tar({{"./", 'd'}}, "gz")}});
        ::mkdir((tmp / "out").c_str(), 0755);
        const auto r = gen({"-o", tmp / "out", tmp / "x.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: " + (tmp / "x.deb") +
                                 ": control: control field Package may contain only a-z, 0-9, "
                                 "'+', '-' and '.'\n",
                             r.err);
        CPPUNIT_ASSERT(list_dir(tmp / "out").empty());
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), list_dir(tmp.path()).size());
    }

    void testOtherInputsAreStillProcessed() {
        TempDir tmp;
        write_control(tmp / "tree", "good");
        write_file(tmp / "tree/usr/share/good", "good\n");
        build_deb(tmp / "tree", tmp / "good.deb");
        write_file(tmp / "bad.deb", "garbage");
        const auto r = gen({tmp / "good.deb", tmp / "bad.deb", tmp / "good.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: " + (tmp / "bad.deb") +
                                 ": not a Debian binary package (no ar archive signature)\n",
                             r.err);
        const auto one = gen({tmp / "good.deb"});
        CPPUNIT_ASSERT_EQUAL(one.out + "\n" + one.out, r.out);
    }
};

// Cuts a valid package at many lengths: each cut is a clean error, never a crash or a result.
class GenTruncatedTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenTruncatedTest);
    CPPUNIT_TEST(testEveryTruncationIsRefused);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEveryTruncationIsRefused() {
        TempDir tmp;
        make_rich_tree(tmp / "tree");
        write_file(tmp / "tree/usr/share/rich/big", std::string(300000, 'b'));
        for (const std::string comp : {"xz", "gzip", "zstd", "none"}) {
            const std::string deb = tmp / ("full-" + comp + ".deb");
            build_deb(tmp / "tree", deb, comp, k_rich_setup);
            const std::string full = read_file(deb);
            CPPUNIT_ASSERT_EQUAL(0, gen({deb}).status);
            // Every byte of the first 200, then about 150 cuts over the rest.
            std::vector<std::size_t> cuts;
            for (std::size_t n = 0; n < 200; ++n)
                cuts.push_back(n);
            for (std::size_t n = 200; n < full.size();
                 n += std::max<std::size_t>(1, full.size() / 150)) {
                cuts.push_back(n);
            }
            cuts.push_back(full.size() - 1);
            for (const std::size_t n : cuts) {
                const std::string cut = tmp / "cut.deb";
                write_file(cut, full.substr(0, n));
                const auto r = gen({cut});
                const std::string what = comp + " cut at " + std::to_string(n) + " of " +
                                         std::to_string(full.size()) + ": " + r.err;
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what, 2, r.status);
                CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string(), r.out);
                CPPUNIT_ASSERT_MESSAGE(what, r.err.rfind("pkgdesc-gen: " + cut + ": ", 0) == 0);
                CPPUNIT_ASSERT_MESSAGE(what, std::count(r.err.begin(), r.err.end(), '\n') == 1);
            }
        }
    }
};

// ---------------------------------------------------------------------------------------------

class GenCliTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenCliTest);
    CPPUNIT_TEST(testOutputDirWritesOneFilePerPackage);
    CPPUNIT_TEST(testParallelOutputEqualsSerialOutput);
    CPPUNIT_TEST(testUsageErrorsExitTwo);
    CPPUNIT_TEST(testHelpListsOptionsAndExitCodes);
    CPPUNIT_TEST(testFailedWriteToStdoutIsAnError);
    CPPUNIT_TEST(testTreeErrorsNameTheFile);
    CPPUNIT_TEST_SUITE_END();

public:
    void testOutputDirWritesOneFilePerPackage() {
        TempDir tmp;
        make_rich_tree(tmp / "tree");
        build_deb(tmp / "tree", tmp / "rich.deb", "xz", k_rich_setup);
        write_control(tmp / "two", "two", "3.0", "amd64");
        build_deb(tmp / "two", tmp / "two.deb");
        // The directory is created.
        const auto r = gen({"-o", tmp / "out", tmp / "rich.deb", tmp / "two.deb"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string(), r.out);
        const auto files = list_dir(tmp / "out");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), files.size());
        CPPUNIT_ASSERT_EQUAL(std::string("rich_1%3a2.0-1_all.pkgdesc"), files[0]);
        CPPUNIT_ASSERT_EQUAL(std::string("two_3.0_amd64.pkgdesc"), files[1]);
        CPPUNIT_ASSERT_EQUAL(gen({tmp / "two.deb"}).out,
                             read_file(tmp / "out/two_3.0_amd64.pkgdesc"));
        // A directory that cannot be created: an error naming it, and nothing written.
        const auto bad = gen({"-o", tmp / "nope/deeper", tmp / "two.deb"});
        CPPUNIT_ASSERT_EQUAL(2, bad.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: error: " + tmp / "nope/deeper" +
                                 ": cannot create directory: No such file or directory\n",
                             bad.err);
        CPPUNIT_ASSERT(!exists(tmp / "nope"));
    }

    void testParallelOutputEqualsSerialOutput() {
        TempDir tmp;
        std::vector<std::string> debs;
        for (int i = 0; i < 6; ++i) {
            const std::string name = "p" + std::to_string(i);
            write_control(tmp / name, name);
            write_file(tmp / (name + "/usr/share/" + name),
                       std::string(static_cast<std::size_t>(i) * 100000, 'x'));
            build_deb(tmp / name, tmp / (name + ".deb"));
            debs.push_back(tmp / (name + ".deb"));
        }
        std::vector<std::string> a1{"-j1"}, a4{"-j4"};
        a1.insert(a1.end(), debs.begin(), debs.end());
        a4.insert(a4.end(), debs.begin(), debs.end());
        const auto serial = gen(a1);
        const auto parallel = gen(a4);
        CPPUNIT_ASSERT_EQUAL(0, serial.status);
        CPPUNIT_ASSERT_EQUAL(serial.out, parallel.out);
        CPPUNIT_ASSERT(serial.out.find("Package: p0\n") < serial.out.find("Package: p5\n"));
    }

    void testUsageErrorsExitTwo() {
        auto r = gen({});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-gen: error: no FILE.deb given\n"
                                         "Try 'pkgdesc-gen --help'.\n"),
                             r.err);
        r = gen({"--bogus", "x.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        r = gen({"-j", "0", "x.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        r = gen({"--check", "-o", "/tmp", "x.deb"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
    }

    void testHelpListsOptionsAndExitCodes() {
        const auto r = gen({"--help"});
        CPPUNIT_ASSERT_EQUAL(0, r.status);
        for (const char* word : {"--output-dir", "--check", "--jobs", "--tree", "Exit status"}) {
            CPPUNIT_ASSERT_MESSAGE(word, r.out.find(word) != std::string::npos);
        }
    }

    void testTreeErrorsNameTheFile() {
        TempDir tmp;
        ::mkdir((tmp / "empty").c_str(), 0755);
        auto r = gen({"--tree", tmp / "empty"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: error: " + (tmp / "empty/DEBIAN") +
                                 ": cannot open directory: No such file or directory\n",
                             r.err);
        write_control(tmp / "big", "big");
        write_file(tmp / "big/DEBIAN/control", std::string(2 << 20, 'x'));
        r = gen({"--tree", tmp / "big", "--output", tmp / "big/DEBIAN/pkgdesc"});
        CPPUNIT_ASSERT_EQUAL(2, r.status);
        CPPUNIT_ASSERT_EQUAL("pkgdesc-gen: error: " + (tmp / "big/DEBIAN/control") +
                                 ": larger than 1048576 bytes\n",
                             r.err);
        CPPUNIT_ASSERT(!exists(tmp / "big/DEBIAN/pkgdesc"));
    }

    void testFailedWriteToStdoutIsAnError() {
        if (!exists("/dev/full")) {
            skip("no /dev/full");
            return;
        }
        TempDir tmp;
        write_control(tmp / "tree", "full");
        build_deb(tmp / "tree", tmp / "f.deb");
        const auto r = sh(shell_quote(program("PKGDESC_GEN")) + " " + shell_quote(tmp / "f.deb") +
                          " > /dev/full || echo status=$?");
        CPPUNIT_ASSERT_EQUAL(std::string("status=2\n"), r.out);
        CPPUNIT_ASSERT_EQUAL(std::string("pkgdesc-gen: error: standard output: write error\n"),
                             r.err);
    }
};

// ---------------------------------------------------------------------------------------------

class GenCheckTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenCheckTest);
    CPPUNIT_TEST(testEmbeddedPkgdescMatches);
    CPPUNIT_TEST(testTamperedContentIsReported);
    CPPUNIT_TEST(testMissingEmbeddedPkgdescIsADifference);
    CPPUNIT_TEST_SUITE_END();

    // Builds a package embedding the pkgdesc generated from its own first build.
    std::string build_with_pkgdesc(const TempDir& tmp) {
        make_rich_tree(tmp / "tree");
        build_deb(tmp / "tree", tmp / "plain.deb", "xz", k_rich_setup);
        const auto r = gen({tmp / "plain.deb"});
        CPPUNIT_ASSERT_EQUAL(0, r.status);
        write_file(tmp / "tree/DEBIAN/pkgdesc", r.out);
        build_deb(tmp / "tree", tmp / "with.deb", "xz", k_rich_setup);
        return tmp / "with.deb";
    }

public:
    void testEmbeddedPkgdescMatches() {
        TempDir tmp;
        const auto deb = build_with_pkgdesc(tmp);
        const auto r = gen({"--check", deb});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 0, r.status);
        CPPUNIT_ASSERT_EQUAL(deb + ": OK\n", r.out);
        CPPUNIT_ASSERT_EQUAL(std::string(), gen({"--check", "-q", deb}).out);
    }

    void testTamperedContentIsReported() {
        TempDir tmp;
        build_with_pkgdesc(tmp);
        write_file(tmp / "tree/usr/bin/prog", "#!/bin/sh\necho evil\n", 0755);
        build_deb(tmp / "tree", tmp / "evil.deb", "xz",
                  std::string(k_rich_setup) + "chmod 0700 usr/bin/suid\n");
        const auto r = gen({"--check", tmp / "evil.deb"});
        CPPUNIT_ASSERT_EQUAL_MESSAGE(r.out + r.err, 1, r.status);
        const std::string prefix = tmp / "evil.deb";
        CPPUNIT_ASSERT_EQUAL(prefix + ": differs: /usr/bin/prog (sha256)\n" + prefix +
                                 ": differs: /usr/bin/suid (mode)\n",
                             r.out);
    }

    void testMissingEmbeddedPkgdescIsADifference() {
        TempDir tmp;
        write_control(tmp / "tree", "plain");
        build_deb(tmp / "tree", tmp / "plain.deb");
        const auto r = gen({"--check", tmp / "plain.deb"});
        CPPUNIT_ASSERT_EQUAL(1, r.status);
        CPPUNIT_ASSERT_EQUAL((tmp / "plain.deb") + ": no DEBIAN/pkgdesc member\n", r.out);
    }
};

// ---------------------------------------------------------------------------------------------

namespace {

struct ArchiveReadFree {
    void operator()(archive* a) const { archive_read_free(a); }
};

// What dpkg itself says the data members are: "dpkg-deb --fsys-tarfile", read here with
// libarchive, in pkgdesc's own line format (hashes in a second map).
void describe_with_dpkg(const std::string& deb, std::map<std::string, std::string>& meta,
                        std::map<std::string, std::string>& hashes) {
    TempDir tmp;
    const auto r =
        sh("dpkg-deb --fsys-tarfile " + shell_quote(deb) + " > " + shell_quote(tmp / "data.tar"));
    CPPUNIT_ASSERT_EQUAL_MESSAGE(r.err, 0, r.status);
    std::unique_ptr<archive, ArchiveReadFree> a(archive_read_new());
    archive_read_support_format_tar(a.get());
    CPPUNIT_ASSERT_EQUAL(ARCHIVE_OK,
                         archive_read_open_filename(a.get(), (tmp / "data.tar").c_str(), 65536));
    archive_entry* e = nullptr;
    while (archive_read_next_header(a.get(), &e) == ARCHIVE_OK) {
        std::string reason;
        const std::string path = *normalize_member_name(archive_entry_pathname(e), reason);
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", archive_entry_perm(e) & 07777);
        std::string line = " mode=" + std::string(mode);
        std::string type;
        if (archive_entry_hardlink(e) != nullptr) {
            // Same content as its target (pkgdesc may pick another name of the group).
            hashes[path] = hashes[*normalize_member_name(archive_entry_hardlink(e), reason)];
            type = "hardlink";
        } else {
            switch (archive_entry_filetype(e)) {
            case AE_IFREG: {
                type = "file";
                Sha256 h;
                const void* buf;
                size_t size;
                la_int64_t off;
                while (archive_read_data_block(a.get(), &buf, &size, &off) == ARCHIVE_OK) {
                    h.update(buf, size);
                }
                hashes[path] = to_hex(h.finish());
                line += " size=" + std::to_string(archive_entry_size(e));
                break;
            }
            case AE_IFDIR:
                type = "dir";
                break;
            case AE_IFLNK:
                type = "link";
                line += " link=" + escape(archive_entry_symlink(e));
                break;
            default:
                type = "other";
            }
        }
        line += " owner=" + std::string(archive_entry_uname(e) ? archive_entry_uname(e) : "") +
                ":" + std::string(archive_entry_gname(e) ? archive_entry_gname(e) : "") +
                " time=" + std::to_string(archive_entry_mtime(e));
        meta[path] = type + line;
    }
}

} // namespace

// For a sample of the real packages in apt's cache, pkgdesc-gen agrees with dpkg-deb.
class GenDpkgCrossCheckTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(GenDpkgCrossCheckTest);
    CPPUNIT_TEST(testRealPackagesAgreeWithDpkgDeb);
    CPPUNIT_TEST_SUITE_END();

public:
    void testRealPackagesAgreeWithDpkgDeb() {
        std::vector<std::string> debs;
        if (exists("/var/cache/apt/archives")) {
            for (const auto& name : list_dir("/var/cache/apt/archives")) {
                struct stat st {};
                const std::string path = "/var/cache/apt/archives/" + name;
                if (name.size() > 4 && name.substr(name.size() - 4) == ".deb" &&
                    ::stat(path.c_str(), &st) == 0 && st.st_size < (8 << 20)) {
                    debs.push_back(path);
                }
            }
        }
        if (debs.empty()) {
            skip("no .deb files in /var/cache/apt/archives");
            return;
        }
        // A fixed sample spread over the cache.
        std::vector<std::string> sample;
        const std::size_t step = std::max<std::size_t>(1, debs.size() / 12);
        for (std::size_t i = 0; i < debs.size() && sample.size() < 12; i += step) {
            sample.push_back(debs[i]);
        }
        for (const auto& deb : sample) {
            const auto r = gen({deb});
            CPPUNIT_ASSERT_EQUAL_MESSAGE(deb + ": " + r.err, 0, r.status);
            const Pkgdesc d = parse_pkgdesc(r.out, deb);
            std::map<std::string, std::string> meta, hashes;
            describe_with_dpkg(deb, meta, hashes);
            std::size_t files = 0;
            for (const auto& e : d.entries) {
                const auto it = meta.find(e.path);
                CPPUNIT_ASSERT_MESSAGE(deb + ": not in dpkg-deb's tar: " + e.path,
                                       it != meta.end());
                char mode[8];
                std::snprintf(mode, sizeof mode, "%04o", e.mode);
                if (e.type == EntryType::file || e.type == EntryType::hardlink) {
                    ++files;
                    const Entry& data = e.type == EntryType::file ? e : *d.find(e.link);
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(deb + ": " + e.path, hashes[e.path],
                                                 to_hex(*data.sha256));
                }
                if (e.type == EntryType::file && it->second.rfind("file ", 0) == 0) {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(deb + ": " + e.path,
                                                 "file mode=" + std::string(mode) +
                                                     " size=" + std::to_string(e.size) +
                                                     " owner=" + e.uname + ":" + e.gname +
                                                     " time=" + std::to_string(e.mtime.seconds),
                                                 it->second);
                } else if (e.type == EntryType::symlink) {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(deb + ": " + e.path,
                                                 "link mode=" + std::string(mode) +
                                                     " link=" + escape(e.link) +
                                                     " owner=" + e.uname + ":" + e.gname +
                                                     " time=" + std::to_string(e.mtime.seconds),
                                                 it->second);
                } else if (e.type == EntryType::directory) {
                    CPPUNIT_ASSERT_EQUAL_MESSAGE(deb + ": " + e.path,
                                                 "dir mode=" + std::string(mode) +
                                                     " owner=" + e.uname + ":" + e.gname +
                                                     " time=" + std::to_string(e.mtime.seconds),
                                                 it->second);
                }
            }
            CPPUNIT_ASSERT_EQUAL_MESSAGE(deb, meta.size(), d.entries.size());
            CPPUNIT_ASSERT_EQUAL_MESSAGE(deb, hashes.size(), files);
        }
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenCompressionsTest, "e2e.gen.compressions");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenMembersTest, "e2e.gen.members");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenHostileTest, "e2e.gen.hostile");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenTruncatedTest, "e2e.gen.truncated");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenCliTest, "e2e.gen.cli");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenCheckTest, "e2e.gen.check");
CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(GenDpkgCrossCheckTest, "e2e.gen.dpkg_crosscheck");
