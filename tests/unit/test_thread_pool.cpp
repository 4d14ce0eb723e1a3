// run_ordered: results in job order whatever the threads do, a bounded look-ahead, and a
// delivery that throws.
#include <libpkgdesc/util/thread_pool.hpp>

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <numeric>
#include <stdexcept>
#include <vector>

using namespace pkgdesc;

class ThreadPoolTest : public CppUnit::TestFixture {
    CPPUNIT_TEST_SUITE(ThreadPoolTest);
    CPPUNIT_TEST(testDeliversInJobOrder);
    CPPUNIT_TEST(testWindowBoundsResultsWaiting);
    CPPUNIT_TEST(testThrowingDeliveryStopsTheThreads);
    CPPUNIT_TEST(testWindowNeedsTheIdentitySchedule);
    CPPUNIT_TEST_SUITE_END();

    static std::vector<std::size_t> identity(std::size_t n) {
        std::vector<std::size_t> schedule(n);
        std::iota(schedule.begin(), schedule.end(), 0);
        return schedule;
    }

public:
    void testDeliversInJobOrder() {
        constexpr std::size_t n = 5000;
        std::vector<std::size_t> schedule = identity(n);
        std::reverse(schedule.begin(), schedule.end()); // the last job first
        for (const std::size_t window : {std::size_t{0}, std::size_t{64}}) {
            std::vector<std::size_t> seen;
            run_ordered<std::size_t>(
                n, 3, window == 0 ? schedule : identity(n), [](std::size_t i) { return i * 7; },
                [&](std::size_t i, std::size_t& r) {
                    CPPUNIT_ASSERT_EQUAL(i * 7, r);
                    seen.push_back(i);
                },
                16, window);
            CPPUNIT_ASSERT(seen == identity(n));
        }
    }

    void testWindowBoundsResultsWaiting() {
        // The delivery is slow; the threads may not run further ahead than the window.
        constexpr std::size_t n = 4000;
        constexpr std::size_t window = 100;
        std::atomic<std::size_t> started{0};
        std::size_t delivered = 0;
        std::size_t worst = 0;
        run_ordered<int>(
            n, 4, identity(n),
            [&](std::size_t) {
                ++started;
                return 0;
            },
            [&](std::size_t, int&) {
                ++delivered;
                worst = std::max(worst, started.load() - delivered);
                for (volatile int spin = 0; spin < 2000; ++spin) {
                }
            },
            8, window);
        CPPUNIT_ASSERT_EQUAL(n, delivered);
        CPPUNIT_ASSERT_EQUAL(n, started.load());
        CPPUNIT_ASSERT(worst <= window);
        CPPUNIT_ASSERT(worst > 0); // the threads did run ahead
    }

    void testThrowingDeliveryStopsTheThreads() {
        // Threads held back by the window are released, not left waiting for room (which
        // would hang the join).
        constexpr std::size_t n = 100000;
        std::atomic<std::size_t> started{0};
        bool thrown = false;
        try {
            run_ordered<int>(
                n, 4, identity(n),
                [&](std::size_t) {
                    ++started;
                    return 0;
                },
                [&](std::size_t i, int&) {
                    if (i == 10) {
                        throw std::runtime_error("stop");
                    }
                },
                4, 32);
        } catch (const std::runtime_error&) {
            thrown = true;
        }
        CPPUNIT_ASSERT(thrown);
        CPPUNIT_ASSERT(started.load() < 1000);
    }

    void testWindowNeedsTheIdentitySchedule() {
        // Results are kept in a ring of `window` slots, which only job order can share.
        std::vector<std::size_t> schedule = identity(10);
        std::swap(schedule[0], schedule[9]);
        CPPUNIT_ASSERT_THROW(
            run_ordered<int>(
                10, 2, schedule, [](std::size_t) { return 0; }, [](std::size_t, int&) {}, 1, 4),
            std::logic_error);
    }
};

CPPUNIT_TEST_SUITE_NAMED_REGISTRATION(ThreadPoolTest, "unit.thread_pool");
