/* NAT and forwarding rules: see nat.h.
 *
 * Kernel objects: one nftables table "inet ctrlab" with two named sets (the
 * bridges and subnets it serves) and four base chains on their own hooks, a
 * fifth while forwarding is on because ctrlab turned it on:
 *
 *   forward      accept published (DNATed) connections into a bridge.  Drop
 *                other traffic from one ctrlab bridge to another.  Accept what
 *                leaves a bridge, and replies that enter it.  Drop other
 *                traffic that enters a bridge.  Traffic of other interfaces
 *                passes untouched.
 *   forward_others
 *                drop forwarded IPv4 traffic that neither enters nor leaves a
 *                bridge, which the host did not forward before ctrlab.
 *   postrouting  masquerade a container's packets that leave through another
 *                interface: they get the uplink's address as their source, and
 *                conntrack maps the replies back (see conntrack(8)).
 *   prerouting   DNAT of published ports for packets arriving from outside.
 *   output       the same for connections the host itself opens.
 *
 * Every rule goes through libnftables, the library behind nft(8), as the same
 * text a learner would type.  A packet passes a hook only when every base chain
 * on that hook accepts it, in any table: ctrlab's accept cannot overrule another
 * table's drop, which is why nat_forward_check() looks for one. */
#include "stage3-net/nat.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nftables/libnftables.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/fileio.h"
#include "common/log.h"
#include "stage3-net/netlink.h"

/* Maximum length of an nft command that ctrlab builds: one rule with a comment. */
#define NFT_CMD_MAX 512

static const char table_script[] =
	"table inet " NAT_TABLE " {\n"
	"  set bridges { type ifname; }\n"
	"  set bridge_pairs { type ifname . ifname; }\n"
	"  set subnets { type ipv4_addr; flags interval; }\n"
	"  chain forward {\n"
	"    type filter hook forward priority filter; policy accept;\n"
	"    oifname @bridges ct status dnat accept\n"
	"    iifname @bridges oifname @bridges iifname . oifname != @bridge_pairs drop\n"
	"    iifname @bridges accept\n"
	"    oifname @bridges ct state established,related accept\n"
	"    oifname @bridges drop\n"
	"  }\n"
	"  chain postrouting {\n"
	"    type nat hook postrouting priority srcnat; policy accept;\n"
	"    ip saddr @subnets oifname != @bridges masquerade\n"
	"  }\n"
	"  chain prerouting {\n"
	"    type nat hook prerouting priority dstnat; policy accept;\n"
	"  }\n"
	/* nft 1.0.6 names the dstnat priority (-100) only on prerouting. */
	"  chain output {\n"
	"    type nat hook output priority -100; policy accept;\n"
	"  }\n"
	"}\n";

/* libnftables, loaded with dlopen(3) the first time a command runs.  Linked
 * normally, it and the libraries it needs (libnftnl, libxtables, libjansson,
 * libgmp) would be loaded and relocated at every start of the helper, although
 * most starts need no nft command at all (see nat_verified()). */
#define LIBNFTABLES "libnftables.so.1"

static struct {
	__typeof__(&nft_ctx_new) ctx_new;
	__typeof__(&nft_ctx_free) ctx_free;
	__typeof__(&nft_ctx_output_set_flags) output_set_flags;
	__typeof__(&nft_ctx_buffer_output) buffer_output;
	__typeof__(&nft_ctx_buffer_error) buffer_error;
	__typeof__(&nft_ctx_get_output_buffer) get_output_buffer;
	__typeof__(&nft_ctx_get_error_buffer) get_error_buffer;
	__typeof__(&nft_run_cmd_from_buffer) run_cmd_from_buffer;
} nft;

/* Load libnftables and look up the functions ctrlab calls.  Returns 0 or
 * -ENOENT with err set. */
