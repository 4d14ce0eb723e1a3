// OpenPGP verification and signing through GPGME.
#include <libpkgdesc/error.hpp>
#include <libpkgdesc/fs/atomic_file.hpp>
#include <libpkgdesc/trust/openpgp.hpp>
#include <libpkgdesc/util/file_io.hpp>
#include <libpkgdesc/util/host_dirs.hpp>

#include <gpgme.h>

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>

extern char** environ;

namespace pkgdesc {

namespace {

void initialise_gpgme() {
    static std::once_flag once;
    std::call_once(once, [] {
        gpgme_check_version(nullptr);
        gpgme_set_locale(nullptr, LC_CTYPE, std::setlocale(LC_CTYPE, nullptr));
    });
}

std::string gpg_reason(gpgme_error_t err) {
    return gpgme_strerror(err);
}

struct ContextDeleter {
    void operator()(gpgme_ctx_t ctx) const { gpgme_release(ctx); }
};
using Context_ = std::unique_ptr<gpgme_context, ContextDeleter>;

struct DataDeleter {
    void operator()(gpgme_data_t data) const { gpgme_data_release(data); }
};
using Data = std::unique_ptr<gpgme_data, DataDeleter>;

struct KeyDeleter {
    void operator()(gpgme_key_t key) const { gpgme_key_unref(key); }
};
using Key = std::unique_ptr<_gpgme_key, KeyDeleter>;

// A context on GnuPG home `home` (empty: the user's own), never going on the network.
Context_ make_context(const std::string& home, const std::string& what) {
    initialise_gpgme();
    gpgme_ctx_t raw = nullptr;
    if (const gpgme_error_t err = gpgme_new(&raw); err != 0) {
        throw TrustError(what, "cannot start GPGME: " + gpg_reason(err));
    }
    Context_ ctx(raw);
    if (const gpgme_error_t err = gpgme_set_protocol(ctx.get(), GPGME_PROTOCOL_OpenPGP); err != 0) {
        throw TrustError(what, "GnuPG is not available: " + gpg_reason(err));
    }
    if (!home.empty()) {
        if (const gpgme_error_t err =
                gpgme_ctx_set_engine_info(ctx.get(), GPGME_PROTOCOL_OpenPGP, nullptr, home.c_str());
            err != 0) {
            throw TrustError(what, "cannot use a private GnuPG home: " + gpg_reason(err));
        }
    }
    gpgme_set_offline(ctx.get(), 1);
    return ctx;
}

Data data_from(const std::string& bytes, const std::string& what) {
    gpgme_data_t raw = nullptr;
    if (const gpgme_error_t err = gpgme_data_new_from_mem(&raw, bytes.data(), bytes.size(), 0);
        err != 0) {
        throw TrustError(what, "GPGME: " + gpg_reason(err));
    }
    return Data(raw);
}

Data empty_data(const std::string& what) {
    gpgme_data_t raw = nullptr;
    if (const gpgme_error_t err = gpgme_data_new(&raw); err != 0) {
        throw TrustError(what, "GPGME: " + gpg_reason(err));
    }
    return Data(raw);
}

std::string release_text(Data& data) {
    std::size_t size = 0;
    char* buffer = gpgme_data_release_and_get_mem(data.release(), &size);
    std::string text(buffer != nullptr ? buffer : "", size);
    gpgme_free(buffer);
    return text;
}

std::string read_keyring(const std::string& path) {
    try {
        if (std::optional<std::string> data = read_file_if_exists(path)) {
            return std::move(*data);
        }
    } catch (const IoError& e) {
        throw TrustError(path, "cannot read the keyring: " + e.reason());
    }
    throw TrustError(path, "cannot read the keyring: no such file");
}

std::string upper(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return text;
}

// Stops what GnuPG may have started for a home (nothing, for imports and verification, with
// GnuPG 2.2; the agent would be started by secret-key operations).
void kill_daemons(const std::string& home) {
    std::error_code ec;
    if (!std::filesystem::exists(home + "/S.gpg-agent", ec)) {
        return;
    }
    const char* argv[] = {"gpgconf", "--homedir", home.c_str(), "--kill", "all", nullptr};
    pid_t pid = 0;
    if (::posix_spawnp(&pid, "gpgconf", nullptr, nullptr, const_cast<char**>(argv), environ) == 0) {
        int status = 0;
        ::waitpid(pid, &status, 0);
    }
}

// Whether the hash algorithm is strong enough (apt refuses SHA-1 and MD5 as well).
bool strong_hash(gpgme_hash_algo_t algo) {
    return algo == GPGME_MD_SHA256 || algo == GPGME_MD_SHA384 || algo == GPGME_MD_SHA512 ||
           algo == GPGME_MD_SHA224;
}

std::size_t count_of(const std::string& text, std::string_view what) {
    std::size_t count = 0;
    for (std::size_t at = text.find(what); at != std::string::npos;
         at = text.find(what, at + what.size())) {
        ++count;
    }
    return count;
}

} // namespace

struct SignatureVerifier::Context {
    explicit Context(Context_ context) : ctx(std::move(context)) {}
    Context_ ctx;
};

SignatureVerifier::SignatureVerifier(const KeySource& keys) {
    for (const std::string& fpr : keys.fingerprints) {
        m_allowed.push_back(upper(fpr));
    }
    std::string templ = temp_dir() + "/pkgdesc-gnupg-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
        throw IoError::from_errno(templ, "cannot create a temporary GnuPG home", errno);
    }
    m_home = templ;
    try {
        // Nothing here needs gpg-agent or dirmngr: never start them.
        {
            AtomicFile conf(m_home + "/gpg.conf", 0600);
            conf.write("no-autostart\n");
            conf.commit();
        }
        m_context = std::make_unique<Context>(make_context(m_home, "keyring"));
        gpgme_ctx_t ctx = m_context->ctx.get();
        auto import = [&](const std::string& bytes, const std::string& origin) {
            Data data = data_from(bytes, origin);
            if (const gpgme_error_t err = gpgme_op_import(ctx, data.get()); err != 0) {
                throw TrustError(origin, "cannot import keys: " + gpg_reason(err));
            }
            const gpgme_import_result_t result = gpgme_op_import_result(ctx);
            std::size_t found = 0;
            for (gpgme_import_status_t imp = result != nullptr ? result->imports : nullptr;
                 imp != nullptr; imp = imp->next) {
                if (imp->result == 0 && imp->fpr != nullptr &&
                    (imp->status & GPGME_IMPORT_SECRET) == 0) {
                    m_fingerprints.push_back(upper(imp->fpr));
                    ++found;
                }
            }
            if (found == 0) {
                throw TrustError(origin, "holds no usable OpenPGP public key");
            }
        };
        for (const std::string& file : keys.files) {
            import(read_keyring(file), file);
        }
        for (const std::string& block : keys.armored) {
            import(block, "inline key block");
        }
        std::sort(m_fingerprints.begin(), m_fingerprints.end());
        m_fingerprints.erase(std::unique(m_fingerprints.begin(), m_fingerprints.end()),
                             m_fingerprints.end());
        if (m_fingerprints.empty()) {
            throw TrustError("keyring", "no trusted key given");
        }
        // Every subkey of the imported keys, with its primary key and expiry: one listing.
        if (const gpgme_error_t err = gpgme_op_keylist_start(ctx, nullptr, 0); err != 0) {
            throw TrustError("keyring", "cannot list the imported keys: " + gpg_reason(err));
        }
        for (;;) {
            gpgme_key_t raw = nullptr;
            if (gpgme_op_keylist_next(ctx, &raw) != 0 || raw == nullptr) {
                break;
            }
            const Key key(raw);
            if (key->subkeys == nullptr || key->subkeys->fpr == nullptr) {
                continue;
            }
            const std::string primary = upper(key->subkeys->fpr);
            const auto primary_expires = static_cast<std::time_t>(key->subkeys->expires);
            for (gpgme_subkey_t sub = key->subkeys; sub != nullptr; sub = sub->next) {
                if (sub->fpr == nullptr) {
                    continue;
                }
                std::time_t expires = primary_expires;
                const auto sub_expires = static_cast<std::time_t>(sub->expires);
                if (sub_expires != 0 && (expires == 0 || sub_expires < expires)) {
                    expires = sub_expires;
                }
                m_keys[upper(sub->fpr)] = SigningKey{primary, expires};
            }
        }
        gpgme_op_keylist_end(ctx);
    } catch (...) {
        m_context.reset();
        kill_daemons(m_home);
        std::error_code ec;
        std::filesystem::remove_all(m_home, ec);
        throw;
    }
}

