//! [`Demo`]: the whole demo app behind the HTTP layer, shared by the three frameworks.
//!
//! Each binary only routes requests here and copies status, headers and bodies back.

use std::future::Future;
use std::time::{Duration, SystemTime};

use sse_core::{CorsError, CorsPolicy, Event, EventName, KeepAlive, LastEventId};
use sse_hub::{
    BackplaneError, ConfigError, Hub, PublishError, SubscribeError, Subscription, Topic,
};
use tokio_util::sync::CancellationToken;

use crate::demo::cluster::Cluster;
use crate::demo::{
    ApiError, Config, JsonAnswer, MAX_PUBLISH_BODY, PublishRequest, parse_topics, read_limited,
    shutdown_signal,
};

/// The topic of the built-in clock.
pub const CLOCK_TOPIC: &str = "clock";

/// The event type of the clock's events.
const TICK: EventName = EventName::from_static("tick");

/// The most topics the hub keeps (idle ones are forgotten first when it is reached).
pub const MAX_TOPICS: usize = 10_000;

/// The topic whose subscribers get `presence` events.
pub const CHAT_TOPIC: &str = "chat";

/// Why the demo could not start: a flag value that parses but cannot be used.
#[derive(Debug)]
pub enum StartError {
    /// An `--allow-origin` value is not an origin.
    Cors(CorsError),
    /// The hub refused the settings.
    Hub(ConfigError),
    /// `--redis` is not a Redis URL.
    Redis(BackplaneError),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Cors(e) => write!(f, "--allow-origin: {e}"),
            Self::Redis(e) => write!(f, "--redis: {e}"),
            Self::Hub(e) => write!(
                f,
                "--history/--history-bytes/--memory-budget-bytes/--max-stream-ms: {e}"
            ),
        }
    }
}

impl std::error::Error for StartError {}

/// The demo app: a hub, the flags, the CORS policy, and the shutdown state.
#[derive(Debug, Clone)]
pub struct Demo {
    hub: Hub,
    config: Config,
    cors: CorsPolicy,
    stopping: CancellationToken,
    /// With `--redis`.
    cluster: Option<Cluster>,
}

impl Demo {
    /// Builds the app from its flags.
    ///
    /// # Errors
    ///
    /// [`StartError`] when an origin or the hub settings cannot be used.
    pub fn new(config: Config) -> Result<Self, StartError> {
        let cors = CorsPolicy::exact(config.allow_origins.iter().cloned())
            .and_then(CorsPolicy::allow_credentials)
            .map_err(StartError::Cors)?
            .max_age(Duration::from_secs(600));
        // Before the hub: it registers its series with the recorder when it is built.
        crate::demo::install_recorder();
        let cluster = config
            .redis
            .as_deref()
            .map(|url| Cluster::new(url, &config.redis_key))
            .transpose()
            .map_err(StartError::Redis)?;
        let elsewhere = cluster.as_ref().map(Cluster::elsewhere);
        let mut hub = Hub::builder();
        if let Some(cluster) = &cluster {
            hub = hub.backplane(cluster.backplane());
        }
        let hub = hub
            .history(config.history)
            .history_bytes(usize::try_from(config.history_bytes).unwrap_or(usize::MAX))
            .memory_budget_bytes(usize::try_from(config.memory_budget_bytes).unwrap_or(usize::MAX))
            .max_topics(MAX_TOPICS)
            .max_lifetime(config.max_stream())
            // The contract sets no limit on the topics of one stream: the request size
            // limit of each server bounds it, and the hub-wide topic limit still holds.
            .max_topics_per_subscription(MAX_TOPICS)
            .on_presence(move |change| {
                if change.topic() != CHAT_TOPIC {
                    return None;
                }
                // With --redis: the whole cluster's count (the others' as last read).
                let others = elsewhere
                    .as_ref()
                    .map_or(0, |e| e.chat.load(std::sync::atomic::Ordering::Relaxed));
                let count = change.subscribers() + others;
                Some(Event::new().event("presence").ok()?.data(count.to_string()))
            })
            .build()
            .map_err(StartError::Hub)?;
        Ok(Self {
            hub,
            config,
            cors,
            stopping: CancellationToken::new(),
            cluster,
        })
    }

    /// Parses the flags and builds the app; on a bad flag, prints the error and exits
    /// with status 2, like clap does for the flags it checks itself.
    #[must_use]
    pub fn from_args() -> Self {
        use clap::Parser;
        let config = Config::parse();
        crate::demo::init_logging(config.log_format);
        Self::new(config).unwrap_or_else(|e| {
            eprintln!("error: {e}");
            std::process::exit(2);
        })
    }

    /// The flags.
    #[must_use]
    pub const fn config(&self) -> &Config {
        &self.config
    }

    /// The hub.
    #[must_use]
    pub const fn hub(&self) -> &Hub {
        &self.hub
    }

