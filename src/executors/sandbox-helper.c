/*
 * Continuum's per-site sandbox helper (see sandbox-helper.ts). One long-lived process per local
 * site, started by the launcher when the server runs as root. For each job it forks (a small
 * process forks in well under a millisecond) instead of exec'ing a wrapper shell, bwrap and
 * setpriv, and builds the same confinement bwrap builds — own mount, PID, IPC and UTS
 * namespaces, the system folders read-only, a fresh /proc, a minimal /dev, an empty /tmp, the
 * attempt's folder at the workflow folder's path and its inputs read-only — then drops to the
 * job's account with no capabilities and no new privileges. The only exec per job is the job's
 * own command. The network namespace (no interfaces but a loopback) is made once per account and
 * shared by that account's jobs, because making one costs the kernel milliseconds.
 *
 * Protocol (stdin/stdout, one line each): "<id>\t<run folder>\t<uid>\n" in; "S <id> <pid>\n" as
 * the job's monitor starts, "E <id>\n" once it has ended (after it wrote the exit code). The job
 * itself is described by <run folder>/spec: NUL-terminated strings, a tag and its values.
 *
 * Per job: a monitor (outside the sandbox, leader of the job's process group) writes pid, output
 * and exit code into the run folder exactly as the wrapper script does (run-folder.ts); it forks
 * the sandbox's init (PID 1 inside), which joins the job's memory cgroup, sets the limits, builds
 * the mounts and forks the command.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <net/if.h>
#include <unistd.h>
#include <grp.h>


struct bind { const char *source, *target; };

struct spec {
  uid_t uid; gid_t gid;
  const char *cgroup, *memory_mb, *workdir, *work;
  unsigned long long cpu_s, fsize_bytes, nproc;
  /* Sized to the description (few pages: a fork copies what is touched). */
  const char **system; int nsystem;
  struct bind *binds; int nbinds;
  char **env; int nenv;
  char **argv; int nargv;
};

/* ---- small helpers ------------------------------------------------------------------------- */

static void write_file(const char *dir, const char *name, const char *text) {
  char p[4096];
  snprintf(p, sizeof p, "%s/%s", dir, name);
  int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  /* One write: readers see all of it or nothing (as the wrapper's builtins). */
  ssize_t n = write(fd, text, strlen(text));
  (void)n;
  close(fd);
}

/* A message on the job's stderr (fd 2 is its stderr file by then) and exit 125. */
static void fail(const char *fmt, ...) {
  char msg[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  dprintf(2, "continuum sandbox: %s: %s\n", msg, strerror(errno));
  _exit(125);
}

static char *read_all(const char *path, size_t *len) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NULL;
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap + 1);
  for (;;) {
    if (n == cap) { cap *= 2; buf = realloc(buf, cap + 1); }
    ssize_t r = read(fd, buf + n, cap - n);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    n += (size_t)r;
  }
  close(fd);
  buf[n] = 0;
  *len = n;
  return buf;
}

