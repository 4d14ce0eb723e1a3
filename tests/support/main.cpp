// Test runner: runs the CppUnit suite named on the command line (ctest runs one per entry).
#include "support.hpp"

#include <cppunit/CompilerOutputter.h>
#include <cppunit/Test.h>
#include <cppunit/TestListener.h>
#include <cppunit/TestResult.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>

#include <chrono>
#include <cstdlib>
#include <iostream>

namespace {

// With PKGDESC_TEST_TIMES set, each test's name and wall time on standard error.
class TimesListener : public CppUnit::TestListener {
public:
    void startTest(CppUnit::Test*) override { m_start = std::chrono::steady_clock::now(); }
    void endTest(CppUnit::Test* test) override {
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - m_start;
        std::cerr << test->getName() << ": " << took.count() << " s\n";
    }

private:
    std::chrono::steady_clock::time_point m_start;
};

} // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " SUITE\n";
        return 2;
    }
    CppUnit::TextUi::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry(argv[1]).makeTest());
    runner.setOutputter(new CppUnit::CompilerOutputter(&runner.result(), std::cerr));
    TimesListener times;
    if (std::getenv("PKGDESC_TEST_TIMES") != nullptr) {
        runner.eventManager().addListener(&times);
    }
    const bool ok = runner.run("", false, true, false);
    if (ok && pkgdesc::test::skipped()) {
        return 125;
    }
    return ok ? 0 : 1;
}
