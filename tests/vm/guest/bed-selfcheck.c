/* SPDX-License-Identifier: MulanPSL-2.0 */
/* bed-selfcheck: proves that the VM test bed's guest kernel really provides the memory
 * features etmem's guest tests rely on, by observing their effect on real processes.
 *
 *   bed-selfcheck --features      print the features this kernel offers (read-only; safe anywhere)
 *   bed-selfcheck [CHECK...]      run checks (default: all); only inside the test VM
 *
 * Checks: nodes tiers page_idle move_pages pageout damon softdirty thp unix (and, as a feature
 * only, pidns).
 * Each prints one line "ok NAME: ...", "skip NAME: why" or "FAIL NAME: ...". A check skips
 * only when the kernel lacks the feature it exercises; if that feature is listed in
 * $ETMEM_VM_EXPECT (what the runner expects of this kernel), the skip becomes a failure.
 * Exit status: 1 if any check failed, 77 if all skipped, else 0.
 *
 * DESIGN: trackers never share a process with the workload they watch (a fork()ed child
 * is the workload): with -cpu qemu64 there is no PCID, so each context switch flushes
 * the TLB and the CPU sets accessed bits again on the next touch, as on real hardware.
 * Buffers use MADV_NOHUGEPAGE where per-4K-page bits are asserted (a THP has one bit per
 * 2 MiB). Anything that writes DAMON sysfs, cgroups or swap state runs only when both
 * ETMEM_IN_VM=1 and the guest kernel command-line marker etmem_vm=1 are present, so it
 * cannot disturb the host's own kdamond by accident.
 *
 * Build: cc -O2 -static -o bed-selfcheck bed-selfcheck.c (tests/vm/run does this).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PG 4096UL
#define PM_PFN(e) ((e) & ((1ULL << 55) - 1))
#define PM_SOFTDIRTY(e) (((e) >> 55) & 1)
#define PM_SWAP(e) (((e) >> 62) & 1)
#define PM_PRESENT(e) (((e) >> 63) & 1)
#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#define MPOL_MF_MOVE (1 << 1)

#define PAGE_IDLE_BITMAP "/sys/kernel/mm/page_idle/bitmap"
#define DAMON_ADMIN "/sys/kernel/mm/damon/admin"
#define KD DAMON_ADMIN "/kdamonds"
#define NODE_DIR "/sys/devices/system/node"
#define TIER_DIR "/sys/devices/virtual/memory_tiering"

enum verdict { OK = 0, FAILED = 1, SKIPPED = 77 };

/* ---------- small helpers ---------- */

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static void *xmap(size_t npages)
{
	void *p = mmap(NULL, npages * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("mmap");
		exit(FAILED);
	}
	return p;
}

/* Read a whole small file, trailing newlines stripped. Returns -1 if it cannot be read. */
static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = 0;
	while (n && buf[n - 1] == '\n')
		buf[--n] = 0;
	return 0;
}

static int write_text(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY);
	if (fd < 0) {
		fprintf(stderr, "  open %s: %s\n", path, strerror(errno));
		return -1;
	}
	ssize_t n = write(fd, val, strlen(val));
	int e = errno;
	close(fd);
	if (n < 0) {
		fprintf(stderr, "  write %s <- %s: %s\n", path, val, strerror(e));
		return -1;
	}
	return 0;
}

static long read_long_field(const char *path, const char *key)
{
	char buf[16384];
	if (read_text(path, buf, sizeof buf))
		return -1;
	char *p = strstr(buf, key);
	return p ? strtol(p + strlen(key), NULL, 10) : -1;
}

static int pagemap_read(pid_t pid, const void *addr, size_t npages, uint64_t *out)
{
	char p[64];
	snprintf(p, sizeof p, "/proc/%d/pagemap", (int)pid);
	int fd = open(p, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t want = (ssize_t)(npages * 8);
	ssize_t n = pread(fd, out, want, (off_t)((uintptr_t)addr / PG * 8));
	close(fd);
	return n == want ? 0 : -1;
}

static void touch(char *b, size_t npages, int val)
{
	for (size_t i = 0; i < npages; i++)
		((volatile char *)b)[i * PG] = (char)(val + i);
}

static int has_word(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; p && (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == ',') && (p[n] == 0 || p[n] == ' ' || p[n] == ','))
			return 1;
	return 0;
}

