// The pkgdesc format: canonical writer, strict parser, and every parse error with its text.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/format/pkgdesc_diff.hpp>
#include <libpkgdesc/format/pkgdesc_parser.hpp>
#include <libpkgdesc/format/pkgdesc_writer.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <sstream>

using namespace pkgdesc;

namespace {

const std::string k_hash_a = std::string(64, 'a');
const std::string k_hash_b = std::string(64, 'b');

// A valid document; tests break one thing at a time.
std::string valid_document() {
    return "Package: hello\n"
           "Architecture: amd64\n"
           "Version: 1:2.10-3\n"
           "Format: 1\n"
           "Description: example package\n"
           "Control-SHA256:\n"
           " " +
           k_hash_a +
           "  control\n"
           "Content-SHA256:\n"
           " " +
           k_hash_b +
           "  /usr/bin/hello\n"
           "Content-Metadata:\n"
           " / type=dir mode=0755 uname=root gname=root time=1.000000000\n"
           " /usr type=dir mode=0755 uname=root gname=root time=1.000000000\n"
           " /usr/bin type=dir mode=0755 uname=root gname=root time=1.000000000\n"
           " /usr/bin/hello type=file mode=4755 uname=root gname=root size=5 time=1.000000000\n";
}

std::string replace(std::string text, const std::string& from, const std::string& to) {
    const auto pos = text.find(from);
    CPPUNIT_ASSERT_MESSAGE("fixture text not found: " + from, pos != std::string::npos);
    return text.replace(pos, from.size(), to);
}

// Parses `text` and returns the error message ("" if it parsed).
std::string error_of(const std::string& text) {
    try {
        parse_pkgdesc(text, "t.pkgdesc");
    } catch (const ParseError& e) {
        return e.what();
    }
    return "";
}

Pkgdesc sample() {
    Pkgdesc d;
    d.package = "pk";
    d.architecture = "all";
    d.version = "1.0";
    d.description = "a package";
    d.control.push_back({"md5sums", Sha256::digest("m")});
    d.control.push_back({"control", Sha256::digest("c")});
    Entry root;
    root.path = "/";
    root.type = EntryType::directory;
    root.mode = 0755;
    root.uname = root.gname = "root";
    Entry file = root;
    file.path = "/with space\\and\nnewline";
    file.type = EntryType::file;
    file.mode = 06755;
    file.size = 3;
    file.sha256 = Sha256::digest("abc");
    file.mtime = {1700000000, 5};
    Entry link = root;
    link.path = "/l\xe9";
    link.type = EntryType::symlink;
    link.mode = 0777;
    link.link = "../target with space";
    Entry dev = root;
    dev.path = "/dev/null";
    dev.type = EntryType::char_device;
    dev.mode = 0666;
    dev.uname.clear();
    dev.uid = 0;
    dev.gname = "";
    dev.gid = 5;
    dev.dev_major = 1;
    dev.dev_minor = 3;
    Entry fifo = root;
    fifo.path = "/fifo";
    fifo.type = EntryType::fifo;
    fifo.mode = 0600;
    Entry hard = file;
    hard.path = "/z-hard";
    hard.type = EntryType::hardlink;
    hard.size = 0;
    hard.sha256.reset();
    hard.link = file.path;
    d.entries = {hard, fifo, dev, link, file, root};
    d.sort();
    return d;
}

} // namespace

class PkgdescFormatTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PkgdescFormatTest);
    CPPUNIT_TEST(testWriterOutputIsCanonical);
    CPPUNIT_TEST(testRoundTripKeepsEveryAttribute);
    CPPUNIT_TEST(testContentLinesMatchTheDraftsRegex);
    CPPUNIT_TEST(testValidDocumentParses);
    CPPUNIT_TEST(testFurtherStanzasOfAControlMemberAreIgnored);
    CPPUNIT_TEST(testStreamReadsEveryStanza);
    CPPUNIT_TEST(testUnknownKeywordsAreKeptAndUnknownFieldsIgnored);
    CPPUNIT_TEST(testRejectsMissingMandatoryField);
    CPPUNIT_TEST(testRejectsBadHex);
    CPPUNIT_TEST(testRejectsShortHash);
    CPPUNIT_TEST(testRejectsRelativePathWithLine);
    CPPUNIT_TEST(testRejectsNonNormalizedPath);
    CPPUNIT_TEST(testRejectsDotDot);
    CPPUNIT_TEST(testRejectsDuplicatePath);
    CPPUNIT_TEST(testRejectsContentPathThatIsNotAFile);
    CPPUNIT_TEST(testRejectsFileWithoutContentHash);
    CPPUNIT_TEST(testRejectsUnknownType);
    CPPUNIT_TEST(testRejectsBadMode);
    CPPUNIT_TEST(testRejectsOverlongLine);
    CPPUNIT_TEST(testRejectsGarbage);
    CPPUNIT_TEST(testRejectsContinuationBeforeField);
    CPPUNIT_TEST(testRejectsDuplicateField);
    CPPUNIT_TEST(testRejectsUnsupportedFormat);
    CPPUNIT_TEST(testRejectsMissingKeywords);
    CPPUNIT_TEST(testRejectsMisplacedKeywords);
    CPPUNIT_TEST(testRejectsDanglingHardLink);
    CPPUNIT_TEST(testRejectsBadControlMember);
    CPPUNIT_TEST(testRejectsEmptyDocument);
    CPPUNIT_TEST(testRejectsBadIdentity);
    CPPUNIT_TEST(testDiffNamesDifferingPaths);
    CPPUNIT_TEST_SUITE_END();

