/* rtnetlink through libmnl: see netlink.h.
 *
 * rtnetlink(7) is how ip(8) itself talks to the kernel: each request is a struct
 * nlmsghdr, a family header (ifinfomsg, ifaddrmsg, rtmsg) and a list of
 * attributes, some nested.  With NLM_F_ACK the kernel replies to every request with
 * an NLMSG_ERROR whose error field is 0 on success.  With NETLINK_EXT_ACK set,
 * that reply also carries a text message explaining a failure. */
#include "stage3-net/netlink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "stage3-net/ipam.h"

int nl_open(struct nl_sock *sock, struct ctr_error *err)
{
	return nl_open_protocol(sock, NETLINK_ROUTE, err);
}

int nl_open_protocol(struct nl_sock *sock, int protocol, struct ctr_error *err)
{
	int on = 1;

	sock->socket = mnl_socket_open2(protocol, SOCK_CLOEXEC);
	if (!sock->socket)
		return error_set(err, -errno, "Failed to open a netlink socket");
	if (mnl_socket_bind(sock->socket, 0, MNL_SOCKET_AUTOPID) < 0) {
		error_set(err, -errno, "Failed to bind the netlink socket");
		nl_close(sock);
		return err->code;
	}
	/* Extended acks carry the kernel's reason for a failure as text; capped
	 * acks leave out the echo of our request, which we do not need. */
	mnl_socket_setsockopt(sock->socket, NETLINK_EXT_ACK, &on, sizeof(on));
	mnl_socket_setsockopt(sock->socket, NETLINK_CAP_ACK, &on, sizeof(on));
	sock->portid = mnl_socket_get_portid(sock->socket);
	sock->seq = (unsigned int)time(NULL);
	return 0;
}

void nl_close(struct nl_sock *sock)
{
	if (sock->socket)
		mnl_socket_close(sock->socket);
	sock->socket = NULL;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	const char **ret_msg = data;

	if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		*ret_msg = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* Turn an NLMSG_ERROR into 0 (an ack) or -errno with err set, quoting the
 * extended ack when the kernel sent one. */
static int error_reply(const struct nlmsghdr *nlh, const char *step, struct ctr_error *err)
{
	const struct nlmsgerr *nlerr = mnl_nlmsg_get_payload(nlh);
	const char *kernel_msg = NULL;
	unsigned int offset = sizeof(*nlerr);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nlerr)))
		return error_setx(err, -EIO, "Failed to %s: truncated netlink error", step);
	if (nlerr->error == 0)
		return 0;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		/* The TLVs follow the echoed request, unless the ack was capped. */
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			offset += nlerr->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_parse(nlh, offset, extack_attr, &kernel_msg);
	}
	if (kernel_msg)
		return error_set(err, nlerr->error, "Failed to %s (kernel: %s)", step, kernel_msg);
	return error_set(err, nlerr->error, "Failed to %s", step);
}

/* Handle one received buffer.  Returns 1 when the request is finished, 0 to
 * read more, or -errno. */
static int replies_handle(struct nl_sock *sock, const char *buf, size_t len,
			  unsigned int seq, nl_reply_fn fn, void *data, const char *step,
			  struct ctr_error *err)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int remaining = (int)len;

	for (; mnl_nlmsg_ok(nlh, remaining); nlh = mnl_nlmsg_next(nlh, &remaining)) {
		/* A reply to someone else's request, or to an older one of ours that
		 * timed out, must never be taken for this one's reply. */
		if (nlh->nlmsg_seq != seq || nlh->nlmsg_pid != sock->portid)
			return error_setx(err, -EPROTO,
					  "Failed to %s: reply with seq %u port %u, expected seq %u port %u",
					  step, nlh->nlmsg_seq, nlh->nlmsg_pid, seq, sock->portid);
		if (nlh->nlmsg_type == NLMSG_ERROR) {
			int r = error_reply(nlh, step, err);

			return r < 0 ? r : 1;
		}
		if (nlh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (fn) {
			int r = fn(nlh, data);

			if (r < 0)
				return error_set(err, r, "Failed to %s: bad reply", step);
		}
	}
	return 0;
}

