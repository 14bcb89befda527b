//! Without the `metrics` feature: the same hooks, doing nothing.

use crate::stats::Counters;
use crate::{End, Publishing, Start, Topic};

#[derive(Debug)]
pub(crate) struct HubMetrics;

impl HubMetrics {
    pub(crate) const fn new(_label_limit: usize, _enabled: bool) -> Self {
        Self
    }

    #[inline(always)]
    pub(crate) const fn topic(&self, _topic: &Topic) -> TopicMetrics {
        TopicMetrics {}
    }

    #[inline(always)]
    pub(crate) const fn opened(&self) {}

    #[inline(always)]
    pub(crate) const fn started(&self, _start: &Start) {}

    #[inline(always)]
    pub(crate) const fn left(&self) {}

    #[inline(always)]
    pub(crate) const fn ended(&self, _end: End) {}

    #[inline(always)]
    pub(crate) const fn disconnected(&self) {}

    #[inline(always)]
    pub(crate) const fn delivered(&self, _shard: u64, _bytes: usize) {}

    #[inline(always)]
    pub(crate) const fn update(&self, _counters: &Counters) {}

    #[inline(always)]
    pub(crate) const fn publish_timer(&self) -> PublishTimer {
        PublishTimer
    }
}

#[derive(Debug)]
pub(crate) struct PublishTimer;

impl PublishTimer {
    #[inline(always)]
    pub(crate) const fn finish(self, publishing: Publishing) -> Publishing {
        publishing
    }
}

#[derive(Debug, Default)]
pub(crate) struct TopicMetrics {}

impl TopicMetrics {
    #[inline(always)]
    pub(crate) const fn subscriber(&self, _joined: bool) {}

    #[inline(always)]
    pub(crate) const fn appended(&mut self, _events: usize, _bytes: usize) {}

    #[inline(always)]
    #[allow(dead_code)] // for eviction paths outside `append`
    pub(crate) const fn history(&mut self, _events: usize, _bytes: usize) {}
}