public:
    void testWriterOutputIsCanonical() {
        const std::string expected =
            "Package: pk\n"
            "Architecture: all\n"
            "Version: 1.0\n"
            "Format: 1\n"
            "Description: a package\n"
            "Control-SHA256:\n"
            " " +
            to_hex(Sha256::digest("c")) +
            "  control\n"
            " " +
            to_hex(Sha256::digest("m")) +
            "  md5sums\n"
            "Content-SHA256:\n"
            " " +
            to_hex(Sha256::digest("abc")) +
            "  /with\\040space\\134and\\012newline\n"
            "Content-Metadata:\n"
            " / type=dir mode=0755 uname=root gname=root time=0.000000000\n"
            " /dev/null type=char mode=0666 uid=0 gid=5 device=linux,1,3 time=0.000000000\n"
            " /fifo type=fifo mode=0600 uname=root gname=root time=0.000000000\n"
            " /l\\351 type=link mode=0777 uname=root gname=root link=../target\\040with\\040space"
            " time=0.000000000\n"
            " /with\\040space\\134and\\012newline type=file mode=6755 uname=root gname=root size=3"
            " time=1700000000.000000005\n"
            " /z-hard type=hardlink mode=6755 uname=root gname=root"
            " link=/with\\040space\\134and\\012newline time=1700000000.000000005\n";
        CPPUNIT_ASSERT_EQUAL(expected, to_string(sample()));
    }

    void testRoundTripKeepsEveryAttribute() {
        const Pkgdesc d = sample();
        const std::string text = to_string(d);
        const Pkgdesc back = parse_pkgdesc(text, "x");
        CPPUNIT_ASSERT(back == d);
        CPPUNIT_ASSERT_EQUAL(text, to_string(back));
    }

    void testContentLinesMatchTheDraftsRegex() {
        std::istringstream in(to_string(sample()));
        std::string line;
        bool in_content = false;
        int seen = 0;
        while (std::getline(in, line)) {
            if (line == "Content-SHA256:") {
                in_content = true;
                continue;
            }
            if (in_content && line[0] != ' ') {
                break;
            }
            if (in_content) {
                // ^ [[:xdigit:]]{64}[ ]+/.*
                CPPUNIT_ASSERT_EQUAL(' ', line[0]);
                CPPUNIT_ASSERT(line.substr(1, 64).find_first_not_of("0123456789abcdef") ==
                               std::string::npos);
                CPPUNIT_ASSERT_EQUAL(std::string("  /"), line.substr(65, 3));
                ++seen;
            }
        }
        CPPUNIT_ASSERT_EQUAL(1, seen);
    }

    void testValidDocumentParses() {
        const Pkgdesc d = parse_pkgdesc(valid_document(), "t");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), d.package);
        CPPUNIT_ASSERT_EQUAL(std::string("1:2.10-3"), d.version);
        CPPUNIT_ASSERT_EQUAL(std::size_t(4), d.entries.size());
        const Entry* e = d.find("/usr/bin/hello");
        CPPUNIT_ASSERT(e != nullptr);
        CPPUNIT_ASSERT_EQUAL(04755u, e->mode);
        CPPUNIT_ASSERT_EQUAL(k_hash_b, to_hex(*e->sha256));
        CPPUNIT_ASSERT_EQUAL(valid_document(), to_string(d));
    }

    void testFurtherStanzasOfAControlMemberAreIgnored() {
        const Pkgdesc d = parse_pkgdesc(valid_document() + "\nPackage: other\n", "t");
        CPPUNIT_ASSERT_EQUAL(std::string("hello"), d.package);
    }

    void testStreamReadsEveryStanza() {
        std::istringstream in(valid_document() + "\n" +
                              replace(valid_document(), "Package: hello", "Package: two"));
        const auto all = parse_pkgdesc_stream(in, "index");
        CPPUNIT_ASSERT_EQUAL(std::size_t(2), all.size());
        CPPUNIT_ASSERT_EQUAL(std::string("two"), all[1].package);
    }

    void testUnknownKeywordsAreKeptAndUnknownFieldsIgnored() {
        const auto text = replace(valid_document() + "X-Future: 1\n", "size=5 time=1.000000000",
                                  "size=5 time=1.000000000 xattr.user.a=b");
        const Pkgdesc d = parse_pkgdesc(text, "t");
        const Entry* e = d.find("/usr/bin/hello");
        CPPUNIT_ASSERT_EQUAL(std::size_t(1), e->unknown.size());
        CPPUNIT_ASSERT_EQUAL(std::string("xattr.user.a"), e->unknown[0].first);
        CPPUNIT_ASSERT(to_string(d).find("xattr.user.a=b") != std::string::npos);
    }

    void testRejectsMissingMandatoryField() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:1: missing mandatory field Version"),
                             error_of(replace(valid_document(), "Version: 1:2.10-3\n", "")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:1: missing mandatory field Content-Metadata"),
            error_of(valid_document().substr(0, valid_document().find("Content-Metadata"))));
    }

    void testRejectsBadHex() {
        CPPUNIT_ASSERT_EQUAL(
            "t.pkgdesc:9: bad SHA-256 (need 64 hex digits): \"" + std::string(63, 'b') + "x\"",
            error_of(replace(valid_document(), k_hash_b, std::string(63, 'b') + "x")));
    }

    void testRejectsShortHash() {
        CPPUNIT_ASSERT_EQUAL("t.pkgdesc:7: bad SHA-256 (need 64 hex digits): \"" +
                                 std::string(63, 'a') + "\"",
                             error_of(replace(valid_document(), k_hash_a, std::string(63, 'a'))));
    }

    void testRejectsRelativePathWithLine() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:12: relative path usr"),
                             error_of(replace(valid_document(), " /usr type", " usr type")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:9: relative path usr/bin/hello"),
            error_of(replace(valid_document(), "  /usr/bin/hello", "  usr/bin/hello")));
    }

    void testRejectsNonNormalizedPath() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:13: path is not normalized: /usr//bin"),
            error_of(replace(valid_document(), " /usr/bin type", " /usr//bin type")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:13: path is not normalized: /usr/bin/"),
            error_of(replace(valid_document(), " /usr/bin type", " /usr/bin/ type")));
    }

    void testRejectsDotDot() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:13: path is not normalized: /usr/../bin"),
            error_of(replace(valid_document(), " /usr/bin type", " /usr/../bin type")));
    }

    void testRejectsDuplicatePath() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:13: duplicate path /usr"),
                             error_of(replace(valid_document(), " /usr/bin type", " /usr type")));
    }

    void testRejectsContentPathThatIsNotAFile() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:9: Content-SHA256 path /usr/bin is not a type=file entry of "
                        "Content-Metadata"),
            error_of(replace(valid_document(), "  /usr/bin/hello\n", "  /usr/bin\n")));
    }

    void testRejectsFileWithoutContentHash() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:13: file /usr/bin/hello has no Content-SHA256 line"),
            error_of(replace(valid_document(), " " + k_hash_b + "  /usr/bin/hello\n", "")));
    }

    void testRejectsUnknownType() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:12: unknown type \"socket\""),
            error_of(replace(valid_document(), "/usr type=dir", "/usr type=socket")));
    }

    void testRejectsBadMode() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:12: bad mode \"755\" (need 4 octal digits)"),
                             error_of(replace(valid_document(), "/usr type=dir mode=0755",
                                              "/usr type=dir mode=755")));
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:12: bad mode value \"0758\""),
                             error_of(replace(valid_document(), "/usr type=dir mode=0755",
                                              "/usr type=dir mode=0758")));
    }

    void testRejectsOverlongLine() {
        const std::string text = replace(valid_document(), "Description: example package",
                                         "Description: " + std::string(k_max_line_length, 'x'));
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:5: line longer than 65536 bytes"),
                             error_of(text));
    }

    void testRejectsGarbage() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:1: not a field (no colon): garbage"),
                             error_of("garbage\n" + valid_document()));
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:1: NUL byte in text"),
                             error_of(std::string("Pack\0age: x\n", 12)));
    }

    void testRejectsContinuationBeforeField() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:1: continuation line before any field"),
                             error_of(" indented\n" + valid_document()));
    }

    void testRejectsDuplicateField() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:2: duplicate field package"),
                             error_of(replace(valid_document(), "Architecture: amd64",
                                              "package: again\nArchitecture: amd64")));
    }

    void testRejectsUnsupportedFormat() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:4: unsupported format version \"2\""),
                             error_of(replace(valid_document(), "Format: 1", "Format: 2")));
    }

    void testRejectsMissingKeywords() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:14: missing size= for file /usr/bin/hello"),
                             error_of(replace(valid_document(), " size=5", "")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:12: missing uname= or uid= for /usr"),
            error_of(replace(valid_document(), "/usr type=dir mode=0755 uname=root",
                             "/usr type=dir mode=0755")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:11: missing time= for /"),
            error_of(replace(valid_document(),
                             "/ type=dir mode=0755 uname=root gname=root time=1.000000000",
                             "/ type=dir mode=0755 uname=root gname=root")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:11: bad time \"1\" (need SECONDS.NNNNNNNNN)"),
            error_of(replace(valid_document(),
                             "/ type=dir mode=0755 uname=root gname=root time=1.000000000",
                             "/ type=dir mode=0755 uname=root gname=root time=1")));
    }

    void testRejectsMisplacedKeywords() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:12: size= is only for type=file"),
            error_of(replace(valid_document(), "/usr type=dir", "/usr type=dir size=1")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:12: duplicate keyword mode"),
            error_of(replace(valid_document(), "/usr type=dir", "/usr type=dir mode=0755")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:12: expected keyword=value, got \"junk\""),
            error_of(replace(valid_document(), "/usr type=dir", "/usr type=dir junk")));
        // Keywords of later formats: each once too, however many a line has.
        std::string many;
        for (int i = 0; i < 2000; ++i) {
            many += " x" + std::to_string(i) + "=1";
        }
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:12: duplicate keyword x7"),
            error_of(replace(valid_document(), "/usr type=dir", "/usr type=dir" + many + " x7=2")));
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:12: duplicate keyword future"),
                             error_of(replace(valid_document(), "/usr type=dir",
                                              "/usr type=dir future=1 x=2 future=1")));
    }

    void testRejectsDanglingHardLink() {
        const auto text = replace(valid_document(), " /usr/bin/hello type=file",
                                  " /usr/bin/bye type=hardlink mode=0755 uname=root gname=root "
                                  "link=/nowhere time=1.000000000\n"
                                  " /usr/bin/hello type=file");
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:14: hard link target /nowhere is not a non-directory entry"),
            error_of(text));
    }

    void testRejectsBadControlMember() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:7: bad control member name \"a/b\""),
                             error_of(replace(valid_document(), "  control\n", "  a/b\n")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:7: the pkgdesc member must not describe itself"),
            error_of(replace(valid_document(), "  control\n", "  pkgdesc\n")));
    }

    void testRejectsEmptyDocument() {
        CPPUNIT_ASSERT_EQUAL(std::string("t.pkgdesc:1: no stanza (empty document)"),
                             error_of("\n\n"));
    }

    void testRejectsBadIdentity() {
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:1: field Package may contain only a-z, 0-9, '+', '-' and '.'"),
            error_of(replace(valid_document(), "Package: hello", "Package: a/x")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:3: field Version has a bad epoch"),
            error_of(replace(valid_document(), "Version: 1:2.10-3", "Version: a:1")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("t.pkgdesc:2: field Architecture may contain only a-z, 0-9 and '-'"),
            error_of(replace(valid_document(), "Architecture: amd64", "Architecture: a/b")));
    }

    void testDiffNamesDifferingPaths() {
        Pkgdesc a = sample();
        Pkgdesc b = sample();
        b.entries[1].mode = 0600; // /dev/null
        b.entries.pop_back();     // /z-hard
        b.control[0].sha256 = Sha256::digest("changed");
        const auto d = diff(a, b);
        CPPUNIT_ASSERT_EQUAL(std::size_t(3), d.size());
        CPPUNIT_ASSERT_EQUAL(std::string("control"), d[0].name);
        CPPUNIT_ASSERT_EQUAL(std::string("/dev/null"), d[1].name);
        CPPUNIT_ASSERT_EQUAL(std::string("mode"), d[1].detail);
        CPPUNIT_ASSERT_EQUAL(std::string("/z-hard"), d[2].name);
        CPPUNIT_ASSERT_EQUAL(std::string("only in expected"), d[2].detail);
        CPPUNIT_ASSERT(diff(a, a).empty());
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(PkgdescFormatTest, "unit.pkgdesc_format");
