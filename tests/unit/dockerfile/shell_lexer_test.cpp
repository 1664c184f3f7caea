// shell_lexer_test.cpp: the dockerfile frontend's word expansion beyond the conformance corpus:
// BuildKit's exact error texts, the backtick escape token, field splitting details, the Lex
// options, invalid UTF-8 and the names that expansion looked up.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "shell/lexer.hpp"

namespace {

using dbuild::dockerfile::env_from_list;
using dbuild::dockerfile::EnvLookup;
using dbuild::dockerfile::Lexer;
using dbuild::dockerfile::LexerOptions;
using Words = std::vector<std::string>;

const EnvLookup kEnv = env_from_list({"PWD=/home", "EMPTY=", "SPACED=a  b", "FILE=/home/tux/book.tar.bz2"});

std::string word_of(std::string_view text, const Lexer& lexer = Lexer()) {
  auto result = lexer.process_word(text, kEnv);
  REQUIRE(result);
  return result->word;
}

Words words_of(std::string_view text, const EnvLookup& env = kEnv) {
  auto result = Lexer().process_words(text, env);
  REQUIRE(result);
  return result->words;
}

std::string error_of(std::string_view text, const EnvLookup& env = kEnv) {
  auto result = Lexer().process_word(text, env);
  REQUIRE_FALSE(result);
  CHECK(result.status().code() == dbuild::sdk::Code::InvalidArgument);
  return result.status().message();
}

}  // namespace

TEST_CASE("required variables fail with BuildKit's message naming the variable", "[dockerfile][shell]") {
  CHECK(error_of("${NOPE:?}") == "failed to process \"${NOPE:?}\": NOPE: is not allowed to be unset");
  CHECK(error_of("${NOPE?}") == "failed to process \"${NOPE?}\": NOPE: is not allowed to be unset");
  CHECK(error_of("${EMPTY:?}") == "failed to process \"${EMPTY:?}\": EMPTY: is not allowed to be empty");
  CHECK(error_of("a ${NOPE:?set it with --build-arg}") ==
        "failed to process \"a ${NOPE:?set it with --build-arg}\": NOPE: set it with --build-arg");
  CHECK(word_of("${EMPTY?}") == "");
  CHECK(word_of("${PWD:?}") == "/home");
}

TEST_CASE("syntax errors carry BuildKit's wording", "[dockerfile][shell]") {
  CHECK(error_of("${PWD:=x}") == "failed to process \"${PWD:=x}\": unsupported modifier (:=) in substitution");
  CHECK(error_of("${PWD=x}") == "failed to process \"${PWD=x}\": unsupported modifier (=) in substitution");
  CHECK(error_of("${PWD:#x}") == "failed to process \"${PWD:#x}\": unsupported modifier (:#) in substitution");
  CHECK(error_of("${PWD:%%x}") == "failed to process \"${PWD:%%x}\": unsupported modifier (:%) in substitution");
  CHECK(error_of("${}") == "failed to process \"${}\": syntax error: bad substitution");
  CHECK(error_of("${:-x}") == "failed to process \"${:-x}\": syntax error: bad substitution");
  CHECK(error_of("${") == "failed to process \"${\": syntax error: missing '}'");
  CHECK(error_of("${X:-abc") == "failed to process \"${X:-abc\": syntax error: missing '}'");
  CHECK(error_of("${X:-'abc}") == "failed to process \"${X:-'abc}\": syntax error: missing '}'");
  CHECK(error_of("${X//abc}") == "failed to process \"${X//abc}\": syntax error: missing '/' in ${}");
  CHECK(error_of("'abc") ==
        "failed to process \"'abc\": unexpected end of statement while looking for matching single-quote");
  CHECK(error_of("\"abc") ==
        "failed to process \"\\\"abc\": unexpected end of statement while looking for matching double-quote");
  SECTION("a name running into the end reads the end as its modifier, as BuildKit does") {
    CHECK(error_of("${PWD") == "failed to process \"${PWD\": unsupported modifier (\xEF\xBF\xBD) in substitution");
  }
  SECTION("the word is quoted as Go's %q quotes it") {
    CHECK(error_of("${}\n\t\x01\xC2\xA0\xFF") ==
          "failed to process \"${}\\n\\t\\x01\\u00a0\\xff\": syntax error: bad substitution");
  }
}

