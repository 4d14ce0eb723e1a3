// Reading the literal metadata changes of a maintainer script: a POSIX shell reader that knows,
// conservatively, which variables hold one value; GNU chmod's mode arithmetic; libcap's
// capability text.
#include <libpkgdesc/verify/script_metadata.hpp>

#include <sys/capability.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <memory>
#include <span>
#include <type_traits>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace pkgdesc {

namespace {

constexpr std::size_t k_max_changes = 1u << 20;
// Deeper nesting of compound commands and expansions than any maintainer script has; beyond
// it the script is not read (and the reader's recursion stays far from the stack's end).
constexpr int k_max_nesting = 128;
// Words kept for one command; a longer command (a hostile one) is judged unknowable.
constexpr std::size_t k_max_command_words = 4096;
constexpr std::size_t k_max_value = 64 * 1024; // longer variable values are forgotten
constexpr std::size_t k_max_path = 4096;       // PATH_MAX

constexpr std::uint32_t k_mode_bits = 07777;

// ---------------------------------------------------------------------------------------------
// GNU chmod modes, as gnulib's modechange.c compiles and applies them.

struct ModeChange {
    enum class Flag { ordinary, x_if_any_x, copy_existing };
    char op = '=';
    Flag flag = Flag::ordinary;
    std::uint32_t affected = 0; // 0: no who, the umask decides
    std::uint32_t value = 0;
    std::uint32_t mentioned = 0;
};

bool is_octal_digit(char c) {
    return c >= '0' && c < '8';
}

// Reads octal digits at `pos`; nullopt beyond 07777.
std::optional<std::uint32_t> read_octal(std::string_view s, std::size_t& pos) {
    std::uint32_t value = 0;
    for (; pos < s.size() && is_octal_digit(s[pos]); ++pos) {
        value = value * 8 + static_cast<std::uint32_t>(s[pos] - '0');
        if (value > k_mode_bits) {
            return std::nullopt;
        }
    }
    return value;
}

std::optional<std::vector<ModeChange>> compile_mode(std::string_view s) {
    if (!s.empty() && is_octal_digit(s[0])) {
        std::size_t pos = 0;
        const auto octal = read_octal(s, pos);
        if (!octal || pos != s.size()) {
            return std::nullopt;
        }
        // Fewer than five digits leave a directory's setuid and setgid bits alone.
        const std::uint32_t mentioned = pos < 5 ? (*octal & 06000) | 01777 : k_mode_bits;
        return std::vector<ModeChange>{
            {'=', ModeChange::Flag::ordinary, k_mode_bits, *octal, mentioned}};
    }
    std::vector<ModeChange> out;
    std::size_t p = 0;
    for (;;) {
        std::uint32_t affected = 0;
        for (;; ++p) {
            if (p == s.size()) {
                return std::nullopt;
            }
            const char c = s[p];
            if (c == 'u') {
                affected |= 04700;
            } else if (c == 'g') {
                affected |= 02070;
            } else if (c == 'o') {
                affected |= 01007;
            } else if (c == 'a') {
                affected |= k_mode_bits;
            } else if (c == '=' || c == '+' || c == '-') {
                break;
            } else {
                return std::nullopt;
            }
        }
        do {
            ModeChange change;
            change.op = s[p++];
            change.flag = ModeChange::Flag::copy_existing;
            std::uint32_t mentioned = 0;
            const char c = p < s.size() ? s[p] : '\0';
            if (is_octal_digit(c)) {
                // "=755", "-6000": an absolute octal operand after the operator.
                const auto octal = read_octal(s, p);
                if (!octal || affected != 0 || (p < s.size() && s[p] != ',')) {
                    return std::nullopt;
                }
                affected = mentioned = k_mode_bits;
                change.value = *octal;
                change.flag = ModeChange::Flag::ordinary;
            } else if (c == 'u' || c == 'g' || c == 'o') {
                change.value = c == 'u' ? 0700u : c == 'g' ? 070u : 07u;
                ++p;
            } else {
                change.flag = ModeChange::Flag::ordinary;
                for (bool more = true; more && p < s.size(); ++p) {
                    switch (s[p]) {
                    case 'r':
                        change.value |= 0444;
                        break;
                    case 'w':
                        change.value |= 0222;
                        break;
                    case 'x':
                        change.value |= 0111;
                        break;
                    case 'X':
                        change.flag = ModeChange::Flag::x_if_any_x;
                        break;
                    case 's':
                        change.value |= 06000;
                        break;
                    case 't':
                        change.value |= 01000;
                        break;
                    default:
                        more = false;
                        --p;
                        break;
                    }
                }
            }
            change.affected = affected;
            change.mentioned = mentioned != 0  ? mentioned
                               : affected != 0 ? affected & change.value
                                               : change.value;
            out.push_back(change);
        } while (p < s.size() && (s[p] == '=' || s[p] == '+' || s[p] == '-'));
        if (p == s.size()) {
            return out;
        }
        if (s[p] != ',') {
            return std::nullopt;
        }
        ++p;
    }
}

std::optional<std::uint32_t> adjust_mode(const std::vector<ModeChange>& changes, std::uint32_t base,
                                         bool directory) {
    std::uint32_t mode = base & k_mode_bits;
    for (const ModeChange& change : changes) {
        if (change.affected == 0) {
            return std::nullopt;
        }
        const std::uint32_t omit = (directory ? 06000u : 0u) & ~change.mentioned;
        std::uint32_t value = change.value;
        if (change.flag == ModeChange::Flag::copy_existing) {
            value &= mode;
            value |= ((value & 0444) != 0 ? 0444u : 0u) | ((value & 0222) != 0 ? 0222u : 0u) |
                     ((value & 0111) != 0 ? 0111u : 0u);
        } else if (change.flag == ModeChange::Flag::x_if_any_x &&
                   ((mode & 0111) != 0 || directory)) {
            value |= 0111;
        }
        value &= change.affected & ~omit;
        if (change.op == '=') {
            const std::uint32_t preserved = ~change.affected | omit;
            mode = ((mode & preserved) | value) & k_mode_bits;
        } else if (change.op == '+') {
            mode |= value;
        } else {
            mode &= ~value;
        }
    }
    return mode;
}

// A mode operand whose result does not depend on the umask.
bool is_exact_chmod_mode(std::string_view mode) {
    return apply_chmod_mode(mode, 0, EntryType::file).has_value();
}

// dpkg-statoverride's mode: octal, at most 07777.
std::optional<std::uint32_t> statoverride_mode(std::string_view mode) {
    std::size_t pos = 0;
    const auto value = read_octal(mode, pos);
    if (mode.empty() || !value || pos != mode.size()) {
        return std::nullopt;
    }
    return value;
}

bool is_c_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool is_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool is_name_start(int c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

bool is_name_char(int c) {
    return is_name_start(c) || (c >= '0' && c <= '9');
}

bool is_digit(int c) {
    return c >= '0' && c <= '9';
}

bool is_name(std::string_view s) {
    return !s.empty() && is_name_start(s[0]) && std::all_of(s.begin(), s.end(), is_name_char);
}

// libcap gives "all" and a clause without names (=ep) the running kernel's number of
// capabilities, so those are refused here. Built without gperf, it also knows only the names
// that kernel has: an old kernel at worst makes a newer name refused.
bool names_every_capability(std::string_view text) {
    std::size_t i = 0;
    for (;;) {
        while (i < text.size() && is_c_space(text[i])) {
            ++i;
        }
        if (i == text.size()) {
            return false;
        }
        if (!is_alnum(text[i]) && text[i] != '_') {
            return true;
        }
        for (;;) {
            const std::size_t start = i;
            while (i < text.size() && (is_alnum(text[i]) || text[i] == '_')) {
                ++i;
            }
            const std::string_view name = text.substr(start, i - start);
            if (name.size() == 3 && std::tolower(name[0]) == 'a' && std::tolower(name[1]) == 'l' &&
                std::tolower(name[2]) == 'l') {
                return true;
            }
            if (i == text.size() || text[i] != ',') {
                break;
            }
            ++i;
        }
        while (i < text.size() && !is_c_space(text[i])) {
            ++i;
        }
    }
}

// Absolute and lexically normalized; nullopt for a relative path or one with "..".
std::optional<std::string> normalize_script_path(std::string_view text) {
    if (text.empty() || text[0] != '/' || text.size() > k_max_path ||
        text.find('\0') != std::string_view::npos) {
        return std::nullopt;
    }
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && text[i] == '/') {
            ++i;
        }
        std::size_t j = text.find('/', i);
        if (j == std::string_view::npos) {
            j = text.size();
        }
        const std::string_view component = text.substr(i, j - i);
        i = j;
        if (component.empty() || component == ".") {
            continue;
        }
        if (component == "..") {
            return std::nullopt;
        }
        out += '/';
        out += component;
    }
    return out.empty() ? "/" : out;
}

