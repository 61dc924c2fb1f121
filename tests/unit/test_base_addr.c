/* Unit tests for addresses, slices and error names (src/base/addr.c, slice.c, errors.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "sipbeat/errors.h"
#include "sipbeat/types.h"

static sb_slice S(const char *s) {
    return (sb_slice){s, strlen(s)};
}

static void test_addr_parse_format(void **state) {
    (void)state;
    static const struct {
        const char *in;
        uint8_t family;
        uint16_t port;
        const char *with_port, *bare;
    } good[] = {
        {"1.2.3.4", 4, 5060, "1.2.3.4:5060", "1.2.3.4"},
        {"192.0.2.1:5070", 4, 5070, "192.0.2.1:5070", "192.0.2.1"},
        {"0.0.0.0:0", 4, 0, "0.0.0.0:0", "0.0.0.0"},
        {"255.255.255.255:65535", 4, 65535, "255.255.255.255:65535", "255.255.255.255"},
        {"::1", 6, 5060, "[::1]:5060", "[::1]"},
        {"[::1]", 6, 5060, "[::1]:5060", "[::1]"},
        {"[::1]:5070", 6, 5070, "[::1]:5070", "[::1]"},
        {"2001:db8::1", 6, 5060, "[2001:db8::1]:5060", "[2001:db8::1]"},
        {"[2001:0db8:0000:0000:0000:0000:0000:0001]:1", 6, 1, "[2001:db8::1]:1", "[2001:db8::1]"},
        {"::", 6, 5060, "[::]:5060", "[::]"},
        {"[::ffff:192.0.2.1]:5060", 6, 5060, "[::ffff:192.0.2.1]:5060", "[::ffff:192.0.2.1]"},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        sb_addr a;
        if (sb_addr_parse(&a, good[i].in, strlen(good[i].in), 5060) != 0)
            fail_msg("\"%s\" rejected", good[i].in);
        assert_int_equal(a.family, good[i].family);
        assert_int_equal(a.port, good[i].port);
        char buf[64];
        size_t n = sb_addr_format(&a, buf, sizeof buf, true);
        assert_string_equal(buf, good[i].with_port);
        assert_int_equal(n, strlen(good[i].with_port));
        n = sb_addr_format(&a, buf, sizeof buf, false);
        assert_string_equal(buf, good[i].bare);
        assert_int_equal(n, strlen(good[i].bare));
        /* Formatting and parsing again gives the same address. */
        sb_addr b;
        assert_int_equal(sb_addr_parse(&b, good[i].with_port, strlen(good[i].with_port), 1), 0);
        assert_true(sb_addr_equal(&a, &b));
    }

    sb_addr a;
    assert_int_equal(sb_addr_parse(&a, "10.0.0.7:9", 10, 0), 0);
    const uint8_t ip[4] = {10, 0, 0, 7};
    assert_memory_equal(a.ip, ip, 4);

    /* Only len bytes are read: the rest of the string is not part of the address. */
    assert_int_equal(sb_addr_parse(&a, "10.0.0.1:5060garbage", 11, 0), 0);
    assert_int_equal(a.port, 50);

    const char *bad[] = {"",          "1.2.3",          "1.2.3.4.5",   "256.1.1.1",   "1.2.3.4:",
                         "1.2.3.4:x", "1.2.3.4:65536",  "1.2.3.4:-1",  "[::1",        "[::1]x",
                         "[::1]:",    "[1.2.3.4]",      "::1:5060:zz", "example.com", "[]",
                         ":5060",     "1.2.3.4:123456", "2001:db8:::1"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        sb_addr x;
        if (sb_addr_parse(&x, bad[i], strlen(bad[i]), 5060) != SB_EINVAL)
            fail_msg("\"%s\" accepted", bad[i]);
    }
    assert_int_equal(sb_addr_parse(&a, NULL, 0, 1), SB_EINVAL);
}

static void test_addr_format_truncates(void **state) {
    (void)state;
    sb_addr a;
    assert_int_equal(sb_addr_parse(&a, "[2001:db8::1]:5060", 18, 0), 0);
    char buf[8];
    size_t n = sb_addr_format(&a, buf, sizeof buf, true);
    assert_int_equal(n, 7);
    assert_string_equal(buf, "[2001:d");
    char one[1] = {'x'};
    assert_int_equal(sb_addr_format(&a, one, 1, true), 0);
    assert_int_equal(one[0], '\0');
    assert_int_equal(sb_addr_format(&a, NULL, 0, true), 0);
}

