// Known-answer vectors for the SHA-256 wrapper.
#include <libpkgdesc/util/sha256.hpp>

#include <cppunit/extensions/HelperMacros.h>

using namespace pkgdesc;

class Sha256Test : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(Sha256Test);
    CPPUNIT_TEST(testKnownAnswers);
    CPPUNIT_TEST(testMillionAInPieces);
    CPPUNIT_TEST(testZerosMatchExplicitZeros);
    CPPUNIT_TEST(testFinishResets);
    CPPUNIT_TEST(testHexRoundTripAndRejects);
    CPPUNIT_TEST_SUITE_END();

public:
    void testKnownAnswers() {
        // FIPS 180-2 examples.
        CPPUNIT_ASSERT_EQUAL(
            std::string("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            to_hex(Sha256::digest("")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            to_hex(Sha256::digest("abc")));
        CPPUNIT_ASSERT_EQUAL(
            std::string("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            to_hex(Sha256::digest("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq")));
    }

    void testMillionAInPieces() {
        Sha256 h;
        const std::string chunk(1000, 'a');
        for (int i = 0; i < 1000; ++i) {
            h.update(chunk);
        }
        CPPUNIT_ASSERT_EQUAL(
            std::string("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
            to_hex(h.finish()));
    }

    void testZerosMatchExplicitZeros() {
        Sha256 h;
        h.update("x");
        h.update_zeros(200000);
        std::string explicit_zeros = "x" + std::string(200000, '\0');
        CPPUNIT_ASSERT(h.finish() == Sha256::digest(explicit_zeros));
    }

    void testFinishResets() {
        Sha256 h;
        h.update("garbage");
        h.finish();
        h.update("abc");
        CPPUNIT_ASSERT(h.finish() == Sha256::digest("abc"));
    }

    void testHexRoundTripAndRejects() {
        const auto d = Sha256::digest("abc");
        CPPUNIT_ASSERT(sha256_from_hex(to_hex(d)) == d);
        std::string upper = to_hex(d);
        for (auto& c : upper)
            c = static_cast<char>(std::toupper(c));
        CPPUNIT_ASSERT(sha256_from_hex(upper) == d);
        CPPUNIT_ASSERT(!sha256_from_hex(to_hex(d).substr(1)));
        CPPUNIT_ASSERT(!sha256_from_hex(to_hex(d) + "0"));
        CPPUNIT_ASSERT(!sha256_from_hex(std::string(63, 'a') + "g"));
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(Sha256Test, "unit.sha256");