    /// The CORS policy of `/events` (`--allow-origin`).
    #[must_use]
    pub fn cors(&self) -> CorsPolicy {
        self.cors.clone()
    }

    /// `GET /events`: the subscription for this query string and Last-Event-ID.
    ///
    /// # Errors
    ///
    /// 400 for missing or bad topics; 503 when the hub has no room for more topics.
    pub async fn subscribe(
        &self,
        query: Option<&str>,
        last_event_id: Option<&LastEventId>,
    ) -> Result<Subscription, ApiError> {
        let topics = parse_topics(query)?;
        // With --redis, an id another process gave may be newer than what this one
        // has read yet: wait (briefly) until it has.
        self.hub.caught_up(last_event_id).await;
        self.hub
            .resume(&topics, last_event_id)
            .map_err(|e| match e {
                SubscribeError::TooManyTopics { .. } => ApiError::unavailable(e.to_string()),
                other => ApiError::bad_request(other.to_string()),
            })
    }

    /// The demo's keep-alive, for each adapter's `Sse::keep_alive`.
    pub fn keep_alive(&self) -> KeepAlive {
        KeepAlive::new().interval(self.config.keep_alive())
    }

    /// `POST /publish`, from the framework's request body stream: 202 with `{"id": "..."}`,
    /// or 400/413 (nothing published: a bad body, a body over 1 MiB, or an event over
    /// `--memory-budget-bytes`) or 503 (shutting down) with `{"error": "..."}`.
    pub async fn publish_body<S, B, E>(&self, body: S) -> JsonAnswer
    where
        S: futures_util::Stream<Item = Result<B, E>>,
        B: bytes::Buf,
        E: std::fmt::Display,
    {
        let published = match read_limited(body, MAX_PUBLISH_BODY).await {
            Ok(body) => self.publish(&body).await,
            Err(e) => Err(e),
        };
        published.map_or_else(JsonAnswer::from, |body| JsonAnswer { status: 202, body })
    }

    /// `POST /publish` with the whole body: checks it, publishes, and returns the 202
    /// body `{"id": "..."}`.
    ///
    /// # Errors
    ///
    /// 400/413 for a body that breaks a rule or an event larger than the whole memory
    /// budget (nothing is published); 503 while shutting down.
    pub async fn publish(&self, body: &[u8]) -> Result<String, ApiError> {
        let request = PublishRequest::parse(body)?;
        let mut event = Event::new().data(request.data);
        if let Some(name) = request.event {
            event = event
                .event(name)
                .map_err(|e| ApiError::bad_request(e.to_string()))?;
        }
        if let Some(ms) = request.retry_ms {
            event = event.retry(Duration::from_millis(ms));
        }
        let id = self
            .hub
            .publish(&request.topic, event)
            .await
            .map_err(|e| match e {
                PublishError::Closed => ApiError::unavailable("the server is shutting down"),
                PublishError::TooLarge { .. } => ApiError::event_too_large(e.to_string()),
                other => ApiError::unavailable(other.to_string()),
            })?;
        Ok(serde_json::json!({ "id": id.to_string() }).to_string())
    }

    /// `GET /healthz`: `Ok` while publishing can work; otherwise 503 with the reason
    /// (with `--redis`: Redis unreachable, or history still loading at start-up).
    ///
    /// # Errors
    ///
    /// 503 with `{"error": "..."}`.
    pub fn health(&self) -> Result<(), ApiError> {
        if self.hub.is_shut_down() {
            return Err(ApiError::unavailable("the server is shutting down"));
        }
        self.hub
            .health()
            .map_err(|e| ApiError::unavailable(format!("cannot publish: {e}")))
    }

    /// `GET /stats`: live subscriber connections now, and events accepted by `/publish`.
    ///
    /// With `--redis` the answer also has `"scope": "cluster"`: `subscribers` counts
    /// the whole cluster (other processes as of their last beat, at most 1 s old),
    /// `published` every event published anywhere in the cluster since this process
    /// started, and `node_subscribers` this process alone; the `topics` lines stay
    /// this process's. Without it, the counts are this process's (`"scope"` absent).
    #[must_use]
    pub fn stats(&self) -> JsonAnswer {
        let stats = self.hub.stats();
        let topics: serde_json::Map<_, _> = stats
            .topics
            .iter()
            .map(|t| {
                let value =
                    serde_json::json!({ "subscribers": t.subscribers, "published": t.published });
                (t.topic.to_string(), value)
            })
            .collect();
        let mut body = serde_json::json!({
            "subscribers": stats.subscribers,
            "published": stats.published,
            "topics": topics,
        });
        if let Some(cluster) = &self.cluster {
            let others = cluster
                .elsewhere()
                .subscribers
                .load(std::sync::atomic::Ordering::Relaxed);
            body["subscribers"] = (stats.subscribers + others).into();
            body["node_subscribers"] = stats.subscribers.into();
            body["scope"] = "cluster".into();
        }
        JsonAnswer {
            status: 200,
            body: body.to_string(),
        }
    }