static int nft_load(struct ctr_error *err)
{
	void *handle;

	if (nft.ctx_new)
		return 0;
	handle = dlopen(LIBNFTABLES, RTLD_NOW | RTLD_LOCAL);
	if (!handle)
		return error_setx(err, -ENOENT, "Failed to load %s: %s; install the nftables library (Debian: libnftables1)",
				  LIBNFTABLES, dlerror());
	nft.ctx_new = (__typeof__(nft.ctx_new))dlsym(handle, "nft_ctx_new");
	nft.ctx_free = (__typeof__(nft.ctx_free))dlsym(handle, "nft_ctx_free");
	nft.output_set_flags = (__typeof__(nft.output_set_flags))dlsym(handle, "nft_ctx_output_set_flags");
	nft.buffer_output = (__typeof__(nft.buffer_output))dlsym(handle, "nft_ctx_buffer_output");
	nft.buffer_error = (__typeof__(nft.buffer_error))dlsym(handle, "nft_ctx_buffer_error");
	nft.get_output_buffer = (__typeof__(nft.get_output_buffer))dlsym(handle, "nft_ctx_get_output_buffer");
	nft.get_error_buffer = (__typeof__(nft.get_error_buffer))dlsym(handle, "nft_ctx_get_error_buffer");
	nft.run_cmd_from_buffer = (__typeof__(nft.run_cmd_from_buffer))dlsym(handle, "nft_run_cmd_from_buffer");
	if (!nft.ctx_new || !nft.ctx_free || !nft.output_set_flags || !nft.buffer_output ||
	    !nft.buffer_error || !nft.get_output_buffer || !nft.get_error_buffer ||
	    !nft.run_cmd_from_buffer) {
		dlclose(handle);
		nft.ctx_new = NULL;
		return error_setx(err, -ENOENT, "Failed to find the functions of %s: is it older than 0.9.3?",
				  LIBNFTABLES);
	}
	return 0;
}

/* Run one nft command.  With ret_output, the listing it prints is returned in
 * a malloc'd string.  Returns 0 or -errno with err set to nft's own message. */
static int nft_run(const char *cmd, unsigned int output_flags, char **ret_output,
		   struct ctr_error *err)
{
	struct nft_ctx *ctx;
	const char *error_text;
	int r;

	r = nft_load(err);
	if (r < 0)
		return r;
	ctx = nft.ctx_new(NFT_CTX_DEFAULT);
	if (!ctx)
		return error_setx(err, -ENOMEM, "Failed to create an nft context");
	nft.output_set_flags(ctx, output_flags);
	/* Buffered, the listing and the errors come back as strings instead of
	 * going to stdout and stderr. */
	nft.buffer_output(ctx);
	nft.buffer_error(ctx);
	r = 0;
	if (nft.run_cmd_from_buffer(ctx, cmd) != 0) {
		error_text = nft.get_error_buffer(ctx);
		r = error_setx(err, -EINVAL, "Failed to run nft '%.200s': %.*s", cmd,
			       (int)strcspn(error_text, "\n"), error_text);
	} else if (ret_output) {
		*ret_output = strdup(nft.get_output_buffer(ctx));
		if (!*ret_output)
			r = error_setx(err, -ENOMEM, "Failed to read the output of nft '%.200s'", cmd);
	}
	nft.ctx_free(ctx);
	return r;
}

static bool table_exists(void)
{
	struct ctr_error quiet;

	error_clear(&quiet);
	return nft_run("list table inet " NAT_TABLE, 0, NULL, &quiet) == 0;
}

int nat_table_ensure(const char *bridge, const struct ipam_subnet *subnet,
		     struct ctr_error *err)
{
	char cmd[NFT_CMD_MAX];
	char network[IPAM_ADDR_STR_MAX];
	bool created = false;
	int r;

	if (!table_exists()) {
		r = nft_run(table_script, 0, NULL, err);
		if (r < 0)
			return r;
		created = true;
		explain("nft: table inet %s: chains forward, postrouting (masquerade), "
			"prerouting and output (DNAT), sets bridges and subnets",
			NAT_TABLE);
	}
	/* "add element" leaves an element that exists alone, so it is idempotent.
	 * So is "add set": a table of an older ctrlab gets the set, but not the
	 * rule that keeps its bridges apart, until `run cleanup` removes it. */
	snprintf(cmd, sizeof(cmd),
		 "add element inet " NAT_TABLE " bridges { \"%s\" }\n"
		 "add set inet " NAT_TABLE " bridge_pairs { type ifname . ifname; }\n"
		 "add element inet " NAT_TABLE " bridge_pairs { \"%s\" . \"%s\" }\n"
		 "add element inet " NAT_TABLE " subnets { %s/%u }\n",
		 bridge, bridge, bridge, ipam_addr_format(subnet->network, network),
		 subnet->prefix_len);
	r = nft_run(cmd, 0, NULL, err);
	if (r < 0) {
		struct ctr_error quiet;

		/* Leave no half-made table behind: the next run would take it as whole. */
		error_clear(&quiet);
		if (created)
			nft_run("delete table inet " NAT_TABLE, 0, NULL, &quiet);
		return r;
	}
	explain("nft: add element inet %s bridges { \"%s\" }; subnets { %s/%u }", NAT_TABLE,
		bridge, network, subnet->prefix_len);
	return created ? 1 : 0;
}