// Whether the script's interpreter is a POSIX shell: its #! line names sh, dash or bash
// (directly or through env); without one, execvp(3), which dpkg uses, runs /bin/sh.
bool runs_in_shell(std::string_view text) {
    if (!text.starts_with("#!")) {
        return true;
    }
    std::string_view line = text.substr(2, text.find('\n') - 2);
    const auto next_token = [&line]() {
        const std::size_t start = line.find_first_not_of(" \t");
        if (start == std::string_view::npos) {
            line = {};
            return std::string_view{};
        }
        line.remove_prefix(start);
        const std::size_t end = std::min(line.find_first_of(" \t"), line.size());
        const std::string_view token = line.substr(0, end);
        line.remove_prefix(end);
        return token;
    };
    const auto base = [](std::string_view path) { return path.substr(path.rfind('/') + 1); };
    std::string_view interpreter = base(next_token());
    if (interpreter == "env") {
        interpreter = next_token();
    }
    return interpreter == "sh" || interpreter == "dash" || interpreter == "bash";
}

// ---------------------------------------------------------------------------------------------
// Shell words and commands.

// The script is not read at all: a syntax error, a construct shells read differently, nesting
// too deep, or an alias (which changes how the rest is parsed).
struct Unreadable {};
// The result is full.
struct Full {};

struct Part {
    enum class Kind : std::uint8_t { literal, parameter, unknown };
    Kind kind = Kind::literal;
    bool quoted = false;
    bool fields = false; // "$@", "${...}": any number of fields even when quoted
    std::string text;    // the bytes, or the parameter's name
};

struct Word {
    std::vector<Part> parts;
    std::size_t begin = 0; // in the script, for here-document delimiters
    std::size_t end = 0;
    std::size_t line = 0;
    // Expansions with side effects: $((...)) may assign any variable, ${X=...} assigns X.
    bool arithmetic = false;
    std::vector<std::string> assigned;
};

enum class Tok : std::uint8_t { word, io_number, op, newline, end };

struct Token {
    Tok type = Tok::end;
    std::string_view op;
    Word word;
    std::size_t line = 0;
    std::size_t begin = 0;
    std::size_t end = 0;
};

struct Command {
    std::vector<Word> assignments; // NAME=value before the command name
    std::vector<Word> words;
    std::size_t line = 0;
    bool redirected = false;
    bool truncated = false; // more than k_max_command_words words
    bool ambiguous = false; // bash-only assignment forms (X+=, X[1]=) that sh runs as commands
    bool arithmetic = false;
    std::vector<std::string> assigned;

    void absorb(const Word& word) {
        arithmetic = arithmetic || word.arithmetic;
        assigned.insert(assigned.end(), word.assigned.begin(), word.assigned.end());
    }
};

// The text of a word written without quotes or expansions.
std::optional<std::string_view> plain(const Word& word) {
    if (word.parts.size() == 1 && word.parts[0].kind == Part::Kind::literal &&
        !word.parts[0].quoted) {
        return word.parts[0].text;
    }
    return std::nullopt;
}

// The text of a word without expansions, quoted or not.
std::optional<std::string> literal_text(const Word& word) {
    std::string text;
    for (const Part& part : word.parts) {
        if (part.kind != Part::Kind::literal) {
            return std::nullopt;
        }
        text += part.text;
    }
    return text;
}

enum class AssignmentForm { none, plain, ambiguous };

// NAME=value (and bash's NAME+=value, NAME[i]=value) at the start of a word.
AssignmentForm assignment_form(const Word& word, std::string& name) {
    if (word.parts.empty() || word.parts[0].kind != Part::Kind::literal || word.parts[0].quoted) {
        return AssignmentForm::none;
    }
    const std::string& text = word.parts[0].text;
    std::size_t i = 0;
    while (i < text.size() && (i == 0 ? is_name_start(text[i]) : is_name_char(text[i]))) {
        ++i;
    }
    if (i == 0 || i == text.size()) {
        return AssignmentForm::none;
    }
    name = text.substr(0, i);
    if (text[i] == '=') {
        return AssignmentForm::plain;
    }
    if ((text[i] == '+' && i + 1 < text.size() && text[i + 1] == '=') ||
        (text[i] == '[' && text.find("]=", i) != std::string::npos)) {
        return AssignmentForm::ambiguous;
    }
    return AssignmentForm::none;
}

// A here-document delimiter: the word with quotes removed, nothing expanded.
std::string unquote_delimiter(std::string_view raw) {
    std::string out;
    for (std::size_t i = 0; i < raw.size();) {
        const char c = raw[i];
        if (c == '\\' && i + 1 < raw.size()) {
            if (raw[i + 1] != '\n') {
                out += raw[i + 1];
            }
            i += 2;
        } else if (c == '\'') {
            const std::size_t close = std::min(raw.find('\'', i + 1), raw.size());
            out.append(raw.substr(i + 1, close - i - 1));
            i = close + 1;
        } else if (c == '"') {
            for (++i; i < raw.size() && raw[i] != '"'; ++i) {
                if (raw[i] == '\\' && i + 1 < raw.size() &&
                    std::string_view("$`\"\\\n").find(raw[i + 1]) != std::string_view::npos) {
                    ++i;
                    if (raw[i] == '\n') {
                        continue;
                    }
                }
                out += raw[i];
            }
            ++i;
        } else {
            out += c;
            ++i;
        }
    }
    return out;
}

// Whether an unquoted here-document line expands something that assigns.
bool line_assigns(std::string_view line) {
    if (line.find("$((") != std::string_view::npos || line.find("$[") != std::string_view::npos) {
        return true;
    }
    for (std::size_t at = line.find("${"); at != std::string_view::npos;
         at = line.find("${", at + 2)) {
        std::size_t i = at + 2;
        while (i < line.size() && is_name_char(line[i])) {
            ++i;
        }
        if (i < line.size() && line[i] == ':') {
            ++i;
        }
        if (i < line.size() && line[i] == '=') {
            return true;
        }
    }
    return false;
}

// One evaluated word.
struct Field {
    std::string text;
    bool known = true;  // text is exactly what the shell produces
    bool single = true; // exactly one field, whatever its text
    bool glob = false;  // pathname (or bash brace) expansion may turn it into other fields
};

// ---------------------------------------------------------------------------------------------
// What the reader knows while it walks the script.

// When and where a value was given: it holds while its region is still entered, no forgetting
// happened since, and no loop was entered since (a later iteration may have changed it).
struct Stamp {
    std::uint64_t epoch = 0;
    std::uint64_t time = 0;
    std::size_t depth = 0;
    std::uint64_t region = 0;
};

struct FunctionDef {
    std::size_t offset = 0; // of the body's first token
    std::size_t line = 0;
    std::size_t length = 0;
    Stamp stamp;
};

// The positional parameters of a function being read at its call.
struct Frame {
    std::vector<std::optional<std::string>> args;
    std::size_t line = 0; // of the call
    Stamp stamp;
    bool valid = true; // false after set or shift
};

// A region of the script that may run or not, or run again: what it assigns is unknown
// after it. A function's call is one too, which an exit or a break passes through.
enum class RegionKind { branch, loop, subshell, call };

class Shell {
public:
    Shell(std::string_view text, const std::string& script)
        : m_script(script), m_expansion_budget(16 * text.size() + (1u << 20)),
          m_function_budget(4 * text.size() + (64u << 10)) {
        m_regions.push_back({0, RegionKind::branch});
        // Shells set IFS themselves at startup.
        m_vars["IFS"] = {" \t\n", stamp()};
    }

    // Facts of the whole script, gathered by the first reading.
    std::unordered_map<std::string, std::size_t> function_counts;
    bool defines_alias = false;
    // The script sources a file, evals text, or runs a command named by an expansion: any
    // command may be a function defined there.
    bool may_define_functions = false;

    void note_here_document_effects(std::size_t first, std::size_t last) {
        if (!m_effect_lines.empty() && first <= m_effect_lines.back().second) {
            m_effect_lines.back().second = std::max(m_effect_lines.back().second, last);
        } else {
            m_effect_lines.emplace_back(first, last);
        }
    }
    bool here_document_effects_on(std::size_t line) const {
        const auto after =
            std::upper_bound(m_effect_lines.begin(), m_effect_lines.end(), line,
                             [](std::size_t l, const std::pair<std::size_t, std::size_t>& r) {
                                 return l < r.first;
                             });
        return after != m_effect_lines.begin() && std::prev(after)->second >= line;
    }

    void push_region(RegionKind kind) {
        m_regions.push_back({++m_next_region, kind});
        if (kind == RegionKind::loop) {
            m_loops.push_back(++m_time);
        }
    }
    void pop_region() {
        if (m_unreachable && *m_unreachable == m_regions.size() - 1) {
            m_unreachable.reset();
        }
        if (m_regions.back().kind == RegionKind::loop) {
            m_loops.pop_back();
        }
        m_regions.pop_back();
    }

