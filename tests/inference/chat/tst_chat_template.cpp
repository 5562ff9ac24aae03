// The chat-template interpreter against real Jinja2: every case of every reference/templates/<name>.json
// golden (rendered by Jinja2 set up as Hugging Face transformers sets it up) must come out byte for byte, and
// every case that raised must fail (raise_exception with its exact message). Unit rows pin the interpreter's
// pieces (expected strings produced by Jinja2 3.1 in the same environment), malformed templates must fail
// with a line and column, and the built-in fallback formats must be detected and render.
#include "vela/chat_template.h"

#include "chat/json.h"
#include "chat/value.h"
#include "support/test_data.h"

#include <QDir>
#include <QFile>
#include <QtTest>

#include <map>
#include <set>

using namespace vela;

namespace {

// 2026-11-26 00:00:00 UTC: the date the goldens pin strftime_now() to.
constexpr std::time_t kGoldenNow = 1795651200;

// Template files whose goldens we do not match yet. Each must still FAIL (checked below), so the list
// cannot rot when they get fixed. Currently empty: all goldens pass.
const std::set<QString> kKnownFailing = {};

// At least this many golden cases must exist (22 template files, 322 cases when written), so a shrunken
// fixture folder cannot make the test pass vacuously.
constexpr int kMinGoldenFiles = 22;
constexpr int kMinGoldenCases = 322;

QByteArray readAll(const QString& path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return f.readAll();
}

std::string toStd(const QByteArray& b)
{
    return std::string(b.constData(), size_t(b.size()));
}

chat::Value jsonValue(const QByteArray& text)
{
    Result<chat::Value> v = chat::parseJson(toStd(text));
    return v ? *v : chat::Value();
}

struct GoldenOutcome {
    bool passed = false;
    QString detail;
};

// Renders case `index` of a golden file and compares it with what Jinja2 produced.
GoldenOutcome runGoldenCase(const ChatTemplate& tmpl, const chat::Value& c)
{
    const chat::ValueDict& d = c.dict();
    Result<std::string> r = tmpl.render(buildChatContext(c), kGoldenNow);
    if (const chat::Value* expected = d.find("expected")) {
        if (!r)
            return { false, QString::fromStdString("render failed: " + r.message()) };
        if (*r != expected->asString())
            return { false,
                QString::fromStdString(
                    "mismatch:\n--- got ---\n" + *r + "\n--- expected ---\n" + expected->asString()) };
        return { true, {} };
    }
    const chat::Value* error = d.find("error");
    const chat::Value* type = d.find("error_type");
    if (!error || !type)
        return { false, "golden case has neither expected nor error" };
    if (r)
        return { false, QString::fromStdString("rendered, but Jinja2 raised: " + error->asString()) };
    // raise_exception messages are the template's own words; other errors are Python-specific wording.
    if (type->asString() == "TemplateError" && r.message() != error->asString())
        return { false, QString::fromStdString("error '" + r.message() + "', expected '" + error->asString() + "'") };
    return { true, {} };
}

QString templatesDir()
{
    return vela::test::testDataDir() + "/reference/templates";
}

} // namespace

class TestChatTemplate : public QObject {
    Q_OBJECT

private slots:
    void goldenCases_data();
    void goldenCases();
    void goldenSummary();
    void interpreterRenders_data();
    void interpreterRenders();
    void interpreterErrors_data();
    void interpreterErrors();
    void parseErrors_data();
    void parseErrors();
    void jsonKeepsKeyOrder();
    void builtinDetection_data();
    void builtinDetection();
    void builtinFormatsRender_data();
    void builtinFormatsRender();
    void builtinChatMLMatchesGolden();
};

void TestChatTemplate::goldenCases_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("index");
    const QDir dir(templatesDir());
    for (const QString& file : dir.entryList({ "*.json" }, QDir::Files, QDir::Name)) {
        const QString name = QFileInfo(file).completeBaseName();
        if (kKnownFailing.count(name))
            continue;
        chat::Value cases = jsonValue(readAll(dir.filePath(file)));
        if (!cases.isList())
            continue;
        for (size_t i = 0; i < cases.list().size(); ++i) {
            const chat::Value* caseName = cases.list()[i].dict().find("name");
            QTest::addRow("%s/%s", qPrintable(name), caseName ? caseName->str().c_str() : "?") << name << int(i);
        }
    }
}