/* True only inside the test VM: the runner exports ETMEM_IN_VM=1 and boots with etmem_vm=1. */
static int in_test_vm(void)
{
	char cl[4096];
	const char *e = getenv("ETMEM_IN_VM");
	if (!e || strcmp(e, "1") || read_text("/proc/cmdline", cl, sizeof cl))
		return 0;
	return has_word(cl, "etmem_vm=1");
}

/* ---------- results ---------- */

static const char *cur_feature; /* feature the running check needs (for $ETMEM_VM_EXPECT) */

static enum verdict report(const char *name, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static enum verdict report(const char *name, int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %s: ", ok ? "ok" : "FAIL", name);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	fflush(stdout);
	return ok ? OK : FAILED;
}

static enum verdict skip(const char *name, const char *why)
{
	const char *expect = getenv("ETMEM_VM_EXPECT");
	if (cur_feature && expect && has_word(expect, cur_feature))
		return report(name, 0, "%s, but this kernel is expected to provide '%s'", why, cur_feature);
	printf("skip %s: %s\n", name, why);
	fflush(stdout);
	return SKIPPED;
}

/* ---------- feature probe (read-only) ---------- */

static int node_cpuless_with_memory(int node)
{
	char p[128], buf[4096];
	snprintf(p, sizeof p, NODE_DIR "/node%d/cpulist", node);
	if (read_text(p, buf, sizeof buf) || buf[0])
		return 0;
	snprintf(p, sizeof p, NODE_DIR "/node%d/meminfo", node);
	char key[32];
	snprintf(key, sizeof key, "Node %d MemTotal:", node);
	return read_long_field(p, key) > 0;
}

/* Memory tier (sysfs directory suffix) holding a node, or -1. */
static int tier_of_node(int node)
{
	for (int t = 0; t <= 4096; t++) {
		char p[128], buf[256];
		snprintf(p, sizeof p, TIER_DIR "/memory_tier%d/nodelist", t);
		if (read_text(p, buf, sizeof buf))
			continue;
		/* nodelist is a cpulist-style range list: "0", "0-1", "1,3" */
		for (char *s = buf; *s;) {
			long a = strtol(s, &s, 10), b = a;
			if (*s == '-')
				b = strtol(s + 1, &s, 10);
			if (node >= a && node <= b)
				return t;
			if (*s == ',')
				s++;
			else
				break;
		}
	}
	return -1;
}

static int swap_on_zram(void)
{
	char buf[4096];
	return !read_text("/proc/swaps", buf, sizeof buf) && strstr(buf, "/dev/zram");
}

static int soft_dirty_works(void)
{
	uint64_t e = 0;
	char *b = xmap(1);
	b[0] = 1;
	int ok = !pagemap_read(getpid(), b, 1, &e) && PM_SOFTDIRTY(e);
	munmap(b, PG);
	return ok;
}

static int memcg_available(void)
{
	char buf[4096];
	if (!read_text("/sys/fs/cgroup/cgroup.controllers", buf, sizeof buf) && has_word(buf, "memory"))
		return 1;
	/* cgroup2 not mounted: /proc/cgroups lists controllers the kernel has */
	FILE *f = fopen("/proc/cgroups", "r");
	char name[64];
	int h, n, en, found = 0;
	while (f && fscanf(f, "%63s %d %d %d", name, &h, &n, &en) == 4)
		found |= !strcmp(name, "memory") && en;
	if (f)
		fclose(f);
	return found;
}

static int unix_sockets_work(void)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv))
		return 0;
	close(sv[0]);
	close(sv[1]);
	return 1;
}