    /// Starts the `clock` topic: a `tick` event with the RFC 3339 time every `--clock-ms`
    /// (not at all with 0). Must be called inside a tokio runtime.
    ///
    /// With `--redis` it also starts cluster presence, and one process of the cluster
    /// (the holder of a lease in Redis) ticks for all.
    pub fn spawn_clock(&self) {
        if let Some(cluster) = &self.cluster {
            let chat = Topic::from_static(CHAT_TOPIC);
            cluster.spawn_presence(self.hub.clone(), chat, self.stopping.clone());
        }
        let Some(period) = self.config.clock() else {
            return;
        };
        let (hub, stopping) = (self.hub.clone(), self.stopping.clone());
        let cluster = self.cluster.clone();
        let topic = Topic::from_static(CLOCK_TOPIC);
        tokio::spawn(async move {
            let mut interval = tokio::time::interval(period);
            interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut lease = None;
            loop {
                tokio::select! {
                    () = stopping.cancelled() => break,
                    _ = interval.tick() => {}
                }
                if let Some(cluster) = &cluster
                    && !cluster.leads_clock(&mut lease, period * 3).await
                {
                    continue;
                }
                let now = humantime::format_rfc3339_millis(SystemTime::now()).to_string();
                let tick = Event::new().with_event(TICK).data(now);
                // Redis away: skip this tick; shut down: stop.
                if let Err(PublishError::Closed) = hub.publish_uncounted(&topic, tick).await {
                    break;
                }
            }
        });
    }

    /// `GET /metrics`: every series in the Prometheus text format, the hub's delivery
    /// counters brought up to date first.
    #[must_use]
    pub fn metrics(&self) -> String {
        self.hub.update_metrics();
        crate::demo::render_metrics()
    }

    /// Starts the `stats` topic (about once a second while someone follows it). Must be
    /// called inside a tokio runtime.
    pub fn spawn_stats(&self) {
        crate::demo::spawn_stats(self.hub.clone(), self.stopping.clone());
    }

    /// Ends every stream (each after a jittered `retry:` hint) and stops the clock.
    pub fn begin_shutdown(&self) {
        self.stopping.cancel();
        self.hub.shutdown();
    }

    /// Resolves at SIGINT or SIGTERM, after [`begin_shutdown`](Self::begin_shutdown):
    /// give it to the framework's graceful shutdown.
    pub fn on_signal(&self) -> impl Future<Output = ()> + Send + 'static {
        let demo = self.clone();
        async move {
            shutdown_signal().await;
            demo.begin_shutdown();
        }
    }

    /// Runs `server` to its end, but once shutdown has begun for no longer than
    /// `--shutdown-grace-ms`: then returns `Ok` so the process exits 0.
    ///
    /// # Errors
    ///
    /// The server's own error.
    pub async fn serve<E>(&self, server: impl Future<Output = Result<(), E>>) -> Result<(), E> {
        let (stopping, grace) = (self.stopping.clone(), self.config.shutdown_grace());
        tokio::select! {
            result = server => result,
            () = async move {
                stopping.cancelled().await;
                tokio::time::sleep(grace).await;
            } => {
                eprintln!("grace period over: exiting with streams still open");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn demo(args: &[&str]) -> Demo {
        let config = Config::try_parse_from(["demo"].iter().chain(args)).unwrap();
        Demo::new(config).unwrap()
    }

    #[test]
    fn the_history_flags_default_to_the_contract_and_reach_the_hub() {
        let config = Config::try_parse_from(["demo"]).unwrap();
        assert_eq!(
            (config.history_bytes, config.memory_budget_bytes),
            (64 << 20, 256 << 20)
        );
        for flag in ["--history-bytes", "--memory-budget-bytes"] {
            let err = Config::try_parse_from(["demo", flag, "0"]).unwrap_err();
            assert!(err.to_string().contains(flag), "{err}");
        }
        let hub = format!(
            "{:?}",
            demo(&["--history-bytes", "1234", "--memory-budget-bytes", "5678"]).hub()
        );
        assert!(
            hub.contains("history_bytes: 1234") && hub.contains("memory_budget: 5678"),
            "{hub}"
        );
    }

    #[tokio::test]
    async fn an_event_over_the_memory_budget_is_413_with_a_reason_and_not_published() {
        let demo = demo(&["--memory-budget-bytes", "100", "--clock-ms", "0"]);
        let big = format!(r#"{{"topic": "t", "data": "{}"}}"#, "x".repeat(200));
        let err = demo.publish(big.as_bytes()).await.unwrap_err();
        assert_eq!(err.status(), 413);
        assert!(
            err.reason()
                .contains("over the hub's memory budget of 100 bytes"),
            "{}",
            err.json()
        );
        assert!(
            demo.publish(br#"{"topic": "t", "data": "small"}"#)
                .await
                .is_ok()
        );
        assert_eq!(demo.hub().stats().published, 1);
    }
}
