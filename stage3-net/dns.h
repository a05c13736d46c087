/* The container's /etc/resolv.conf, /etc/hosts and /etc/hostname.
 *
 * Each is generated on the host and bind-mounted read-only over the path in
 * the container, so the rootfs is never written.  With a leased address the
 * files are <state_dir>/net/etc/<addr>-<leaf>, kept for the next container with
 * that address and rewritten only when their content or mode differs.
 * Without an address they are in the container's own state directory. */
#ifndef CTRLAB_DNS_H
#define CTRLAB_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/container.h"

/* Most nameservers glibc's resolver reads (MAXNS in resolv.h). */
#define DNS_SERVERS_MAX 3

/* Used when neither the host nor systemd-resolved names a reachable server. */
#define DNS_FALLBACK_SERVERS "1.1.1.1", "8.8.8.8"

/* Path of the file in which systemd-resolved lists its real upstream servers. */
#define DNS_RESOLVED_UPSTREAM "/run/systemd/resolve/resolv.conf"

struct dns_input {
	const char *host_text;       /* the host's /etc/resolv.conf, or "" */
	const char *upstream_text;   /* systemd-resolved's upstream list, or NULL */
	const char *const *servers;  /* --dns servers, or NULL */
	size_t server_count;
};

enum dns_source {
	DNS_SOURCE_OPTION,    /* --dns */
	DNS_SOURCE_HOST,      /* the host's own servers */
	DNS_SOURCE_UPSTREAM,  /* systemd-resolved's upstream servers */
	DNS_SOURCE_FALLBACK,  /* DNS_FALLBACK_SERVERS */
};

/* Build the container's resolv.conf from input into buffer: the host's search
 * and options lines, and nameservers that work from a separate network
 * namespace with IPv4 only.  A loopback server such as 127.0.0.53 is on the
 * host's loopback, not the container's.  Returns the source of the servers, or
 * -ENOSPC. */
int dns_resolv_build(const struct dns_input *input, char *buffer, size_t size);

/* Generate resolv.conf, hosts and hostname for c (or reuse those of addr when
 * they match) and register their read-only bind mounts.  addr is the container's address (0
 * without one); copy_host_resolv keeps the host's file as it is (--net host).
 * Returns 0 or -errno with err set. */
int dns_files_setup(struct container *c, uint32_t addr, bool copy_host_resolv,
		    const char *const *servers, size_t server_count, struct ctr_error *err);

/* Remove the generated files in c's own state directory.  Safe when none were
 * written there; the files of an address stay for its next container. */
void dns_files_remove(const struct container *c);

/* Remove the generated files of addr, after a run that failed before COMMAND
 * started: no container used them, so they are not kept. */
void dns_addr_files_remove(const struct container *c, uint32_t addr);

#endif