void TestChatTemplate::goldenCases()
{
    QFETCH(QString, name);
    QFETCH(int, index);
    const QString base = templatesDir() + "/" + name;
    const QByteArray source = readAll(base + ".jinja");
    QVERIFY2(!source.isEmpty(), qPrintable("cannot read " + base + ".jinja"));
    Result<ChatTemplate> tmpl = ChatTemplate::parse(toStd(source));
    QVERIFY2(tmpl.isOk(), tmpl.message().c_str());
    chat::Value cases = jsonValue(readAll(base + ".json"));
    QVERIFY(cases.isList() && size_t(index) < cases.list().size());
    GoldenOutcome outcome = runGoldenCase(*tmpl, cases.list()[size_t(index)]);
    QVERIFY2(outcome.passed, qPrintable(outcome.detail));
}

// Per-file pass counts (printed), the fixture-size floor, and the known-failing list's honesty.
void TestChatTemplate::goldenSummary()
{
    VELA_REQUIRE_FILE(readme, "reference/templates/README.md");
    const QDir dir(templatesDir());
    int files = 0, total = 0, passedTotal = 0;
    for (const QString& file : dir.entryList({ "*.jinja" }, QDir::Files, QDir::Name)) {
        const QString name = QFileInfo(file).completeBaseName();
        Result<ChatTemplate> tmpl = ChatTemplate::parse(toStd(readAll(dir.filePath(file))));
        chat::Value cases = jsonValue(readAll(dir.filePath(name + ".json")));
        QVERIFY2(cases.isList(), qPrintable("bad golden file " + name + ".json"));
        int passed = 0;
        for (const chat::Value& c : cases.list())
            passed += tmpl.isOk() && runGoldenCase(*tmpl, c).passed;
        const int count = int(cases.list().size());
        qInfo("%-48s %3d/%3d%s", qPrintable(name), passed, count, kKnownFailing.count(name) ? "  (known failing)" : "");
        if (kKnownFailing.count(name))
            QVERIFY2(passed < count, qPrintable(name + " passes now: remove it from kKnownFailing"));
        else
            passedTotal += passed;
        ++files;
        total += count;
    }
    for (const QString& name : kKnownFailing)
        QVERIFY2(
            QFile::exists(dir.filePath(name + ".jinja")), qPrintable("kKnownFailing names a missing file " + name));
    qInfo("golden cases passed: %d of %d (%d files)", passedTotal, total, files);
    QVERIFY2(files >= kMinGoldenFiles, qPrintable(QString("only %1 template files found").arg(files)));
    QVERIFY2(total >= kMinGoldenCases, qPrintable(QString("only %1 golden cases found").arg(total)));
}