int nat_table_delete(struct ctr_error *err)
{
	if (!table_exists())
		return 0;
	explain("nft: delete table inet %s", NAT_TABLE);
	return nft_run("delete table inet " NAT_TABLE, 0, NULL, err);
}

/* Write the DNAT rule of publish for chain into cmd. */
static void publish_rule(char *cmd, size_t size, const char *chain, const char *name,
			 uint32_t addr, const struct ipam_publish *publish)
{
	const char *proto = publish->proto == IPAM_PROTO_UDP ? "udp" : "tcp";
	char host_match[48] = "";
	char text[IPAM_ADDR_STR_MAX];

	if (publish->host_addr)
		snprintf(host_match, sizeof(host_match), "ip daddr %s ",
			 ipam_addr_format(publish->host_addr, text));
	/* "fib daddr type local": only packets addressed to the host itself.  The
	 * output rule skips 127.0.0.0/8, because the kernel drops a packet from a
	 * loopback source routed out of the host (a martian, see route_localnet in
	 * ip-sysctl.rst). */
	snprintf(cmd, size,
		 "add rule inet " NAT_TABLE " %s %sfib daddr type local %s"
		 "meta l4proto %s th dport %u dnat ip to %s:%u comment \"ctrlab:%s\"",
		 chain, strcmp(chain, "output") == 0 ? "ip daddr != 127.0.0.0/8 " : "",
		 host_match, proto, publish->host_port, ipam_addr_format(addr, text),
		 publish->container_port, name);
}

int nat_publish_add(const char *name, uint32_t addr, const struct ipam_publish *publish,
		    size_t count, struct ctr_error *err)
{
	static const char *const chains[] = { "prerouting", "output" };
	char cmd[NFT_CMD_MAX];

	for (size_t i = 0; i < count; i++) {
		for (size_t c = 0; c < 2; c++) {
			int r;

			publish_rule(cmd, sizeof(cmd), chains[c], name, addr, &publish[i]);
			r = nft_run(cmd, 0, NULL, err);
			if (r < 0)
				return r;
			explain("nft: %s", cmd);
		}
	}
	return 0;
}

/* Delete the rules of chain whose comment is "ctrlab:<name>", found in the
 * listing with handles.  Returns the number deleted or -errno. */
static int chain_rules_remove(const char *chain, const char *name, struct ctr_error *err)
{
	char cmd[NFT_CMD_MAX];
	char tag[CTR_NAME_MAX + 16];
	char *listing = NULL;
	int removed = 0;
	int r;

	snprintf(cmd, sizeof(cmd), "list chain inet " NAT_TABLE " %s", chain);
	r = nft_run(cmd, NFT_CTX_OUTPUT_HANDLE, &listing, err);
	if (r < 0)
		return r;
	snprintf(tag, sizeof(tag), "comment \"ctrlab:%s\"", name);
	for (char *line = strtok(listing, "\n"); line; line = strtok(NULL, "\n")) {
		const char *handle = strstr(line, "# handle ");

		if (!strstr(line, tag) || !handle)
			continue;
		snprintf(cmd, sizeof(cmd), "delete rule inet " NAT_TABLE " %s handle %s", chain,
			 handle + strlen("# handle "));
		r = nft_run(cmd, 0, NULL, err);
		if (r < 0)
			break;
		explain("nft: %s", cmd);
		removed++;
	}
	free(listing);
	return r < 0 ? r : removed;
}

int nat_publish_remove(const char *name, struct ctr_error *err)
{
	int total = 0;

	if (!table_exists())
		return 0;
	for (const char *const *chain = (const char *const[]){ "prerouting", "output", NULL };
	     *chain; chain++) {
		int r = chain_rules_remove(*chain, name, err);

		if (r < 0)
			return r;
		total += r;
	}
	return total;
}

/* State of the ruleset scan within the current table. */
struct ruleset_scan {
	char table[96];          /* "ip filter" */
	char chain[96];
	bool in_forward_chain;   /* the current chain is a base chain on hook forward */
	char blocking_chain[96]; /* a forward chain that drops by default, or "" */
	const char *blocking_reason;
	bool accepts_in;         /* a rule accepts traffic entering from the bridge */
	bool accepts_out;        /* a rule accepts traffic towards the bridge */
};

