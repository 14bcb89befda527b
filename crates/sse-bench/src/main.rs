//! `sse-bench`: see the crate documentation (`cargo doc -p sse-bench --open`) or
//! `sse-bench --help`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

use sse_bench::client::LoadOptions;
use sse_bench::demo::{self, DemoOptions};
use sse_bench::driver::{
    DriverOptions, InstructionsPlan, Plan, run_instructions, run_plan, valgrind_available,
};
use sse_bench::peer::Peer;
use sse_bench::results::Results;
use sse_bench::server::ServerOptions;

/// Counts live heap bytes in every process this binary runs (server, client, driver):
/// the same allocator for every peer.
#[global_allocator]
static GLOBAL: &StatsAlloc<std::alloc::System> = &INSTRUMENTED_SYSTEM;

#[derive(Debug, Parser)]
#[command(
    version,
    about = "SSE benchmarks: our crates side by side with their peers"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The whole suite (about 11 minutes); writes BENCHMARKS.md and docs/bench/*.svg.
    All(SuiteArgs),
    /// Every peer through every benchmark once with 100 connections (seconds); fails when
    /// a peer does not work, never because it is slow.
    Smoke(SuiteArgs),
    /// Latency (1/10/100 events/s) and fan-out to saturation, 10,000 subscribers.
    Stream(SuiteArgs),
    /// Memory per idle stream at 1k, 5k, 10k and 19k streams.
    Idle(SuiteArgs),
    /// Reconnect storm with Last-Event-ID 0/10/100 events behind (hub peers).
    Reconnect(SuiteArgs),
    /// 5 % of subscribers stop reading.
    Slow(SuiteArgs),
    /// User-space instructions per delivery of each peer's server, counted by callgrind
    /// (needs valgrind): two runs per peer and repetition, N subscribers, K1 and K2 events
    /// one at a time; (I(K2) - I(K1)) / ((K2 - K1) × N). Saves
    /// target/sse-bench/instructions.json.
    Instructions {
        /// Only these peers (comma-separated names; default: hyper, ours-axum-hub,
        /// ours-warp-hub, ours-actix-hub, axum-sse, raw).
        #[arg(long, value_delimiter = ',')]
        peers: Vec<Peer>,
        /// Subscribers.
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
        /// Events in the two runs of each peer, K1,K2 with K1 < K2.
        #[arg(long, value_delimiter = ',', default_value = "10,30")]
        events: Vec<u64>,
        /// Repetitions of every peer's pair of runs (the table shows the median and the
        /// range: what the count varies by from run to run).
        #[arg(long, default_value_t = 3)]
        reps: usize,
        /// The workspace root (default: the one this binary was built from).
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// Renders BENCHMARKS.md and the charts again from saved results (several files are
    /// merged: e.g. a part run again on a quieter machine).
    Report {
        /// JSON files a suite run saved (target/sse-bench/*.json), each optionally
        /// followed by `#` and the parts to take from it (`all.json#stream,idle`).
        #[arg(required = true)]
        results: Vec<PathBuf>,
        /// The workspace root to write into.
        #[arg(long)]
        root: Option<PathBuf>,
    },
    /// (internal) One peer's server, driven through stdin/stdout.
    Serve {
        /// The peer.
        #[arg(long)]
        peer: Peer,
        /// Listen address.
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: std::net::SocketAddr,
        /// Worker threads.
        #[arg(long, default_value_t = 1)]
        workers: usize,
        /// Pin to this CPU.
        #[arg(long)]
        cpu: Option<usize>,
        /// Keep-alive interval of every stream, in milliseconds.
        #[arg(long, default_value_t = 15_000)]
        keep_alive_ms: u64,
    },
    /// (internal) The load client, driven through stdin/stdout.
    Load {
        /// The server.
        #[arg(long)]
        addr: std::net::SocketAddr,
        /// Loopback source addresses.
        #[arg(long, default_value_t = 8)]
        sources: usize,
        /// Handshakes in flight at most.
        #[arg(long, default_value_t = 1024)]
        concurrency: usize,
        /// Pin to this CPU.
        #[arg(long)]
        cpu: Option<usize>,
    },
    /// The hub in memory against the Redis backplane with 1 and 3 nodes (starts its own
    /// redis-server): deliveries/s, latency, CPU per delivery and per event, and
    /// pipelined against one-at-a-time publishing.
    Redis {
        /// Subscribers per node.
        #[arg(long, default_value_t = 1000)]
        subscribers: usize,
        /// Offered publish rates in events/s (comma-separated).
        #[arg(long, value_delimiter = ',', default_value = "1000,5000,20000")]
        rates: Vec<u64>,
        /// Seconds per rate and case.
        #[arg(long, default_value_t = 5)]
        seconds: u64,
        /// Events published for the pipelined-vs-serial comparison.
        #[arg(long, default_value_t = 50_000)]
        publishes: usize,
    },
    /// Check a server that follows the demo app's HTTP contract: N subscribers, K events
    /// each received exactly once, the server's RSS, and a clean disconnect.
    Demo {
        /// The server, as http://IP:PORT.
        #[arg(long)]
        url: String,
        /// Subscribers to connect.
        #[arg(long, default_value_t = 10_000)]
        subscribers: usize,
        /// Events to publish through POST /publish.
        #[arg(long, default_value_t = 20)]
        events: usize,
        /// The topic.
        #[arg(long, default_value = "bench")]
        topic: String,
        /// The server's process id (for its RSS).
        #[arg(long)]
        pid: Option<u32>,
        /// Loopback source addresses to spread the connections over.
        #[arg(long, default_value_t = 8)]
        sources: usize,
        /// Connections opened at once at most.
        #[arg(long, default_value_t = 1024)]
        concurrency: usize,
        /// Seconds allowed for each step.
        #[arg(long, default_value_t = 60)]
        timeout: u64,
        /// Then this many waves of --subscribers connections opened and closed together,
        /// the server's RSS back within 1 MiB of its start after each (needs --pid; 0: none).
        #[arg(long, default_value_t = 8)]
        waves: usize,
    },
}

#[derive(Debug, Args)]
struct SuiteArgs {
    /// Only these peers (comma-separated names).
    #[arg(long, value_delimiter = ',')]
    peers: Vec<Peer>,
    /// Repetitions of every part (default: the suite's own).
    #[arg(long)]
    reps: Option<usize>,
    /// Subscribers (latency, fan-out, reconnect, slow consumers).
    #[arg(long)]
    subscribers: Option<usize>,
    /// Do not write BENCHMARKS.md and docs/bench/ (results are still saved as JSON).
    #[arg(long)]
    no_write: bool,
    /// The workspace root (default: the one this binary was built from).
    #[arg(long)]
    root: Option<PathBuf>,
    /// Server worker threads.
    #[arg(long, default_value_t = 1)]
    workers: usize,
    /// Do not trace write system calls.
    #[arg(long)]
    no_strace: bool,
}

fn workspace_root(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(".."))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command_line = std::env::args().skip(1).collect::<Vec<_>>().join(" ");
    match cli.command {
        Command::All(args) => suite(Plan::full(), &args, "all", &command_line),
        Command::Smoke(args) => suite(Plan::smoke(), &args, "smoke", &command_line),
        Command::Stream(args) => {
            suite(only(Plan::full(), "stream"), &args, "stream", &command_line)
        }
        Command::Idle(args) => suite(only(Plan::full(), "idle"), &args, "idle", &command_line),
        Command::Reconnect(args) => suite(
            only(Plan::full(), "reconnect"),
            &args,
            "reconnect",
            &command_line,
        ),
        Command::Slow(args) => suite(only(Plan::full(), "slow"), &args, "slow", &command_line),
        Command::Instructions {
            peers,
            subscribers,
            events,
            reps,
            root,
        } => instructions(peers, subscribers, &events, reps, root, &command_line),
        Command::Report { results, root } => report(&results, &workspace_root(root)),
        Command::Serve {
            peer,
            addr,
            workers,
            cpu,
            keep_alive_ms,
        } => exit(sse_bench::server::run(&ServerOptions {
            peer,
            addr,
            workers,
            cpu,
            keep_alive: Duration::from_millis(keep_alive_ms.max(1)),
        })),
        Command::Load {
            addr,
            sources,
            concurrency,
            cpu,
        } => exit(sse_bench::client::run(LoadOptions {
            addr,
            sources,
            concurrency,
            cpu,
        })),
        Command::Redis {
            subscribers,
            rates,
            seconds,
            publishes,
        } => {
            let options = sse_bench::redis::RedisBenchOptions {
                subscribers,
                rates,
                seconds,
                publishes,
            };
            let runtime = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(sse_bench::redis::run(&options)) {
                Ok(table) => {
                    println!("{table}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Command::Demo {
            url,
            subscribers,
            events,
            topic,
            pid,
            sources,
            concurrency,
            timeout,
            waves,
        } => {
            let addr = match demo::parse_url(&url) {
                Ok(addr) => addr,
                Err(e) => {
                    eprintln!("error: --url {e}");
                    return ExitCode::from(2);
                }
            };
            if let Err(e) = sse_bench::sys::raise_nofile_limit() {
                eprintln!("warning: cannot raise the open-file limit: {e}");
            }
            let options = DemoOptions {
                addr,
                subscribers,
                events,
                topic,
                pid,
                sources,
                concurrency,
                timeout: Duration::from_secs(timeout),
                waves,
            };
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(e) => return exit(Err(e)),
            };
            let report = tokio::task::LocalSet::new().block_on(&runtime, demo::run(&options));
            print!("{}", demo::render(&options, &report));
            if report.passed() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn exit(result: std::io::Result<()>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `plan` with only the named part.
fn only(plan: Plan, part: &str) -> Plan {
    Plan {
        stream: plan.stream.filter(|_| part == "stream"),
        idle: plan.idle.filter(|_| part == "idle"),
        reconnect: plan.reconnect.filter(|_| part == "reconnect"),
        slow: plan.slow.filter(|_| part == "slow"),
    }
}

/// Applies the command-line overrides to `plan`.
fn adjust(mut plan: Plan, args: &SuiteArgs) -> Plan {
    fn apply<T>(part: &mut Option<sse_bench::driver::Part<T>>, args: &SuiteArgs) {
        if let Some(part) = part {
            if let Some(reps) = args.reps {
                part.reps = reps;
            }
            if !args.peers.is_empty() {
                part.peers.retain(|p| args.peers.contains(p));
            }
        }
    }
    apply(&mut plan.stream, args);
    apply(&mut plan.idle, args);
    apply(&mut plan.reconnect, args);
    apply(&mut plan.slow, args);
    if let Some(n) = args.subscribers {
        if let Some(part) = &mut plan.stream {
            part.plan.subscribers = n;
        }
        if let Some(part) = &mut plan.reconnect {
            part.plan.clients = n;
        }
        if let Some(part) = &mut plan.slow {
            part.plan.subscribers = n;
        }
    }
    if args.no_strace
        && let Some(part) = &mut plan.stream
    {
        part.plan.strace = None;
    }
    plan
}

fn suite(plan: Plan, args: &SuiteArgs, name: &str, command_line: &str) -> ExitCode {
    let plan = adjust(plan, args);
    let mut options = match DriverOptions::for_this_machine() {
        Ok(options) => options,
        Err(e) => return exit(Err(e)),
    };
    options.workers = args.workers;
    let _ = sse_bench::sys::raise_nofile_limit();
    let results = run_plan(&plan, &options, &format!("sse-bench {command_line}"));
    let root = workspace_root(args.root.clone());
    let saved = root
        .join("target")
        .join("sse-bench")
        .join(format!("{name}.json"));
    if let Err(e) = save(&saved, &results) {
        eprintln!("warning: cannot save {}: {e}", saved.display());
    }
    let rendered = sse_bench::report::render(&results);
    println!("{}", rendered.markdown);
    if name == "smoke" {
        let stream_peers = plan.stream.map(|p| p.peers).unwrap_or_default();
        let idle_peers = plan.idle.map(|p| p.peers).unwrap_or_default();
        let hub_peers = plan.reconnect.map(|p| p.peers).unwrap_or_default();
        let problems = sse_bench::smoke::failures(&results, &stream_peers, &idle_peers, &hub_peers);
        println!("smoke: {:.1} s", results.run.seconds);
        if problems.is_empty() {
            println!("smoke: every peer worked");
            return ExitCode::SUCCESS;
        }
        for problem in problems {
            println!("smoke: FAILED: {problem}");
        }
        return ExitCode::FAILURE;
    }
    if !args.no_write {
        match sse_bench::report::write_all(&root, &rendered) {
            Ok(()) => eprintln!(
                "[sse-bench] wrote BENCHMARKS.md and docs/bench/ under {}",
                root.display()
            ),
            Err(e) => return exit(Err(e)),
        }
    }
    ExitCode::SUCCESS
}

/// Bytes of data per event, as in the fan-out benchmark.
const EVENT_SIZE: usize = 64;

fn instructions(
    peers: Vec<Peer>,
    subscribers: usize,
    events: &[u64],
    reps: usize,
    root: Option<PathBuf>,
    command_line: &str,
) -> ExitCode {
    let events = match *events {
        [fewer, more] if fewer < more => [fewer, more],
        _ => {
            eprintln!("error: --events takes two counts, fewer first: K1,K2 (e.g. 10,30)");
            return ExitCode::from(2);
        }
    };
    if subscribers == 0 || reps == 0 {
        eprintln!("error: --subscribers and --reps must be at least 1");
        return ExitCode::from(2);
    }
    if !valgrind_available() {
        eprintln!(
            "error: valgrind not found on PATH; install it (apt-get install -y valgrind) and run again"
        );
        return ExitCode::FAILURE;
    }
    let options = match DriverOptions::for_this_machine() {
        Ok(options) => options,
        Err(e) => return exit(Err(e)),
    };
    let _ = sse_bench::sys::raise_nofile_limit();
    let saved = workspace_root(root).join("target").join("sse-bench");
    let plan = InstructionsPlan {
        peers: if peers.is_empty() {
            InstructionsPlan::PEERS.to_vec()
        } else {
            peers
        },
        subscribers,
        events,
        size: EVENT_SIZE,
        reps,
        out_dir: saved.join("callgrind"),
    };
    let results = run_instructions(&plan, &options, &format!("sse-bench {command_line}"));
    let path = saved.join("instructions.json");
    if let Err(e) = save(&path, &results) {
        eprintln!("warning: cannot save {}: {e}", path.display());
    }
    print!("{}", sse_bench::report::render_instructions(&results));
    if results.notes.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn save(path: &Path, results: &impl serde::Serialize) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_string_pretty(results).map_err(std::io::Error::other)?;
    std::fs::write(path, json)
}

fn report(paths: &[PathBuf], root: &Path) -> ExitCode {
    let mut results = Results::default();
    for given in paths {
        let given = given.to_string_lossy();
        let (path, parts) = match given.split_once('#') {
            Some((path, parts)) => (
                PathBuf::from(path),
                Some(parts.split(',').collect::<Vec<_>>()),
            ),
            None => (PathBuf::from(given.as_ref()), None),
        };
        match std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| serde_json::from_str::<Results>(&text).map_err(|e| e.to_string()))
        {
            Ok(mut more) => {
                if let Some(parts) = &parts {
                    more.retain_parts(parts);
                }
                results.merge(more);
            }
            Err(e) => {
                eprintln!("error: {}: {e}", path.display());
                return ExitCode::FAILURE;
            }
        }
    }
    let rendered = sse_bench::report::render(&results);
    exit(sse_bench::report::write_all(root, &rendered))
}