void TestChatTemplate::interpreterRenders_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("trim_blocks") << QByteArray("{% if true %}\nyes\n{% endif %}\nend") << QByteArray("{}")
                                 << QByteArray("yes\nend");
    QTest::addRow("lstrip_blocks") << QByteArray("a\n    {% if true %}\n    b\n    {% endif %}\nc") << QByteArray("{}")
                                   << QByteArray("a\n    b\nc");
    QTest::addRow("dash_strips") << QByteArray("x  \n  {{- 'y' -}}  \n  z") << QByteArray("{}") << QByteArray("xyz");
    QTest::addRow("plus_keeps_lstrip") << QByteArray("a\n  {%+ if true %}b{% endif %}") << QByteArray("{}")
                                       << QByteArray("a\n  b");
    QTest::addRow("comment_trimmed") << QByteArray("a\n{# note #}\nb") << QByteArray("{}") << QByteArray("a\nb");
    QTest::addRow("trailing_newline_dropped") << QByteArray("a\n\n") << QByteArray("{}") << QByteArray("a\n");
    QTest::addRow("raw_block") << QByteArray("{% raw %}{{ x }}{% endraw %}") << QByteArray("{}")
                               << QByteArray("{{ x }}");
    QTest::addRow("loop_vars") << QByteArray("{% for x in xs %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ "
                                             "loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}")
                               << QByteArray("{\"xs\": [\"a\", \"b\", \"c\"]}")
                               << QByteArray("103TrueFalse3|212FalseFalse3|321FalseTrue3|");
    QTest::addRow("loop_else") << QByteArray("{% for x in xs %}{{ x }}{% else %}empty{% endfor %}")
                               << QByteArray("{\"xs\": []}") << QByteArray("empty");
    QTest::addRow("loop_filter") << QByteArray("{% for x in xs if x > 1 %}{{ loop.index }}:{{ x }} {% endfor %}")
                                 << QByteArray("{\"xs\": [1, 2, 3]}") << QByteArray("1:2 2:3 ");
    QTest::addRow("break_continue") << QByteArray("{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{% if x == "
                                                  "4 %}{% break %}{% endif %}{{ x }}{% endfor %}")
                                    << QByteArray("{\"xs\": [1, 2, 3, 4, 5]}") << QByteArray("13");
    QTest::addRow("previtem_nextitem") << QByteArray(
        "{% for x in xs %}{{ loop.previtem }}-{{ loop.nextitem }};{% endfor %}")
                                       << QByteArray("{\"xs\": [1, 2]}") << QByteArray("-2;1-;");
    QTest::addRow("dict_items_unpack") << QByteArray("{% for k, v in d.items() %}{{ k }}={{ v }},{% endfor %}")
                                       << QByteArray("{\"d\": {\"z\": 1, \"a\": 2}}") << QByteArray("z=1,a=2,");
    QTest::addRow("loop_scope") << QByteArray("{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}")
                                << QByteArray("{}") << QByteArray("1");
    QTest::addRow("namespace") << QByteArray(
        "{% set ns = namespace(n=0) %}{% for i in [1,2,3] %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}")
                               << QByteArray("{}") << QByteArray("6");
    QTest::addRow("macro") << QByteArray("{% macro greet(name, punct='!') %}Hi {{ name }}{{ punct }}{% endmacro %}{{ "
                                         "greet('Bob') }} {{ greet('Al', punct='?') }}")
                           << QByteArray("{}") << QByteArray("Hi Bob! Hi Al?");
    QTest::addRow("set_block") << QByteArray("{% set s %}  inner {{ 1 + 1 }}{% endset %}[{{ s }}]") << QByteArray("{}")
                               << QByteArray("[  inner 2]");
    QTest::addRow("filter_block") << QByteArray("{% filter upper %}abc{% endfilter %}") << QByteArray("{}")
                                  << QByteArray("ABC");
    QTest::addRow("undefined_prints_empty")
        << QByteArray("[{{ missing }}][{{ d.nokey }}]") << QByteArray("{\"d\": {}}") << QByteArray("[][]");
    QTest::addRow("undefined_tests") << QByteArray(
        "{{ missing is defined }} {{ missing is undefined }} {{ none_val is none }} {{ missing | default('dflt') }}")
                                     << QByteArray("{\"none_val\": null}") << QByteArray("False True True dflt");
    QTest::addRow("python_repr") << QByteArray("{{ none_val }} {{ true }} {{ [1, 'a', none_val] }} {{ {'k': 'v'} }} {{ "
                                               "1.0 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 % 3 }}")
                                 << QByteArray("{\"none_val\": null}")
                                 << QByteArray("None True [1, 'a', None] {'k': 'v'} 1.0 3.5 3 2");
    QTest::addRow("tojson_default") << QByteArray("{{ d | tojson }}")
                                    << QByteArray("{\"d\": {\"b\": [1, 2.5, true, null], \"a\": \"é\\\"\\n\"}}")
                                    << QByteArray("{\"b\": [1, 2.5, true, null], \"a\": \"é\\\"\\n\"}");
    QTest::addRow("tojson_indent") << QByteArray("{{ d | tojson(indent=2) }}")
                                   << QByteArray("{\"d\": {\"b\": [1, {}], \"a\": []}}")
                                   << QByteArray("{\n  \"b\": [\n    1,\n    {}\n  ],\n  \"a\": []\n}");
    QTest::addRow("tojson_string") << QByteArray("{{ 'x' | tojson }}") << QByteArray("{}") << QByteArray("\"x\"");
    QTest::addRow("slicing") << QByteArray("{{ s[::-1] }} {{ xs[1:] }} {{ xs[-1] }} {{ s[1:3] }}")
                             << QByteArray("{\"s\": \"héllo\", \"xs\": [1, 2, 3]}") << QByteArray("olléh [2, 3] 3 él");
    QTest::addRow("string_methods") << QByteArray(
        "{{ s.strip() }}|{{ s.lstrip() }}|{{ s.rstrip() }}|{{ s.split() }}|{{ 'a,b'.split(',') }}|{{ "
        "s.strip().startswith('ab') }}|{{ 'Ab cd'.upper() }}{{ 'Ab'.lower() }}|{{ 'hello world'.title() }}|{{ "
        "'aXa'.replace('a', 'b') }}")
                                    << QByteArray("{\"s\": \"  ab c  \"}")
                                    << QByteArray(
                                           "ab c|ab c  |  ab c|['ab', 'c']|['a', 'b']|True|AB CDab|Hello World|bXb");
    QTest::addRow("dict_get") << QByteArray(
        "{{ d.get('a') }} {{ d.get('zz', 'no') }} {{ d.get('zz') }} {{ d.keys() | list }} {{ d['a'] }}")
                              << QByteArray("{\"d\": {\"a\": 1}}") << QByteArray("1 no None ['a'] 1");
    QTest::addRow("filters_misc") << QByteArray(
        "{{ xs | length }} {{ '  t  ' | trim }} {{ xs | join('-') }} {{ xs | first }} {{ xs | last }} {{ 'abc' | upper "
        "}} {{ 'hello' | capitalize }} {{ '5' | int + 1 }} {{ xs | map('string') | join }}")
                                  << QByteArray("{\"xs\": [3, 1, 2]}") << QByteArray("3 t 3-1-2 3 2 ABC Hello 6 312");
    QTest::addRow("selectattr_map") << QByteArray(
        "{{ ms | selectattr('role', 'equalto', 'user') | map(attribute='content') | join(',') }}|{{ ms | "
        "rejectattr('role', 'eq', 'user') | list | length }}")
                                    << QByteArray(
                                           "{\"ms\": [{\"role\": \"user\", \"content\": \"a\"}, {\"role\": \"bot\", "
                                           "\"content\": \"b\"}, {\"role\": \"user\", \"content\": \"c\"}]}")
                                    << QByteArray("a,c|1");
    QTest::addRow("dictsort_items") << QByteArray("{% for k, v in d | dictsort %}{{ k }}{{ v }}{% endfor %} {% for k, "
                                                  "v in d | items %}{{ k }}{{ v }}{% endfor %}")
                                    << QByteArray("{\"d\": {\"b\": 1, \"A\": 2}}") << QByteArray("A2b1 b1A2");
    QTest::addRow("indent") << QByteArray("{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'x\\ny' | indent(4, true) }}")
                            << QByteArray("{}") << QByteArray("a\n  b\n\n  c|    x\n    y");
    QTest::addRow("ternary_and_in") << QByteArray("{{ 'y' if 'b' in 'abc' else 'n' }}{{ 'y' if 2 in [1,2] }}{{ 'y' if "
                                                  "'k' in {'k': 1} }}{{ 'x' if false }}{{ 'n' if 3 not in [1] }}")
                                    << QByteArray("{}") << QByteArray("yyyn");
    QTest::addRow("concat_tilde") << QByteArray("{{ 'a' ~ 1 ~ none_val }}") << QByteArray("{\"none_val\": null}")
                                  << QByteArray("a1None");
    QTest::addRow("and_or_values") << QByteArray("{{ 0 or 'x' }} {{ 'a' and 'b' }} {{ not 0 }}") << QByteArray("{}")
                                   << QByteArray("x b True");
    QTest::addRow("tests_misc") << QByteArray(
        "{{ 'a' is string }} {{ 1 is number }} {{ {} is mapping }} {{ [] is iterable }} {{ 'a' is sequence }} {{ true "
        "is boolean }} {{ false is false }} {{ 3 is odd }} {{ 4 is divisibleby(2) }}")
                                << QByteArray("{}") << QByteArray("True True True True True True True True True");
    QTest::addRow("strftime_now") << QByteArray("{{ strftime_now('%d %b %Y') }}") << QByteArray("{}")
                                  << QByteArray("26 Nov 2026");
    QTest::addRow("string_in_loop") << QByteArray("{% for c in 'añb' %}[{{ c }}]{% endfor %}{{ 'añb' | length }}")
                                    << QByteArray("{}") << QByteArray("[a][ñ][b]3");
}