SignatureVerifier::~SignatureVerifier() {
    m_context.reset();
    kill_daemons(m_home);
    std::error_code ec;
    std::filesystem::remove_all(m_home, ec);
}

// Decides on the signatures GnuPG reported: at least one good one by an accepted key, and no
// bad one (a bad signature means the data was changed, whoever signed it).
VerifiedText SignatureVerifier::accept(const std::string& origin) const {
    gpgme_ctx_t ctx = m_context->ctx.get();
    const gpgme_verify_result_t result = gpgme_op_verify_result(ctx);
    if (result == nullptr || result->signatures == nullptr) {
        throw TrustError(origin, "no OpenPGP signature");
    }
    VerifiedText verified;
    std::vector<std::string> problems;
    for (gpgme_signature_t sig = result->signatures; sig != nullptr; sig = sig->next) {
        const std::string fpr = sig->fpr != nullptr ? upper(sig->fpr) : "unknown key";
        const gpgme_err_code_t code = gpgme_err_code(sig->status);
        if (code == GPG_ERR_BAD_SIGNATURE) {
            throw TrustError(origin, "bad signature by " + fpr + ": the signed data was changed");
        }
        if (code != GPG_ERR_NO_ERROR) {
            problems.push_back(code == GPG_ERR_NO_PUBKEY
                                   ? "signature by " + fpr + ", a key not in the keyring"
                                   : "signature by " + fpr + ": " + gpg_reason(sig->status));
            continue;
        }
        if ((sig->summary & (GPGME_SIGSUM_KEY_REVOKED | GPGME_SIGSUM_KEY_EXPIRED |
                             GPGME_SIGSUM_SIG_EXPIRED | GPGME_SIGSUM_RED)) != 0) {
            problems.push_back("signature by " + fpr + ": key or signature expired or revoked");
            continue;
        }
        if (!strong_hash(sig->hash_algo)) {
            const char* name = gpgme_hash_algo_name(sig->hash_algo);
            problems.push_back("signature by " + fpr + " uses the weak hash " +
                               (name != nullptr ? name : "?"));
            continue;
        }
        // GnuPG reports the signing (sub)key, by fingerprint or, for old signatures, by key ID.
        const SigningKey* key = nullptr;
        for (const auto& [sub, info] : m_keys) {
            if (sub == fpr || (fpr.size() == 16 && sub.size() > 16 &&
                               sub.compare(sub.size() - 16, 16, fpr) == 0)) {
                key = &info;
                break;
            }
        }
        if (key == nullptr ||
            !std::binary_search(m_fingerprints.begin(), m_fingerprints.end(), key->primary)) {
            problems.push_back("signature by " + fpr + ", a key not in the keyring");
            continue;
        }
        if (!m_allowed.empty() &&
            std::find(m_allowed.begin(), m_allowed.end(), key->primary) == m_allowed.end()) {
            problems.push_back("signature by " + key->primary +
                               ", a key not allowed for this source");
            continue;
        }
        if (verified.signer.empty()) {
            verified.signer = key->primary;
            verified.expires = key->expires;
            const auto sig_expires = static_cast<std::time_t>(sig->exp_timestamp);
            if (sig_expires != 0 && (verified.expires == 0 || sig_expires < verified.expires)) {
                verified.expires = sig_expires;
            }
        }
    }
    if (verified.signer.empty()) {
        std::string reason = "no good signature by a trusted key";
        for (const std::string& problem : problems) {
            reason += "; " + problem;
        }
        throw TrustError(origin, reason);
    }
    return verified;
}