/* a pid namespace can be made and given a chosen next pid (pid reuse tests) */
static int pid_namespaces_work(void)
{
	int status;
	pid_t child = fork();
	if (child < 0)
		return 0;
	if (child == 0)
		_exit(unshare(CLONE_NEWPID) == 0 &&
		      access("/proc/sys/kernel/ns_last_pid", W_OK) == 0 ? 0 : 1);
	if (waitpid(child, &status, 0) != child)
		return 0;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

static void print_features(void)
{
	struct {
		const char *name;
		int have;
	} f[] = {
		{"page_idle", !access(PAGE_IDLE_BITMAP, F_OK)},
		{"damon", !access(KD, F_OK)},
		{"numa2", node_cpuless_with_memory(1) && !access(NODE_DIR "/node0", F_OK)},
		{"tiers", tier_of_node(0) >= 0 && tier_of_node(1) > tier_of_node(0)},
		{"swap", read_long_field("/proc/meminfo", "SwapTotal:") > 0},
		{"zram", swap_on_zram()},
		{"thp", !access("/sys/kernel/mm/transparent_hugepage/enabled", F_OK)},
		{"softdirty", soft_dirty_works()},
		{"memcg", memcg_available()},
		{"lru_gen", !access("/sys/kernel/mm/lru_gen/enabled", F_OK)},
		{"userfaultfd", !access("/proc/sys/vm/unprivileged_userfaultfd", F_OK)},
		{"unix", unix_sockets_work()},
		{"pidns", pid_namespaces_work()},
	};
	const char *sep = "";
	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++)
		if (f[i].have) {
			printf("%s%s", sep, f[i].name);
			sep = " ";
		}
	printf("\n");
}

/* ---------- checks ---------- */

/* node 0 has CPUs and memory, node 1 has memory and no CPUs */
static enum verdict check_nodes(const char *name)
{
	char c0[256] = "", c1[256] = "";
	if (access(NODE_DIR "/node1", F_OK))
		return skip(name, "no NUMA node 1");
	read_text(NODE_DIR "/node0/cpulist", c0, sizeof c0);
	read_text(NODE_DIR "/node1/cpulist", c1, sizeof c1);
	long m0 = read_long_field(NODE_DIR "/node0/meminfo", "Node 0 MemTotal:");
	long m1 = read_long_field(NODE_DIR "/node1/meminfo", "Node 1 MemTotal:");
	int extra = !access(NODE_DIR "/node2", F_OK);
	return report(name, c0[0] && m0 > 0 && !c1[0] && m1 > 0 && !extra,
		      "node0 cpus='%s' mem=%ldkB; node1 cpus='%s' mem=%ldkB; node2 %s", c0, m0, c1, m1,
		      extra ? "exists (unexpected)" : "absent");
}

/* node 1 sits in a lower (slower) memory tier than node 0 (ACPI HMAT) */
static enum verdict check_tiers(const char *name)
{
	if (access(TIER_DIR, F_OK))
		return skip(name, "no " TIER_DIR);
	int t0 = tier_of_node(0), t1 = tier_of_node(1);
	return report(name, t0 >= 0 && t1 > t0, "node0 in memory_tier%d, node1 in memory_tier%d", t0, t1);
}