static int parse_spec(char *buf, size_t len, struct spec *s) {
  int n = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) n++;
  char **tok = calloc((size_t)n + 1, sizeof *tok);
  n = 0;
  for (size_t i = 0; i < len; i += strlen(buf + i) + 1) tok[n++] = buf + i;
  memset(s, 0, sizeof *s);
  s->uid = 65534; s->gid = 65534; s->cgroup = ""; s->memory_mb = "?";
  s->system = calloc((size_t)n + 1, sizeof *s->system);
  s->binds = calloc((size_t)n / 2 + 1, sizeof *s->binds);
  s->env = calloc((size_t)n + 1, sizeof *s->env);
  s->argv = calloc((size_t)n + 1, sizeof *s->argv);
  for (int i = 0; i < n;) {
    const char *tag = tok[i++];
    if (i >= n) return -1;
    if (!strcmp(tag, "uid")) s->uid = (uid_t)strtoul(tok[i++], NULL, 10);
    else if (!strcmp(tag, "gid")) s->gid = (gid_t)strtoul(tok[i++], NULL, 10);
    else if (!strcmp(tag, "cgroup")) s->cgroup = tok[i++];
    else if (!strcmp(tag, "memory")) s->memory_mb = tok[i++];
    else if (!strcmp(tag, "cpu")) s->cpu_s = strtoull(tok[i++], NULL, 10);
    else if (!strcmp(tag, "fsize")) s->fsize_bytes = strtoull(tok[i++], NULL, 10);
    else if (!strcmp(tag, "nproc")) s->nproc = strtoull(tok[i++], NULL, 10);
    else if (!strcmp(tag, "workdir")) s->workdir = tok[i++];
    else if (!strcmp(tag, "work")) s->work = tok[i++];
    else if (!strcmp(tag, "system")) s->system[s->nsystem++] = tok[i++];
    else if (!strcmp(tag, "ro")) {
      if (i + 1 >= n) return -1;
      s->binds[s->nbinds].source = tok[i];
      s->binds[s->nbinds++].target = tok[i + 1];
      i += 2;
    } else if (!strcmp(tag, "env")) s->env[s->nenv++] = tok[i++];
    else if (!strcmp(tag, "arg")) s->argv[s->nargv++] = tok[i++];
    else return -1;
  }
  free(tok);
  if (!s->workdir || !s->work || s->workdir[0] != '/' || s->nargv == 0) return -1;
  if (s->uid == 0 || s->gid == 0) return -1; /* never root inside */
  for (int i = 0; i < s->nsystem; i++) if (s->system[i][0] != '/') return -1;
  for (int i = 0; i < s->nbinds; i++) if (s->binds[i].source[0] != '/' || s->binds[i].target[0] != '/') return -1;
  return 0;
}

/* mkdir -p of `path` (absolute) below `root`, 0755; folders that exist are left as they are. */
static void make_dirs(const char *root, const char *path, int last_too) {
  char p[4096];
  snprintf(p, sizeof p, "%s%s", root, path);
  size_t start = strlen(root) + 1;
  for (size_t i = start; p[i]; i++) {
    if (p[i] != '/') continue;
    p[i] = 0;
    if (mkdir(p, 0755) < 0 && errno != EEXIST) fail("cannot make mount point %s", p);
    p[i] = '/';
  }
  if (last_too && mkdir(p, 0755) < 0 && errno != EEXIST) fail("cannot make mount point %s", p);
}

/* Mount flags of a bind made read-only (or not): the whole tree below it, if the kernel can. */
static void restrict_bind(const char *target, int readonly) {
  struct { unsigned long long set, clr, propagation, userns_fd; } attr = {0};
  attr.set = 0x2 /* NOSUID */ | 0x4 /* NODEV */ | (readonly ? 0x1 /* RDONLY */ : 0);
  if (syscall(SYS_mount_setattr, AT_FDCWD, target, 0x8000 /* AT_RECURSIVE */, &attr, sizeof attr) == 0) return;
  unsigned long flags = MS_BIND | MS_REMOUNT | MS_NOSUID | MS_NODEV | (readonly ? MS_RDONLY : 0);
  if (mount(NULL, target, NULL, flags, NULL) < 0) fail("cannot restrict %s", target);
}

static void bind_into(const char *source, const char *target, int readonly) {
  char from[4096], to[4096];
  snprintf(from, sizeof from, "/oldroot%s", source);
  snprintf(to, sizeof to, "/newroot%s", target);
  struct stat st;
  if (stat(from, &st) < 0) fail("cannot bind %s", source);
  make_dirs("/newroot", target, S_ISDIR(st.st_mode));
  if (!S_ISDIR(st.st_mode)) {
    int fd = open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0444);
    if (fd >= 0) close(fd);
  }
  if (mount(from, to, NULL, MS_BIND | MS_REC, NULL) < 0) fail("cannot bind %s", source);
  restrict_bind(to, readonly);
}