    // exit, return, break and continue: the rest of the innermost region does not run (nor
    // of the script, at its top). Every region may be skipped or left early, so the code after
    // it runs on another path; a call is passed through except by return. Exactly so: code
    // wrongly taken for unreachable would leave the values it assigns unseen.
    void stop(bool leaves_function) {
        std::size_t depth = m_regions.size() - 1;
        while (!leaves_function && m_regions[depth].kind == RegionKind::call) {
            --depth;
        }
        m_unreachable = depth;
    }
    // A subshell learnt of only after its commands were read (a compound command before
    // '|' or '&'): an exit inside it stopped only the subshell.
    void resume() { m_unreachable.reset(); }
    bool reachable() const { return !m_unreachable; }
    // Where a break or continue applies: nothing outside loops (shells ignore it), or a loop
    // around a call, which shells disagree about.
    enum class LoopPlace { none, here, beyond_call };
    LoopPlace loop_place() const {
        for (std::size_t depth = m_regions.size(); depth-- > 0;) {
            if (m_regions[depth].kind == RegionKind::loop) {
                return LoopPlace::here;
            }
            if (m_regions[depth].kind == RegionKind::call) {
                return loop_place_below(depth) ? LoopPlace::beyond_call : LoopPlace::none;
            }
        }
        return LoopPlace::none;
    }

    void forget_variables() { ++m_epoch; }
    void forget_functions() { ++m_function_epoch; }

    std::optional<std::string_view> variable(std::string_view name) {
        if (is_digit(name[0])) {
            return positional(name);
        }
        const auto it = m_vars.find(std::string(name));
        if (it == m_vars.end() || !holds(it->second.stamp, m_epoch, true) ||
            !charge(it->second.value.size())) {
            return std::nullopt;
        }
        return it->second.value;
    }
    std::optional<std::string_view> ifs() { return variable("IFS"); }

    void assign(const std::string& name, std::optional<std::string> value) {
        if (!value || value->size() > k_max_value || m_readonly.contains(name)) {
            m_vars.erase(name);
            return;
        }
        m_vars[name] = {std::move(*value), stamp()};
    }
    void forget(const std::string& name) { m_vars.erase(name); }
    void make_readonly(const std::string& name) {
        m_readonly.insert(name);
        m_vars.erase(name);
    }

    void define_function(const std::string& name, std::size_t offset, std::size_t line,
                         std::size_t length) {
        Stamp s = stamp();
        s.epoch = m_function_epoch;
        m_functions[name] = {offset, line, length, s};
    }
    // The one definition a call runs, when it is known and the budget allows reading it again.
    std::optional<FunctionDef> function_to_read(const std::string& name) {
        const auto count = function_counts.find(name);
        const auto it = m_functions.find(name);
        if (frame != nullptr || count == function_counts.end() || count->second != 1 ||
            it == m_functions.end() || !holds(it->second.stamp, m_function_epoch, false) ||
            it->second.length > m_function_budget) {
            return std::nullopt;
        }
        m_function_budget -= it->second.length;
        return it->second;
    }

    Stamp stamp() { return {m_epoch, ++m_time, m_regions.size() - 1, m_regions.back().id}; }

    void emit(ScriptChange::Kind kind, ScriptChange::Tool tool, std::string path, std::string value,
              std::size_t line) {
        if (changes.size() == k_max_changes) {
            throw Full{};
        }
        changes.push_back({kind, tool, std::move(path), std::move(value), m_script,
                           frame != nullptr ? frame->line : line});
    }

    Frame* frame = nullptr;
    std::vector<ScriptChange> changes;

private:
    struct Region {
        std::uint64_t id;
        RegionKind kind;
    };
    struct Binding {
        std::string value;
        Stamp stamp;
    };

    bool holds(const Stamp& s, std::uint64_t epoch, bool loops) const {
        return s.epoch == epoch && s.depth < m_regions.size() &&
               m_regions[s.depth].id == s.region &&
               (!loops || m_loops.empty() || m_loops.back() < s.time);
    }

    std::optional<std::string_view> positional(std::string_view digits) {
        if (frame == nullptr || !frame->valid || !holds(frame->stamp, m_epoch, true) ||
            digits.size() > 6) {
            return std::nullopt;
        }
        const std::size_t index = std::stoul(std::string(digits));
        if (index == 0 || index > frame->args.size() || !frame->args[index - 1] ||
            !charge(frame->args[index - 1]->size())) {
            return std::nullopt;
        }
        return *frame->args[index - 1];
    }

    // Expanded bytes are paid from a budget proportional to the script, so that X=$X$X
    // repeated cannot make the reading slower than linear.
    bool charge(std::size_t bytes) {
        if (bytes > m_expansion_budget) {
            m_expansion_budget = 0;
            return false;
        }
        m_expansion_budget -= bytes;
        return true;
    }

    const std::string& m_script;
    std::size_t m_expansion_budget;
    std::size_t m_function_budget;
    std::uint64_t m_epoch = 0;
    std::uint64_t m_function_epoch = 0;
    std::uint64_t m_time = 0;
    std::uint64_t m_next_region = 0;
    std::vector<Region> m_regions;
    std::vector<std::uint64_t> m_loops; // entry times of the loops entered
    std::unordered_map<std::string, Binding> m_vars;
    std::unordered_set<std::string> m_readonly;
    std::unordered_map<std::string, FunctionDef> m_functions;
    std::vector<std::pair<std::size_t, std::size_t>> m_effect_lines;
    std::optional<std::size_t> m_unreachable;

    bool loop_place_below(std::size_t depth) const {
        return std::any_of(m_regions.begin(),
                           m_regions.begin() + static_cast<std::ptrdiff_t>(depth),
                           [](const Region& r) { return r.kind == RegionKind::loop; });
    }
};

// ---------------------------------------------------------------------------------------------
// The tools.

using Args = std::span<const Field>;

// GNU getopt's reading of arguments (options may follow operands): the operands, or nullopt
// for an option that does more than change what is printed, or an unknown field.
std::optional<std::vector<const Field*>> gnu_operands(Args args, std::string_view shorts,
                                                      std::span<const std::string_view> longs) {
    std::vector<const Field*> operands;
    bool options = true;
    for (const Field& arg : args) {
        if (!arg.known) {
            return std::nullopt;
        }
        if (options && !arg.glob && arg.text == "--") {
            options = false;
        } else if (options && arg.text.size() > 1 && arg.text[0] == '-') {
            if (arg.glob) {
                return std::nullopt;
            }
            if (arg.text[1] == '-') {
                if (std::find(longs.begin(), longs.end(), arg.text.substr(2)) == longs.end()) {
                    return std::nullopt;
                }
            } else if (arg.text.find_first_not_of(shorts, 1) != std::string::npos) {
                return std::nullopt;
            }
        } else {
            operands.push_back(&arg);
        }
    }
    return operands;
}

// The paths of `operands`, or nullopt when a relative glob may expand to options. Absolute
// globs are skipped; relative paths name nothing known.
std::optional<std::vector<std::string>> paths_of(std::span<const Field* const> operands) {
    std::vector<std::string> paths;
    for (const Field* operand : operands) {
        if (operand->glob) {
            if (!operand->text.starts_with('/')) {
                return std::nullopt;
            }
        } else if (auto path = normalize_script_path(operand->text)) {
            paths.push_back(std::move(*path));
        }
    }
    return paths;
}

constexpr std::array<std::string_view, 4> k_chmod_longs = {"changes", "silent", "quiet", "verbose"};
// -h/--no-dereference would change a symlink itself, -R and --from= more than the operands.
constexpr std::array<std::string_view, 5> k_chown_longs = {"changes", "silent", "quiet", "verbose",
                                                           "dereference"};

void run_chmod(Shell& shell, Args args, std::size_t line) {
    const auto operands = gnu_operands(args, "cfv", k_chmod_longs);
    if (!operands || operands->size() < 2) {
        return;
    }
    const Field& mode = *operands->front();
    const auto paths = paths_of(std::span(*operands).subspan(1));
    if (mode.glob || !is_exact_chmod_mode(mode.text) || !paths) {
        return;
    }
    for (const std::string& path : *paths) {
        shell.emit(ScriptChange::Kind::mode, ScriptChange::Tool::chmod, path, mode.text, line);
    }
}

// chown USER, USER:GROUP, :GROUP; chgrp GROUP.
void run_chown(Shell& shell, Args args, std::size_t line, ScriptChange::Tool tool) {
    const auto operands = gnu_operands(args, "cfv", k_chown_longs);
    if (!operands || operands->size() < 2) {
        return;
    }
    const Field& spec = *operands->front();
    const auto paths = paths_of(std::span(*operands).subspan(1));
    if (spec.glob || !paths) {
        return;
    }
    std::string owner;
    std::string group;
    if (tool == ScriptChange::Tool::chgrp) {
        group = spec.text;
    } else if (const std::size_t colon = spec.text.find(':'); colon != std::string::npos) {
        // "USER:" gives the group of USER's login, which the script does not write.
        owner = spec.text.substr(0, colon);
        group = spec.text.substr(colon + 1);
        if (owner.empty() && group.empty()) {
            return;
        }
    } else if (spec.text.find('.') != std::string::npos) {
        // USER.GROUP or a user name with a dot, whichever the system's accounts make it.
        return;
    } else {
        owner = spec.text;
    }
    for (const std::string& path : *paths) {
        if (!owner.empty()) {
            shell.emit(ScriptChange::Kind::owner, tool, path, owner, line);
        }
        if (!group.empty()) {
            shell.emit(ScriptChange::Kind::group, tool, path, group, line);
        }
    }
}

