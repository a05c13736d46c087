/* rtnetlink through libmnl: links, addresses and routes.
 *
 * The nlmsg_* builders only fill a buffer, so the unit tests can check each
 * message's bytes.  Each returns the message, or NULL when the buffer is too
 * small: every attribute is checked for room before it is appended.  nl_request()
 * sends one message and reads the replies: every reply's sequence number and
 * port are checked, and an NLMSG_ERROR becomes -errno with the kernel's
 * extended-ack text in err. */
#ifndef CTRLAB_NETLINK_H
#define CTRLAB_NETLINK_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/error.h"

/* One request with its attributes fits easily; dumps are read in chunks of
 * MNL_SOCKET_BUFFER_SIZE. */
#define NL_MSG_MAX 1024

struct nl_sock {
	struct mnl_socket *socket;
	unsigned int portid;
	unsigned int seq;
};

/* Called for each reply message of a request or a dump.  Returns 0 or -errno. */
typedef int (*nl_reply_fn)(const struct nlmsghdr *nlh, void *data);

/* Open an rtnetlink socket in the caller's network namespace with extended
 * acks on.  Returns 0 or -errno with err set. */
int nl_open(struct nl_sock *sock, struct ctr_error *err);

/* Open a netlink socket of another protocol, such as NETLINK_NETFILTER.
 * Returns 0 or -errno with err set. */
int nl_open_protocol(struct nl_sock *sock, int protocol, struct ctr_error *err);

/* Close the socket; safe on a socket that failed to open. */
void nl_close(struct nl_sock *sock);

/* Send nlh (its seq is set here) and read every reply until the ack or the end
 * of the dump, passing data messages to fn (which may be NULL).  step describes
 * the request for err ("create the bridge 'ctrlab0'").  Returns 0 or -errno. */
int nl_request(struct nl_sock *sock, struct nlmsghdr *nlh, nl_reply_fn fn, void *data,
	       const char *step, struct ctr_error *err);

/* RTM_NEWLINK for a bridge named name, NLM_F_EXCL. */
struct nlmsghdr *nlmsg_bridge_create(void *buf, size_t size, const char *name);

/* RTM_NEWLINK for a veth pair: host_name (with mtu, attached to master_index) in
 * the caller's namespace, peer_name created directly in the namespace of the
 * netns_fd, with the same mtu.  The host end is created up, the peer down. */
struct nlmsghdr *nlmsg_veth_create(void *buf, size_t size, const char *host_name,
				   const char *peer_name, unsigned int mtu,
				   int master_index, int netns_fd);

/* RTM_NEWLINK that sets IFF_UP on ifindex. */
struct nlmsghdr *nlmsg_link_up(void *buf, size_t size, int ifindex);

/* RTM_NEWLINK that sets IPv6's address generation mode of the link called name
 * to none: once the link has a carrier, it gets no link-local address. */
struct nlmsghdr *nlmsg_link_addrgen_none(void *buf, size_t size, const char *name);

/* RTM_DELLINK of the link called name. */
struct nlmsghdr *nlmsg_link_delete(void *buf, size_t size, const char *name);

/* RTM_GETLINK of the link called name, or with index ifindex when name is NULL. */
struct nlmsghdr *nlmsg_link_get(void *buf, size_t size, const char *name, int ifindex);

/* RTM_NEWADDR of addr/prefix_len (host byte order) on ifindex. */
struct nlmsghdr *nlmsg_addr_add(void *buf, size_t size, int ifindex, uint32_t addr,
				unsigned int prefix_len);

/* RTM_NEWROUTE of the IPv4 default route via gateway (host byte order) on
 * ifindex, in the main table. */
struct nlmsghdr *nlmsg_route_default(void *buf, size_t size, uint32_t gateway,
				     int ifindex);

/* RTM_GETROUTE dump of every IPv4 route. */
struct nlmsghdr *nlmsg_route_dump(void *buf, size_t size);

/* RTM_GETADDR dump of every IPv4 address. */
struct nlmsghdr *nlmsg_addr_dump(void *buf, size_t size);

/* NFT_MSG_GETGEN: the nftables ruleset generation, on a NETLINK_NETFILTER
 * socket. */
struct nlmsghdr *nlmsg_nft_getgen(void *buf, size_t size);

/* Read the nftables ruleset generation, which the kernel increases with every
 * committed change to any table.  Returns 0 or -errno with err set. */
int nl_nft_generation(uint32_t *ret_gen, struct ctr_error *err);

/* Facts about one link, from nl_link_get(). */
struct nl_link {
	int index;
	unsigned int mtu;
	char name[16];      /* IFNAMSIZ */
	char kind[16];      /* IFLA_INFO_KIND, "" for a device without one */
	unsigned short type; /* ifi_type, the hardware type: ARPHRD_* of <linux/if_arp.h> */
};

/* Look up the link called name, or with index ifindex when name is NULL.
 * Returns 0, -ENODEV when there is none, or -errno with err set. */
int nl_link_get(struct nl_sock *sock, const char *name, int ifindex,
		struct nl_link *ret_link, struct ctr_error *err);

/* Delete the link called name.  Returns 0, -ENODEV when there is none, or
 * -errno with err set. */
int nl_link_delete(struct nl_sock *sock, const char *name, struct ctr_error *err);

/* Facts about the host's routes, from nl_routes_scan(). */
struct nl_routes {
	int default_oif;             /* 0 without an IPv4 default route */
	unsigned int default_mtu;    /* RTAX_MTU of the default route, 0 if unset */
	bool overlap;                /* a route overlaps the subnet asked about */
	uint32_t overlap_dst;        /* that route, host byte order */
	unsigned int overlap_len;
	int overlap_oif;
	bool skip_other;             /* a route through skip_oif is not the subnet */
	bool skip_same;              /* a route through skip_oif is exactly the subnet */
	uint32_t skip_other_dst;     /* that route, host byte order */
	unsigned int skip_other_len;
};

/* Facts about the host's IPv4 addresses, from nl_addrs_scan(). */
struct nl_addrs {
	uint32_t match_addr;   /* in: an address to look for, host byte order, or 0 */
	int match_ifindex;    /* in: a link whose first address to return, or 0 */
	bool found;            /* out: some link has match_addr */
	uint32_t link_addr;    /* out: first address of match_ifindex, 0 if none */
	unsigned int link_prefix_len;
};

/* Dump the IPv4 addresses of every link and fill the out fields of addrs.
 * Returns 0 or -errno with err set. */
int nl_addrs_scan(struct nl_sock *sock, struct nl_addrs *addrs, struct ctr_error *err);

/* Dump the main table's IPv4 routes: find the default route, and any route that
 * overlaps subnet/prefix_len except those through skip_oif (ctrlab's own bridge,
 * 0 for none).  A route through skip_oif to another prefix is reported apart.  Returns 0 or -errno with err set. */
int nl_routes_scan(struct nl_sock *sock, uint32_t subnet, unsigned int prefix_len,
		   int skip_oif, struct nl_routes *ret_routes, struct ctr_error *err);

#endif
