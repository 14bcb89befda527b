//! What the operating system tells about a process and the machine: file limits, CPU
//! pinning, `/proc` counters (RSS, CPU time, listen-queue overflows).

use std::fs;
use std::io;

use nix::sched::{CpuSet, sched_setaffinity};
use nix::sys::resource::{Resource, getrlimit, setrlimit};
use nix::unistd::Pid;

/// Raises the soft limit on open files to the hard limit; returns the new soft limit.
///
/// # Errors
///
/// When the limits cannot be read or set.
pub fn raise_nofile_limit() -> io::Result<u64> {
    let (_soft, hard) = getrlimit(Resource::RLIMIT_NOFILE).map_err(io::Error::from)?;
    setrlimit(Resource::RLIMIT_NOFILE, hard, hard).map_err(io::Error::from)?;
    Ok(hard)
}

/// Pins the calling thread, and every thread it starts afterwards, to CPU `cpu`.
/// Returns `false` (and changes nothing) when the machine has no such CPU.
///
/// # Errors
///
/// When the kernel refuses the affinity mask.
pub fn pin_to_cpu(cpu: usize) -> io::Result<bool> {
    if cpu >= cpus() {
        return Ok(false);
    }
    let mut set = CpuSet::new();
    set.set(cpu).map_err(io::Error::from)?;
    sched_setaffinity(Pid::from_raw(0), &set).map_err(io::Error::from)?;
    Ok(true)
}

/// The number of CPUs this process may run on.
#[must_use]
pub fn cpus() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// Resident set size and CPU time of a process, from `/proc/<pid>/status` and
/// `/proc/<pid>/stat`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ProcUsage {
    /// Resident set size in bytes (`VmRSS`).
    pub rss: u64,
    /// User plus system CPU time in nanoseconds (`utime + stime`, 10 ms resolution).
    pub cpu_ns: u64,
}

/// Reads [`ProcUsage`] of process `pid`.
///
/// # Errors
///
/// When the process is gone or its files cannot be parsed.
pub fn proc_usage(pid: u32) -> io::Result<ProcUsage> {
    let status = fs::read_to_string(format!("/proc/{pid}/status"))?;
    let stat = fs::read_to_string(format!("/proc/{pid}/stat"))?;
    Ok(ProcUsage {
        rss: parse_vm_rss(&status).ok_or_else(|| bad("VmRSS"))?,
        cpu_ns: parse_cpu_ns(&stat).ok_or_else(|| bad("utime/stime"))?,
    })
}

fn bad(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("cannot parse {what}"))
}

/// `VmRSS:   1234 kB` in bytes.
fn parse_vm_rss(status: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// `utime + stime` of a `/proc/<pid>/stat` line, in nanoseconds. The fields after the
/// command name (which may hold spaces and parentheses) start after the last `)`;
/// utime and stime are fields 14 and 15, counted in `USER_HZ` (100 per second on Linux).
fn parse_cpu_ns(stat: &str) -> Option<u64> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) * 10_000_000)
}

/// The kernel's counters of connections lost at the listen queue (`/proc/net/netstat`,
/// `TcpExt`): `ListenOverflows` (accept queue full) and `ListenDrops`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ListenCounters {
    /// `TcpExt: ListenOverflows`.
    pub overflows: u64,
    /// `TcpExt: ListenDrops`.
    pub drops: u64,
}

impl ListenCounters {
    /// Reads the counters now.
    ///
    /// # Errors
    ///
    /// When `/proc/net/netstat` cannot be read or lacks the counters.
    pub fn read() -> io::Result<Self> {
        parse_netstat(&fs::read_to_string("/proc/net/netstat")?)
            .ok_or_else(|| bad("TcpExt ListenOverflows"))
    }

    /// What happened since `earlier`.
    #[must_use]
    pub const fn since(self, earlier: Self) -> Self {
        Self {
            overflows: self.overflows.saturating_sub(earlier.overflows),
            drops: self.drops.saturating_sub(earlier.drops),
        }
    }
}

fn parse_netstat(text: &str) -> Option<ListenCounters> {
    let mut lines = text.lines().filter(|l| l.starts_with("TcpExt:"));
    let names: Vec<&str> = lines.next()?.split_whitespace().collect();
    let values: Vec<&str> = lines.next()?.split_whitespace().collect();
    let get = |name: &str| -> Option<u64> {
        let i = names.iter().position(|n| *n == name)?;
        values.get(i)?.parse().ok()
    };
    Some(ListenCounters {
        overflows: get("ListenOverflows")?,
        drops: get("ListenDrops")?,
    })
}

/// The thread ids of process `pid` (for attaching a tracer to all of them).
///
/// # Errors
///
/// When `/proc/<pid>/task` cannot be read.
pub fn threads(pid: u32) -> io::Result<Vec<u32>> {
    let mut tids = Vec::new();
    for entry in fs::read_dir(format!("/proc/{pid}/task"))? {
        if let Some(tid) = entry?.file_name().to_str().and_then(|s| s.parse().ok()) {
            tids.push(tid);
        }
    }
    tids.sort_unstable();
    Ok(tids)
}

/// The CPU model, core count, memory and kernel, for the report's header.
#[must_use]
pub fn machine_description() -> String {
    let cpuinfo = fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let mem_gib = fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        })
        .map_or(0, |kib| kib.div_ceil(1024 * 1024));
    let kernel = fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!(
        "{model}, {} CPUs, {mem_gib} GiB, Linux {}",
        cpus(),
        kernel.trim()
    )
}

/// The load averages (1, 5, 15 minutes) from `/proc/loadavg`.
#[must_use]
pub fn load_average() -> Option<(f64, f64, f64)> {
    let text = fs::read_to_string("/proc/loadavg").ok()?;
    let mut it = text.split_whitespace().map(str::parse::<f64>);
    Some((it.next()?.ok()?, it.next()?.ok()?, it.next()?.ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stat_fields_after_a_command_name_with_spaces() {
        let stat = "1234 (my (odd) name) S 1 2 3 4 5 6 7 8 9 10 250 37 0 0 20 0";
        assert_eq!(parse_cpu_ns(stat), Some(287 * 10_000_000));
    }

    #[test]
    fn vm_rss_in_bytes() {
        let status = "Name:\tx\nVmPeak:\t 9 kB\nVmRSS:\t    2048 kB\nThreads: 1\n";
        assert_eq!(parse_vm_rss(status), Some(2048 * 1024));
        assert_eq!(parse_vm_rss("Name: x\n"), None);
    }

    #[test]
    fn netstat_counters_by_name() {
        let text = "TcpExt: SyncookiesSent ListenOverflows ListenDrops\nTcpExt: 1 7 9\nIpExt: A\nIpExt: 2\n";
        assert_eq!(
            parse_netstat(text),
            Some(ListenCounters {
                overflows: 7,
                drops: 9
            })
        );
        assert_eq!(parse_netstat("IpExt: A\nIpExt: 1\n"), None);
    }

    #[test]
    fn this_process_has_usage_and_threads() {
        let usage = proc_usage(std::process::id()).unwrap();
        assert!(usage.rss > 0);
        assert!(
            threads(std::process::id())
                .unwrap()
                .contains(&std::process::id())
        );
    }
}
