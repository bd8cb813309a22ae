/* Unit tests for the small core modules: err, buf, rng, clock, base64,
 * log. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "blt/base64.h"
#include "blt/buf.h"
#include "blt/clock.h"
#include "blt/err.h"
#include "blt/log.h"
#include "blt/rng.h"

Test(err, fail_records_code_and_message)
{
	struct blt_err err;

	cr_assert_eq(blt_fail(&err, BLT_EINVAL, "MaxResults: %d", 0),
		     BLT_EINVAL);
	cr_assert_eq(err.code, BLT_EINVAL);
	cr_assert_str_eq(err.msg, "MaxResults: 0");
	blt_err_prefix(&err, "request %d", 3);
	cr_assert_str_eq(err.msg, "request 3: MaxResults: 0");
	cr_assert_eq(blt_fail(NULL, BLT_EIO, "ignored"), BLT_EIO);
}

Test(err, prefix_that_fills_the_buffer_keeps_the_head_and_the_code)
{
	struct blt_err err;
	char head[BLT_ERR_MSG_MAX + 10];

	memset(head, 'h', sizeof(head) - 1);
	head[sizeof(head) - 1] = '\0';
	blt_fail(&err, BLT_EIO, "tail");
	cr_assert_eq(blt_err_prefix(&err, "%s", head), BLT_EIO);
	cr_assert_eq(strlen(err.msg), BLT_ERR_MSG_MAX - 1);
	cr_assert_eq(err.msg[0], 'h');
	blt_fail(&err, BLT_EIO, "%0400d", 7);
	blt_err_prefix(&err, "%0200d", 1);
	cr_assert_eq(strlen(err.msg), BLT_ERR_MSG_MAX - 1, "cut, not overrun");
	cr_assert_eq(strncmp(err.msg + 200, ": 000", 5), 0, "%s", err.msg);
}

Test(buf, grows_and_stops_at_its_cap)
{
	struct blt_buf b;
	struct blt_err err;

	buf_init(&b, 10);
	cr_assert_eq(buf_puts(&b, "hello", &err), BLT_OK);
	cr_assert_eq(buf_printf(&b, &err, "%s", "12345"), BLT_OK);
	cr_assert_str_eq(b.data, "hello12345");
	cr_assert_eq(buf_puts(&b, "x", &err), BLT_ELIMIT);
	cr_assert_str_eq(b.data, "hello12345", "a failed append changes nothing");
	cr_assert(strstr(err.msg, "10 bytes") != NULL, "%s", err.msg);
	char *s = buf_take(&b);
	cr_assert_str_eq(s, "hello12345");
	cr_assert_null(b.data);
	free(s);
	buf_free(&b);
}

Test(rng, same_seed_same_sequence_and_in_range)
{
	struct blt_rng a, b;

	rng_seed(&a, 42);
	rng_seed(&b, 42);
	for (int i = 0; i < 1000; i++) {
		uint64_t x = rng_below(&a, 7);
		cr_assert_eq(x, rng_below(&b, 7));
		cr_assert_lt(x, 7);
		double u = rng_unit(&a);
		(void)rng_unit(&b);
		cr_assert(u >= 0.0 && u < 1.0);
	}
	rng_seed(&b, 43);
	cr_assert_neq(rng_next(&a), rng_next(&b));
	cr_assert_eq(rng_mix(1, 2), rng_mix(1, 2));
	cr_assert_neq(rng_mix(1, 2), rng_mix(2, 1));
}

Test(clock, fake_time_is_honoured)
{
	char iso[32];

	setenv("BLT_FAKE_TIME", "1700000000.25", 1);
	cr_assert_float_eq(clock_now(), 1700000000.25, 1e-9);
	clock_iso8601(clock_now(), iso);
	cr_assert_str_eq(iso, "2023-11-14T22:13:20.250Z");
	unsetenv("BLT_FAKE_TIME");
	cr_assert_gt(clock_now(), 1700000000.0);
	clock_iso8601(0.999, iso);
	cr_assert_str_eq(iso, "1970-01-01T00:00:00.999Z");
	/* A year of five digits still fits; nothing is cut mid-field. */
	clock_iso8601(253402300800.0 * 10.0, iso);
	cr_assert_str_eq(iso, "82269-12-29T00:00:00.000Z", "%s", iso);
}

