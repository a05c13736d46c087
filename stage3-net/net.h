/* Stage 3's module: the container's network. */
#ifndef CTRLAB_NET_H
#define CTRLAB_NET_H

#include "common/container.h"

/* Adds --net, --bridge, --subnet, --dns and -p/--publish.  With --net bridge or
 * none it adds CLONE_NEWNET, and with bridge it builds the container's links,
 * addresses, routes and NAT rules.  Every mode gets generated /etc files. */
extern const struct ctr_module net_module;

/* Remove everything ctrlab set up on this host's network: dead containers'
 * leftovers and state directories, the bridges it created, its nft table, the
 * forwarding it turned on, <state_dir>/net, and state_dir when nothing else is
 * left in it.  Fails with -EBUSY while a container with a lease still runs.
 * Returns 0 or -errno with err set. */
int net_cleanup_all(const char *state_dir, struct ctr_error *err);

#endif
