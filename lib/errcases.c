/* The awsJson1_0 error forms of Smithy's protocol tests, as data. */
#include "blt/errcases.h"

#include <stdlib.h>
#include <string.h>

#include "blt/buf.h"

#define NS "aws.protocoltests.json10#"
#define URI ":http://internal.amazon.com/coral/com.amazon.coral.validate/"

const struct errcase errcases[] = {
    {"AwsJson10InvalidGreetingError", 400, NULL,
     "{\"__type\":\"" NS "InvalidGreeting\",\"Message\":\"Hi\"}",
     "InvalidGreeting", "__type with a namespace, the message in Message"},
    {"AwsJson10ComplexError", 400, NULL,
     "{\"__type\":\"" NS "ComplexError\",\"TopLevel\":\"Top level\","
     "\"Nested\":{\"Foo\":\"bar\"}}",
     "ComplexError", "__type with a namespace, other members, no message"},
    {"AwsJson10EmptyComplexError", 400, NULL,
     "{\"__type\":\"" NS "ComplexError\"}", "ComplexError",
     "__type with a namespace alone"},
    {"AwsJson10FooErrorUsingXAmznErrorType", 500, "FooError", NULL, "FooError",
     "the x-amzn-ErrorType header, no body"},
    {"AwsJson10FooErrorUsingXAmznErrorTypeWithUri", 500, "FooError" URI, NULL,
     "FooError", "the header with a :http://... suffix"},
    {"AwsJson10FooErrorUsingXAmznErrorTypeWithUriAndNamespace", 500,
     NS "FooError" URI, NULL, "FooError",
     "the header with a namespace and a :http://... suffix"},
    {"AwsJson10FooErrorUsingCode", 500, NULL, "{\"code\":\"FooError\"}",
     "FooError", "code"},
    {"AwsJson10FooErrorUsingCodeAndNamespace", 500, NULL,
     "{\"code\":\"" NS "FooError\"}", "FooError", "code with a namespace"},
    {"AwsJson10FooErrorUsingCodeUriAndNamespace", 500, NULL,
     "{\"code\":\"" NS "FooError" URI "\"}", "FooError",
     "code with a namespace and a :http://... suffix"},
    {"AwsJson10FooErrorWithDunderType", 500, NULL, "{\"__type\":\"FooError\"}",
     "FooError", "__type, bare"},
    {"AwsJson10FooErrorWithDunderTypeAndNamespace", 500, NULL,
     "{\"__type\":\"" NS "FooError\"}", "FooError", "__type with a namespace"},
    {"AwsJson10FooErrorWithDunderTypeAndDifferentNamespace", 500, NULL,
     "{\"__type\":\"aws.different.namespace#FooError\"}", "FooError",
     "__type with another namespace"},
    {"AwsJson10FooErrorWithDunderTypeUriAndNamespace", 500, NULL,
     "{\"__type\":\"" NS "FooError" URI "\"}", "FooError",
     "__type with a namespace and a :http://... suffix"},
    {"AwsJson10FooErrorWithNestedTypeProperty", 500, NULL,
     "{\"__type\":\"" NS "FooError\",\"ErrorDetails\":[{\"__type\":"
     "\"com.amazon.internal#ErrorDetails\",\"reason\":\"Some reason\"}]}",
     "FooError", "__type with a namespace and a nested __type to ignore"},
};

const size_t errcases_count = sizeof(errcases) / sizeof(errcases[0]);

/* s with every from replaced by to: a new string, or NULL. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct blt_buf b;
	size_t n = strlen(from);
	const char *at;

	/* at most strlen(s) / n replacements */
	buf_init(&b, strlen(s) + strlen(s) / n * strlen(to) + 1);
	while ((at = strstr(s, from)) != NULL) {
		if (buf_append(&b, s, (size_t)(at - s), NULL) ||
		    buf_puts(&b, to, NULL))
			goto fail;
		s = at + n;
	}
	if (buf_puts(&b, s, NULL))
		goto fail;
	return buf_take(&b);
fail:
	buf_free(&b);
	return NULL;
}

blt_status errcase_render(const struct errcase *c, const char *name,
			  char **header, char **body, struct blt_err *err)
{
	*header = c->header ? replace_all(c->header, c->name, name) : NULL;
	*body = c->body ? replace_all(c->body, c->name, name) : NULL;
	if ((c->header && !*header) || (c->body && !*body)) {
		free(*header);
		free(*body);
		*header = *body = NULL;
		return blt_fail(err, BLT_ENOMEM, "out of memory");
	}
	return BLT_OK;
}