void TestChatTemplate::interpreterRenders()
{
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, expected);
    Result<ChatTemplate> tmpl = ChatTemplate::parse(toStd(source));
    QVERIFY2(tmpl.isOk(), tmpl.message().c_str());
    Result<chat::Value> ctx = chat::parseJson(toStd(context));
    QVERIFY2(ctx.isOk(), ctx.message().c_str());
    Result<std::string> r = tmpl->render(*ctx, kGoldenNow);
    QVERIFY2(r.isOk(), r.message().c_str());
    QCOMPARE(QByteArray::fromStdString(*r), expected);
}

void TestChatTemplate::interpreterErrors_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("context");
    QTest::addColumn<QByteArray>("message");
    QTest::addRow("raise_exception") << QByteArray(
        "{{ raise_exception('Conversation roles must alternate user/assistant') }}")
                                     << QByteArray("{}")
                                     << QByteArray("Conversation roles must alternate user/assistant"); // TemplateError
    QTest::addRow("undefined_attribute") << QByteArray("{{ missing.attr }}") << QByteArray("{}")
                                         << QByteArray("'missing' is undefined"); // UndefinedError
    QTest::addRow("none_not_iterable") << QByteArray("{% for t in tools %}{% endfor %}")
                                       << QByteArray("{\"tools\": null}")
                                       << QByteArray("'NoneType' object is not iterable"); // TypeError
    QTest::addRow("list_append_unsafe")
        << QByteArray("{% set xs = [] %}{{ xs.append(1) }}") << QByteArray("{}")
        << QByteArray("access to attribute 'append' of 'list' object is unsafe."); // SecurityError
    QTest::addRow("add_str_int") << QByteArray("{{ 'a' + 1 }}") << QByteArray("{}")
                                 << QByteArray("can only concatenate str (not \"int\") to str"); // TypeError
    QTest::addRow("self_referencing_namespace_tojson")
        << QByteArray("{% set ns = namespace(a=1) %}{% set ns.x = ns %}{{ ns.x == ns }}{{ ns | tojson }}")
        << QByteArray("{}") << QByteArray("Object of type Namespace is not JSON serializable"); // TypeError
    QTest::addRow("assign_non_namespace")
        << QByteArray("{% set d = {} %}{% set d.x = 1 %}") << QByteArray("{}")
        << QByteArray("cannot assign attribute on non-namespace object"); // TemplateRuntimeError
}