VerifiedText SignatureVerifier::verify_clearsigned(const std::string& document,
                                                   const std::string& origin) const {
    // One clear-signed message and nothing else: GnuPG would skip text around it, and a reader
    // that looked at the file instead of GnuPG's output could be fooled by it.
    static constexpr std::string_view k_begin = "-----BEGIN PGP SIGNED MESSAGE-----\n";
    static constexpr std::string_view k_sig_begin = "\n-----BEGIN PGP SIGNATURE-----\n";
    static constexpr std::string_view k_sig_end = "\n-----END PGP SIGNATURE-----";
    if (document.compare(0, k_begin.size(), k_begin) != 0) {
        throw TrustError(origin, "not a clear-signed OpenPGP message");
    }
    const std::size_t end = document.rfind(k_sig_end);
    if (count_of(document, "-----BEGIN PGP SIGNED MESSAGE-----") != 1 ||
        count_of(document, k_sig_begin) != 1 || count_of(document, k_sig_end) != 1 ||
        document.find_first_not_of(" \t\r\n", end + k_sig_end.size()) != std::string::npos) {
        throw TrustError(origin, "not exactly one clear-signed OpenPGP message");
    }
    const std::lock_guard<std::mutex> lock(m_mutex);
    Data sig = data_from(document, origin);
    Data plain = empty_data(origin);
    if (const gpgme_error_t err =
            gpgme_op_verify(m_context->ctx.get(), sig.get(), nullptr, plain.get());
        err != 0) {
        throw TrustError(origin, "cannot verify the signature: " + gpg_reason(err));
    }
    VerifiedText verified = accept(origin);
    verified.text = release_text(plain);
    return verified;
}