/* a page touched after being marked idle reads back as accessed; untouched ones stay idle */
static enum verdict check_page_idle(const char *name)
{
	enum { N = 2048 };
	static uint64_t pm[N];
	if (access(PAGE_IDLE_BITMAP, F_OK))
		return skip(name, "no " PAGE_IDLE_BITMAP " (CONFIG_IDLE_PAGE_TRACKING off)");
	int c2p[2], p2c[2];
	if (pipe(c2p) || pipe(p2c))
		return report(name, 0, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) { /* the workload */
		char *b = xmap(N), cmd = 0;
		madvise(b, N * PG, MADV_NOHUGEPAGE);
		touch(b, N, 1);
		if (write(c2p[1], &b, sizeof b) != sizeof b || read(p2c[0], &cmd, 1) != 1)
			_exit(1);
		touch(b, N / 2, 2); /* re-access the first half only */
		if (write(c2p[1], &cmd, 1) != 1 || read(p2c[0], &cmd, 1) != 1)
			_exit(1);
		_exit(0);
	}
	char *b, c = 'g';
	if (read(c2p[0], &b, sizeof b) != sizeof b || pagemap_read(pid, b, N, pm)) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return report(name, 0, "cannot read the workload's pagemap");
	}
	int fd = open(PAGE_IDLE_BITMAP, O_RDWR);
	if (fd < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return report(name, 0, "open %s: %s", PAGE_IDLE_BITMAP, strerror(errno));
	}
	int nopfn = 0, idle0 = 0, idle_hot = 0, idle_cold = 0;
	for (int i = 0; i < N; i++) {
		uint64_t pfn = PM_PFN(pm[i]), w = 1ULL << (pfn % 64);
		if (!PM_PRESENT(pm[i]) || !pfn) {
			nopfn++;
			continue;
		}
		if (pwrite(fd, &w, 8, (off_t)(pfn / 64 * 8)) != 8) /* only our bit; idle flags are OR-ed in */
			nopfn++;
	}
	for (int i = 0; i < N; i++) {
		uint64_t pfn = PM_PFN(pm[i]), w = 0;
		if (pfn && pread(fd, &w, 8, (off_t)(pfn / 64 * 8)) == 8)
			idle0 += (w >> (pfn % 64)) & 1;
	}
	if (write(p2c[1], &c, 1) != 1 || read(c2p[0], &c, 1) != 1)
		nopfn = N;
	for (int i = 0; i < N; i++) {
		uint64_t pfn = PM_PFN(pm[i]), w = 0;
		if (!pfn || pread(fd, &w, 8, (off_t)(pfn / 64 * 8)) != 8)
			continue;
		int idle = (w >> (pfn % 64)) & 1;
		if (i < N / 2)
			idle_hot += idle;
		else
			idle_cold += idle;
	}
	if (write(p2c[1], &c, 1) != 1)
		kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(fd);
	/* A few pages may still sit in a per-CPU LRU batch and cannot be marked idle: allow 10%.
	 * A touched page reads idle only if a stale TLB entry spared the accessed bit: allow 2%. */
	return report(name, nopfn == 0 && idle0 >= N * 9 / 10 && idle_hot <= N / 2 / 50 && idle_cold >= (N / 2) * 9 / 10,
		      "%d pages, %d marked idle; after touching half: touched still idle=%d/%d, untouched idle=%d/%d%s",
		      N, idle0, idle_hot, N / 2, idle_cold, N / 2, nopfn ? " (some pages had no PFN)" : "");
}

/* Start address of the VMA containing addr, from /proc/self/maps. */
static uintptr_t vma_start(const void *addr)
{
	FILE *f = fopen("/proc/self/maps", "r");
	unsigned long s, e;
	char line[512];
	uintptr_t found = 0;
	while (f && fgets(line, sizeof line, f))
		if (sscanf(line, "%lx-%lx", &s, &e) == 2 && (uintptr_t)addr >= s && (uintptr_t)addr < e)
			found = s;
	if (f)
		fclose(f);
	return found;
}

/* Pages of our VMA containing addr that numa_maps reports on node `node`. */
static long numa_maps_pages_on(const void *addr, int node)
{
	char want[32], key[16], line[2048];
	long n = -1;
	snprintf(want, sizeof want, "%lx ", (unsigned long)vma_start(addr));
	snprintf(key, sizeof key, " N%d=", node);
	FILE *f = fopen("/proc/self/numa_maps", "r");
	while (f && fgets(line, sizeof line, f))
		if (!strncmp(line, want, strlen(want))) {
			char *p = strstr(line, key);
			n = p ? strtol(p + strlen(key), NULL, 10) : 0;
		}
	if (f)
		fclose(f);
	return n;
}

/* move_pages moves pages to node 1, numa_maps shows them there, data survives */
static enum verdict check_move_pages(const char *name)
{
	enum { N = 4096 };
	static void *pages[N];
	static int nodes[N], status[N];
	if (!node_cpuless_with_memory(1))
		return skip(name, "no CPU-less NUMA node 1 with memory");
	char *b = xmap(N);
	madvise(b, N * PG, MADV_NOHUGEPAGE);
	touch(b, N, 5);
	for (int i = 0; i < N; i++) {
		pages[i] = b + i * PG;
		nodes[i] = 1;
	}
	syscall(SYS_move_pages, 0, N, pages, NULL, status, 0);
	int on0 = 0;
	for (int i = 0; i < N; i++)
		on0 += status[i] == 0;
	double t0 = now();
	long r = syscall(SYS_move_pages, 0, N, pages, nodes, status, MPOL_MF_MOVE);
	double dt = now() - t0;
	if (r < 0)
		return report(name, 0, "move_pages to node 1: %s", strerror(errno));
	syscall(SYS_move_pages, 0, N, pages, NULL, status, 0);
	int on1 = 0, bad = 0;
	for (int i = 0; i < N; i++)
		on1 += status[i] == 1;
	long nm1 = numa_maps_pages_on(b, 1);
	for (int i = 0; i < N; i++)
		bad += b[i * PG] != (char)(5 + i);
	for (int i = 0; i < N; i++)
		nodes[i] = 0;
	syscall(SYS_move_pages, 0, N, pages, nodes, status, MPOL_MF_MOVE);
	long nm0 = numa_maps_pages_on(b, 0);
	munmap(b, N * PG);
	return report(name, on1 == N && nm1 >= N && bad == 0 && nm0 >= N,
		      "%d pages: before %d on node0; moved to node1 in %.2fs: move_pages status %d on node1, "
		      "numa_maps N1=%ld; data intact=%s; moved back: numa_maps N0=%ld",
		      N, on0, dt, on1, nm1, bad ? "no" : "yes", nm0);
}

