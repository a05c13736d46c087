/* Pure parsing and validation: see parse.h. */
#include "common/parse.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

static bool is_hostname_char(char ch)
{
	return isascii((unsigned char)ch) &&
	       (isalnum((unsigned char)ch) || ch == '-' || ch == '.');
}

int validate_hostname(const char *name, struct ctr_error *err)
{
	size_t len = strlen(name);
	size_t label_len = 0;

	if (len == 0)
		return error_setx(err, -EINVAL, "Invalid hostname '': it must not be empty");
	if (len > CTR_HOSTNAME_MAX)
		return error_setx(err, -EINVAL,
				  "Invalid hostname '%s': it is %zu bytes, the limit is %d (HOST_NAME_MAX); choose a shorter name",
				  name, len, CTR_HOSTNAME_MAX);
	for (size_t i = 0; i < len; i++) {
		char ch = name[i];

		if (!is_hostname_char(ch))
			return error_setx(err, -EINVAL,
					  "Invalid hostname '%s': character %zu is not a letter, digit, '-' or '.'",
					  name, i + 1);
		if (ch != '.') {
			label_len++;
			continue;
		}
		if (label_len == 0)
			return error_setx(err, -EINVAL,
					  "Invalid hostname '%s': it has an empty label between dots",
					  name);
		label_len = 0;
	}
	if (label_len == 0)
		return error_setx(err, -EINVAL,
				  "Invalid hostname '%s': it must not end with a dot", name);
	/* RFC 1123: a label neither starts nor ends with a hyphen. */
	for (size_t i = 0; i < len; i++) {
		bool starts_label = i == 0 || name[i - 1] == '.';
		bool ends_label = i + 1 == len || name[i + 1] == '.';

		if (name[i] == '-' && (starts_label || ends_label))
			return error_setx(err, -EINVAL,
					  "Invalid hostname '%s': a label must not start or end with '-'",
					  name);
	}
	return 0;
}

int validate_container_name(const char *name, struct ctr_error *err)
{
	size_t len = strlen(name);

	if (len == 0)
		return error_setx(err, -EINVAL, "Invalid container name '': it must not be empty");
	if (len > CTR_NAME_MAX)
		return error_setx(err, -EINVAL,
				  "Invalid container name '%s': it is %zu characters, the limit is %d",
				  name, len, CTR_NAME_MAX);
	if (!isascii((unsigned char)name[0]) || !isalnum((unsigned char)name[0]))
		return error_setx(err, -EINVAL,
				  "Invalid container name '%s': it must start with a letter or digit",
				  name);
	for (size_t i = 1; i < len; i++) {
		unsigned char ch = (unsigned char)name[i];

		if (!isascii(ch) || !(isalnum(ch) || ch == '_' || ch == '.' || ch == '-'))
			return error_setx(err, -EINVAL,
					  "Invalid container name '%s': only letters, digits, '_', '.' and '-' are allowed",
					  name);
	}
	/* A container's state is <state dir>/<name>, next to stage 3's network
	 * state in <state dir>/net: a container of that name would remove it. */
	if (strcmp(name, "net") == 0)
		return error_setx(err, -EINVAL,
				  "Invalid container name 'net': the state directory keeps the network's leases under that name; choose another name");
	return 0;
}

int validate_env_entry(const char *entry, struct ctr_error *err)
{
	const char *equals = strchr(entry, '=');

	if (!equals)
		return error_setx(err, -EINVAL,
				  "Invalid environment entry '%s': expected KEY=VALUE", entry);
	if (equals == entry)
		return error_setx(err, -EINVAL,
				  "Invalid environment entry '%s': the key is empty; use KEY=VALUE",
				  entry);
	return 0;
}

int parse_uint64(const char *text, uint64_t max, uint64_t *ret_value)
{
	uint64_t value = 0;

	if (!text[0])
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		unsigned digit;

		if (*p < '0' || *p > '9')
			return -EINVAL;
		digit = (unsigned)(*p - '0');
		if (value > (max - digit) / 10)
			return -ERANGE;
		value = value * 10 + digit;
	}
	*ret_value = value;
	return 0;
}

static int size_shift(const char *suffix, unsigned *ret_shift)
{
	static const char units[] = "kmgt";
	const char *unit;
	char lower[3] = "";

	if (strlen(suffix) > 2)
		return -EINVAL;
	for (size_t i = 0; suffix[i]; i++)
		lower[i] = (char)tolower((unsigned char)suffix[i]);

	if (lower[0] == '\0' || strcmp(lower, "b") == 0) {
		*ret_shift = 0;
		return 0;
	}
	unit = strchr(units, lower[0]);
	if (!unit || (lower[1] != '\0' && lower[1] != 'b'))
		return -EINVAL;
	*ret_shift = 10 * (unsigned)(unit - units + 1);
	return 0;
}

int parse_size(const char *text, uint64_t *ret_bytes)
{
	char digits[32];
	size_t ndigits = strspn(text, "0123456789");
	uint64_t value;
	unsigned shift;
	int r;

	if (ndigits == 0 || ndigits >= sizeof(digits))
		return ndigits == 0 ? -EINVAL : -ERANGE;
	memcpy(digits, text, ndigits);
	digits[ndigits] = '\0';

	r = size_shift(text + ndigits, &shift);
	if (r < 0)
		return r;
	r = parse_uint64(digits, UINT64_MAX, &value);
	if (r < 0)
		return r;
	if (shift > 0 && value > (UINT64_MAX >> shift))
		return -ERANGE;
	*ret_bytes = value << shift;
	return 0;
}

int exit_status_from_wait(int wstatus)
{
	if (WIFEXITED(wstatus))
		return WEXITSTATUS(wstatus);
	if (WIFSIGNALED(wstatus))
		return 128 + WTERMSIG(wstatus);
	return 125;
}