static bool is_bridge_family(const char *table)
{
	return strncmp(table, "bridge ", 7) == 0;
}

/* Look at one line inside a chain: the chain's type line, or a rule. */
static void scan_chain_line(struct ruleset_scan *scan, const char *line, const char *bridge)
{
	char match[64];
	size_t len = strlen(line);
	bool bridge_family = is_bridge_family(scan->table);

	if (strncmp(line, "type ", 5) == 0) {
		scan->in_forward_chain = strstr(line, " hook forward ") != NULL;
		if (scan->in_forward_chain && strstr(line, "policy drop;") &&
		    !scan->blocking_chain[0]) {
			snprintf(scan->blocking_chain, sizeof(scan->blocking_chain), "%s", scan->chain);
			scan->blocking_reason = "policy drop";
		}
		return;
	}
	/* An unconditional final drop, as "drop" or "counter packets 0 bytes 0 drop". */
	if (scan->in_forward_chain && !scan->blocking_chain[0] &&
	    (strcmp(line, "drop") == 0 ||
	     (strncmp(line, "counter ", 8) == 0 && len > 5 && strcmp(line + len - 5, " drop") == 0 &&
	      strchr(line, '"') == NULL))) {
		snprintf(scan->blocking_chain, sizeof(scan->blocking_chain), "%s", scan->chain);
		scan->blocking_reason = "a final rule 'drop'";
	}
	if (len < 7 || strcmp(line + len - 7, " accept") != 0)
		return;
	snprintf(match, sizeof(match), "%s \"%s\"", bridge_family ? "ibrname" : "iifname", bridge);
	if (strstr(line, match))
		scan->accepts_in = true;
	snprintf(match, sizeof(match), "%s \"%s\"", bridge_family ? "obrname" : "oifname", bridge);
	if (strstr(line, match))
		scan->accepts_out = true;
}

/* Report the table just closed when it blocks the bridge.  Returns 0 or -EPERM. */
static int scan_table_end(const struct ruleset_scan *scan, const char *bridge,
			  struct ctr_error *err)
{
	bool bridge_family = is_bridge_family(scan->table);

	if (!scan->blocking_chain[0] || (scan->accepts_in && scan->accepts_out))
		return 0;
	return error_setx(err, -EPERM,
			  "Forwarded traffic of the bridge '%s' would be dropped by chain %s of table %s (%s), "
			  "which another firewall owns and ctrlab does not change; allow the bridge there and run again: "
			  "nft insert rule %s %s %s \"%s\" accept; nft insert rule %s %s %s \"%s\" accept",
			  bridge, scan->blocking_chain, scan->table, scan->blocking_reason,
			  scan->table, scan->blocking_chain, bridge_family ? "ibrname" : "iifname",
			  bridge, scan->table, scan->blocking_chain,
			  bridge_family ? "obrname" : "oifname", bridge);
}

int nat_forward_check_text(const char *ruleset, const char *bridge, struct ctr_error *err)
{
	struct ruleset_scan scan = { .table = "" };
	char family[32];
	char name[64];
	int depth = 0;

	for (const char *line = ruleset; line && *line;) {
		size_t len = strcspn(line, "\n");
		char text[512];
		char *start = text;

		snprintf(text, sizeof(text), "%.*s", (int)len, line);
		line += len + (line[len] == '\n');
		while (*start == ' ' || *start == '\t')
			start++;

		if (depth == 0 && sscanf(start, "table %31s %63s", family, name) == 2) {
			/* A new table: forget what the previous one contained. */
			scan = (struct ruleset_scan){ .table = "" };
			snprintf(scan.table, sizeof(scan.table), "%s %s", family, name);
		} else if (depth == 1 && sscanf(start, "chain %95s", scan.chain) == 1) {
			scan.in_forward_chain = false;
		} else if (depth == 2 && scan.chain[0] &&
			   strcmp(scan.table, "inet " NAT_TABLE) != 0) {
			scan_chain_line(&scan, start, bridge);
		}
		for (const char *p = start; *p; p++) {
			if (*p == '{')
				depth++;
			if (*p == '}' && --depth == 0 && scan_table_end(&scan, bridge, err) < 0)
				return err->code;
			if (*p == '}' && depth == 1)
				scan.chain[0] = '\0';
		}
	}
	return 0;
}