// setcap [-q] CAPS FILE [CAPS FILE ...], read as libcap's setcap reads it.
void run_setcap(Shell& shell, Args args, std::size_t line) {
    std::vector<std::pair<std::string, std::string>> pairs;
    for (std::size_t i = 0; i < args.size();) {
        const Field& caps = args[i];
        if (!caps.known || caps.glob) {
            return;
        }
        if (caps.text == "-q") {
            ++i;
            continue;
        }
        // -v only compares, -r removes, -n writes namespaced capabilities, - reads stdin.
        if (caps.text.starts_with('-') || i + 1 == args.size()) {
            return;
        }
        const Field& file = args[i + 1];
        if (!file.known || file.glob || !parse_capability_text(caps.text)) {
            return;
        }
        if (auto path = normalize_script_path(file.text)) {
            pairs.emplace_back(std::move(*path), caps.text);
        }
        i += 2;
    }
    for (auto& [path, caps] : pairs) {
        shell.emit(ScriptChange::Kind::capabilities, ScriptChange::Tool::setcap, std::move(path),
                   std::move(caps), line);
    }
}

bool is_statoverride_id(std::string_view id) {
    if (id.starts_with('#')) {
        return id.size() > 1 && std::all_of(id.begin() + 1, id.end(), is_digit);
    }
    return !id.empty();
}

// dpkg-statoverride [options] --update --add USER GROUP MODE PATH; dpkg's option parser stops
// at the first operand.
void run_statoverride(Shell& shell, Args args, std::size_t line) {
    bool update = false;
    bool add = false;
    std::size_t i = 0;
    for (; i < args.size(); ++i) {
        const std::string& a = args[i].text;
        if (!args[i].known || args[i].glob) {
            return;
        }
        if (a.size() < 2 || a[0] != '-') {
            break;
        }
        if (a == "--") {
            ++i;
            break;
        }
        if (a == "--update") {
            update = true;
        } else if (a == "--add" && !add) {
            add = true;
        } else if (a != "--quiet" && a != "--force" && !a.starts_with("--force-") &&
                   !a.starts_with("--no-force-") && !a.starts_with("--refuse-")) {
            // --admindir, --root and --instdir put the override elsewhere.
            return;
        }
    }
    if (!update || !add || args.size() - i != 4) {
        return;
    }
    const Args operands = args.subspan(i);
    for (const Field& operand : operands) {
        if (!operand.known || operand.glob) {
            return;
        }
    }
    const std::string& user = operands[0].text;
    const std::string& group = operands[1].text;
    const std::string& mode = operands[2].text;
    const auto path = normalize_script_path(operands[3].text);
    if (!is_statoverride_id(user) || !is_statoverride_id(group) || !statoverride_mode(mode) ||
        !path) {
        return;
    }
    using K = ScriptChange::Kind;
    constexpr auto tool = ScriptChange::Tool::dpkg_statoverride;
    shell.emit(K::owner, tool, *path, user, line);
    shell.emit(K::group, tool, *path, group, line);
    shell.emit(K::mode, tool, *path, mode, line);
}

