/* NAT and forwarding rules: one nftables table, "inet ctrlab", written through
 * libnftables.
 *
 * ctrlab owns that table and nothing else: it reads other tables only to warn
 * about a firewall that would drop its traffic, and never changes them. */
#ifndef CTRLAB_NAT_H
#define CTRLAB_NAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"
#include "stage3-net/ipam.h"

#define NAT_TABLE "ctrlab"

/* Create the table with its chains and sets unless it exists, then add bridge
 * and subnet to its sets.  The caller holds the lease lock, so two runs never
 * create the table twice.  Returns 1 when this call created the table, 0 when
 * it existed, or -errno with err set. */
int nat_table_ensure(const char *bridge, const struct ipam_subnet *subnet,
		     struct ctr_error *err);

/* Delete the whole table.  Returns 0 (also when there is none) or -errno. */
int nat_table_delete(struct ctr_error *err);

/* Add the DNAT rules of publish[0..count) to addr, tagged with the container's
 * name so that nat_publish_remove() finds them.  Returns 0 or -errno. */
int nat_publish_add(const char *name, uint32_t addr, const struct ipam_publish *publish,
		    size_t count, struct ctr_error *err);

/* Remove every rule tagged with name.  Returns the number removed or -errno. */
int nat_publish_remove(const char *name, struct ctr_error *err);

/* Look through the other tables for a forward-hook chain that drops by default
 * (policy drop), or by a final rule, without accepting bridge traffic.  Returns
 * 0 when none would block bridge, or -EPERM with err naming the chain and the
 * fix. */
int nat_forward_check(const char *bridge, struct ctr_error *err);

/* Check the ruleset text of `nft list ruleset` (pure, for the unit tests).
 * Returns 0 or -EPERM with err set, like nat_forward_check(). */
int nat_forward_check_text(const char *ruleset, const char *bridge, struct ctr_error *err);

/* True when the nftables ruleset has not changed since nat_verified_record()
 * recorded bridge and subnet.  Then the firewall check passed and the table
 * contains them, so this run needs no nft command.  The generation is read with
 * one netlink request, and every committed change to any table increases it. */
bool nat_verified(const char *state_dir, const char *bridge, const struct ipam_subnet *subnet);

/* Record that the firewall check passed and the table contains bridge and
 * subnet at the current generation.  The caller holds the lease lock.  Returns 0 or
 * -errno with err set. */
int nat_verified_record(const char *state_dir, const char *bridge,
			const struct ipam_subnet *subnet, struct ctr_error *err);

/* Turn IPv4 forwarding on in the caller's network namespace, remembering in
 * <state_dir>/net/ip_forward.orig that it was off.  Returns 1 when this call
 * turned it on, 0 when it was on, or -errno with err set. */
int nat_forwarding_enable(const char *state_dir, struct ctr_error *err);

/* True when IPv4 forwarding is on in the caller's network namespace. */
bool nat_forwarding_on(void);

/* Turn forwarding back off when nat_forwarding_enable() turned it on.  Returns
 * 0 or -errno. */
int nat_forwarding_restore(const char *state_dir, struct ctr_error *err);

#endif
