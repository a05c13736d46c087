/* The cleanup command: remove everything ctrlab set up on this host's network.
 * See net_cleanup_all() in net_setup.h. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/parse.h"
#include "common/state.h"
#include "stage3-net/ipam.h"
#include "stage3-net/nat.h"
#include "stage3-net/net_setup.h"
#include "stage3-net/netlink.h"

/* Fail with -EBUSY when a lease's owner still runs. */
static int leases_check_idle(const char *state_dir, struct ctr_error *err)
{
	char path[4096];
	struct dirent *entry;
	DIR *dir;
	int r = 0;

	snprintf(path, sizeof(path), "%s/net/leases", state_dir);
	dir = opendir(path);
	if (!dir)
		return 0;
	while (r == 0 && (entry = readdir(dir))) {
		struct ipam_owner owner;
		uint32_t addr;

		if (ipam_addr_parse(entry->d_name, &addr) == 0 &&
		    ipam_lease_read(state_dir, addr, &owner) == 0 && ipam_owner_alive(&owner))
			r = error_setx(err, -EBUSY,
				       "Container '%s' (runtime PID %d) still runs with %s; stop it first",
				       owner.name, owner.pid, entry->d_name);
	}
	closedir(dir);
	return r;
}

/* Delete every bridge that ctrlab created, as recorded by its marker file. */
static void bridges_delete(const char *state_dir)
{
	char path[4096];
	struct dirent *entry;
	struct ctr_error err;
	DIR *dir;

	snprintf(path, sizeof(path), "%s/net", state_dir);
	dir = opendir(path);
	if (!dir)
		return;
	while ((entry = readdir(dir))) {
		if (strncmp(entry->d_name, "bridge-", 7) != 0)
			continue;
		error_clear(&err);
		if (net_link_delete(entry->d_name + 7, &err) < 0)
			log_warning("%s, ignoring", err.msg);
		else
			log_info("Removed the bridge '%s'", entry->d_name + 7);
	}
	closedir(dir);
}

/* Reclaim callback: remove the state directory of a dead container.  Its veth
 * died with its namespace, and its rules go with the table. */
static void state_of_dead_remove(uint32_t addr, const struct ipam_owner *owner, void *data)
{
	struct container dead = { .state_dir = data };

	(void)addr;
	if (!owner->name[0] || validate_container_name(owner->name, NULL) < 0)
		return;
	snprintf(dead.name, sizeof(dead.name), "%s", owner->name);
	if (state_dir_remove(&dead) == 0)
		log_info("Removed the state of container '%s'", owner->name);
}

/* True when the directory at path has no entry but "." and "..". */
static bool dir_is_empty(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *entry;
	bool empty = true;

	if (!dir)
		return false;
	while (empty && (entry = readdir(dir)))
		empty = strcmp(entry->d_name, ".") == 0 || strcmp(entry->d_name, "..") == 0;
	closedir(dir);
	return empty;
}

int net_cleanup_all(const char *state_dir, struct ctr_error *err)
{
	char net_dir[4096];
	int lock_fd;
	int r;

	if (access(state_dir, F_OK) < 0) {
		log_info("Nothing to clean up: '%s' does not exist", state_dir);
		return 0;
	}
	lock_fd = ipam_lock(state_dir, err);
	if (lock_fd < 0)
		return lock_fd;
	r = leases_check_idle(state_dir, err);
	if (r == 0) {
		/* Every lease is dead now: the same reclaim a new run does. */
		ipam_reclaim(state_dir, state_of_dead_remove, (void *)state_dir);
		bridges_delete(state_dir);
		/* Forwarding off first, because the table contains the chain that
		 * keeps a host with forwarding on from routing other traffic. */
		r = nat_forwarding_restore(state_dir, err);
		if (r == 0)
			r = nat_table_delete(err);
	}
	close(lock_fd);
	if (r < 0)
		return r;
	snprintf(net_dir, sizeof(net_dir), "%s/net", state_dir);
	r = tree_remove(net_dir);
	if (r < 0)
		return error_set(err, r, "Failed to remove '%s'", net_dir);
	log_info("Removed the nft table inet %s and '%s'", NAT_TABLE, net_dir);
	/* Other directories belong to containers without a network lease, which
	 * may still run (--net none or host): they stay.  So does a state
	 * directory that is a mount point, such as a tmpfs of its own (EBUSY). */
	if (rmdir(state_dir) == 0)
		log_info("Removed '%s'", state_dir);
	else if (errno == ENOTEMPTY || errno == EEXIST)
		log_info("Kept '%s': it still contains the state of containers without a network lease",
			 state_dir);
	else if (errno == EBUSY && dir_is_empty(state_dir))
		log_info("Kept '%s': it is a mount point", state_dir);
	else if (errno == EBUSY)
		log_info("Kept '%s': it still contains the state of containers without a network lease",
			 state_dir);
	else
		return error_set(err, -errno, "Failed to remove '%s'", state_dir);
	return 0;
}