void TestChatTemplate::interpreterErrors()
{
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, context);
    QFETCH(QByteArray, message);
    Result<ChatTemplate> tmpl = ChatTemplate::parse(toStd(source));
    QVERIFY2(tmpl.isOk(), tmpl.message().c_str());
    Result<std::string> r = tmpl->render(jsonValue(context), kGoldenNow);
    QVERIFY2(!r.isOk(), "rendering should have failed");
    QCOMPARE(QByteArray::fromStdString(r.message()), message);
}

void TestChatTemplate::parseErrors_data()
{
    QTest::addColumn<QByteArray>("source");
    QTest::addColumn<QByteArray>("where");
    QTest::addRow("unclosed_if") << QByteArray("a\n{% if x %}b") << QByteArray("line 2, column 12: missing 'endif'");
    QTest::addRow("unclosed_expression") << QByteArray("{{ x ") << QByteArray("line 1, column 1");
    QTest::addRow("unknown_tag") << QByteArray("ok\n  {% frobnicate %}") << QByteArray("line 2, column 6");
    QTest::addRow("bad_operator") << QByteArray("{{ 1 + }}") << QByteArray("line 1, column 8");
    QTest::addRow("stray_endfor") << QByteArray("x{% endfor %}") << QByteArray("line 1, column 5");
    QTest::addRow("unterminated_string") << QByteArray("\n\n{{ 'abc }}") << QByteArray("line 3, column 4");
    QTest::addRow("unterminated_comment") << QByteArray("{# no end") << QByteArray("line 1, column 1");
    QTest::addRow("missing_in") << QByteArray("{% for x of xs %}{% endfor %}") << QByteArray("line 1, column 10");
    QTest::addRow("unclosed_bracket") << QByteArray("{{ [1, 2 }}") << QByteArray("line 1, column");
    QTest::addRow("bad_character") << QByteArray("{{ a $ b }}") << QByteArray("line 1, column 6");
}

