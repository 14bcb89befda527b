//! Without the `tracing` feature: the same hooks, doing nothing.

use crate::resume::Asked;
use crate::{End, Start, Topic};

#[derive(Debug)]
pub(crate) struct SubscriptionSpan;

impl SubscriptionSpan {
    #[inline(always)]
    pub(crate) const fn open(
        _number: u64,
        _topics: &[Topic],
        _asked: Asked,
        _start: Start,
    ) -> Self {
        Self
    }

    #[inline(always)]
    pub(crate) const fn ended(&self, _end: End) {}

    #[inline(always)]
    pub(crate) const fn disconnected(&self) {}
}

#[inline(always)]
pub(crate) const fn shutdown(_subscriptions: usize) {}
