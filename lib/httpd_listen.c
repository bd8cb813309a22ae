/* The listen address of blt's servers: "HOST:PORT", "[IPV6]:PORT" or
 * ":PORT", checked with messages that name what is wrong (part of the
 * httpd module; declared in blt/httpd.h). */
#include "blt/httpd.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* Checks the port text: 1 to 5 digits, at most 65535. */
static blt_status parse_port(const char *text, const char *p,
			     unsigned short *port, struct blt_err *err)
{
	unsigned long v = 0;
	size_t i;

	if (!*p)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': missing port after ':'",
				text);
	for (i = 0; p[i]; i++) {
		if (!isdigit((unsigned char)p[i]) || i >= 5)
			return blt_fail(err, BLT_EUSAGE,
					"listen address '%s': port '%s' is not "
					"a number from 0 to 65535",
					text, p);
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v > 65535)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': port %lu is out of range "
				"(0 to 65535)",
				text, v);
	*port = (unsigned short)v;
	return BLT_OK;
}

/* Checks a host name or IPv4 address: letters, digits, '-', '.' only. */
static blt_status check_hostname(const char *text, const char *host,
				 struct blt_err *err)
{
	size_t i;

	if (!*host)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': missing host before ':' "
				"(e.g. 127.0.0.1:%s)",
				text, text + 1);
	for (i = 0; host[i]; i++) {
		unsigned char ch = (unsigned char)host[i];

		if (ch == ':')
			return blt_fail(err, BLT_EUSAGE,
					"listen address '%s': an IPv6 address "
					"needs brackets, e.g. [::1]:8080",
					text);
		if (!isalnum(ch) && ch != '-' && ch != '.')
			return blt_fail(err, BLT_EUSAGE,
					"listen address '%s': host '%s' has an "
					"invalid character '%c'",
					text, host, isprint(ch) ? ch : '?');
	}
	return BLT_OK;
}

/* Copies n bytes of host into out (hostsz bytes) as a string. */
static blt_status copy_host(const char *text, const char *host, size_t n,
			    char *out, size_t hostsz, struct blt_err *err)
{
	if (n >= hostsz)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': host is longer than %zu "
				"characters",
				text, hostsz - 1);
	memcpy(out, host, n);
	out[n] = '\0';
	return BLT_OK;
}

/* Parses "[v6]:PORT". */
static blt_status parse_bracketed(const char *text, char *host, size_t hostsz,
				  unsigned short *port, struct blt_err *err)
{
	const char *close = strchr(text, ']');
	struct in6_addr a6;
	blt_status st;

	if (!close)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': missing ']' after the "
				"IPv6 address",
				text);
	if (close[1] != ':')
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': expected ':PORT' after "
				"']'",
				text);
	st = copy_host(text, text + 1, (size_t)(close - text - 1), host, hostsz,
		       err);
	if (st)
		return st;
	if (inet_pton(AF_INET6, host, &a6) != 1)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': '%s' is not an IPv6 "
				"address",
				text, host);
	return parse_port(text, close + 2, port, err);
}

blt_status httpd_parse_listen(const char *text, char *host, size_t hostsz,
			      unsigned short *port, struct blt_err *err)
{
	const char *colon;
	blt_status st;

	if (!text || !*text)
		return blt_fail(err, BLT_EUSAGE,
				"listen address is empty (expected HOST:PORT, "
				"e.g. 127.0.0.1:0)");
	if (text[0] == '[')
		return parse_bracketed(text, host, hostsz, port, err);
	colon = strrchr(text, ':');
	if (!colon)
		return blt_fail(err, BLT_EUSAGE,
				"listen address '%s': missing ':PORT' "
				"(expected HOST:PORT, e.g. 127.0.0.1:0)",
				text);
	st = copy_host(text, text, (size_t)(colon - text), host, hostsz, err);
	if (st)
		return st;
	st = check_hostname(text, host, err);
	if (st)
		return st;
	return parse_port(text, colon + 1, port, err);
}