void TestChatTemplate::parseErrors()
{
    QFETCH(QByteArray, source);
    QFETCH(QByteArray, where);
    Result<ChatTemplate> tmpl = ChatTemplate::parse(toStd(source));
    QVERIFY2(!tmpl.isOk(), "parse should have failed");
    QVERIFY2(QByteArray::fromStdString(tmpl.message()).contains("template syntax error at " + where),
        tmpl.message().c_str());
}

void TestChatTemplate::jsonKeepsKeyOrder()
{
    Result<chat::Value> v = chat::parseJson(R"({"z": 1, "a": {"y": [1.5, "\u00e9\ud83d\ude00"], "b": null}})");
    QVERIFY2(v.isOk(), v.message().c_str());
    QCOMPARE(QByteArray::fromStdString(chat::toJson(*v)),
        QByteArray("{\"z\": 1, \"a\": {\"y\": [1.5, \"é😀\"], \"b\": null}}"));
    QVERIFY(!chat::parseJson("{\"a\": }").isOk());
    QVERIFY(!chat::parseJson("[1, 2").isOk());
}

void TestChatTemplate::builtinDetection_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::addColumn<QByteArray>("model");
    QTest::addColumn<int>("format"); // -1: none
    const QDir dir(templatesDir());
    auto file = [&](const char* name) { return readAll(dir.filePath(QString(name) + ".jinja")); };
    QTest::addRow("qwen2.5_template") << file("Qwen-Qwen2.5-7B-Instruct") << QByteArray()
                                      << int(BuiltinChatFormat::ChatML);
    QTest::addRow("llama3.1_template") << file("meta-llama-Llama-3.1-8B-Instruct") << QByteArray()
                                       << int(BuiltinChatFormat::Llama3);
    QTest::addRow("gemma2_template") << file("google-gemma-2-2b-it") << QByteArray() << int(BuiltinChatFormat::Gemma);
    QTest::addRow("phi3_template") << file("microsoft-Phi-3-mini-4k-instruct") << QByteArray()
                                   << int(BuiltinChatFormat::Phi3);
    QTest::addRow("llama2_template") << file("meta-llama-Llama-2-7b-chat") << QByteArray()
                                     << int(BuiltinChatFormat::Llama2);
    QTest::addRow("mistral_template") << file("mistralai-Mistral-7B-Instruct-v0.2") << QByteArray()
                                      << int(BuiltinChatFormat::Mistral);
    QTest::addRow("name_llama3") << QByteArray() << QByteArray("Meta-Llama-3-8B-Instruct llama")
                                 << int(BuiltinChatFormat::Llama3);
    QTest::addRow("name_llama2") << QByteArray() << QByteArray("Llama-2-7b-chat") << int(BuiltinChatFormat::Llama2);
    QTest::addRow("name_gemma") << QByteArray() << QByteArray("gemma2") << int(BuiltinChatFormat::Gemma);
    QTest::addRow("name_phi3") << QByteArray() << QByteArray("Phi-3-mini-4k-instruct phi3")
                               << int(BuiltinChatFormat::Phi3);
    QTest::addRow("name_mistral") << QByteArray() << QByteArray("Mistral-7B-Instruct")
                                  << int(BuiltinChatFormat::Mistral);
    QTest::addRow("name_qwen") << QByteArray() << QByteArray("Qwen2.5 qwen2") << int(BuiltinChatFormat::ChatML);
    QTest::addRow("nothing") << QByteArray("{{ messages }}") << QByteArray("gpt2") << -1;
}