/* zram mm_stat orig_data_size (bytes stored), or -1 */
static long zram_stored(void)
{
	char buf[512];
	if (read_text("/sys/block/zram0/mm_stat", buf, sizeof buf))
		return -1;
	return strtol(buf, NULL, 10);
}

/* MADV_PAGEOUT puts pages in zram (pagemap bit 62) and the data reads back intact */
static enum verdict check_pageout(const char *name)
{
	enum { N = 4096 };
	static uint64_t pm[N];
	if (!swap_on_zram())
		return skip(name, "no swap on zram (see /proc/swaps)");
	char *b = xmap(N);
	madvise(b, N * PG, MADV_NOHUGEPAGE);
	for (size_t i = 0; i < N; i++) /* compressible but not same-filled pages */
		for (size_t j = 0; j < PG; j += 64)
			b[i * PG + j] = (char)(i + j / 64);
	long z0 = zram_stored(), sw0 = read_long_field("/proc/self/status", "VmSwap:");
	double t0 = now();
	if (madvise(b, N * PG, MADV_PAGEOUT))
		return report(name, 0, "madvise(MADV_PAGEOUT): %s", strerror(errno));
	double dt = now() - t0;
	long z1 = zram_stored(), sw1 = read_long_field("/proc/self/status", "VmSwap:");
	if (pagemap_read(getpid(), b, N, pm))
		return report(name, 0, "cannot read own pagemap");
	int swapped = 0, present = 0, bad = 0;
	for (int i = 0; i < N; i++) {
		swapped += PM_SWAP(pm[i]);
		present += PM_PRESENT(pm[i]);
	}
	for (size_t i = 0; i < N; i++)
		for (size_t j = 0; j < PG; j += 64)
			bad += b[i * PG + j] != (char)(i + j / 64);
	pagemap_read(getpid(), b, N, pm);
	int back = 0;
	for (int i = 0; i < N; i++)
		back += PM_PRESENT(pm[i]);
	munmap(b, N * PG);
	long zdelta = z1 - z0;
	return report(name, swapped >= N * 9 / 10 && zdelta >= (long)(N * PG * 9 / 10) && bad == 0 && back == N,
		      "%d pages paged out in %.2fs: pagemap swapped=%d present=%d, VmSwap %ld->%ldkB, "
		      "zram0 stored +%ldkB; swapped back in: present=%d, data intact=%s",
		      N, dt, swapped, present, sw0, sw1, zdelta / 1024, back, bad ? "no" : "yes");
}

/* What one DAMON snapshot says about the workload's hot and cold ranges: bytes of each
 * range covered by regions, and how many of those bytes lie in regions with nr_accesses > 0.
 * Region edges are approximate (DAMON samples one page per region), hence the slack. */
struct damon_view {
	unsigned long hot_all, hot_acc, cold_all, cold_acc;
	int nreg;
};

static unsigned long pct(unsigned long part, unsigned long all)
{
	return all ? part * 100 / all : 0;
}

/* hot mostly accessed, cold mostly not */
static int damon_separates(const struct damon_view *v)
{
	return v->hot_all && pct(v->hot_acc, v->hot_all) >= 80 && v->cold_all && pct(v->cold_acc, v->cold_all) <= 10;
}