Test(base64, round_trips_in_both_alphabets)
{
	unsigned char bytes[64];
	unsigned char back[64];
	char text[100];
	size_t got;

	for (size_t i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i * 37 + 251);
	for (size_t n = 0; n <= sizeof(bytes); n++) {
		for (int a = BASE64_STD; a <= BASE64_URL; a++) {
			size_t len = base64_encode_to(bytes, n, a, text);

			cr_assert_eq(len, base64_encoded_len(n, a));
			cr_assert_eq(base64_decode_to(text, len, a, back,
						      sizeof(back), &got, NULL),
				     BLT_OK, "%s", text);
			cr_assert_eq(got, n);
			cr_assert_arr_eq(back, bytes, n);
		}
	}
	base64_encode_to("\xfb\xff", 2, BASE64_STD, text);
	cr_assert_str_eq(text, "+/8=");
	base64_encode_to("\xfb\xff", 2, BASE64_URL, text);
	cr_assert_str_eq(text, "-_8");
}

Test(base64, refuses_what_no_encoder_writes)
{
	static const char *const bad[] = {"abc", "ab=c", "a===", "ab!d",
					  "QR==", "QUI=QUI=", "-_8="};
	unsigned char out[16];
	struct blt_err err;
	struct blt_buf b;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_eq(base64_decode_to(bad[i], strlen(bad[i]),
					      BASE64_STD, out, sizeof(out),
					      NULL, &err),
			     BLT_EINVAL, "'%s' was accepted", bad[i]);
	cr_assert_eq(base64_decode_to("QUJD", 4, BASE64_STD, out, 2, NULL,
				      &err),
		     BLT_EINVAL, "a result over outsz was written");
	cr_assert_eq(base64_decode_to("a", 1, BASE64_URL, NULL, 0, NULL,
				      &err),
		     BLT_EINVAL);
	buf_init(&b, 100);
	cr_assert_eq(base64_decode("aGk=", 4, &b, &err), BLT_OK);
	cr_assert_str_eq(b.data, "hi");
	cr_assert_eq(base64_encode("hi!", 3, &b, &err), BLT_OK);
	cr_assert_str_eq(b.data, "hiaGkh");
	buf_free(&b);
}

Test(log, escape_leaves_only_printable_ascii)
{
	static const char in[] = "ok \x1b[31m\\ \x07\xc2\x9b\xff\n\0z";
	struct blt_buf b;

	buf_init(&b, 1024);
	cr_assert_eq(log_escape(&b, in, sizeof(in) - 1, NULL), BLT_OK);
	cr_assert_str_eq(b.data, "ok \\x1b[31m\\x5c \\x07\\xc2\\x9b\\xff\\x0a"
				 "\\x00z");
	buf_free(&b);
}

static const char *kind_name(size_t k)
{
	return k == 0 ? "A" : "B";
}

Test(log, limit_writes_the_first_lines_then_counts)
{
	struct log_limit l;
	size_t full = 0;

	log_limit_init(&l, "test", NULL, kind_name, 2);
	for (int i = 0; i < 20; i++)
		full += log_limit_take(&l, 0);
	cr_assert_eq(full, LOG_FULL_PER_KIND);
	cr_assert(log_limit_take(&l, 1), "each kind has its own count");
	cr_assert_eq(log_limit_seen(&l, 0), 20);
	cr_assert_eq(l.hidden[0], 20 - LOG_FULL_PER_KIND);
	log_limit_flush(&l);
	cr_assert_eq(l.hidden[0], 0, "the summary resets the count");
	log_limit_free(&l);
}