void TestChatTemplate::builtinDetection()
{
    QFETCH(QByteArray, text);
    QFETCH(QByteArray, model);
    QFETCH(int, format);
    std::optional<BuiltinChatFormat> got = detectBuiltinFormat(toStd(text), toStd(model));
    QCOMPARE(got ? int(*got) : -1, format);
}

void TestChatTemplate::builtinFormatsRender_data()
{
    QTest::addColumn<int>("format");
    QTest::addColumn<QByteArray>("expected");
    QTest::addRow("chatml")
        << int(BuiltinChatFormat::ChatML)
        << QByteArray("<|im_start|>system\nS<|im_end|>\n<|im_start|>user\nU<|im_end|>\n<|im_start|>assistant\n");
    QTest::addRow("llama2") << int(BuiltinChatFormat::Llama2)
                            << QByteArray("<s>[INST] <<SYS>>\nS\n<</SYS>>\n\nU [/INST]");
    QTest::addRow("llama3") << int(BuiltinChatFormat::Llama3)
                            << QByteArray(
                                   "<s><|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user"
                                   "<|end_header_id|>\n\nU<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");
    QTest::addRow("gemma") << int(BuiltinChatFormat::Gemma)
                           << QByteArray("<s><start_of_turn>user\nS\n\nU<end_of_turn>\n<start_of_turn>model\n");
    QTest::addRow("phi3") << int(BuiltinChatFormat::Phi3)
                          << QByteArray("<|system|>\nS<|end|>\n<|user|>\nU<|end|>\n<|assistant|>\n");
    QTest::addRow("mistral") << int(BuiltinChatFormat::Mistral) << QByteArray("<s>[INST] S [/INST][INST] U [/INST]");
}

void TestChatTemplate::builtinFormatsRender()
{
    QFETCH(int, format);
    QFETCH(QByteArray, expected);
    Result<ChatTemplate> tmpl = ChatTemplate::parse(builtinTemplateSource(BuiltinChatFormat(format)));
    QVERIFY2(tmpl.isOk(), tmpl.message().c_str());
    chat::Value request
        = jsonValue(R"({"messages": [{"role": "system", "content": "S"}, {"role": "user", "content": "U"}],
                                        "add_generation_prompt": true, "bos_token": "<s>", "eos_token": "</s>"})");
    Result<std::string> r = tmpl->render(buildChatContext(request));
    QVERIFY2(r.isOk(), r.message().c_str());
    QCOMPARE(QByteArray::fromStdString(*r), expected);
}

// The built-in ChatML must render exactly like the reference ChatML template on all its golden cases.
void TestChatTemplate::builtinChatMLMatchesGolden()
{
    VELA_REQUIRE_FILE(path, "reference/templates/chatml.json");
    Result<ChatTemplate> tmpl = ChatTemplate::parse(builtinTemplateSource(BuiltinChatFormat::ChatML));
    QVERIFY2(tmpl.isOk(), tmpl.message().c_str());
    chat::Value cases = jsonValue(readAll(path));
    QVERIFY(cases.isList() && !cases.list().empty());
    for (const chat::Value& c : cases.list()) {
        GoldenOutcome outcome = runGoldenCase(*tmpl, c);
        QVERIFY2(
            outcome.passed, qPrintable(QString::fromStdString(c.dict().find("name")->str()) + ": " + outcome.detail));
    }
}

QTEST_GUILESS_MAIN(TestChatTemplate)
#include "tst_chat_template.moc"