static int damon_snapshot(uintptr_t hs, uintptr_t he, uintptr_t cs, uintptr_t ce, struct damon_view *v)
{
	const char *R = KD "/0/contexts/0/schemes/0/tried_regions";
	memset(v, 0, sizeof *v);
	if (write_text(KD "/0/state", "update_schemes_tried_regions"))
		return -1;
	for (int i = 0;; i++) {
		char p[256], s[64], en[64], na[64];
		snprintf(p, sizeof p, "%s/%d/start", R, i);
		if (read_text(p, s, sizeof s))
			break;
		snprintf(p, sizeof p, "%s/%d/end", R, i);
		read_text(p, en, sizeof en);
		snprintf(p, sizeof p, "%s/%d/nr_accesses", R, i);
		read_text(p, na, sizeof na);
		uintptr_t rs = strtoul(s, NULL, 0), re = strtoul(en, NULL, 0);
		unsigned long size = re - rs, acc = strtoul(na, NULL, 0);
		v->nreg++;
		uintptr_t hot_os = rs > hs ? rs : hs, hot_oe = re < he ? re : he;
		uintptr_t cold_os = rs > cs ? rs : cs, cold_oe = re < ce ? re : ce;
		unsigned long in_hot = hot_oe > hot_os ? hot_oe - hot_os : 0;
		unsigned long in_cold = cold_oe > cold_os ? cold_oe - cold_os : 0;
		v->hot_all += in_hot;
		v->hot_acc += acc ? in_hot : 0;
		v->cold_all += in_cold;
		v->cold_acc += acc ? in_cold : 0;
		if (in_hot || in_cold)
			printf("  region [%lx,%lx) %lukB nr_accesses=%lu%s%s\n", (unsigned long)rs, (unsigned long)re,
			       size >> 10, acc, in_hot ? " hot" : "", in_cold ? " cold" : "");
	}
	return 0;
}

/* DAMON vaddr via sysfs sees a hot region as accessed and a cold one as not */
static enum verdict check_damon(const char *name)
{
	enum { HOT = 2048, COLD = 8192, SECS = 3 }; /* 8 MiB hot, 32 MiB cold */
	char buf[256];
	if (access(KD, F_OK))
		return skip(name, "no " KD " (CONFIG_DAMON_SYSFS off)");
	if (!in_test_vm()) /* main() already refuses, but this is the one that matters most */
		return skip(name, "refusing to write DAMON sysfs outside the test VM");
	if (read_text(KD "/nr_kdamonds", buf, sizeof buf) || strcmp(buf, "0"))
		return report(name, 0, "nr_kdamonds is '%s', expected an unused DAMON", buf);
	int c2p[2];
	if (pipe(c2p))
		return report(name, 0, "pipe: %s", strerror(errno));
	pid_t pid = fork();
	if (pid == 0) { /* the workload: [guard][cold][guard][hot][guard], hot touched forever */
		enum { G = 256 };
		char *all = mmap(NULL, (3 * G + COLD + HOT) * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (all == MAP_FAILED)
			_exit(1);
		char *cold = all + G * PG, *hot = cold + (COLD + G) * PG;
		if (mprotect(cold, COLD * PG, PROT_READ | PROT_WRITE) || mprotect(hot, HOT * PG, PROT_READ | PROT_WRITE))
			_exit(1);
		madvise(cold, COLD * PG, MADV_NOHUGEPAGE);
		madvise(hot, HOT * PG, MADV_NOHUGEPAGE);
		touch(cold, COLD, 1);
		touch(hot, HOT, 1);
		void *a[2] = {hot, cold};
		if (write(c2p[1], a, sizeof a) != sizeof a)
			_exit(1);
		for (unsigned v = 0;; v++) {
			touch(hot, HOT, (int)v);
			if ((v & 7) == 0)
				usleep(1000);
		}
	}

	char *ab[2];
	if (read(c2p[0], ab, sizeof ab) != sizeof ab) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		return report(name, 0, "workload did not start");
	}
	uintptr_t hs = (uintptr_t)ab[0], he = hs + HOT * PG, cs = (uintptr_t)ab[1], ce = cs + COLD * PG;
	char pidbuf[32];
	snprintf(pidbuf, sizeof pidbuf, "%d", (int)pid);
	int e = 0;
	e |= write_text(KD "/nr_kdamonds", "1");
	e |= write_text(KD "/0/contexts/nr_contexts", "1");
	e |= write_text(KD "/0/contexts/0/operations", "vaddr");
	e |= write_text(KD "/0/contexts/0/monitoring_attrs/intervals/sample_us", "5000");
	e |= write_text(KD "/0/contexts/0/monitoring_attrs/intervals/aggr_us", "100000");
	e |= write_text(KD "/0/contexts/0/monitoring_attrs/intervals/update_us", "1000000");
	e |= write_text(KD "/0/contexts/0/targets/nr_targets", "1");
	e |= write_text(KD "/0/contexts/0/targets/0/pid_target", pidbuf);
	e |= write_text(KD "/0/contexts/0/schemes/nr_schemes", "1");
	e |= write_text(KD "/0/contexts/0/schemes/0/action", "stat");
	/* access_pattern ranges default to [0,0]: widen them so every region matches */
	e |= write_text(KD "/0/contexts/0/schemes/0/access_pattern/sz/max", "18446744073709551615");
	e |= write_text(KD "/0/contexts/0/schemes/0/access_pattern/nr_accesses/max", "4294967295");
	e |= write_text(KD "/0/contexts/0/schemes/0/access_pattern/age/max", "4294967295");
	if (!e)
		e |= write_text(KD "/0/state", "on");
	struct damon_view v = {0};
	int tries = 0, good = 0;
	if (!e) {
		/* DAMON's regions adapt over time: a snapshot that does not separate hot from
		 * cold yet gets up to 2 more seconds */
		sleep(SECS);
		while (!e && !good && tries < 3) {
			if (tries++)
				sleep(1);
			e |= damon_snapshot(hs, he, cs, ce, &v);
			good = damon_separates(&v);
		}
	}
	write_text(KD "/0/state", "off");
	write_text(KD "/nr_kdamonds", "0");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	if (e)
		return report(name, 0, "DAMON sysfs setup failed (see messages above)");
	return report(name, good,
		      "vaddr monitoring of pid %d, %d snapshot(s): %d regions; "
		      "hot %lukB seen, %lu%% accessed; cold %lukB seen, %lu%% accessed",
		      (int)pid, tries, v.nreg, v.hot_all >> 10, pct(v.hot_acc, v.hot_all),
		      v.cold_all >> 10, pct(v.cold_acc, v.cold_all));
}