static bool bridge_netfilter_on(void)
{
	char value[2];

	return file_read("/proc/sys/net/bridge/bridge-nf-call-iptables", value,
			 sizeof(value)) == 1 && value[0] == '1';
}

int nat_forward_check(const char *bridge, struct ctr_error *err)
{
	char *ruleset = NULL;
	int r;

	r = nft_run("list ruleset", 0, &ruleset, err);
	if (r < 0)
		return r;
	r = nat_forward_check_text(ruleset, bridge, err);
	free(ruleset);
	if (r == 0) {
		explain("nft list ruleset: no other table drops forwarded traffic of '%s'", bridge);
		return 0;
	}
	if (r == -EPERM && bridge_netfilter_on()) {
		size_t len = strlen(err->msg);

		/* br_netfilter hands bridged IPv4 frames to the IP hooks
		 * (bridge-nf-call-iptables), so the chain filters them too. */
		snprintf(err->msg + len, sizeof(err->msg) - len,
			 " (br_netfilter is on: traffic between containers on '%s' passes this chain too)",
			 bridge);
	}
	return r;
}

#define IP_FORWARD_PATH "/proc/sys/net/ipv4/ip_forward"

static int forward_read(char *ret_value)
{
	char value[2];
	ssize_t len = file_read(IP_FORWARD_PATH, value, sizeof(value));

	if (len < 0)
		return (int)len;
	*ret_value = value[0];
	return len == 1 ? 0 : -EIO;
}

static int forward_write(char value)
{
	char text[2] = { value, '\0' };

	return file_write(IP_FORWARD_PATH, text);
}

bool nat_forwarding_on(void)
{
	char value = '0';

	return forward_read(&value) == 0 && value == '1';
}

/* The chain that keeps a host which forwarded nothing before ctrlab from
 * routing anything but ctrlab's traffic.  ip_forward is one switch for every
 * interface: without this chain, turning it on for the bridge would also make
 * the host a router between, say, its LAN and a VPN.  It exists only while
 * forwarding is on because ctrlab turned it on. */
static const char others_chain_script[] =
	"add chain inet " NAT_TABLE " forward_others "
	"{ type filter hook forward priority filter; policy accept; }\n"
	"flush chain inet " NAT_TABLE " forward_others\n"
	"add rule inet " NAT_TABLE " forward_others meta nfproto ipv4 "
	"iifname != @bridges oifname != @bridges drop\n";

int nat_forwarding_enable(const char *state_dir, struct ctr_error *err)
{
	char path[4096];
	char value = '0';
	int fd;
	int r;

	r = forward_read(&value);
	if (r < 0)
		return error_set(err, r, "Failed to read '%s'", IP_FORWARD_PATH);
	if (value == '1')
		return 0;
	/* Remember that forwarding was off, so that `cleanup` can restore it.  The
	 * caller holds the lease lock: no other run writes this file meanwhile. */
	snprintf(path, sizeof(path), "%s/net/ip_forward.orig", state_dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, "0\n", 2) != 2) {
		r = -errno;
		if (fd >= 0)
			close(fd);
		return error_set(err, r ? r : -EIO, "Failed to write '%s'", path);
	}
	close(fd);
	/* The chain first, so that no packet of another interface is forwarded
	 * meanwhile. */
	r = nft_run(others_chain_script, 0, NULL, err);
	if (r < 0) {
		unlink(path);
		return r;
	}
	explain("nft: chain inet %s forward_others: meta nfproto ipv4 iifname != @bridges "
		"oifname != @bridges drop (the host routed no IPv4 before, and routes only "
		"ctrlab's now)", NAT_TABLE);
	r = forward_write('1');
	if (r < 0) {
		struct ctr_error quiet;

		error_clear(&quiet);
		nft_run("delete chain inet " NAT_TABLE " forward_others", 0, NULL, &quiet);
		unlink(path);
		return error_set(err, r, "Failed to turn on IPv4 forwarding in '%s'",
				 IP_FORWARD_PATH);
	}
	explain("write(\"%s\", \"1\"): the host now routes packets between interfaces, "
		"such as from the bridge to the uplink (it was 0, restored by `cleanup`)",
		IP_FORWARD_PATH);
	return 1;
}