VerifiedText SignatureVerifier::verify_detached(const std::string& data,
                                                const std::string& signature,
                                                const std::string& origin) const {
    const std::lock_guard<std::mutex> lock(m_mutex);
    Data sig = data_from(signature, origin);
    Data text = data_from(data, origin);
    if (const gpgme_error_t err =
            gpgme_op_verify(m_context->ctx.get(), sig.get(), text.get(), nullptr);
        err != 0) {
        throw TrustError(origin, "cannot verify the signature: " + gpg_reason(err));
    }
    VerifiedText verified = accept(origin);
    verified.text = data;
    return verified;
}

namespace {

// Makes `key_id` (if any) the signer of `ctx`.
void add_signer(gpgme_ctx_t ctx, const std::string& key_id, const std::string& what) {
    if (key_id.empty()) {
        return;
    }
    gpgme_key_t raw = nullptr;
    if (const gpgme_error_t err = gpgme_get_key(ctx, key_id.c_str(), &raw, 1);
        err != 0 || raw == nullptr) {
        throw TrustError(what, "no such secret key: " + gpg_reason(err));
    }
    const Key key(raw);
    if (const gpgme_error_t err = gpgme_signers_add(ctx, key.get()); err != 0) {
        throw TrustError(what, "cannot sign with it: " + gpg_reason(err));
    }
}

// A key's primary fingerprint and its public key, armored.
PublicKey export_key(gpgme_ctx_t ctx, gpgme_key_t key, const std::string& what) {
    if (key->subkeys == nullptr || key->subkeys->fpr == nullptr) {
        throw TrustError(what, "a key without fingerprint");
    }
    PublicKey info;
    info.fingerprint = upper(key->subkeys->fpr);
    const char* patterns[] = {key->subkeys->fpr, nullptr};
    Data exported = empty_data(what);
    if (const gpgme_error_t err = gpgme_op_export_ext(ctx, patterns, 0, exported.get()); err != 0) {
        throw TrustError(what, "cannot export the public key: " + gpg_reason(err));
    }
    info.armored = release_text(exported);
    return info;
}

std::string sign(const std::string& text, const std::string& key_id, gpgme_sig_mode_t mode,
                 bool may_prompt = true) {
    const std::string what = key_id.empty() ? "default signing key" : "signing key " + key_id;
    const Context_ ctx = make_context("", what);
    gpgme_set_armor(ctx.get(), 1);
    if (!may_prompt) {
        // A key that needs a passphrase fails at once instead of waiting for pinentry.
        gpgme_set_pinentry_mode(ctx.get(), GPGME_PINENTRY_MODE_ERROR);
    }
    add_signer(ctx.get(), key_id, what);
    Data in = data_from(text, what);
    Data out = empty_data(what);
    if (const gpgme_error_t err = gpgme_op_sign(ctx.get(), in.get(), out.get(), mode); err != 0) {
        throw TrustError(what, "cannot sign: " + gpg_reason(err));
    }
    const gpgme_sign_result_t result = gpgme_op_sign_result(ctx.get());
    if (result == nullptr || result->invalid_signers != nullptr || result->signatures == nullptr) {
        throw TrustError(what, "cannot sign: the key is not usable for signing");
    }
    return release_text(out);
}

} // namespace