/* soft-dirty: clear_refs 4 clears the bits, only written pages get them back */
static enum verdict check_softdirty(const char *name)
{
	enum { N = 512 };
	static uint64_t pm[N];
	if (!soft_dirty_works())
		return skip(name, "pagemap soft-dirty bit never set (CONFIG_MEM_SOFT_DIRTY off)");
	char *b = xmap(N);
	madvise(b, N * PG, MADV_NOHUGEPAGE);
	touch(b, N, 1);
	int sd0 = 0, sd1 = 0, sdw = 0, sdr = 0, sdu = 0;
	pagemap_read(getpid(), b, N, pm);
	for (int i = 0; i < N; i++)
		sd0 += PM_SOFTDIRTY(pm[i]);
	if (write_text("/proc/self/clear_refs", "4"))
		return report(name, 0, "cannot write /proc/self/clear_refs");
	pagemap_read(getpid(), b, N, pm);
	for (int i = 0; i < N; i++)
		sd1 += PM_SOFTDIRTY(pm[i]);
	touch(b, N / 4, 3);
	for (int i = N / 4; i < N / 2; i++)
		(void)((volatile char *)b)[i * PG];
	pagemap_read(getpid(), b, N, pm);
	for (int i = 0; i < N; i++) {
		int sd = PM_SOFTDIRTY(pm[i]);
		if (i < N / 4)
			sdw += sd;
		else if (i < N / 2)
			sdr += sd;
		else
			sdu += sd;
	}
	munmap(b, N * PG);
	return report(name, sd0 == N && sd1 == 0 && sdw == N / 4 && sdr == 0 && sdu == 0,
		      "before clear %d/%d dirty, after clear %d; written %d/%d, read-only %d, untouched %d",
		      sd0, N, sd1, sdw, N / 4, sdr, sdu);
}