TEST_CASE("the default escape token escapes anything outside quotes and little inside", "[dockerfile][shell]") {
  CHECK(word_of(R"(a\ b\$PWD\\)") == R"(a b$PWD\)");
  CHECK(word_of(R"("a\tb\"c\$PWD\\")") == R"(a\tb"c$PWD\)");
  CHECK(word_of(R"('a\tb\')") == R"(a\tb\)");
  CHECK(word_of(R"(trailing\)") == "trailing");
  CHECK(word_of("$ $. $- $1x ${999}y") == "$ $.  x y");
}

TEST_CASE("a backtick escape token (# escape=`) leaves backslashes literal", "[dockerfile][shell]") {
  const Lexer lexer('`');
  CHECK(word_of(R"(C:\Users\$PWD)", lexer) == R"(C:\Users\/home)");
  CHECK(word_of("C:\\Users\\`$PWD", lexer) == R"(C:\Users\$PWD)");
  CHECK(word_of("\"a`\"b`$PWD``c`d\"", lexer) == "a\"b$PWD`c`d");
  CHECK(word_of("a` b", lexer) == "a b");
}

TEST_CASE("unquoted expansions split into words on Unicode white space", "[dockerfile][shell]") {
  CHECK(words_of("x${SPACED}y") == Words{"xa", "by"});
  CHECK(words_of("x\"${SPACED}\"y") == Words{"xa  by"});
  CHECK(words_of("a\\ b  c\t'd e'") == Words{"a b", "c", "d e"});
  CHECK(words_of("$IDEO", env_from_list({"IDEO=one\xE3\x80\x80two"})) == Words{"one", "two"});
  CHECK(words_of("a \"\" b ''") == Words{"a", "b"});
  CHECK(words_of("") == Words{});
  SECTION("the joined word keeps the text as process_word gives it") {
    auto result = Lexer().process_words("x${SPACED}y  z", kEnv);
    REQUIRE(result);
    CHECK(result->word == "xa  by  z");
  }
}

TEST_CASE("a ${VAR<op>...} expansion drops the part of the word before it, as BuildKit does", "[dockerfile][shell]") {
  // BuildKit's lexer shares one word buffer between nested reads; only split words are affected.
  CHECK(words_of("a ${NOPE:-b}c") == Words{"a", "bc"});
  CHECK(words_of("x${NOPE:-b}c") == Words{"bc"});
  CHECK(words_of("x${PWD}c") == Words{"x/homec"});
  auto result = Lexer().process_words("x${NOPE:-b}c", kEnv);
  REQUIRE(result);
  CHECK(result->word == "xbc");
}

TEST_CASE("the names looked up are reported as matched or unmatched", "[dockerfile][shell]") {
  auto result = Lexer().process_word("$PWD ${NOPE:-$EMPTY} ${1} $ $@ '$QUOTED' ${FILE%%.*}", kEnv);
  REQUIRE(result);
  CHECK(result->word == "/home   $  $QUOTED /home/tux/book");
  CHECK(result->matched == std::set<std::string>{"EMPTY", "FILE", "PWD"});
  CHECK(result->unmatched == std::set<std::string>{"1", "@", "NOPE"});
}

TEST_CASE("variable names may be Unicode letters and digits", "[dockerfile][shell]") {
  const EnvLookup env = env_from_list({"이름=값", "\xD9\xA3=arabic three", "_x1=u"});
  auto result = Lexer().process_word("$이름-${이름}-$\xD9\xA3-$_x1.", env);
  REQUIRE(result);
  CHECK(result->word == "값-값-arabic three-u.");
}

TEST_CASE("invalid UTF-8 in the text reads as U+FFFD but values pass through untouched", "[dockerfile][shell]") {
  const EnvLookup env = env_from_list({"RAW=\xFF\xFE"});
  auto result = Lexer().process_word(
      "\xEF\xBB\xBF"
      "a\xFF$RAW",
      env);  // a leading BOM is dropped
  REQUIRE(result);
  CHECK(result->word == "a\xEF\xBF\xBD\xFF\xFE");
}

TEST_CASE("the Lex options keep quotes, keep escapes, ignore quotes or keep unset variables", "[dockerfile][shell]") {
  SECTION("raw_quotes") {
    const Lexer lexer('\\', LexerOptions{.raw_quotes = true});
    CHECK(word_of("'a b' \"$PWD\"", lexer) == "'a b' \"/home\"");
  }
  SECTION("raw_escapes") {
    const Lexer lexer('\\', LexerOptions{.raw_escapes = true});
    CHECK(word_of(R"(a\$PWD "\$PWD \x")", lexer) == R"(a\$PWD \$PWD \\x)");
  }
  SECTION("skip_process_quotes") {
    const Lexer lexer('\\', LexerOptions{.skip_process_quotes = true});
    CHECK(word_of("'$PWD' \"it's\"", lexer) == "'/home' \"it's\"");
  }
  SECTION("skip_unset_env") {
    const Lexer lexer('\\', LexerOptions{.skip_unset_env = true});
    CHECK(word_of("$NOPE ${NOPE} ${NOPE:-x} ${NOPE#y} ${NOPE//a/b} $PWD", lexer) ==
          "$NOPE ${NOPE} ${NOPE:-x} ${NOPE#y} ${NOPE/a/b} /home");
  }
}

TEST_CASE("env_from_list lets the last entry of a name win and treats a bare name as empty", "[dockerfile][shell]") {
  const EnvLookup env = env_from_list({"A=1", "B", "A=2=3", "C="});
  CHECK(env("A") == "2=3");
  CHECK(env("B") == "");
  CHECK(env("C") == "");
  CHECK(env("D") == std::nullopt);
  CHECK(env("a") == std::nullopt);
}

TEST_CASE("a lexer without an environment sees every variable unset", "[dockerfile][shell]") {
  auto result = Lexer().process_word("[$X${Y:-d}]", EnvLookup());
  REQUIRE(result);
  CHECK(result->word == "[d]");
  CHECK(result->unmatched == std::set<std::string>{"X", "Y"});
}

TEST_CASE("expansions nested absurdly deep fail instead of exhausting the stack", "[dockerfile][shell]") {
  const auto nested = [](int depth) {
    std::string text;
    for (int level = 0; level < depth; ++level) text += "${a:-\"";
    text += "x";
    for (int level = 0; level < depth; ++level) text += "\"}";
    return text;
  };
  auto shallow = Lexer().process_word(nested(200), kEnv);
  REQUIRE(shallow);
  CHECK(shallow->word == "x");
  for (int depth : {300, 12000}) {
    auto deep = Lexer().process_word(nested(depth), kEnv);
    REQUIRE_FALSE(deep);
    CHECK_THAT(deep.status().message(), Catch::Matchers::EndsWith(": expansions nested more than 256 deep"));
  }
}
