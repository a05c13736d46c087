/* COMMAND's environment: see env.h. */
#include "common/env.h"

#include <stdio.h>
#include <string.h>

static size_t key_length(const char *entry)
{
	const char *equals = strchr(entry, '=');

	return equals ? (size_t)(equals - entry) : strlen(entry);
}

/* Put entry in envp, replacing an entry with the same key.  Returns the new
 * count. */
static size_t env_put(char **envp, size_t count, const char *entry)
{
	size_t len = key_length(entry);

	for (size_t i = 0; i < count; i++) {
		if (key_length(envp[i]) == len && strncmp(envp[i], entry, len) == 0) {
			envp[i] = (char *)entry;
			return count;
		}
	}
	if (count + 1 >= CTR_ENV_SLOTS)
		return count;
	envp[count] = (char *)entry;
	return count + 1;
}

size_t env_build(const struct container *c, const char *term, char **envp,
		 char *buffer, size_t buffer_size)
{
	size_t count = 0;
	int len;

	count = env_put(envp, count, "PATH=" CTR_DEFAULT_PATH);
	count = env_put(envp, count, "HOME=/root");

	/* TERM and HOSTNAME need formatting: both go into one caller's buffer. */
	len = snprintf(buffer, buffer_size, "HOSTNAME=%s", c->hostname);
	if (len > 0 && (size_t)len < buffer_size) {
		count = env_put(envp, count, buffer);
		if (term) {
			char *term_entry = buffer + len + 1;
			size_t left = buffer_size - (size_t)len - 1;
			int term_len = snprintf(term_entry, left, "TERM=%s", term);

			if (term_len > 0 && (size_t)term_len < left)
				count = env_put(envp, count, term_entry);
		}
	}
	for (size_t i = 0; i < c->env_count; i++)
		count = env_put(envp, count, c->env[i]);
	envp[count] = NULL;
	return count;
}

const char *env_lookup(char *const *envp, const char *key)
{
	size_t len = strlen(key);

	for (size_t i = 0; envp[i]; i++) {
		if (strncmp(envp[i], key, len) == 0 && envp[i][len] == '=')
			return envp[i] + len + 1;
	}
	return NULL;
}