/* transparent huge pages: a MADV_HUGEPAGE region is backed by a 2 MiB page */
static enum verdict check_thp(const char *name)
{
	char mode[256];
	if (read_text("/sys/kernel/mm/transparent_hugepage/enabled", mode, sizeof mode))
		return skip(name, "no /sys/kernel/mm/transparent_hugepage (CONFIG_TRANSPARENT_HUGEPAGE off)");
	if (strstr(mode, "[never]"))
		return skip(name, "THP is disabled ([never])");
	const size_t huge = 2UL << 20;
	char *raw = xmap(3 * huge / PG);
	char *b = (char *)(((uintptr_t)raw + huge - 1) & ~(huge - 1));
	madvise(b, huge, MADV_HUGEPAGE);
	long before = read_long_field("/proc/self/smaps_rollup", "AnonHugePages:");
	touch(b, huge / PG, 9);
	long after = read_long_field("/proc/self/smaps_rollup", "AnonHugePages:");
	munmap(raw, 3 * huge);
	if (before < 0)
		return skip(name, "no /proc/self/smaps_rollup");
	return report(name, after - before >= 2048, "mode %s; AnonHugePages %ld -> %ld kB after touching 2 MiB",
		      mode, before, after);
}

/* AF_UNIX stream socket on a path (etmemd's control channel) */
static enum verdict check_unix(const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	snprintf(a.sun_path, sizeof a.sun_path, "bed-selfcheck.%d.sock", (int)getpid());
	int srv = socket(AF_UNIX, SOCK_STREAM, 0);
	if (srv < 0)
		return skip(name, "socket(AF_UNIX) fails (CONFIG_UNIX off)");
	unlink(a.sun_path);
	int cli = -1, conn = -1, ok = 0;
	char msg[8] = "";
	if (!bind(srv, (struct sockaddr *)&a, sizeof a) && !listen(srv, 1) &&
	    (cli = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0 && !connect(cli, (struct sockaddr *)&a, sizeof a) &&
	    (conn = accept(srv, NULL, NULL)) >= 0 && write(cli, "ping", 5) == 5 && read(conn, msg, sizeof msg) == 5)
		ok = !strcmp(msg, "ping");
	int err = errno;
	close(conn);
	close(cli);
	close(srv);
	unlink(a.sun_path);
	return report(name, ok, ok ? "bind/listen/connect/accept on a path socket, message delivered" : "%s",
		      strerror(err));
}

static const struct {
	const char *name;
	const char *feature;
	enum verdict (*run)(const char *name);
} checks[] = {
	{"nodes", "numa2", check_nodes},
	{"tiers", "tiers", check_tiers},
	{"page_idle", "page_idle", check_page_idle},
	{"move_pages", "numa2", check_move_pages},
	{"pageout", "zram", check_pageout},
	{"damon", "damon", check_damon},
	{"softdirty", "softdirty", check_softdirty},
	{"thp", "thp", check_thp},
	{"unix", "unix", check_unix},
};
#define NCHECKS (sizeof checks / sizeof checks[0])

static void usage(FILE *f)
{
	fprintf(f, "usage: bed-selfcheck --features | [CHECK...]\nchecks:");
	for (size_t i = 0; i < NCHECKS; i++)
		fprintf(f, " %s", checks[i].name);
	fprintf(f, "\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 2 && !strcmp(argv[1], "--features")) {
		print_features();
		return 0;
	}
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		usage(stdout);
		return 0;
	}
	if (!in_test_vm()) {
		printf("skip: bed-selfcheck only runs inside the etmem test VM "
		       "(needs ETMEM_IN_VM=1 and etmem_vm=1 on the kernel command line)\n");
		return SKIPPED;
	}
	int fails = 0, oks = 0;
	for (int a = 1; a < argc; a++) {
		size_t i = 0;
		while (i < NCHECKS && strcmp(argv[a], checks[i].name))
			i++;
		if (i == NCHECKS) {
			fprintf(stderr, "bed-selfcheck: unknown check '%s'\n", argv[a]);
			usage(stderr);
			return 2;
		}
	}
	for (size_t i = 0; i < NCHECKS; i++) {
		int wanted = argc == 1;
		for (int a = 1; a < argc; a++)
			wanted |= !strcmp(argv[a], checks[i].name);
		if (!wanted)
			continue;
		cur_feature = checks[i].feature;
		double t0 = now();
		enum verdict v = checks[i].run(checks[i].name);
		printf("  (%s: %.2fs)\n", checks[i].name, now() - t0);
		fails += v == FAILED;
		oks += v == OK;
	}
	return fails ? FAILED : oks ? OK : SKIPPED;
}
