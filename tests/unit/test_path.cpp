// Escaping and normalization of pkgdesc paths.
#include <libpkgdesc/format/path.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

using namespace pkgdesc;

class PathTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(PathTest);
    CPPUNIT_TEST(testEscapesSpaceBackslashAndControlBytes);
    CPPUNIT_TEST(testEveryByteRoundTrips);
    CPPUNIT_TEST(testEscapedTextHasOnlyPrintableNonSpaceBytes);
    CPPUNIT_TEST(testUnescapeRejectsMalformedEscapes);
    CPPUNIT_TEST(testUnescapeIntoStorageAndViewsAgree);
    CPPUNIT_TEST(testNormalizedPaths);
    CPPUNIT_TEST(testMemberNamesAreNormalized);
    CPPUNIT_TEST(testMemberNamesLeavingTheRootAreRefused);
    CPPUNIT_TEST_SUITE_END();

public:
    void testEscapesSpaceBackslashAndControlBytes() {
        CPPUNIT_ASSERT_EQUAL(std::string("/a\\040b"), escape("/a b"));
        CPPUNIT_ASSERT_EQUAL(std::string("\\134"), escape("\\"));
        CPPUNIT_ASSERT_EQUAL(std::string("x\\012y"), escape("x\ny"));
        CPPUNIT_ASSERT_EQUAL(std::string("caf\\303\\251"), escape("caf\xc3\xa9"));
        CPPUNIT_ASSERT_EQUAL(std::string("\\351t\\351"), escape("\xe9t\xe9"));
        CPPUNIT_ASSERT_EQUAL(std::string("a=b~"), escape("a=b~"));
    }

    void testEveryByteRoundTrips() {
        std::string all;
        for (int c = 0; c < 256; ++c) {
            all.push_back(static_cast<char>(c));
        }
        const auto back = unescape(escape(all));
        CPPUNIT_ASSERT(back.has_value());
        CPPUNIT_ASSERT(*back == all);
    }

    void testEscapedTextHasOnlyPrintableNonSpaceBytes() {
        std::string all;
        for (int c = 0; c < 256; ++c) {
            all.push_back(static_cast<char>(c));
        }
        for (const char ch : escape(all)) {
            const auto c = static_cast<unsigned char>(ch);
            CPPUNIT_ASSERT(c >= 0x21 && c <= 0x7e);
        }
    }

    void testUnescapeRejectsMalformedEscapes() {
        CPPUNIT_ASSERT(!unescape("a\\").has_value());
        CPPUNIT_ASSERT(!unescape("a\\04").has_value());
        CPPUNIT_ASSERT(!unescape("a\\08x").has_value());
        CPPUNIT_ASSERT(!unescape("\\400").has_value());
        CPPUNIT_ASSERT(!unescape("a b").has_value());
        CPPUNIT_ASSERT(!unescape("a\tb").has_value());
        CPPUNIT_ASSERT_EQUAL(std::string("a b"), *unescape("a\\040b"));
    }

    void testUnescapeIntoStorageAndViewsAgree() {
        std::string all;
        for (int c = 0; c < 256; ++c) {
            all.push_back(static_cast<char>(c));
        }
        const std::vector<std::string> inputs{escape(all), "/usr/bin/ls", "a\\040b\\134", "",
                                              "a\\",       "a b",         "\\400",        "x\\04",
                                              "\\",        "tail\\012"};
        std::string out = "left over from before";
        std::string scratch = "left over too";
        for (const std::string& in : inputs) {
            const std::optional<std::string> expected = unescape(in);
            CPPUNIT_ASSERT_EQUAL(expected.has_value(), unescape_to(in, out));
            const std::optional<std::string_view> view = unescape_view(in, scratch);
            CPPUNIT_ASSERT_EQUAL(expected.has_value(), view.has_value());
            if (expected) {
                CPPUNIT_ASSERT(out == *expected);
                CPPUNIT_ASSERT(std::string(*view) == *expected);
            }
        }
        // Nothing escaped: a view of the input itself, no copy.
        const std::string plain = "/usr/share/doc/x";
        const auto view = unescape_view(plain, scratch);
        CPPUNIT_ASSERT(view && view->data() == plain.data());
    }

    void testNormalizedPaths() {
        CPPUNIT_ASSERT(is_normalized_path("/"));
        CPPUNIT_ASSERT(is_normalized_path("/usr/bin/ls"));
        CPPUNIT_ASSERT(is_normalized_path("/a..b/.c"));
        CPPUNIT_ASSERT(!is_normalized_path(""));
        CPPUNIT_ASSERT(!is_normalized_path("usr/bin"));
        CPPUNIT_ASSERT(!is_normalized_path("/usr/"));
        CPPUNIT_ASSERT(!is_normalized_path("/usr//bin"));
        CPPUNIT_ASSERT(!is_normalized_path("/usr/./bin"));
        CPPUNIT_ASSERT(!is_normalized_path("/usr/../etc"));
        CPPUNIT_ASSERT(!is_normalized_path("//"));
    }

    void testMemberNamesAreNormalized() {
        std::string reason;
        CPPUNIT_ASSERT_EQUAL(std::string("/"), *normalize_member_name("./", reason));
        CPPUNIT_ASSERT_EQUAL(std::string("/"), *normalize_member_name(".", reason));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin"), *normalize_member_name("./usr/bin/", reason));
        CPPUNIT_ASSERT_EQUAL(std::string("/usr/bin/x"),
                             *normalize_member_name("usr//bin/./x", reason));
    }

    void testMemberNamesLeavingTheRootAreRefused() {
        std::string reason;
        CPPUNIT_ASSERT(!normalize_member_name("../x", reason));
        CPPUNIT_ASSERT_EQUAL(std::string("member name contains a \"..\" component"), reason);
        CPPUNIT_ASSERT(!normalize_member_name("./usr/../../etc", reason));
        CPPUNIT_ASSERT(!normalize_member_name("/etc/passwd", reason));
        CPPUNIT_ASSERT_EQUAL(std::string("absolute member name"), reason);
        CPPUNIT_ASSERT(!normalize_member_name("", reason));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(PathTest, "unit.path");
