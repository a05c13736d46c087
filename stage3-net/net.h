/* Stage 3's module: the container's network. */
#ifndef CTRLAB_NET_H
#define CTRLAB_NET_H

#include "common/container.h"

/* Adds --net, --bridge, --subnet, --dns and -p/--publish.  With --net bridge or
 * none it adds CLONE_NEWNET, and the network helper (helper.h) builds the
 * container's links, addresses, routes and NAT rules.  With bridge it leases
 * the container's address.  Every mode gets generated /etc files. */
extern const struct ctr_module net_module;

#endif