int nl_request(struct nl_sock *sock, struct nlmsghdr *nlh, nl_reply_fn fn, void *data,
	       const char *step, struct ctr_error *err)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned int seq = ++sock->seq;
	int r = 0;

	nlh->nlmsg_seq = seq;
	nlh->nlmsg_flags |= NLM_F_ACK;
	log_debug("netlink: send type %u flags 0x%x len %u seq %u", nlh->nlmsg_type,
		  nlh->nlmsg_flags, nlh->nlmsg_len, seq);
	if (mnl_socket_sendto(sock->socket, nlh, nlh->nlmsg_len) < 0)
		return error_set(err, -errno, "Failed to %s: netlink send", step);
	while (r == 0) {
		ssize_t len = mnl_socket_recvfrom(sock->socket, buf, sizeof(buf));

		if (len < 0)
			return error_set(err, -errno, "Failed to %s: netlink receive", step);
		r = replies_handle(sock, buf, (size_t)len, seq, fn, data, step, err);
	}
	return r < 0 ? r : 0;
}

/* Start a message of type with flags and an ifinfomsg header.  Returns NULL
 * when even the headers do not fit. */
static struct nlmsghdr *link_msg(void *buf, size_t size, uint16_t type, uint16_t flags,
				 int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	if (size < mnl_nlmsg_size(sizeof(*ifi)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nlh;
}

struct nlmsghdr *nlmsg_bridge_create(void *buf, size_t size, const char *name)
{
	struct nlmsghdr *nlh = link_msg(buf, size, RTM_NEWLINK,
					NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *linkinfo;

	if (!nlh || !mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, name))
		return NULL;
	linkinfo = mnl_attr_nest_start_check(nlh, size, IFLA_LINKINFO);
	if (!linkinfo || !mnl_attr_put_strz_check(nlh, size, IFLA_INFO_KIND, "bridge"))
		return NULL;
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

/* Ask for one transmit and one receive queue, which is what a veth ends up
 * using anyway.  Without these attributes the kernel allocates a queue per
 * possible CPU and then cuts the registered device down to one.  That cut
 * waits for an RCU grace period under the RTNL lock, once for each end
 * (veth_init_queues and netif_set_real_num_tx_queues in Linux 6.x).  On the
 * VM of docs/bench.md, runs got 0.1 to 0.25 ms faster with these attributes. */
static bool queues_put(struct nlmsghdr *nlh, size_t size)
{
	return mnl_attr_put_u32_check(nlh, size, IFLA_NUM_TX_QUEUES, 1) &&
	       mnl_attr_put_u32_check(nlh, size, IFLA_NUM_RX_QUEUES, 1);
}

/* Append the peer of a veth: VETH_INFO_PEER contains a whole ifinfomsg, then
 * the peer's own attributes (see veth_newlink in drivers/net/veth.c). */
static bool veth_peer_put(struct nlmsghdr *nlh, size_t size, const char *peer_name,
			  unsigned int mtu, int netns_fd)
{
	struct nlattr *peer = mnl_attr_nest_start_check(nlh, size, VETH_INFO_PEER);

	if (!peer || nlh->nlmsg_len + MNL_ALIGN(sizeof(struct ifinfomsg)) > size)
		return false;
	/* No IFF_UP here: veth_newlink configures the peer before it links the
	 * two ends, and veth_open then fails with ENOTCONN. */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	if (!mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, peer_name) ||
	    !mnl_attr_put_u32_check(nlh, size, IFLA_MTU, mtu) ||
	    !queues_put(nlh, size) ||
	    /* The peer is born in the container's namespace: it never appears on
	     * the host, so no other program can grab or rename it meanwhile. */
	    !mnl_attr_put_u32_check(nlh, size, IFLA_NET_NS_FD, (uint32_t)netns_fd))
		return false;
	mnl_attr_nest_end(nlh, peer);
	return true;
}

struct nlmsghdr *nlmsg_veth_create(void *buf, size_t size, const char *host_name,
				   const char *peer_name, unsigned int mtu,
				   int master_index, int netns_fd)
{
	struct nlmsghdr *nlh = link_msg(buf, size, RTM_NEWLINK,
					NLM_F_CREATE | NLM_F_EXCL, 0);
	struct nlattr *linkinfo;
	struct nlattr *info_data;
	struct ifinfomsg *ifi;

	if (!nlh)
		return NULL;
	/* IFF_UP in the request brings the host end up once both ends exist
	 * (rtnl_configure_link), which saves an RTM_GETLINK for its index and an
	 * RTM_NEWLINK to set the flag. */
	ifi = mnl_nlmsg_get_payload(nlh);
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	if (!mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, host_name) ||
	    !mnl_attr_put_u32_check(nlh, size, IFLA_MTU, mtu) ||
	    !queues_put(nlh, size) ||
	    !mnl_attr_put_u32_check(nlh, size, IFLA_MASTER, (uint32_t)master_index))
		return NULL;
	linkinfo = mnl_attr_nest_start_check(nlh, size, IFLA_LINKINFO);
	if (!linkinfo || !mnl_attr_put_strz_check(nlh, size, IFLA_INFO_KIND, "veth"))
		return NULL;
	info_data = mnl_attr_nest_start_check(nlh, size, IFLA_INFO_DATA);
	if (!info_data || !veth_peer_put(nlh, size, peer_name, mtu, netns_fd))
		return NULL;
	mnl_attr_nest_end(nlh, info_data);
	mnl_attr_nest_end(nlh, linkinfo);
	return nlh;
}

struct nlmsghdr *nlmsg_link_up(void *buf, size_t size, int ifindex)
{
	struct nlmsghdr *nlh = link_msg(buf, size, RTM_NEWLINK, 0, ifindex);
	struct ifinfomsg *ifi;

	if (!nlh)
		return NULL;
	ifi = mnl_nlmsg_get_payload(nlh);
	/* ifi_change selects which bits of ifi_flags the kernel applies. */
	ifi->ifi_flags = IFF_UP;
	ifi->ifi_change = IFF_UP;
	return nlh;
}

struct nlmsghdr *nlmsg_link_addrgen_none(void *buf, size_t size, const char *name)
{
	struct nlmsghdr *nlh = link_msg(buf, size, RTM_NEWLINK, 0, 0);
	struct nlattr *af_spec;
	struct nlattr *inet6;

	/* Without an index the kernel finds the link by IFLA_IFNAME. */
	if (!nlh || !mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, name))
		return NULL;
	af_spec = mnl_attr_nest_start_check(nlh, size, IFLA_AF_SPEC);
	if (!af_spec)
		return NULL;
	inet6 = mnl_attr_nest_start_check(nlh, size, AF_INET6);
	if (!inet6 || !mnl_attr_put_u8_check(nlh, size, IFLA_INET6_ADDR_GEN_MODE,
					     IN6_ADDR_GEN_MODE_NONE))
		return NULL;
	mnl_attr_nest_end(nlh, inet6);
	mnl_attr_nest_end(nlh, af_spec);
	return nlh;
}