// The tool a command name runs: its name, or its path in the directories Debian installs it to.
std::optional<ScriptChange::Tool> tool_of(std::string_view name) {
    for (const std::string_view dir : {"/usr/bin/", "/usr/sbin/", "/bin/", "/sbin/"}) {
        if (name.starts_with(dir)) {
            name.remove_prefix(dir.size());
            break;
        }
    }
    using T = ScriptChange::Tool;
    for (const T tool : {T::chmod, T::chown, T::chgrp, T::setcap, T::dpkg_statoverride}) {
        if (name == tool_name(tool)) {
            return tool;
        }
    }
    return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// The reader: lexer and recursive-descent parser in one, since shell tokens depend on the
// grammar (here-documents, $(...), reserved words). It reads the script twice: first to
// learn its functions and aliases, then to evaluate.

enum class Pass { collect, evaluate };

class Reader {
public:
    Reader(std::string_view text, Shell& shell, Pass pass, std::size_t offset = 0,
           std::size_t line = 1, int depth = 0)
        : m_text(text), m_shell(shell), m_pass(pass), m_pos(offset), m_line(line), m_depth(depth) {}

    void read_script() {
        parse_list();
        if (peek().type != Tok::end) {
            throw Unreadable{};
        }
    }

    // A function's body at a call: one compound command and its redirections.
    void read_function_body() { parse_function_body(); }

private:
    struct HereDocument {
        std::string delimiter;
        bool quoted = false;
        bool strip_tabs = false;
        std::size_t line = 0;
    };

    // Bounds the recursion of the parser and of nested expansions.
    struct Nested {
        explicit Nested(Reader& r) : reader(r) {
            if (++reader.m_depth > k_max_nesting) {
                throw Unreadable{};
            }
        }
        ~Nested() { --reader.m_depth; }
        Nested(const Nested&) = delete;
        Nested& operator=(const Nested&) = delete;
        Reader& reader;
    };

    // A region of the script that may run or not (a branch, a loop, a subshell): what is
    // assigned inside is unknown after it.
    struct Region {
        Region(Reader& r, RegionKind kind) : reader(r), active(r.evaluating()) {
            if (active) {
                reader.m_shell.push_region(kind);
            }
        }
        ~Region() {
            if (active) {
                reader.m_shell.pop_region();
            }
        }
        Region(const Region&) = delete;
        Region& operator=(const Region&) = delete;
        Reader& reader;
        bool active;
    };

    bool evaluating() const {
        return m_pass == Pass::evaluate && m_skip == 0 && m_shell.reachable();
    }

    // ---- characters

    bool at_end() const { return m_pos >= m_text.size(); }

    // The next character with line continuations removed, or -1 at the end.
    int look() {
        while (m_pos + 1 < m_text.size() && m_text[m_pos] == '\\' && m_text[m_pos + 1] == '\n') {
            m_pos += 2;
            ++m_line;
        }
        return at_end() ? -1 : static_cast<unsigned char>(m_text[m_pos]);
    }

    // The character after look()'s.
    int look_second() const {
        std::size_t p = m_pos + 1;
        while (p + 1 < m_text.size() && m_text[p] == '\\' && m_text[p + 1] == '\n') {
            p += 2;
        }
        return p < m_text.size() ? static_cast<unsigned char>(m_text[p]) : -1;
    }

    char take() {
        const char c = m_text[m_pos++];
        if (c == '\n') {
            ++m_line;
        }
        return c;
    }

    static void append(std::vector<Part>& parts, std::string_view text, bool quoted) {
        if (!parts.empty() && parts.back().kind == Part::Kind::literal &&
            parts.back().quoted == quoted) {
            parts.back().text += text;
        } else {
            parts.push_back({Part::Kind::literal, quoted, false, std::string(text)});
        }
    }
    static void append(std::vector<Part>& parts, char c, bool quoted) {
        append(parts, std::string_view(&c, 1), quoted);
    }
    static void append_unknown(std::vector<Part>& parts, bool quoted, bool fields = false) {
        parts.push_back({Part::Kind::unknown, quoted, fields, {}});
    }

    // ---- tokens

    Token lex() {
        for (;;) {
            const int c = look();
            if (c == ' ' || c == '\t') {
                take();
            } else if (c == '#') {
                while (!at_end() && m_text[m_pos] != '\n') {
                    ++m_pos;
                }
            } else {
                break;
            }
        }
        Token t;
        t.line = m_line;
        t.begin = m_pos;
        const int c = look();
        if (c < 0) {
            t.type = Tok::end;
        } else if (c == '\n') {
            take();
            t.type = Tok::newline;
            read_here_documents(t.line);
        } else if (const auto op = lex_operator()) {
            t.type = Tok::op;
            t.op = *op;
        } else {
            t.word = lex_word();
            const auto text = plain(t.word);
            const int next = look();
            t.type = text && std::all_of(text->begin(), text->end(), is_digit) &&
                             (next == '<' || next == '>')
                         ? Tok::io_number
                         : Tok::word;
        }
        t.end = m_pos;
        return t;
    }

    std::optional<std::string_view> lex_operator() {
        // Longest first. bash's &> and |& are left as & > and | &: sh's reading, and the
        // more conservative one.
        static constexpr std::array<std::string_view, 20> ops = {
            ";;&", "<<<", "<<-", "&&", "||", ";;", ";&", "<<", "<&", "<>",
            ">>",  ">&",  ">|",  "&",  "|",  ";",  "(",  ")",  "<",  ">"};
        for (const std::string_view op : ops) {
            const std::size_t pos = m_pos;
            const std::size_t line = m_line;
            std::size_t i = 0;
            while (i < op.size() && look() == static_cast<unsigned char>(op[i])) {
                take();
                ++i;
            }
            if (i == op.size()) {
                return op;
            }
            m_pos = pos;
            m_line = line;
        }
        return std::nullopt;
    }

    static bool is_meta(int c) {
        return c == ' ' || c == '\t' || c == '\n' || c == ';' || c == '&' || c == '|' || c == '(' ||
               c == ')' || c == '<' || c == '>';
    }

    Word lex_word() {
        Word w;
        w.line = m_line;
        w.begin = m_pos;
        Word* outer = std::exchange(m_word, &w);
        for (;;) {
            const int c = look();
            if (c < 0 || is_meta(c)) {
                break;
            }
            if (c == '\\') {
                take();
                if (at_end()) {
                    append(w.parts, '\\', false);
                } else {
                    append(w.parts, take(), true);
                }
            } else if (c == '\'') {
                single_quoted(w.parts);
            } else if (c == '"') {
                double_quoted(w.parts);
            } else if (c == '$') {
                dollar(w.parts, false);
            } else if (c == '`') {
                backquoted(w.parts, false);
            } else {
                append(w.parts, take(), false);
            }
        }
        w.end = m_pos;
        m_word = outer;
        return w;
    }

    void single_quoted(std::vector<Part>& parts) {
        take();
        const std::size_t close = m_text.find('\'', m_pos);
        if (close == std::string_view::npos) {
            throw Unreadable{};
        }
        const std::string_view body = m_text.substr(m_pos, close - m_pos);
        m_line += static_cast<std::size_t>(std::count(body.begin(), body.end(), '\n'));
        append(parts, body, true);
        m_pos = close + 1;
    }

    void double_quoted(std::vector<Part>& parts) {
        take();
        append(parts, std::string_view{}, true);
        for (;;) {
            const int c = look();
            if (c < 0) {
                throw Unreadable{};
            }
            if (c == '"') {
                take();
                return;
            }
            if (c == '\\') {
                take();
                if (at_end()) {
                    throw Unreadable{};
                }
                const char n = m_text[m_pos];
                if (n == '$' || n == '`' || n == '"' || n == '\\') {
                    append(parts, take(), true);
                } else {
                    append(parts, '\\', true);
                }
            } else if (c == '$') {
                dollar(parts, true);
            } else if (c == '`') {
                backquoted(parts, true);
            } else {
                append(parts, take(), true);
            }
        }
    }

    void dollar(std::vector<Part>& parts, bool quoted) {
        const Nested nested(*this);
        take();
        const int c = look();
        if (c == '{') {
            braced(parts, quoted);
        } else if (c == '(' && look_second() == '(') {
            arithmetic();
            append_unknown(parts, quoted);
        } else if (c == '(') {
            command_substitution();
            append_unknown(parts, quoted);
        } else if (is_name_start(c)) {
            std::string name;
            while (is_name_char(look())) {
                name += take();
            }
            parts.push_back({Part::Kind::parameter, quoted, false, std::move(name)});
        } else if (is_digit(c)) {
            parts.push_back({Part::Kind::parameter, quoted, false, std::string(1, take())});
        } else if (c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' ||
                   c == '!') {
            take();
            append_unknown(parts, quoted, c == '@');
        } else if (c == '\'' && !quoted) {
            ansi_c_quoted();
            append_unknown(parts, true);
        } else if (c == '"' && !quoted) {
            // bash's $"..." is translated; sh's is a '$' before a string.
            std::vector<Part> scratch;
            double_quoted(scratch);
            append_unknown(parts, true);
        } else {
            append(parts, '$', quoted);
        }
    }

    // ${NAME}, or any ${...} with an operator, whose value is not known.
    void braced(std::vector<Part>& parts, bool quoted) {
        take();
        bool simple = true;
        if (look() == '#') {
            take();
            simple = false;
        }
        std::string name;
        const int c = look();
        if (is_name_start(c)) {
            while (is_name_char(look())) {
                name += take();
            }
        } else if (is_digit(c)) {
            while (is_digit(look())) {
                name += take();
            }
        } else if (c == '@' || c == '*' || c == '#' || c == '?' || c == '-' || c == '$' ||
                   c == '!') {
            take();
            simple = false;
        } else {
            simple = false;
        }
        if (look() == '}' && simple && !name.empty()) {
            take();
            parts.push_back({Part::Kind::parameter, quoted, false, std::move(name)});
            return;
        }
        if (!name.empty()) {
            if (look() == ':') {
                take();
            }
            if (look() == '=') {
                m_word->assigned.push_back(name);
            }
        }
        skip_braced_rest(quoted);
        append_unknown(parts, quoted, true);
    }

    void skip_braced_rest(bool in_double_quotes) {
        std::vector<Part> scratch;
        for (;;) {
            const int c = look();
            if (c < 0) {
                throw Unreadable{};
            }
            if (c == '}') {
                take();
                return;
            }
            if (c == '\\') {
                take();
                if (!at_end()) {
                    take();
                }
            } else if (c == '\'' && !in_double_quotes) {
                single_quoted(scratch);
            } else if (c == '\'') {
                // "${x#'...'}": a quote to one shell, a character to another (and to either,
                // depending on the operator): where the rest of the text is, is not known.
                throw Unreadable{};
            } else if (c == '"') {
                double_quoted(scratch);
            } else if (c == '$') {
                dollar(scratch, in_double_quotes);
            } else if (c == '`') {
                backquoted(scratch, in_double_quotes);
            } else {
                take();
            }
            scratch.clear();
        }
    }

    // $(( ... )): may assign any variable (bash even through variables' values).
    void arithmetic() {
        take();
        take();
        m_word->arithmetic = true;
        std::vector<Part> scratch;
        for (int depth = 0;;) {
            const int c = look();
            if (c < 0) {
                throw Unreadable{};
            }
            if (c == '(') {
                ++depth;
                take();
            } else if (c == ')') {
                take();
                if (depth > 0) {
                    --depth;
                } else if (look() == ')') {
                    take();
                    return;
                } else {
                    throw Unreadable{};
                }
            } else if (c == '$') {
                dollar(scratch, true);
            } else if (c == '`') {
                backquoted(scratch, true);
            } else {
                take();
            }
        }
    }

    // $( ... ): parsed (to find its end) but not evaluated: it runs in a subshell.
    void command_substitution() {
        take();
        // The tokens inside are not the enclosing command's: a function body's end is kept.
        const std::size_t last_end = m_last_end;
        ++m_skip;
        parse_list();
        if (!peek_op(")")) {
            throw Unreadable{};
        }
        --m_skip;
        m_peek.reset(); // the ')': the word goes on after it
        m_last_end = last_end;
    }

    void backquoted(std::vector<Part>& parts, bool quoted) {
        take();
        for (;;) {
            if (at_end()) {
                throw Unreadable{};
            }
            const char c = take();
            if (c == '\\' && !at_end()) {
                take();
            } else if (c == '`') {
                break;
            }
        }
        append_unknown(parts, quoted);
    }

    // bash's $'...'. sh reads '$' and a single-quoted string: both end at the same quote
    // unless a backslash escapes one.
    void ansi_c_quoted() {
        take();
        for (;;) {
            if (at_end()) {
                throw Unreadable{};
            }
            const char c = take();
            if (c == '\\') {
                if (at_end() || m_text[m_pos] == '\'') {
                    throw Unreadable{};
                }
                take();
            } else if (c == '\'') {
                return;
            }
        }
    }

    // ---- here-documents

    void read_here_documents(std::size_t newline_line) {
        std::vector<HereDocument> documents = std::move(m_here_documents);
        m_here_documents.clear();
        for (const HereDocument& document : documents) {
            if (read_here_document(document) && m_pass == Pass::collect) {
                m_shell.note_here_document_effects(document.line, newline_line);
            }
        }
    }

    // Skips a body through its delimiter line; returns whether it expands something that
    // assigns.
    bool read_here_document(const HereDocument& document) {
        bool effects = false;
        std::string logical;
        while (!at_end()) {
            logical.clear();
            // dash ends the body at a delimiter line that bash joins to the line before, and
            // bash at one that dash reads as two: where they disagree, nothing is read.
            bool joined = false;
            bool piece_is_delimiter = false;
            for (;;) {
                const std::size_t newline = m_text.find('\n', m_pos);
                const std::size_t end = std::min(newline, m_text.size());
                const std::string_view physical = m_text.substr(m_pos, end - m_pos);
                m_pos = newline == std::string_view::npos ? end : end + 1;
                if (newline != std::string_view::npos) {
                    ++m_line;
                }
                const std::size_t backslashes =
                    physical.size() -
                    std::min(physical.find_last_not_of('\\') + 1, physical.size());
                std::string_view piece = physical;
                if (document.strip_tabs) {
                    piece.remove_prefix(std::min(piece.find_first_not_of('\t'), piece.size()));
                }
                piece_is_delimiter = piece_is_delimiter || piece == document.delimiter;
                if (!document.quoted && backslashes % 2 == 1 && newline != std::string_view::npos) {
                    logical.append(physical.substr(0, physical.size() - 1));
                    joined = true;
                    continue;
                }
                logical.append(physical);
                break;
            }
            std::string_view line = logical;
            if (document.strip_tabs) {
                line.remove_prefix(std::min(line.find_first_not_of('\t'), line.size()));
            }
            if (joined && (piece_is_delimiter || line == document.delimiter)) {
                throw Unreadable{};
            }
            if (line == document.delimiter) {
                break;
            }
            effects = effects || (!document.quoted && line_assigns(line));
        }
        return effects;
    }

    // ---- parser

    Token& peek() {
        if (!m_peek) {
            m_peek = lex();
        }
        return *m_peek;
    }

    Token take_token() {
        Token t = std::move(peek());
        m_peek.reset();
        m_last_end = t.end;
        return t;
    }

    bool peek_op(std::string_view op) {
        const Token& t = peek();
        return t.type == Tok::op && t.op == op;
    }

    bool peek_keyword(std::string_view keyword) {
        const Token& t = peek();
        return t.type == Tok::word && plain(t.word) == keyword;
    }

    void expect_keyword(std::string_view keyword) {
        if (!peek_keyword(keyword)) {
            throw Unreadable{};
        }
        take_token();
    }

    void expect_op(std::string_view op) {
        if (!peek_op(op)) {
            throw Unreadable{};
        }
        take_token();
    }

    void skip_newlines() {
        while (peek().type == Tok::newline) {
            take_token();
        }
    }

    static bool is_redirection(const Token& t) {
        if (t.type != Tok::op) {
            return false;
        }
        for (const std::string_view op :
             {"<", ">", ">>", "<&", ">&", "<>", ">|", "<<", "<<-", "<<<"}) {
            if (t.op == op) {
                return true;
            }
        }
        return false;
    }

    bool at_list_end() {
        const Token& t = peek();
        if (t.type == Tok::end) {
            return true;
        }
        if (t.type == Tok::op) {
            return t.op == ")" || t.op == ";;" || t.op == ";&" || t.op == ";;&";
        }
        if (t.type == Tok::word) {
            const auto text = plain(t.word);
            if (!text) {
                return false;
            }
            for (const std::string_view keyword :
                 {"then", "else", "elif", "fi", "do", "done", "esac", "}"}) {
                if (*text == keyword) {
                    return true;
                }
            }
        }
        return false;
    }

    void parse_list() {
        const Nested nested(*this);
        for (;;) {
            skip_newlines();
            if (at_list_end()) {
                return;
            }
            const bool reachable = evaluating();
            parse_and_or();
            if (peek_op(";")) {
                take_token();
            } else if (peek_op("&")) {
                // A subshell: whatever it assigns is lost, or not (bash's lastpipe).
                take_token();
                if (reachable) {
                    m_shell.resume();
                    m_shell.forget_variables();
                }
            } else if (peek().type != Tok::newline) {
                return;
            }
        }
    }

    void parse_and_or() {
        parse_pipeline();
        while (peek_op("&&") || peek_op("||")) {
            take_token();
            skip_newlines();
            const Region region(*this, RegionKind::branch);
            parse_pipeline();
        }
    }

    void parse_pipeline() {
        if (peek_keyword("!")) {
            take_token();
        }
        const bool reachable = evaluating();
        const bool compound = parse_command(true);
        bool pipeline = false;
        if (compound && reachable && peek_op("|")) {
            m_shell.resume();
        }
        while (peek_op("|")) {
            take_token();
            pipeline = true;
            skip_newlines();
            const Region region(*this, RegionKind::subshell);
            parse_command(false);
        }
        // A compound command in a pipeline runs in a subshell, which is known only now.
        if (pipeline && compound && evaluating()) {
            m_shell.forget_variables();
        }
    }

    // Returns whether the command was a compound one.
    bool parse_command(bool first_in_pipeline) {
        const Token& t = peek();
        if (t.type == Tok::op && t.op == "(") {
            take_token();
            // bash's (( ... )) arithmetic, which sh reads as nested subshells.
            if (peek_op("(") && evaluating()) {
                m_shell.forget_variables();
            }
            {
                const Region region(*this, RegionKind::subshell);
                parse_list();
                expect_op(")");
            }
            parse_trailing_redirections();
            return true;
        }
        const auto keyword = t.type == Tok::word ? plain(t.word) : std::nullopt;
        if (!keyword) {
            parse_simple_command(first_in_pipeline);
            return false;
        }
        if (*keyword == "{") {
            take_token();
            parse_list();
            expect_keyword("}");
        } else if (*keyword == "if") {
            parse_if();
        } else if (*keyword == "while" || *keyword == "until") {
            take_token();
            const Region loop(*this, RegionKind::loop);
            parse_list();
            expect_keyword("do");
            parse_list();
            expect_keyword("done");
        } else if (*keyword == "for") {
            parse_for();
        } else if (*keyword == "case") {
            parse_case();
        } else if (*keyword == "function") {
            parse_function_keyword();
            return false;
        } else {
            parse_simple_command(first_in_pipeline);
            return false;
        }
        parse_trailing_redirections();
        return true;
    }

    void parse_if() {
        take_token();
        parse_list();
        expect_keyword("then");
        {
            const Region branch(*this, RegionKind::branch);
            parse_list();
        }
        while (peek_keyword("elif")) {
            take_token();
            const Region branch(*this, RegionKind::branch);
            parse_list();
            expect_keyword("then");
            parse_list();
        }
        if (peek_keyword("else")) {
            take_token();
            const Region branch(*this, RegionKind::branch);
            parse_list();
        }
        expect_keyword("fi");
    }

    void parse_for() {
        take_token();
        const Token name = take_token();
        const auto variable = name.type == Tok::word ? plain(name.word) : std::nullopt;
        if (!variable || !is_name(*variable)) {
            throw Unreadable{};
        }
        Command list;
        list.line = name.line;
        if (peek_op(";")) {
            take_token();
        }
        skip_newlines();
        if (peek_keyword("in")) {
            take_token();
            while (peek().type == Tok::word) {
                list.absorb(take_token().word);
            }
            if (peek_op(";")) {
                take_token();
            }
            skip_newlines();
        }
        expect_keyword("do");
        if (evaluating()) {
            apply_effects(list);
            m_shell.forget(std::string(*variable));
        }
        const Region loop(*this, RegionKind::loop);
        parse_list();
        expect_keyword("done");
    }

    void parse_case() {
        take_token();
        Command effects;
        const Token subject = take_token();
        if (subject.type != Tok::word) {
            throw Unreadable{};
        }
        effects.absorb(subject.word);
        effects.line = subject.line;
        skip_newlines();
        expect_keyword("in");
        if (evaluating()) {
            apply_effects(effects);
        }
        for (;;) {
            effects = {};
            skip_newlines();
            if (peek_keyword("esac")) {
                take_token();
                break;
            }
            if (peek_op("(")) {
                take_token();
            }
            for (;;) {
                const Token pattern = take_token();
                if (pattern.type != Tok::word) {
                    throw Unreadable{};
                }
                effects.absorb(pattern.word);
                effects.line = pattern.line;
                if (!peek_op("|")) {
                    break;
                }
                take_token();
            }
            expect_op(")");
            if (evaluating()) {
                apply_effects(effects);
            }
            {
                const Region branch(*this, RegionKind::branch);
                parse_list();
            }
            if (peek_op(";;") || peek_op(";&") || peek_op(";;&")) {
                take_token();
                continue;
            }
            skip_newlines();
            expect_keyword("esac");
            break;
        }
    }

    // Redirections after a compound command are expanded before it runs, which the reader
    // has already evaluated: one that assigns makes the script unreadable.
    void parse_trailing_redirections() {
        Command redirections;
        while (peek().type == Tok::io_number || is_redirection(peek())) {
            parse_redirection(redirections);
        }
        if (redirections.arithmetic || !redirections.assigned.empty()) {
            throw Unreadable{};
        }
    }

    void parse_redirection(Command& cmd) {
        if (peek().type == Tok::io_number) {
            take_token();
        }
        const Token op = take_token();
        if (!is_redirection(op) || peek().type != Tok::word) {
            throw Unreadable{};
        }
        // The delimiter is taken before the next token is read: that may be the newline after
        // which the body starts.
        const Token target = take_token();
        cmd.redirected = true;
        if (op.op == "<<" || op.op == "<<-") {
            const std::string_view raw =
                m_text.substr(target.word.begin, target.word.end - target.word.begin);
            m_here_documents.push_back({unquote_delimiter(raw),
                                        raw.find_first_of("'\"\\") != std::string_view::npos,
                                        op.op == "<<-", op.line});
        } else {
            cmd.absorb(target.word);
        }
    }

    void parse_simple_command(bool first_in_pipeline) {
        Command cmd;
        cmd.line = peek().line;
        bool named = false;
        for (;;) {
            const Token& t = peek();
            if (t.type == Tok::io_number || is_redirection(t)) {
                parse_redirection(cmd);
                continue;
            }
            if (t.type != Tok::word) {
                break;
            }
            Token w = take_token();
            cmd.absorb(w.word);
            if (!named) {
                std::string name;
                const AssignmentForm form = assignment_form(w.word, name);
                if (form != AssignmentForm::none) {
                    if (w.word.parts[0].text.ends_with('=') && w.word.parts.size() == 1 &&
                        peek_op("(") && peek().begin == w.end) {
                        parse_array(cmd);
                        cmd.assigned.push_back(name);
                    } else if (form == AssignmentForm::ambiguous) {
                        cmd.ambiguous = true;
                        cmd.assigned.push_back(name);
                    } else if (cmd.assignments.size() < k_max_command_words) {
                        cmd.assignments.push_back(std::move(w.word));
                    } else {
                        cmd.truncated = true;
                    }
                    continue;
                }
                named = true;
                cmd.line = w.line;
                if (cmd.assignments.empty() && !cmd.redirected && peek_op("(")) {
                    const auto function = plain(w.word);
                    if (!function) {
                        throw Unreadable{};
                    }
                    parse_function_definition(std::string(*function));
                    return;
                }
            }
            if (cmd.words.size() < k_max_command_words) {
                cmd.words.push_back(std::move(w.word));
            } else {
                cmd.truncated = true;
            }
        }
        if (!named && cmd.assignments.empty() && !cmd.redirected && !cmd.ambiguous) {
            throw Unreadable{};
        }
        if (m_pass == Pass::collect) {
            collect(cmd);
        } else if (evaluating() && first_in_pipeline && peek_op("|")) {
            // The first command of a pipeline runs in a subshell.
            const Region region(*this, RegionKind::subshell);
            run(cmd);
        } else if (evaluating()) {
            run(cmd);
        }
    }

    // bash's NAME=( ... ).
    void parse_array(Command& cmd) {
        take_token();
        for (;;) {
            skip_newlines();
            if (peek_op(")")) {
                take_token();
                return;
            }
            if (peek().type != Tok::word) {
                throw Unreadable{};
            }
            cmd.absorb(take_token().word);
        }
    }

    void parse_function_keyword() {
        take_token();
        const Token name = take_token();
        const auto function = name.type == Tok::word ? plain(name.word) : std::nullopt;
        if (!function) {
            throw Unreadable{};
        }
        if (peek_op("(")) {
            take_token();
            expect_op(")");
        }
        define_function(std::string(*function));
    }

    void parse_function_definition(std::string name) {
        take_token();
        expect_op(")");
        define_function(std::move(name));
    }

    void define_function(std::string name) {
        skip_newlines();
        if (m_pass == Pass::collect) {
            ++m_shell.function_counts[name];
        }
        const std::size_t offset = peek().begin;
        const std::size_t line = peek().line;
        const bool record = evaluating() && m_shell.frame == nullptr;
        ++m_skip;
        parse_function_body();
        --m_skip;
        if (record) {
            m_shell.define_function(name, offset, line, m_last_end - offset);
        }
    }

    void parse_function_body() {
        const Token& t = peek();
        const auto keyword = t.type == Tok::word ? plain(t.word) : std::nullopt;
        const bool compound =
            (t.type == Tok::op && t.op == "(") ||
            (keyword && (*keyword == "{" || *keyword == "if" || *keyword == "while" ||
                         *keyword == "until" || *keyword == "for" || *keyword == "case"));
        if (!compound) {
            throw Unreadable{};
        }
        parse_command(false);
    }

    // ---- the first reading

    void collect(const Command& cmd) {
        if (cmd.words.empty()) {
            return;
        }
        std::size_t at = 0;
        auto name = literal_text(cmd.words[0]);
        if (name && (*name == "command" || *name == "builtin") && cmd.words.size() > 1) {
            at = 1;
            name = literal_text(cmd.words[1]);
        }
        if (!name || *name == "." || *name == "source") {
            m_shell.may_define_functions = true;
        } else if ((*name == "alias" && cmd.words.size() > at + 1) || *name == "eval" ||
                   *name == "hash") {
            // What a command name runs may change: eval can define an alias or a function
            // ("eval 'chmod() { :; }'"), hash -p binds a name to another program.
            m_shell.defines_alias = true;
        }
    }

    // ---- evaluation

    void apply_effects(const Command& cmd) {
        if (cmd.arithmetic || m_shell.here_document_effects_on(cmd.line)) {
            m_shell.forget_variables();
        }
        for (const std::string& name : cmd.assigned) {
            m_shell.forget(name);
        }
    }

    Field evaluate(const Word& word) {
        Field f;
        bool quoted = false;
        // The text with quoted bytes blanked out, where globbing would look.
        std::string active;
        for (std::size_t i = 0; i < word.parts.size(); ++i) {
            const Part& part = word.parts[i];
            quoted = quoted || part.quoted;
            std::string_view text;
            if (part.kind == Part::Kind::unknown) {
                f.known = false;
                f.single = f.single && part.quoted && !part.fields;
                continue;
            }
            if (part.kind == Part::Kind::literal) {
                text = part.text;
                if (!part.quoted && i == 0 && text.starts_with('~')) {
                    f.known = false; // tilde expansion
                }
            } else {
                const auto value = m_shell.variable(part.text);
                if (!value) {
                    f.known = false;
                    f.single = f.single && part.quoted;
                    continue;
                }
                text = *value;
                if (!part.quoted) {
                    const auto ifs = m_shell.ifs();
                    if (!text.empty() &&
                        (!ifs || text.find_first_of(*ifs) != std::string_view::npos)) {
                        f.known = false;
                        f.single = false;
                    }
                    // bash 5.0 treated backslashes in expansions as pattern characters.
                    f.glob = f.glob || text.find('\\') != std::string_view::npos;
                }
            }
            f.text += text;
            if (part.quoted) {
                active.append(text.size(), '\0');
            } else {
                active += text;
            }
        }
        if (!quoted && f.text.empty()) {
            f.known = false; // the word disappears
            f.single = false;
        }
        f.glob = f.glob || is_pattern(active);
        return f;
    }

    // Characters that make pathname expansion (or bash's brace expansion) consider a word.
    static bool is_pattern(std::string_view active) {
        if (active.find_first_of("*?") != std::string_view::npos) {
            return true;
        }
        const std::size_t bracket = active.find('[');
        if (bracket != std::string_view::npos &&
            active.find(']', bracket) != std::string_view::npos) {
            return true;
        }
        const std::size_t brace = active.find('{');
        const std::size_t close = active.rfind('}');
        if (brace == std::string_view::npos || close == std::string_view::npos || close < brace) {
            return false;
        }
        const std::string_view inside = active.substr(brace, close - brace);
        return inside.find(',') != std::string_view::npos ||
               inside.find("..") != std::string_view::npos;
    }

    // The value an assignment word gives: no splitting, no globbing.
    std::optional<std::string> assigned_value(const Word& word) {
        std::string value;
        for (std::size_t i = 0; i < word.parts.size(); ++i) {
            const Part& part = word.parts[i];
            std::string_view text = part.text;
            if (i == 0) {
                text.remove_prefix(text.find('=') + 1);
            }
            if (part.kind == Part::Kind::unknown ||
                (part.kind == Part::Kind::literal && !part.quoted &&
                 text.find('~') != std::string_view::npos)) {
                return std::nullopt;
            }
            if (part.kind == Part::Kind::parameter) {
                const auto v = m_shell.variable(part.text);
                if (!v) {
                    return std::nullopt;
                }
                text = *v;
            }
            if (value.size() + text.size() > k_max_value) {
                return std::nullopt;
            }
            value += text;
        }
        return value;
    }

    void run(const Command& cmd) {
        Shell& shell = m_shell;
        apply_effects(cmd);
        std::string name;
        if (cmd.words.empty()) {
            for (const Word& assignment : cmd.assignments) {
                assignment_form(assignment, name);
                shell.assign(name, assigned_value(assignment));
            }
            return;
        }
        // Assignments before a command last for it alone (or, before special built-ins and
        // functions, some shells keep them).
        for (const Word& assignment : cmd.assignments) {
            assignment_form(assignment, name);
            shell.forget(name);
        }
        if (cmd.truncated || cmd.ambiguous) {
            shell.forget_variables();
            shell.forget_functions();
            return;
        }
        std::vector<Field> fields;
        fields.reserve(cmd.words.size());
        for (const Word& word : cmd.words) {
            fields.push_back(evaluate(word));
        }
        const Field& command = fields.front();
        if (!command.known || command.glob) {
            shell.forget_variables();
            shell.forget_functions();
            return;
        }
        dispatch(command.text, std::span(fields).subspan(1), cmd);
    }

    void dispatch(const std::string& name, Args args, const Command& cmd) {
        Shell& shell = m_shell;
        if (shell.function_counts.contains(name)) {
            call_function(name, args, cmd.line);
            return;
        }
        if (name == "alias") {
            throw Unreadable{};
        }
        if (name == "exit" || (name == "exec" && !args.empty())) {
            shell.stop(false);
            return;
        }
        if (name == "return") {
            // At the top of a script bash goes on, dash stops.
            if (shell.frame == nullptr) {
                throw Unreadable{};
            }
            shell.stop(true);
            return;
        }
        if (name == "break" || name == "continue") {
            const Shell::LoopPlace place = shell.loop_place();
            if (place == Shell::LoopPlace::beyond_call) {
                throw Unreadable{};
            }
            if (place == Shell::LoopPlace::here) {
                shell.stop(false);
            }
            return;
        }
        if (name == "." || name == "source" || name == "eval" || name == "exec" ||
            name == "builtin" || name == "typeset" || name == "declare" || name == "let" ||
            name == "mapfile" || name == "readarray" ||
            (name == "command" &&
             (args.empty() || (args[0].text != "-v" && args[0].text != "-V")))) {
            shell.forget_variables();
            shell.forget_functions();
            return;
        }
        if (name == "read" || name == "getopts" || name == "unset" || name == "local" ||
            name == "export" || name == "readonly") {
            assign_names(name, cmd);
            return;
        }
        if (name == "set" || name == "shift") {
            const bool positional =
                name == "shift" || std::any_of(args.begin(), args.end(), [](const Field& a) {
                    return !a.known || a.text == "-" || a.text == "--" ||
                           (!a.text.starts_with('-') && !a.text.starts_with('+'));
                });
            if (positional && shell.frame != nullptr) {
                shell.frame->valid = false;
            }
            return;
        }
        if (name == "printf") {
            if (!args.empty() && args[0].text == "-v") {
                shell.forget_variables();
            }
            return;
        }
        if (const auto tool = tool_of(name)) {
            switch (*tool) {
            case ScriptChange::Tool::chmod:
                run_chmod(shell, args, cmd.line);
                break;
            case ScriptChange::Tool::chown:
            case ScriptChange::Tool::chgrp:
                run_chown(shell, args, cmd.line, *tool);
                break;
            case ScriptChange::Tool::setcap:
                run_setcap(shell, args, cmd.line);
                break;
            case ScriptChange::Tool::dpkg_statoverride:
                run_statoverride(shell, args, cmd.line);
                break;
            case ScriptChange::Tool::systemd_tmpfiles:
                break; // never a command tool_of() names: its changes come from tmpfiles.d
            }
            return;
        }
        // The tools above are trusted not to be redefined by sourced files, which belong to
        // other packages and are verified as theirs.
        if (shell.may_define_functions) {
            shell.forget_variables();
        }
    }

    // read, getopts, unset, local, export, readonly: the variables they name.
    void assign_names(const std::string& builtin, const Command& cmd) {
        Shell& shell = m_shell;
        // local outside a function fails; a readonly variable is not followed (bash goes on
        // after a failed assignment to it).
        const bool gives_values =
            builtin == "export" || (builtin == "local" && shell.frame != nullptr);
        if (builtin == "getopts") {
            shell.forget("OPTARG");
            shell.forget("OPTIND");
        } else if (builtin == "unset") {
            shell.forget_functions();
        }
        for (std::size_t i = 1; i < cmd.words.size(); ++i) {
            const Word& word = cmd.words[i];
            std::string name;
            const AssignmentForm form = assignment_form(word, name);
            if (form == AssignmentForm::plain) {
                const bool literal =
                    std::none_of(word.parts.begin(), word.parts.end(), [](const Part& p) {
                        return p.kind != Part::Kind::literal && !p.quoted;
                    });
                // sh before dash 0.5.11 split an unquoted value.
                shell.assign(name, gives_values && literal ? assigned_value(word) : std::nullopt);
            } else {
                const Field field = evaluate(word);
                if (!field.known || field.glob) {
                    shell.forget_variables();
                    return;
                }
                name = field.text;
                if (!is_name(name)) {
                    continue;
                }
                if (builtin != "export") {
                    shell.forget(name);
                }
            }
            if (builtin == "readonly") {
                shell.make_readonly(name);
            }
        }
    }

    void call_function(const std::string& name, Args args, std::size_t line) {
        Shell& shell = m_shell;
        if (const auto def = shell.function_to_read(name)) {
            Frame frame;
            frame.line = line;
            for (const Field& arg : args) {
                if (!arg.single || arg.glob) {
                    break; // the parameters after it are not known
                }
                frame.args.push_back(arg.known ? std::optional(arg.text) : std::nullopt);
            }
            const Region region(*this, RegionKind::call);
            frame.stamp = shell.stamp();
            struct Enter {
                Shell& shell;
                explicit Enter(Shell& s, Frame& f) : shell(s) { shell.frame = &f; }
                ~Enter() { shell.frame = nullptr; }
                Enter(const Enter&) = delete;
                Enter& operator=(const Enter&) = delete;
            } enter(shell, frame);
            Reader body(m_text, shell, Pass::evaluate, def->offset, def->line, m_depth);
            body.read_function_body();
            // What the body assigned is unknown after the call (a region), and what it forgot
            // (a call from inside it, read, eval, ...) stays forgotten: the other values hold.
            return;
        }
        shell.forget_variables();
    }

    std::string_view m_text;
    Shell& m_shell;
    Pass m_pass;
    std::size_t m_pos;
    std::size_t m_line;
    int m_depth;
    int m_skip = 0; // inside a function definition or $(...): parsed, not evaluated
    std::optional<Token> m_peek;
    std::size_t m_last_end = 0;
    Word* m_word = nullptr; // the word being lexed, for its side effects
    std::vector<HereDocument> m_here_documents;
};

} // namespace