static void test_addr_equal(void **state) {
    (void)state;
    sb_addr a, b, c, d;
    assert_int_equal(sb_addr_parse(&a, "192.0.2.1:5060", 14, 0), 0);
    assert_int_equal(sb_addr_parse(&b, "192.0.2.1", 9, 5060), 0);
    assert_int_equal(sb_addr_parse(&c, "192.0.2.1:5061", 14, 0), 0);
    assert_int_equal(sb_addr_parse(&d, "[::ffff:192.0.2.1]:5060", 23, 0), 0);
    assert_true(sb_addr_equal(&a, &b));
    assert_false(sb_addr_equal(&a, &c));
    assert_false(sb_addr_equal(&a, &d)); /* a v4-mapped v6 address is a different family */
    sb_addr e, f;
    assert_int_equal(sb_addr_parse(&e, "2001:db8::1", 11, 5060), 0);
    assert_int_equal(sb_addr_parse(&f, "[2001:db8:0:0::1]:5060", 22, 0), 0);
    assert_true(sb_addr_equal(&e, &f));
    f.ip[15] ^= 1;
    assert_false(sb_addr_equal(&e, &f));
}

static void test_slices(void **state) {
    (void)state;
    assert_true(sb_slice_eq(S("Via"), "Via"));
    assert_false(sb_slice_eq(S("via"), "Via"));
    assert_false(sb_slice_eq(S("Vi"), "Via"));
    assert_false(sb_slice_eq(S("Viaa"), "Via"));
    assert_true(sb_slice_eq((sb_slice){NULL, 0}, ""));
    assert_true(sb_slice_ieq(S("cALL-iD"), "Call-ID"));
    assert_false(sb_slice_ieq(S("Call_ID"), "Call-ID"));
    assert_false(sb_slice_ieq(S("Call-I"), "Call-ID"));
    /* Only ASCII letters fold: '@' (0x40) and '`' (0x60) differ by the case bit but are not
     * letters, and must not compare equal. */
    assert_false(sb_slice_ieq(S("@"), "`"));
    assert_false(sb_slice_ieq(S("["), "{"));
    assert_true(sb_slice_ieq2(S("TIMER"), S("timer")));
    assert_false(sb_slice_ieq2(S("timer"), S("timers")));
    assert_true(sb_slice_ieq2((sb_slice){NULL, 0}, S("")));

    sb_slice t = sb_slice_trim(S(" \t\r\n value with  inner space \r\n\t "));
    assert_int_equal(t.n, strlen("value with  inner space"));
    assert_memory_equal(t.p, "value with  inner space", t.n);
    assert_int_equal(sb_slice_trim(S(" \r\n\t ")).n, 0);
    assert_int_equal(sb_slice_trim(S("")).n, 0);
    t = sb_slice_trim(S("x"));
    assert_int_equal(t.n, 1);
    assert_int_equal(t.p[0], 'x');
    assert_true(sb_slice_eq(SB_SLICE_LIT("abc"), "abc"));
}

static void test_errors(void **state) {
    (void)state;
    assert_string_equal(sb_errname(SB_EINCOMPLETE), "SB_EINCOMPLETE");
    assert_string_equal(sb_errname(SB_EMALFORMED), "SB_EMALFORMED");
    assert_string_equal(sb_errname(SB_ETOOBIG), "SB_ETOOBIG");
    assert_string_equal(sb_errname(SB_OK), "SB_OK");
    assert_string_equal(sb_strerror(SB_EMALFORMED), "malformed message");
    assert_string_equal(sb_strerror(SB_ENOTFOUND), "no such call");
    assert_string_equal(sb_strerror(SB_OK), "success");
    assert_string_equal(sb_strerror(-1000), "unknown error");
    assert_string_equal(sb_strerror(5), "unknown error");
    assert_string_equal(sb_errname(-1000), "unknown error");
    /* Every code in the map has its own text. */
#define CHECK(name, code, text)                                                                    \
    assert_string_equal(sb_strerror(code), text);                                                  \
    assert_string_equal(sb_errname(code), "SB_E" #name);
    SB_ERRNO_MAP(CHECK)
#undef CHECK
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_addr_parse_format),
        cmocka_unit_test(test_addr_format_truncates),
        cmocka_unit_test(test_addr_equal),
        cmocka_unit_test(test_slices),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