struct nlmsghdr *nlmsg_link_delete(void *buf, size_t size, const char *name)
{
	struct nlmsghdr *nlh = link_msg(buf, size, RTM_DELLINK, 0, 0);

	if (!nlh || !mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, name))
		return NULL;
	return nlh;
}

struct nlmsghdr *nlmsg_link_get(void *buf, size_t size, const char *name, int ifindex)
{
	struct nlmsghdr *nlh = link_msg(buf, size, RTM_GETLINK, 0, ifindex);

	if (!nlh || (name && !mnl_attr_put_strz_check(nlh, size, IFLA_IFNAME, name)))
		return NULL;
	return nlh;
}

struct nlmsghdr *nlmsg_addr_add(void *buf, size_t size, int ifindex, uint32_t addr,
				unsigned int prefix_len)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;
	uint32_t addr_be = htonl(addr);

	if (size < mnl_nlmsg_size(sizeof(*ifa)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix_len;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	/* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer on
	 * point-to-point links and equals IFA_LOCAL elsewhere. */
	if (!mnl_attr_put_check(nlh, size, IFA_LOCAL, sizeof(addr_be), &addr_be) ||
	    !mnl_attr_put_check(nlh, size, IFA_ADDRESS, sizeof(addr_be), &addr_be))
		return NULL;
	return nlh;
}

static struct nlmsghdr *route_msg(void *buf, size_t size, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;

	if (size < mnl_nlmsg_size(sizeof(*rtm)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	return nlh;
}

struct nlmsghdr *nlmsg_route_default(void *buf, size_t size, uint32_t gateway,
				     int ifindex)
{
	struct nlmsghdr *nlh = route_msg(buf, size, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL);
	uint32_t gateway_be = htonl(gateway);
	struct rtmsg *rtm;

	if (!nlh)
		return NULL;
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_dst_len = 0;  /* 0.0.0.0/0: the default route */
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	if (!mnl_attr_put_check(nlh, size, RTA_GATEWAY, sizeof(gateway_be), &gateway_be) ||
	    !mnl_attr_put_u32_check(nlh, size, RTA_OIF, (uint32_t)ifindex))
		return NULL;
	return nlh;
}

struct nlmsghdr *nlmsg_route_dump(void *buf, size_t size)
{
	return route_msg(buf, size, RTM_GETROUTE, NLM_F_DUMP);
}

struct nlmsghdr *nlmsg_addr_dump(void *buf, size_t size)
{
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa;

	if (size < mnl_nlmsg_size(sizeof(*ifa)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	return nlh;
}

static int addr_attr(const struct nlattr *attr, void *data)
{
	uint32_t *local = data;

	if (mnl_attr_get_type(attr) == IFA_LOCAL && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*local = ntohl(mnl_attr_get_u32(attr));
	return MNL_CB_OK;
}

static int addr_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);
	struct nl_addrs *addrs = data;
	uint32_t local = 0;

	if (nlh->nlmsg_type != RTM_NEWADDR || ifa->ifa_family != AF_INET)
		return 0;
	/* IFA_LOCAL is the link's own address, also on point-to-point links. */
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr, &local) < 0)
		return -EINVAL;
	if (local && local == addrs->match_addr)
		addrs->found = true;
	if (local && addrs->match_ifindex && (int)ifa->ifa_index == addrs->match_ifindex &&
	    !addrs->link_addr) {
		addrs->link_addr = local;
		addrs->link_prefix_len = ifa->ifa_prefixlen;
	}
	return 0;
}

int nl_addrs_scan(struct nl_sock *sock, struct nl_addrs *addrs, struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	struct nlmsghdr *nlh = nlmsg_addr_dump(buf, sizeof(buf));

	addrs->found = false;
	addrs->link_addr = 0;
	addrs->link_prefix_len = 0;
	if (!nlh)
		return error_setx(err, -ENOBUFS, "Failed to dump the addresses: message too long");
	return nl_request(sock, nlh, addr_reply, addrs, "dump the host's addresses", err);
}

struct link_parse {
	struct nl_link *link;
	const struct nlattr *linkinfo;
};

static int link_attr(const struct nlattr *attr, void *data)
{
	struct link_parse *parse = data;

	if (mnl_attr_get_type(attr) == IFLA_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		parse->link->mtu = mnl_attr_get_u32(attr);
	if (mnl_attr_get_type(attr) == IFLA_LINKINFO)
		parse->linkinfo = attr;
	if (mnl_attr_get_type(attr) == IFLA_IFNAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		snprintf(parse->link->name, sizeof(parse->link->name), "%s",
			 mnl_attr_get_str(attr));
	return MNL_CB_OK;
}

static int linkinfo_attr(const struct nlattr *attr, void *data)
{
	struct nl_link *link = data;

	if (mnl_attr_get_type(attr) == IFLA_INFO_KIND &&
	    mnl_attr_validate(attr, MNL_TYPE_STRING) == 0)
		snprintf(link->kind, sizeof(link->kind), "%.*s",
			 (int)mnl_attr_get_payload_len(attr),
			 (const char *)mnl_attr_get_payload(attr));
	return MNL_CB_OK;
}

static int link_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
	struct link_parse parse = { .link = data };

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	parse.link->index = ifi->ifi_index;
	parse.link->type = ifi->ifi_type;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &parse) < 0)
		return -EINVAL;
	if (parse.linkinfo)
		mnl_attr_parse_nested(parse.linkinfo, linkinfo_attr, parse.link);
	return 0;
}

int nl_link_get(struct nl_sock *sock, const char *name, int ifindex,
		struct nl_link *ret_link, struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	char step[64];
	struct nlmsghdr *nlh = nlmsg_link_get(buf, sizeof(buf), name, ifindex);
	struct ctr_error quiet;
	int r;

	if (name)
		snprintf(step, sizeof(step), "look up the link '%s'", name);
	else
		snprintf(step, sizeof(step), "look up link %d", ifindex);
	if (!nlh)
		return error_setx(err, -ENOBUFS, "Failed to %s: message too long", step);
	memset(ret_link, 0, sizeof(*ret_link));
	error_clear(&quiet);
	r = nl_request(sock, nlh, link_reply, ret_link, step, &quiet);
	if (r == -ENODEV)
		return r;
	if (r < 0) {
		*err = quiet;
		return r;
	}
	return 0;
}

int nl_link_delete(struct nl_sock *sock, const char *name, struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	char step[64];
	struct nlmsghdr *nlh = nlmsg_link_delete(buf, sizeof(buf), name);
	struct ctr_error quiet;
	int r;

	snprintf(step, sizeof(step), "delete the link '%s'", name);
	if (!nlh)
		return error_setx(err, -ENOBUFS, "Failed to %s: message too long", step);
	error_clear(&quiet);
	r = nl_request(sock, nlh, NULL, NULL, step, &quiet);
	if (r == -ENODEV)
		return r;
	if (r < 0)
		*err = quiet;
	return r;
}

struct route_parse {
	uint32_t dst;
	int oif;
	unsigned int mtu;
	const struct nlattr *metrics;
};

static int route_attr(const struct nlattr *attr, void *data)
{
	struct route_parse *route = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == RTA_DST && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		route->dst = ntohl(mnl_attr_get_u32(attr));
	else if (type == RTA_OIF && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		route->oif = (int)mnl_attr_get_u32(attr);
	else if (type == RTA_METRICS)
		route->metrics = attr;
	return MNL_CB_OK;
}

static int metrics_attr(const struct nlattr *attr, void *data)
{
	struct route_parse *route = data;

	if (mnl_attr_get_type(attr) == RTAX_MTU && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		route->mtu = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

struct routes_query {
	uint32_t subnet;
	unsigned int prefix_len;
	int skip_oif;
	struct nl_routes *result;
};

static int route_reply(const struct nlmsghdr *nlh, void *data)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	struct routes_query *query = data;
	struct route_parse route = { 0 };

	if (nlh->nlmsg_type != RTM_NEWROUTE || rtm->rtm_table != RT_TABLE_MAIN ||
	    rtm->rtm_type != RTN_UNICAST)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr, &route) < 0)
		return -EINVAL;
	if (rtm->rtm_dst_len == 0) {
		if (route.metrics)
			mnl_attr_parse_nested(route.metrics, metrics_attr, &route);
		query->result->default_oif = route.oif;
		query->result->default_mtu = route.mtu;
		return 0;
	}
	if (route.oif == query->skip_oif && query->skip_oif != 0) {
		if (route.dst != query->subnet || rtm->rtm_dst_len != query->prefix_len) {
			query->result->skip_other = true;
			query->result->skip_other_dst = route.dst;
			query->result->skip_other_len = rtm->rtm_dst_len;
		} else {
			query->result->skip_same = true;
		}
		return 0;
	}
	if (!query->result->overlap &&
	    ipam_subnets_overlap(route.dst, rtm->rtm_dst_len, query->subnet, query->prefix_len)) {
		query->result->overlap = true;
		query->result->overlap_dst = route.dst;
		query->result->overlap_len = rtm->rtm_dst_len;
		query->result->overlap_oif = route.oif;
	}
	return 0;
}

int nl_routes_scan(struct nl_sock *sock, uint32_t subnet, unsigned int prefix_len,
		   int skip_oif, struct nl_routes *ret_routes, struct ctr_error *err)
{
	char buf[NL_MSG_MAX];
	struct nlmsghdr *nlh = nlmsg_route_dump(buf, sizeof(buf));
	struct routes_query query = {
		.subnet = subnet,
		.prefix_len = prefix_len,
		.skip_oif = skip_oif,
		.result = ret_routes,
	};

	memset(ret_routes, 0, sizeof(*ret_routes));
	if (!nlh)
		return error_setx(err, -ENOBUFS, "Failed to dump the routes: message too long");
	return nl_request(sock, nlh, route_reply, &query, "dump the host's routes", err);
}

struct nlmsghdr *nlmsg_nft_getgen(void *buf, size_t size)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (size < mnl_nlmsg_size(sizeof(*nfg)))
		return NULL;
	nlh = mnl_nlmsg_put_header(buf);
	/* nfnetlink: the subsystem in the high byte, its message in the low. */
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_UNSPEC;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

static int gen_attr(const struct nlattr *attr, void *data)
{
	uint32_t *gen = data;

	if (mnl_attr_get_type(attr) == NFTA_GEN_ID && mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*gen = ntohl(mnl_attr_get_u32(attr));
	return MNL_CB_OK;
}

static int gen_reply(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), gen_attr, data) < 0)
		return -EINVAL;
	return 0;
}

int nl_nft_generation(uint32_t *ret_gen, struct ctr_error *err)
{
	struct nl_sock sock = { 0 };
	char buf[NL_MSG_MAX];
	int r;

	r = nl_open_protocol(&sock, NETLINK_NETFILTER, err);
	if (r < 0)
		return r;
	*ret_gen = 0;
	r = nl_request(&sock, nlmsg_nft_getgen(buf, sizeof(buf)), gen_reply, ret_gen,
		       "read the nftables ruleset generation", err);
	nl_close(&sock);
	return r;
}