std::string_view tool_name(ScriptChange::Tool tool) {
    switch (tool) {
    case ScriptChange::Tool::chmod:
        return "chmod";
    case ScriptChange::Tool::chown:
        return "chown";
    case ScriptChange::Tool::chgrp:
        return "chgrp";
    case ScriptChange::Tool::setcap:
        return "setcap";
    case ScriptChange::Tool::dpkg_statoverride:
        return "dpkg-statoverride";
    case ScriptChange::Tool::systemd_tmpfiles:
        return "systemd-tmpfiles";
    }
    return "chmod";
}

namespace {

// Whether the text assigns PATH anywhere ("PATH=/opt/fake", "export PATH=..."): which program
// "chmod" names is then not known. Read on the raw text, so that no quoting hides it.
bool assigns_path(std::string_view text) {
    for (std::size_t pos = text.find("PATH="); pos != std::string_view::npos;
         pos = text.find("PATH=", pos + 1)) {
        const char before = pos == 0 ? ' ' : text[pos - 1];
        if (!std::isalnum(static_cast<unsigned char>(before)) && before != '_') {
            return true;
        }
    }
    return false;
}

} // namespace

std::vector<ScriptChange> parse_script_metadata(std::string_view script_text,
                                                const std::string& script_name) {
    if (!runs_in_shell(script_text) || assigns_path(script_text)) {
        return {};
    }
    Shell shell(script_text, script_name);
    try {
        Reader(script_text, shell, Pass::collect).read_script();
        if (shell.defines_alias) {
            return {};
        }
        Reader(script_text, shell, Pass::evaluate).read_script();
    } catch (const Unreadable&) {
        return {};
    } catch (const Full&) {
    }
    return std::move(shell.changes);
}