static void build_dev(void) {
  if (mount("tmpfs", "/newroot/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755") < 0) fail("cannot mount /dev");
  static const char *nodes[] = {"null", "zero", "full", "random", "urandom", "tty"};
  for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
    char from[64], to[64];
    snprintf(from, sizeof from, "/oldroot/dev/%s", nodes[i]);
    snprintf(to, sizeof to, "/newroot/dev/%s", nodes[i]);
    int fd = open(to, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd >= 0) close(fd);
    if (mount(from, to, NULL, MS_BIND, NULL) < 0) fail("cannot bind /dev/%s", nodes[i]);
  }
  static const char *links[][2] = {{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
                                   {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
                                   {"/proc/kcore", "core"}, {"pts/ptmx", "ptmx"}};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    char to[64];
    snprintf(to, sizeof to, "/newroot/dev/%s", links[i][1]);
    if (symlink(links[i][0], to) < 0) fail("cannot link /dev/%s", links[i][1]);
  }
  mkdir("/newroot/dev/shm", 01777);
  if (mount("tmpfs", "/newroot/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0) fail("cannot mount /dev/shm");
  mkdir("/newroot/dev/pts", 0755);
  /* A terminal of its own is optional (bwrap's --dev makes one; few batch jobs use it). */
  mount("devpts", "/newroot/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC, "newinstance,ptmxmode=0666,mode=620");
}

/* The sandbox's mounts, made by its init (so that /proc is the new PID namespace's). */
static void build_root(const struct spec *s) {
  if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) fail("cannot make / private");
  /* As bwrap does: a tmpfs over /tmp becomes the root, the old root is seen under /oldroot. */
  if (mount("tmpfs", "/tmp", "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755") < 0) fail("cannot mount the base");
  if (mkdir("/tmp/newroot", 0755) < 0 || mkdir("/tmp/oldroot", 0755) < 0) fail("cannot make the base");
  if (syscall(SYS_pivot_root, "/tmp", "/tmp/oldroot") < 0) fail("cannot pivot to the base");
  if (chdir("/") < 0) fail("chdir /");
  if (mount("tmpfs", "/newroot", "tmpfs", MS_NODEV | MS_NOSUID, "mode=0755") < 0) fail("cannot mount the root");
  for (int i = 0; i < s->nsystem; i++) bind_into(s->system[i], s->system[i], 1);
  mkdir("/newroot/proc", 0755);
  if (mount("proc", "/newroot/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0) fail("cannot mount /proc");
  mkdir("/newroot/dev", 0755);
  build_dev();
  mkdir("/newroot/tmp", 01777);
  if (mount("tmpfs", "/newroot/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777") < 0) fail("cannot mount /tmp");
  bind_into(s->work, s->workdir, 0);
  for (int i = 0; i < s->nbinds; i++) bind_into(s->binds[i].source, s->binds[i].target, 1);
  if (mount(NULL, "/newroot", NULL, MS_REMOUNT | MS_RDONLY | MS_NODEV | MS_NOSUID, NULL) < 0) fail("cannot close the root");
  if (umount2("/oldroot", MNT_DETACH) < 0) fail("cannot leave the old root");
  if (chdir("/newroot") < 0) fail("chdir /newroot");
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail("cannot pivot to the root");
  if (umount2(".", MNT_DETACH) < 0) fail("cannot leave the base");
  if (chdir("/") < 0) fail("chdir /");
}

static void drop_privileges(const struct spec *s) {
  for (int cap = 0; cap <= 63; cap++) {
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL) fail("cannot drop capability %d", cap);
  }
  if (setgroups(0, NULL) < 0) fail("setgroups");
  if (setresgid(s->gid, s->gid, s->gid) < 0) fail("setresgid %u", s->gid);
  if (setresuid(s->uid, s->uid, s->uid) < 0) fail("setresuid %u", s->uid);
  struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  memset(data, 0, sizeof data);
  if (syscall(SYS_capset, &hdr, data) < 0) fail("capset");
  prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) fail("no_new_privs");
}

/* execvp with the job's PATH (not this process's). */
static void exec_command(const struct spec *s) {
  const char *cmd = s->argv[0];
  if (strchr(cmd, '/')) execve(cmd, s->argv, s->env);
  else {
    const char *path = "/usr/local/bin:/usr/bin:/bin";
    for (int i = 0; i < s->nenv; i++) if (!strncmp(s->env[i], "PATH=", 5)) path = s->env[i] + 5;
    char dirs[4096], full[4096];
    snprintf(dirs, sizeof dirs, "%s", path);
    for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
      snprintf(full, sizeof full, "%s/%s", d, cmd);
      execve(full, s->argv, s->env);
    }
  }
  dprintf(2, "continuum sandbox: cannot run %s: %s\n", cmd, strerror(errno));
  _exit(errno == ENOENT ? 127 : 126);
}

static void default_signals(void) {
  struct sigaction sa = {0};
  sa.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &sa, NULL);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The job's process until its exec: shares the init's memory, which waits meanwhile (vfork). */
static int job_main(void *arg) {
  const struct spec *s = arg;
  default_signals();
  if (chdir(s->workdir) < 0) fail("chdir %s", s->workdir);
  drop_privileges(s);
  exec_command(s);
  return 127;
}

/* Stacks of the init and of the job before its exec (they share their parent's memory). */
static char *new_stack(void) {
  size_t size = 256 * 1024;
  char *stack = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
  return stack == MAP_FAILED ? NULL : stack + size;
}

/* PID 1 inside: joins the cgroup, sets limits, builds the root, runs the command, ends with it. */
static int sandbox_init(void *arg) {
  const struct spec *s = arg;
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  if (s->cgroup[0]) {
    char p[4096];
    snprintf(p, sizeof p, "%s/cgroup.procs", s->cgroup);
    int fd = open(p, O_WRONLY | O_CLOEXEC);
    if (fd < 0 || write(fd, "0", 1) != 1) fail("cannot join the memory cgroup");
    close(fd);
  }
  struct rlimit cpu = {s->cpu_s, s->cpu_s}, fsize = {s->fsize_bytes, s->fsize_bytes}, nproc = {s->nproc, s->nproc};
  if ((s->cpu_s && setrlimit(RLIMIT_CPU, &cpu) < 0) || (s->fsize_bytes && setrlimit(RLIMIT_FSIZE, &fsize) < 0) ||
      (s->nproc && setrlimit(RLIMIT_NPROC, &nproc) < 0))
    fail("cannot set the limits");
  build_root(s);
  char *stack = new_stack();
  if (!stack) fail("no memory for the job's stack");
  /* A vfork, not a fork: no copy of this process's pages, the only exec is the job's own. */
  pid_t job = clone(job_main, stack, CLONE_VM | CLONE_VFORK | SIGCHLD, (void *)s);
  if (job < 0) fail("cannot start the job");
  /* Reap whatever the job leaves; end with the job (the kernel then ends the rest inside). */
  for (;;) {
    int status;
    pid_t p = wait(&status);
    if (p < 0 && errno == EINTR) continue;
    if (p < 0) _exit(125);
    if (p == job) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
}

static void note_oom(const struct spec *s, const char *dir) {
  static const char *files[] = {"memory.oom_control", "memory.events"};
  for (int f = 0; f < 2; f++) {
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", s->cgroup, files[f]);
    FILE *in = fopen(p, "re");
    if (!in) continue;
    char key[64];
    unsigned long long value;
    while (fscanf(in, "%63s %llu", key, &value) == 2) {
      if (!strcmp(key, "oom_kill") && value != 0) {
        char reason[256];
        snprintf(reason, sizeof reason, "exceeded its memory limit of %s MiB (killed by the kernel)\n", s->memory_mb);
        write_file(dir, "reason", reason);
      }
    }
    fclose(in);
  }
}

/* Ends whatever the job left in its cgroup and waits (bounded) until the cgroup is empty. */
static void empty_cgroup(const struct spec *s) {
  char p[4096];
  snprintf(p, sizeof p, "%s/cgroup.kill", s->cgroup);
  int fd = open(p, O_WRONLY | O_CLOEXEC);
  if (fd >= 0) {
    if (write(fd, "1", 1) < 0) {}
    close(fd);
  }
  snprintf(p, sizeof p, "%s/cgroup.procs", s->cgroup);
  for (int tries = 0; tries < 20000; tries++) {
    FILE *in = fopen(p, "re");
    if (!in) return;
    int pid, any = 0;
    while (fscanf(in, "%d", &pid) == 1) {
      any = 1;
      if (fd < 0) kill(pid, SIGKILL);
    }
    fclose(in);
    if (!any) return;
  }
}

static void on_term(int sig) { (void)sig; }

/* The job's monitor: what the wrapper script does, without a shell. Never returns. */
static void monitor(const char *dir) {
  setpgid(0, 0);
  char p[4096];
  snprintf(p, sizeof p, "%s/spec", dir);
  size_t len;
  char *buf = read_all(p, &len);
  char text[64];
  snprintf(text, sizeof text, "%d\n", getpid());
  write_file(dir, "pid", text);
  int out = open((snprintf(p, sizeof p, "%s/stdout", dir), p), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int err = open((snprintf(p, sizeof p, "%s/stderr", dir), p), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
  if (out < 0 || err < 0 || null < 0 || dup2(null, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0) {
    write_file(dir, "rc", "125\n");
    _exit(125);
  }
  /* Nothing of the helper's (its pipes, the other accounts' network namespaces) goes further. */
  syscall(SYS_close_range, 3, ~0U, 0);
  static struct spec s;
  int rc = 125;
  if (!buf || parse_spec(buf, len, &s) < 0) {
    dprintf(2, "continuum sandbox: the job's description in %s is not readable\n", dir);
    goto done;
  }
  /* A TERM to the job's group ends the job; the monitor outlives it to record the exit. */
  struct sigaction sa = {0};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  /* The init shares this process's memory (this one only waits for it): no pages copied. */
  char *stack = new_stack();
  pid_t init = stack ? clone(sandbox_init, stack, CLONE_VM | CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | SIGCHLD, &s) : -1;
  if (init < 0) {
    dprintf(2, "continuum sandbox: cannot make namespaces: %s\n", strerror(errno));
    goto done;
  }
  for (;;) {
    int status;
    pid_t w = waitpid(init, &status, 0);
    if (w < 0 && errno == EINTR) continue;
    if (w == init) rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    break;
  }
  if (s.cgroup[0]) {
    note_oom(&s, dir);
    empty_cgroup(&s);
  }
done:;
  struct rusage ru;
  getrusage(RUSAGE_CHILDREN, &ru);
  char times[160];
  snprintf(times, sizeof times, "0m0.000s 0m0.000s\n%ldm%ld.%03lds %ldm%ld.%03lds\n", (long)ru.ru_utime.tv_sec / 60,
           (long)ru.ru_utime.tv_sec % 60, (long)ru.ru_utime.tv_usec / 1000, (long)ru.ru_stime.tv_sec / 60,
           (long)ru.ru_stime.tv_sec % 60, (long)ru.ru_stime.tv_usec / 1000);
  write_file(dir, "times", times);
  snprintf(text, sizeof text, "%d\n", rc);
  write_file(dir, "rc", text);
  _exit(rc);
}

/* ---- the helper's own loop ----------------------------------------------------------------- */

struct netns { uid_t uid; int fd; };
static struct netns nets[256];
static int nnets;

/* The network namespace of an account's jobs: made on first use, its loopback up. */
static int netns_for(uid_t uid) {
  for (int i = 0; i < nnets; i++) if (nets[i].uid == uid) return nets[i].fd;
  if (nnets == (int)(sizeof nets / sizeof *nets)) return -1;
  int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  if (home < 0 || unshare(CLONE_NEWNET) < 0) return -1;
  int fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
  int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (sock >= 0) {
    struct ifreq ifr = {0};
    strcpy(ifr.ifr_name, "lo");
    if (ioctl(sock, SIOCGIFFLAGS, &ifr) == 0) {
      ifr.ifr_flags |= IFF_UP;
      ioctl(sock, SIOCSIFFLAGS, &ifr);
    }
    close(sock);
  }
  if (setns(home, CLONE_NEWNET) < 0) _exit(70); /* cannot go home: stop rather than go on */
  close(home);
  if (fd < 0) return -1;
  nets[nnets].uid = uid;
  nets[nnets++].fd = fd;
  return fd;
}

struct child { pid_t pid; char id[160]; };
static struct child *children;
static size_t nchildren, capchildren;

static void say(const char *fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  for (int off = 0; off < n;) {
    ssize_t w = write(1, line + off, (size_t)(n - off));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return; /* the launcher is gone: its jobs run on and record their own ends */
    off += (int)w;
  }
}

static void start_job(char *line) {
  char *id = line, *dir = strchr(line, '\t');
  if (!dir) return;
  *dir++ = 0;
  char *uidtext = strchr(dir, '\t');
  if (!uidtext) return;
  *uidtext++ = 0;
  if (strlen(id) >= sizeof children->id) return;
  int net = netns_for((uid_t)strtoul(uidtext, NULL, 10));
  if (net < 0) {
    write_file(dir, "stderr", "continuum sandbox: cannot make a network namespace\n");
    write_file(dir, "rc", "125\n");
    say("E %s\n", id);
    return;
  }
  pid_t pid = fork();
  if (pid < 0) {
    write_file(dir, "rc", "125\n");
    say("E %s\n", id);
    return;
  }
  if (pid == 0) {
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    if (setns(net, CLONE_NEWNET) < 0) {
      write_file(dir, "rc", "125\n");
      _exit(125);
    }
    monitor(dir);
  }
  setpgid(pid, pid); /* also done by the monitor: the group exists before anyone signals it */
  if (nchildren == capchildren) {
    capchildren = capchildren ? capchildren * 2 : 64;
    children = realloc(children, capchildren * sizeof *children);
  }
  children[nchildren].pid = pid;
  strcpy(children[nchildren++].id, id);
  say("S %s %d\n", id, pid);
}

static void reap(void) {
  for (;;) {
    int status;
    pid_t pid = waitpid(-1, &status, WNOHANG);
    if (pid <= 0) return;
    for (size_t i = 0; i < nchildren; i++) {
      if (children[i].pid != pid) continue;
      say("E %s\n", children[i].id);
      children[i] = children[--nchildren];
      break;
    }
  }
}

int main(int argc, char **argv) {
  if (argc > 1 && !strcmp(argv[1], "--version")) {
    puts("continuum-sandbox-helper 1");
    return 0;
  }
  if (geteuid() != 0) {
    fprintf(stderr, "continuum sandbox helper: runs only as root\n");
    return 2;
  }
  setsid();
  signal(SIGPIPE, SIG_IGN);
  sigset_t mask;
  sigemptyset(&mask);
  sigaddset(&mask, SIGCHLD);
  sigprocmask(SIG_BLOCK, &mask, NULL);
  int sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sfd < 0) return 1;
  static char in[1 << 16];
  size_t have = 0;
  struct pollfd fds[2] = {{0, POLLIN, 0}, {sfd, POLLIN, 0}};
  for (;;) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return 1;
    }
    if (fds[1].revents & POLLIN) {
      struct signalfd_siginfo info;
      while (read(sfd, &info, sizeof info) == sizeof info) {}
      reap();
    }
    if (fds[0].revents & (POLLIN | POLLHUP)) {
      ssize_t r = read(0, in + have, sizeof in - 1 - have);
      if (r < 0 && errno == EINTR) continue;
      /* The launcher is gone: started jobs run on under their monitors, which record their ends. */
      if (r <= 0) return 0;
      have += (size_t)r;
      char *start = in, *nl;
      while ((nl = memchr(start, '\n', have - (size_t)(start - in)))) {
        *nl = 0;
        start_job(start);
        start = nl + 1;
      }
      have -= (size_t)(start - in);
      memmove(in, start, have);
      if (have == sizeof in - 1) have = 0; /* a line this long is not ours */
    }
  }
}