PublicKey signing_key(const std::string& key_id) {
    const std::string what = key_id.empty() ? "default signing key" : "signing key " + key_id;
    const Context_ ctx = make_context("", what);
    gpgme_set_armor(ctx.get(), 1);
    add_signer(ctx.get(), key_id, what);
    // The key GnuPG really signs with: make a signature and ask.
    Data in = data_from("pkgdesc signing key probe\n", what);
    Data out = empty_data(what);
    if (const gpgme_error_t err =
            gpgme_op_sign(ctx.get(), in.get(), out.get(), GPGME_SIG_MODE_DETACH);
        err != 0) {
        throw TrustError(what, "cannot sign: " + gpg_reason(err));
    }
    const gpgme_sign_result_t result = gpgme_op_sign_result(ctx.get());
    if (result == nullptr || result->signatures == nullptr || result->signatures->fpr == nullptr) {
        throw TrustError(what, "cannot sign: the key is not usable for signing");
    }
    gpgme_key_t raw = nullptr;
    if (gpgme_get_key(ctx.get(), result->signatures->fpr, &raw, 0) != 0 || raw == nullptr) {
        throw TrustError(what, "cannot find the public key of the signing key");
    }
    const Key key(raw);
    return export_key(ctx.get(), key.get(), what);
}

PublicKey public_key(const std::string& key_id) {
    const std::string what = "key " + key_id;
    const Context_ ctx = make_context("", what);
    gpgme_set_armor(ctx.get(), 1);
    gpgme_key_t raw = nullptr;
    if (const gpgme_error_t err = gpgme_get_key(ctx.get(), key_id.c_str(), &raw, 0);
        err != 0 || raw == nullptr) {
        throw TrustError(what, "no such public key: " + gpg_reason(err));
    }
    const Key key(raw);
    return export_key(ctx.get(), key.get(), what);
}

std::string sign_clear(const std::string& text, const std::string& key_id) {
    return sign(text, key_id, GPGME_SIG_MODE_CLEAR);
}

std::string sign_detached(const std::string& text, const std::string& key_id) {
    return sign(text, key_id, GPGME_SIG_MODE_DETACH);
}

std::string sign_detached_unattended(const std::string& text, const std::string& key_id) {
    return sign(text, key_id, GPGME_SIG_MODE_DETACH, false);
}

} // namespace pkgdesc