std::optional<std::uint32_t> apply_chmod_mode(std::string_view mode, std::uint32_t base,
                                              EntryType type) {
    const auto changes = compile_mode(mode);
    if (!changes) {
        return std::nullopt;
    }
    return adjust_mode(*changes, base, type == EntryType::directory);
}

std::optional<std::uint32_t> resulting_mode(const ScriptChange& change, std::uint32_t base,
                                            EntryType type) {
    if (change.kind != ScriptChange::Kind::mode) {
        return std::nullopt;
    }
    if (change.tool == ScriptChange::Tool::chmod) {
        return apply_chmod_mode(change.value, base, type);
    }
    if (change.tool == ScriptChange::Tool::dpkg_statoverride ||
        change.tool == ScriptChange::Tool::systemd_tmpfiles) {
        return statoverride_mode(change.value);
    }
    return std::nullopt;
}

std::optional<FileCapabilities> parse_capability_text(std::string_view text) {
    if (text.find('\0') != std::string_view::npos || names_every_capability(text)) {
        return std::nullopt;
    }
    const std::string owned(text);
    const std::unique_ptr<std::remove_pointer_t<cap_t>, int (*)(void*)> caps(
        cap_from_text(owned.c_str()), cap_free);
    if (!caps) {
        return std::nullopt;
    }
    FileCapabilities out;
    std::uint64_t effective = 0;
    // libcap keeps 64 bits (numbers beyond CAP_LAST_CAP are accepted); cap_get_flag answers
    // for all of them.
    for (cap_value_t cap = 0; cap < 64; ++cap) {
        cap_flag_value_t permitted = CAP_CLEAR;
        cap_flag_value_t inheritable = CAP_CLEAR;
        cap_flag_value_t eff = CAP_CLEAR;
        if (cap_get_flag(caps.get(), cap, CAP_PERMITTED, &permitted) != 0 ||
            cap_get_flag(caps.get(), cap, CAP_INHERITABLE, &inheritable) != 0 ||
            cap_get_flag(caps.get(), cap, CAP_EFFECTIVE, &eff) != 0) {
            break;
        }
        const std::uint64_t bit = std::uint64_t{1} << cap;
        out.permitted |= permitted == CAP_SET ? bit : 0;
        out.inheritable |= inheritable == CAP_SET ? bit : 0;
        effective |= eff == CAP_SET ? bit : 0;
    }
    // libcap refuses to write an effective set missing a permitted or inheritable capability;
    // one with more has no meaning in the attribute's single effective flag.
    if (effective != 0 && effective != (out.permitted | out.inheritable)) {
        return std::nullopt;
    }
    out.effective = effective != 0;
    return out;
}

} // namespace pkgdesc
