// UTC text and the durations that options take.
#include <libpkgdesc/util/utc_time.hpp>

#include <cppunit/extensions/HelperMacros.h>

using namespace pkgdesc;

class UtcTimeTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(UtcTimeTest);
    CPPUNIT_TEST(testUtcText);
    CPPUNIT_TEST(testDurations);
    CPPUNIT_TEST(testNotDurations);
    CPPUNIT_TEST_SUITE_END();

public:
    void testUtcText() {
        CPPUNIT_ASSERT_EQUAL(std::string("1970-01-01T00:00:00Z"), utc_text(0));
        CPPUNIT_ASSERT_EQUAL(std::string("2026-12-07T14:30:06Z"), utc_text(1796653806));
        CPPUNIT_ASSERT_EQUAL(std::string("1969-12-31T23:59:59Z"), utc_text(-1));
        // A year gmtime(3) cannot write: the number itself.
        CPPUNIT_ASSERT_EQUAL(std::to_string(INT64_MAX), utc_text(INT64_MAX));
    }

    void testDurations() {
        CPPUNIT_ASSERT_EQUAL(std::int64_t{90}, *parse_duration("90"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t{90}, *parse_duration("90s"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t{900}, *parse_duration("15m"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t{36 * 3600}, *parse_duration("36h"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t{7 * 86400}, *parse_duration("7d"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t{2 * 7 * 86400}, *parse_duration("2w"));
        CPPUNIT_ASSERT_EQUAL(std::int64_t{100} * 366 * 86400, *parse_duration("36600d"));
    }

    void testNotDurations() {
        for (const char* text : {"", "s", "0", "0h", "-5", "+5", "5x", "5 m", "1.5h", "h5",
                                 "36601d", "99999999999999999999", "9223372036854775807s"}) {
            CPPUNIT_ASSERT_MESSAGE(text, !parse_duration(text));
        }
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(UtcTimeTest, "unit.utc_time");