int nat_forwarding_restore(const char *state_dir, struct ctr_error *err)
{
	char path[4096];
	struct ctr_error quiet;
	int r;

	snprintf(path, sizeof(path), "%s/net/ip_forward.orig", state_dir);
	if (access(path, F_OK) < 0)
		return 0;
	r = forward_write('0');
	if (r < 0)
		return error_set(err, r, "Failed to turn IPv4 forwarding off again in '%s'",
				 IP_FORWARD_PATH);
	explain("write(\"%s\", \"0\"): forwarding is off again, as before ctrlab",
		IP_FORWARD_PATH);
	unlink(path);
	/* Gone already when `cleanup` deleted the table. */
	error_clear(&quiet);
	if (nft_run("delete chain inet " NAT_TABLE " forward_others", 0, NULL, &quiet) == 0)
		explain("nft: delete chain inet %s forward_others", NAT_TABLE);
	return 0;
}

/* <state_dir>/net/nft-verified: "generation N boot ID", then one
 * "BRIDGE NETWORK/LEN" line for each bridge whose table entries and firewall
 * check were done at that ruleset generation.  The boot ID
 * (/proc/sys/kernel/random/boot_id) matters when the state directory outlives
 * a reboot: generation numbers start again, and an old line could then match
 * a ruleset without ctrlab's table. */
static void verified_path(const char *state_dir, char *buffer, size_t size)
{
	snprintf(buffer, size, "%s/net/nft-verified", state_dir);
}

/* Read this boot's ID, 36 characters, into buffer (at least 37 bytes).
 * Returns 0 or -errno. */
static int boot_id_read(char *buffer, size_t size)
{
	ssize_t len = file_read("/proc/sys/kernel/random/boot_id", buffer, size);

	if (len < 0)
		return (int)len;
	if (len < 36)
		return -EIO;
	buffer[36] = '\0';
	return 0;
}

bool nat_verified(const char *state_dir, const char *bridge, const struct ipam_subnet *subnet)
{
	char path[4096];
	char line[128];
	char expected[128];
	char network[IPAM_ADDR_STR_MAX];
	char boot[64];
	char file_boot[64];
	unsigned long long file_gen;
	struct ctr_error quiet;
	uint32_t gen;
	bool found = false;
	FILE *file;

	error_clear(&quiet);
	if (nl_nft_generation(&gen, &quiet) < 0 || boot_id_read(boot, sizeof(boot)) < 0)
		return false;
	verified_path(state_dir, path, sizeof(path));
	file = fopen(path, "re");
	if (!file)
		return false;
	snprintf(expected, sizeof(expected), "%s %s/%u\n", bridge,
		 ipam_addr_format(subnet->network, network), subnet->prefix_len);
	if (fscanf(file, "generation %llu boot %63s\n", &file_gen, file_boot) == 2 &&
	    file_gen == gen && strcmp(file_boot, boot) == 0) {
		while (!found && fgets(line, sizeof(line), file))
			found = strcmp(line, expected) == 0;
	}
	fclose(file);
	if (found)
		explain("nftables generation %u: unchanged since ctrlab checked the firewall and "
			"its table for '%s'; no nft command needed", gen, bridge);
	return found;
}

int nat_verified_record(const char *state_dir, const char *bridge,
			const struct ipam_subnet *subnet, struct ctr_error *err)
{
	char path[4096];
	char network[IPAM_ADDR_STR_MAX];
	char boot[64];
	char file_boot[64] = "";
	unsigned long long file_gen = 0;
	bool same;
	uint32_t gen;
	FILE *file;
	int r;

	r = nl_nft_generation(&gen, err);
	if (r < 0)
		return r;
	r = boot_id_read(boot, sizeof(boot));
	if (r < 0)
		return error_set(err, r, "Failed to read /proc/sys/kernel/random/boot_id");
	verified_path(state_dir, path, sizeof(path));
	/* Keep the other bridges' lines while the generation and boot are the same. */
	file = fopen(path, "re");
	if (file) {
		if (fscanf(file, "generation %llu boot %63s\n", &file_gen, file_boot) != 2)
			file_gen = 0;
		fclose(file);
	}
	same = file_gen == gen && strcmp(file_boot, boot) == 0;
	file = fopen(path, same ? "ae" : "we");
	if (!file)
		return error_set(err, -errno, "Failed to write '%s'", path);
	if (!same)
		fprintf(file, "generation %u boot %s\n", gen, boot);
	fprintf(file, "%s %s/%u\n", bridge, ipam_addr_format(subnet->network, network),
		subnet->prefix_len);
	return fclose(file) == 0 ? 0 : error_set(err, -errno, "Failed to write '%s'", path);
}
