// Test runner: runs the CppUnit suite named on the command line (ctest runs one per entry).
#include "support.hpp"

#include <cppunit/CompilerOutputter.h>
#include <cppunit/TestResult.h>
#include <cppunit/extensions/TestFactoryRegistry.h>
#include <cppunit/ui/text/TestRunner.h>

#include <iostream>

int main(int argc, char** argv) {
    if (argc != 2) {
        std::cerr << "usage: " << argv[0] << " SUITE\n";
        return 2;
    }
    CppUnit::TextUi::TestRunner runner;
    runner.addTest(CppUnit::TestFactoryRegistry::getRegistry(argv[1]).makeTest());
    runner.setOutputter(new CppUnit::CompilerOutputter(&runner.result(), std::cerr));
    const bool ok = runner.run("", false, true, false);
    if (ok && pkgdesc::test::skipped()) {
        return 125;
    }
    return ok ? 0 : 1;
}
