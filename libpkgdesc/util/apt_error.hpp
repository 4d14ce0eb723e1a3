// Keeps libapt-pkg's global error stack in check (internal to libpkgdesc).
#pragma once

#include <libpkgdesc/error.hpp>

#include <apt-pkg/error.h>

#include <string>

namespace pkgdesc {

// Keeps libapt-pkg's global error stack clean: messages raised inside the scope are turned into
// exceptions by fail() or discarded, never printed later by somebody else.
class AptErrorScope {
public:
    AptErrorScope() { _error->PushToStack(); }
    ~AptErrorScope() {
        _error->Discard();
        _error->RevertToStack();
    }
    AptErrorScope(const AptErrorScope&) = delete;
    AptErrorScope& operator=(const AptErrorScope&) = delete;

    [[noreturn]] static void fail(const std::string& display, std::string reason) {
        std::string message;
        if (!_error->empty()) {
            _error->PopMessage(message);
            reason = message;
        }
        throw IoError(display, reason);
    }
};

} // namespace pkgdesc
